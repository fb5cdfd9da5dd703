package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"mamori"
)

// sysTx is a transaction that spans tenants. Only the few operations that
// must (creating and listing tenants, finding a session by its token,
// verifying every chain) use it; on PostgreSQL it is the only way past
// row-level security.
type sysTx struct {
	s  *Store
	tx *sql.Tx
}

func (s *Store) beginSystem(ctx context.Context, write bool) (*sysTx, error) {
	db, opts := s.read, &sql.TxOptions{ReadOnly: s.dialect == Postgres}
	if write {
		db, opts = s.write, nil
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin system transaction: %w", err)
	}
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('mamori.system', 'on', true)`); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("set system scope: %w", err)
		}
	}
	return &sysTx{s: s, tx: tx}, nil
}

func (t *sysTx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, q, t.s.convertArgs(args)...)
}

func (t *sysTx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, q, t.s.convertArgs(args)...)
}

func (t *sysTx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, q, t.s.convertArgs(args)...)
}

func (t *sysTx) Rollback() error { return t.tx.Rollback() }
func (t *sysTx) Commit() error   { return t.tx.Commit() }

// asTenant continues a system transaction as a tenant transaction, for the
// creation of a tenant, whose first event needs the chain the same
// transaction has just started.
func (t *sysTx) asTenant(ctx context.Context, sc mamori.Scope) (*Tx, error) {
	tx := &Tx{s: t.s, tx: t.tx, scope: sc, write: true}
	if err := tx.setTenant(ctx, sc.Tenant); err != nil {
		return nil, err
	}
	if err := tx.lockHead(ctx); err != nil {
		return nil, err
	}
	return tx, nil
}

// Tenant is one organization served by this database.
type Tenant struct {
	ID        mamori.TenantID
	Slug      string
	Name      string
	CreatedAt time.Time
}
