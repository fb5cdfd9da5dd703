package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"mamori"
	"mamori/internal/eventlog"
)

// ChainReport is the result of verifying one tenant.
type ChainReport struct {
	Tenant mamori.TenantID
	Slug   string
	Events int64
	Rows   int64
	Break  *eventlog.Break // nil when the chain and every row hold
}

// Verify checks every tenant's event chain and compares every tracked row
// with the state its last event recorded. It reads a consistent snapshot
// per tenant, so it can run beside a live server.
func (s *Store) Verify(ctx context.Context) ([]ChainReport, error) {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	var out []ChainReport
	for _, t := range tenants {
		r, err := s.verifyTenant(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("verify tenant %s: %w", t.Slug, err)
		}
		r.Slug = t.Slug
		out = append(out, *r)
	}
	return out, nil
}

func (s *Store) verifyTenant(ctx context.Context, id mamori.TenantID) (*ChainReport, error) {
	opts := &sql.TxOptions{ReadOnly: s.dialect == Postgres}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer stx.Rollback()
	tx := &Tx{s: s, tx: stx, scope: mamori.Scope{Tenant: id}}
	if err := tx.setTenant(ctx, id); err != nil {
		return nil, err
	}
	rep := &ChainReport{Tenant: id}
	chain := eventlog.NewChain(int64(id))
	rows, err := tx.Query(ctx, `SELECT seq, at, actor_id, actor_label, action, object_type, object_id, data, state_hash, request_id, client_addr, prev_hash, hash
		FROM events WHERE tenant_id = $1 ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	for rows.Next() {
		e := eventlog.Event{Tenant: int64(id)}
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.Data, &e.StateHash, &e.RequestID, &e.ClientAddr, &e.PrevHash, &e.Hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read event: %w", err)
		}
		if b := chain.Next(&e); b != nil {
			rows.Close()
			rep.Events, rep.Break = chain.Count(), b
			return rep, nil
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("read events: %w", err)
	}
	rows.Close()
	rep.Events = chain.Count()
	var headSeq int64
	var headHash string
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM event_heads WHERE tenant_id = $1`).Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("read event head: %w", err)
	}
	if b := chain.CheckHead(headSeq, headHash); b != nil {
		rep.Break = b
		return rep, nil
	}
	tables := TrackedTables()
	sort.Strings(tables)
	for _, table := range tables {
		n, b, err := verifyRows(ctx, tx, chain, table)
		rep.Rows += n
		if err != nil {
			return nil, err
		}
		if b != nil {
			rep.Break = b
			return rep, nil
		}
	}
	return rep, nil
}

func verifyRows(ctx context.Context, tx *Tx, chain *eventlog.Chain, table string) (int64, *eventlog.Break, error) {
	idCol := trackedTables[table]
	rows, err := tx.Query(ctx, `SELECT * FROM `+table+` WHERE tenant_id = $1 ORDER BY `+idCol)
	if err != nil {
		return 0, nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, nil, err
	}
	idIdx := -1
	for i, c := range cols {
		if c == idCol {
			idIdx = i
		}
	}
	rc := chain.Rows(table)
	var n int64
	for rows.Next() {
		vals, err := scanAny(rows, len(cols))
		if err != nil {
			return n, nil, fmt.Errorf("read %s: %w", table, err)
		}
		n++
		id, ok := vals[idIdx].(int64)
		if !ok {
			return n, nil, fmt.Errorf("read %s: id is %T", table, vals[idIdx])
		}
		h, err := eventlog.RowHash(cols, vals)
		if err != nil {
			return n, nil, err
		}
		if b := rc.Row(id, h); b != nil {
			return n, b, nil
		}
	}
	if err := rows.Err(); err != nil {
		return n, nil, err
	}
	return n, rc.Missing(), nil
}

// Head is the newest event of a tenant's chain.
type Head struct {
	Tenant mamori.TenantID
	Slug   string
	Seq    int64
	Hash   string
}

// Heads returns every tenant's chain head: written down outside the
// database (on paper, in another system), a head lets a later verify
// prove that the chain up to it was not rewritten as a whole.
func (s *Store) Heads(ctx context.Context) ([]Head, error) {
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	rows, err := stx.Query(ctx, `SELECT t.tenant_id, t.slug, h.seq, h.hash FROM tenants t JOIN event_heads h ON h.tenant_id = t.tenant_id ORDER BY t.tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("read chain heads: %w", err)
	}
	defer rows.Close()
	var out []Head
	for rows.Next() {
		var h Head
		if err := rows.Scan(&h.Tenant, &h.Slug, &h.Seq, &h.Hash); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// EventHash returns the stored hash of a tenant's event seq ("" when there
// is no such event).
func (s *Store) EventHash(ctx context.Context, seq int64) (string, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var h string
	err = tx.QueryRow(ctx, `SELECT hash FROM events WHERE tenant_id = $1 AND seq = $2`, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read event %d: %w", seq, err)
	}
	return h, nil
}
