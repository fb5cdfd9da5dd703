package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mamori/internal/eventlog"
)

// EventFilter narrows a listing of the log.
type EventFilter struct {
	Action     string // exact action, or a prefix ending in "." ("asset.")
	ObjectType string
	ObjectID   int64
	ActorID    int64
	Since      time.Time
	BeforeSeq  int64 // page backwards from this sequence number
	Limit      int
}

// Events lists the tenant's events, newest first.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]eventlog.Event, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := strings.Builder{}
	q.WriteString(`SELECT seq, at, actor_id, actor_label, action, object_type, object_id, data, state_hash, request_id, client_addr, prev_hash, hash FROM events WHERE tenant_id = $1`)
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		fmt.Fprintf(&q, " AND "+cond, len(args)+1)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			add("action LIKE $%d", f.Action+"%")
		} else {
			add("action = $%d", f.Action)
		}
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != 0 {
		add("object_id = $%d", f.ObjectID)
	}
	if f.ActorID != 0 {
		add("actor_id = $%d", f.ActorID)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", f.Since)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	fmt.Fprintf(&q, " ORDER BY seq DESC LIMIT %d", limit)
	rows, err := tx.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []eventlog.Event
	for rows.Next() {
		e := eventlog.Event{Tenant: int64(tx.scope.Tenant)}
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.Data, &e.StateHash, &e.RequestID, &e.ClientAddr, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
