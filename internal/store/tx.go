package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"mamori"
	"mamori/internal/eventlog"
)

// Tx is a transaction scoped to one tenant. Its query methods bind the
// tenant as $1 on every statement, so SQL in this package is written with
// "tenant_id = $1" and its own arguments from $2: the scope is applied here,
// once, and not remembered query by query. A writing Tx holds the tenant's
// event-chain head from its start, which serializes the tenant's writers
// (and makes MAX(id)+1 safe) on both databases.
type Tx struct {
	s         *Store
	tx        *sql.Tx
	scope     mamori.Scope
	write     bool
	events    int
	untracked bool
	headSeq   int64
	headHash  string
	done      bool
}

// errNoScope is returned when a context carries no tenant: nothing is
// reachable by default.
var errNoScope = &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "error.no_scope"}

// Scope returns the scope of the transaction.
func (tx *Tx) Scope() mamori.Scope { return tx.scope }

// Now is the store's clock.
func (tx *Tx) Now() time.Time { return tx.s.Now() }

func (s *Store) beginRead(ctx context.Context) (*Tx, error) { return s.begin(ctx, false) }

func (s *Store) beginWrite(ctx context.Context) (*Tx, error) { return s.begin(ctx, true) }

func (s *Store) begin(ctx context.Context, write bool) (*Tx, error) {
	sc, ok := mamori.ScopeFrom(ctx)
	if !ok {
		return nil, errNoScope
	}
	db, opts := s.read, &sql.TxOptions{ReadOnly: s.dialect == Postgres}
	if write {
		db, opts = s.write, nil
	}
	stx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{s: s, tx: stx, scope: sc, write: write}
	if err := tx.setTenant(ctx, sc.Tenant); err != nil {
		stx.Rollback()
		return nil, err
	}
	if write {
		if err := tx.lockHead(ctx); err != nil {
			stx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

func (tx *Tx) setTenant(ctx context.Context, t mamori.TenantID) error {
	if tx.s.dialect != Postgres {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `SELECT set_config('mamori.tenant', $1, true)`, strconv.FormatInt(int64(t), 10)); err != nil {
		return fmt.Errorf("set tenant scope: %w", err)
	}
	return nil
}

func (tx *Tx) lockHead(ctx context.Context) error {
	q := `SELECT seq, hash FROM event_heads WHERE tenant_id = $1`
	if tx.s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	err := tx.QueryRow(ctx, q).Scan(&tx.headSeq, &tx.headHash)
	if errors.Is(err, sql.ErrNoRows) {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.tenant_not_found", Args: map[string]any{"Tenant": tx.scope.Tenant}}
	}
	if err != nil {
		return fmt.Errorf("lock event chain of tenant %d: %w", tx.scope.Tenant, err)
	}
	return nil
}

// Rollback ends the transaction without changes; safe after Commit.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	return tx.tx.Rollback()
}

// Commit commits. A writing transaction that recorded no event is refused:
// every state change must leave its trace in the chain.
func (tx *Tx) Commit() error {
	if tx.write && tx.events == 0 && !tx.untracked {
		tx.Rollback()
		return errors.New("write transaction recorded no event")
	}
	tx.done = true
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// args puts the tenant first and converts values to what the dialect stores.
func (tx *Tx) args(args []any) []any {
	out := make([]any, 0, len(args)+1)
	out = append(out, int64(tx.scope.Tenant))
	return append(out, tx.s.convertArgs(args)...)
}

// Exec runs a statement with $1 bound to the tenant.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkScoped(query); err != nil {
		return nil, err
	}
	return tx.tx.ExecContext(ctx, query, tx.args(args)...)
}

// Query runs a query with $1 bound to the tenant.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkScoped(query); err != nil {
		return nil, err
	}
	return tx.tx.QueryContext(ctx, query, tx.args(args)...)
}

// QueryRow runs a query with $1 bound to the tenant. An unscoped query
// panics: it is a programming error that tests catch.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if err := checkScoped(query); err != nil {
		panic(err)
	}
	return tx.tx.QueryRowContext(ctx, query, tx.args(args)...)
}

var scopedRe = regexp.MustCompile(`\btenant_id\b[\s\S]*\$1\b`)

// checkScoped refuses a statement that does not use the tenant it is
// given: the statement must name tenant_id and bind $1.
func checkScoped(query string) error {
	if !scopedRe.MatchString(query) {
		return fmt.Errorf("query is not scoped to the tenant (needs tenant_id and $1): %.80s", query)
	}
	return nil
}

// timeLayout is fixed-width so that SQLite, which compares times as text,
// orders them correctly.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func (s *Store) convertArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = s.convertArg(a)
	}
	return out
}

func (s *Store) convertArg(a any) any {
	switch v := a.(type) {
	case time.Time:
		return s.timeArg(v)
	case *time.Time:
		if v == nil {
			return nil
		}
		return s.timeArg(*v)
	case sql.NullTime:
		if !v.Valid {
			return nil
		}
		return s.timeArg(v.Time)
	}
	return a
}

func (s *Store) timeArg(t time.Time) any {
	t = eventlog.StoredTime(t)
	if s.dialect == SQLite {
		return t.Format(timeLayout)
	}
	return t
}

// Change is one state change to record in the event log.
type Change struct {
	Action string // "unit.create", "asset.reclassify", …
	Table  string // the changed object's table; "" when the change has no row
	ID     int64
	Data   any // marshalled to JSON; must hold no secret
}

// Record appends an event for c to the tenant's chain, in this transaction.
// For a tracked table it hashes the row as it now stands, so that a later
// edit made outside mamori no longer matches.
func (tx *Tx) Record(ctx context.Context, c Change) error {
	if !tx.write {
		return errors.New("record event: read-only transaction")
	}
	data := []byte("{}")
	if c.Data != nil {
		var err error
		if data, err = json.Marshal(c.Data); err != nil {
			return fmt.Errorf("record %s: encode change: %w", c.Action, err)
		}
	}
	state := ""
	if c.Table != "" {
		if _, ok := trackedTables[c.Table]; !ok {
			return fmt.Errorf("record %s: table %q is not tracked", c.Action, c.Table)
		}
		h, err := tx.rowHash(ctx, c.Table, c.ID)
		if err != nil {
			return fmt.Errorf("record %s: %w", c.Action, err)
		}
		state = h
	}
	ev := tx.sealEvent(c.Action, c.Table, c.ID, data, state)
	if _, err := tx.Exec(ctx, `INSERT INTO events (tenant_id, seq, at, actor_id, actor_label, action, object_type, object_id, data, state_hash, request_id, client_addr, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		ev.Seq, ev.At, ev.ActorID, ev.ActorLabel, ev.Action, ev.ObjectType, ev.ObjectID, ev.Data, ev.StateHash, ev.RequestID, ev.ClientAddr, ev.PrevHash, ev.Hash); err != nil {
		return fmt.Errorf("append event %s: %w", c.Action, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE event_heads SET seq = $2, hash = $3 WHERE tenant_id = $1`, ev.Seq, ev.Hash); err != nil {
		return fmt.Errorf("advance event head: %w", err)
	}
	tx.events++
	return nil
}

// sealEvent builds the next event of the tenant's chain from the
// transaction's scope and clock, seals it onto the current head and
// advances the head. The caller stores the event (one at a time in Record,
// many to a statement in a bulk import) and the head.
func (tx *Tx) sealEvent(action, table string, id int64, data []byte, state string) eventlog.Event {
	actor := tx.scope.ActorLabel
	if actor == "" {
		actor = "system"
	}
	ev := eventlog.Event{
		Tenant:     int64(tx.scope.Tenant),
		Seq:        tx.headSeq + 1,
		At:         eventlog.StoredTime(tx.s.now()),
		ActorID:    tx.scope.ActorID,
		ActorLabel: actor,
		Action:     action,
		ObjectType: table,
		ObjectID:   id,
		Data:       string(data),
		StateHash:  state,
		RequestID:  tx.scope.RequestID,
		ClientAddr: tx.scope.ClientAddr,
	}
	ev.Seal(tx.headHash)
	tx.headSeq, tx.headHash = ev.Seq, ev.Hash
	return ev
}

// rowHash reads a tracked row and hashes it; "" when the row is gone.
func (tx *Tx) rowHash(ctx context.Context, table string, id int64) (string, error) {
	idCol := trackedTables[table]
	rows, err := tx.Query(ctx, `SELECT * FROM `+table+` WHERE tenant_id = $1 AND `+idCol+` = $2`, id)
	if err != nil {
		return "", fmt.Errorf("read %s %d for hashing: %w", table, id, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	if !rows.Next() {
		return "", rows.Err()
	}
	vals, err := scanAny(rows, len(cols))
	if err != nil {
		return "", fmt.Errorf("read %s %d for hashing: %w", table, id, err)
	}
	return eventlog.RowHash(cols, vals)
}

func scanAny(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

// NextID returns the next id for table in this tenant. It is safe because
// a writing transaction holds the tenant's chain head.
func (tx *Tx) NextID(ctx context.Context, table string) (int64, error) {
	if _, ok := trackedTables[table]; !ok {
		return 0, fmt.Errorf("next id: table %q is not tracked", table)
	}
	var id int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table+` WHERE tenant_id = $1`).Scan(&id); err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	return id, nil
}

// Untracked marks a writing transaction as one that changes only
// bookkeeping (a session's last-seen time), which needs no event.
func (tx *Tx) Untracked() { tx.untracked = true }
