package store

import (
	"context"
	"fmt"
	"testing/fstest"
)

// RawExec runs SQL past the application's scoping, as someone with direct
// database access would.
func RawExec(ctx context.Context, s *Store, q string, args ...any) error {
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	if _, err := stx.Exec(ctx, q, args...); err != nil {
		return err
	}
	return stx.Commit()
}

// RawCountUnscoped counts rows over a connection that set no scope.
func RawCountUnscoped(ctx context.Context, s *Store, table string) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// SetMigrationsForTest replaces the migration files of d.
func SetMigrationsForTest(d Dialect, files map[string]string) (restore func()) {
	old := migrationFS
	m := fstest.MapFS{}
	for name, body := range files {
		m["migrations/"+string(d)+"/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	migrationFS = m
	return func() { migrationFS = old }
}

type TableFacts struct {
	Name        string
	HasTenantID bool
	Accounted   bool
	RLSForced   bool
}

// TableInfo describes every table in the database.
func TableInfo(ctx context.Context, s *Store) ([]TableFacts, error) {
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	var names []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.dialect == Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`
	}
	rows, err := stx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	var out []TableFacts
	for _, n := range names {
		f := TableFacts{Name: n}
		_, tracked := trackedTables[n]
		f.Accounted = tracked || untrackedTables[n]
		cq := fmt.Sprintf(`SELECT COUNT(*) FROM pragma_table_info('%s') WHERE name = 'tenant_id'`, n)
		if s.dialect == Postgres {
			cq = fmt.Sprintf(`SELECT COUNT(*) FROM information_schema.columns WHERE table_name = '%s' AND column_name = 'tenant_id'`, n)
		}
		var c int
		if err := stx.QueryRow(ctx, cq).Scan(&c); err != nil {
			return nil, err
		}
		f.HasTenantID = c > 0
		if s.dialect == Postgres {
			if err := stx.QueryRow(ctx, `SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = $1 AND relkind = 'r'`, n).Scan(&f.RLSForced); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	return out, nil
}
