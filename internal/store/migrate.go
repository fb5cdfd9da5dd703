package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var embeddedMigrations embed.FS

// migrationFS is a variable so that tests can offer a broken migration.
var migrationFS fs.FS = embeddedMigrations

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the dialect's migration files, named NNNN_what.sql.
func (s *Store) migrations() ([]migration, error) {
	dir := path.Join("migrations", string(s.dialect))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, rest, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(rest, ".sql") {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// SchemaVersion returns the newest applied migration and the newest this
// binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, 0, err
	}
	known = ms[len(ms)-1].version
	err = s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied)
	if err != nil {
		// No table yet: nothing applied.
		return 0, known, nil
	}
	return applied, known, nil
}

// Migrate applies every pending migration in one transaction, so that a
// failure leaves the database exactly as it was. On PostgreSQL an advisory
// lock lets several servers start at once without racing.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	ms, err := s.migrations()
	if err != nil {
		return nil, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261706)`); err != nil {
			return nil, fmt.Errorf("lock for migration: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `SELECT set_config('mamori.system', 'on', true)`); err != nil {
			return nil, fmt.Errorf("migration scope: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	maxDone := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = true
		maxDone = max(maxDone, v)
	}
	rows.Close()
	if known := ms[len(ms)-1].version; maxDone > known {
		return nil, fmt.Errorf("the database %s was migrated by a newer mamori (schema %d; this binary knows up to %d): run the newer mamori, or restore a backup made by this version", s.target, maxDone, known)
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		if err := execScript(ctx, tx, m.sql); err != nil {
			return nil, fmt.Errorf("migration %s failed (nothing was changed): %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return nil, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit migration: %w", err)
	}
	return applied, nil
}

// execScript runs a migration file. Both drivers accept several statements
// in one Exec when no arguments are bound.
func execScript(ctx context.Context, tx *sql.Tx, script string) error {
	_, err := tx.ExecContext(ctx, script)
	return err
}

// MigrationNames lists the migration files of dialect d (test templates
// are keyed by them).
func MigrationNames(d Dialect) []string {
	s := &Store{dialect: d}
	ms, _ := s.migrations()
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.name
	}
	return out
}

// MigrationDigest is a digest of the dialect's migration scripts.
func MigrationDigest(d Dialect) string {
	s := &Store{dialect: d}
	ms, _ := s.migrations()
	h := sha256.New()
	for _, m := range ms {
		h.Write([]byte(m.name))
		h.Write([]byte(m.sql))
	}
	return hex.EncodeToString(h.Sum(nil))
}
