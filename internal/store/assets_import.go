package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/eventlog"
)

// importChunk is how many rows one multi-row statement writes: well under
// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters at 22 columns.
const importChunk = 500

// importCacheKiB is SQLite's page cache while an import writes: the
// default 2 MiB makes the inserts of 100,000 rows into a dozen indexes
// spill and re-read pages all the time. It is set on the one writing
// connection for the import and put back after.
const importCacheKiB = 256 << 10

// stmts prepares each multi-row statement once per transaction: its text
// depends only on the number of rows, and parsing thousands of
// placeholders for every chunk is what would cost.
type stmts struct {
	tx    *Tx
	cache map[string]*sql.Stmt
}

func (c *stmts) exec(ctx context.Context, query string, args ...any) error {
	st, ok := c.cache[query]
	if !ok {
		if err := checkScoped(query); err != nil {
			return err
		}
		var err error
		if st, err = c.tx.tx.PrepareContext(ctx, query); err != nil {
			return err
		}
		c.cache[query] = st
	}
	_, err := st.ExecContext(ctx, c.tx.args(args)...)
	return err
}

func (c *stmts) close() {
	for _, st := range c.cache {
		st.Close()
	}
}

// ImportAssets stores a checked batch in one transaction: every asset, its
// level index rows and one event per asset ("asset.import", hashing the
// row as stored), then re-derives the existing assets that now hold new
// ones, and closes with an "asset.import_commit" event naming the file.
// Rows are written many to a statement and the events are chained here,
// in the transaction that holds the tenant's chain head, exactly as
// Tx.Record would chain them one by one: at 100,000 rows a statement per
// row (and a round trip per statement on PostgreSQL) is what would cost.
func (s *Store) ImportAssets(ctx context.Context, b *asset.Batch, d asset.Deriver, progress func(done, total int)) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	total := len(b.Items)
	if tx.s.dialect == SQLite && total > 1000 {
		if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, importCacheKiB)); err != nil {
			return fmt.Errorf("import: enlarge the page cache: %w", err)
		}
		defer func() {
			// Back to the default (-2000), freeing what the import used,
			// once the transaction has let go of the one writing
			// connection. Failing that only leaves a larger cache.
			tx.Rollback()
			tx.s.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
		}()
	}
	if err := checkImportRefs(ctx, tx, b); err != nil {
		return err
	}
	sc := &stmts{tx: tx, cache: map[string]*sql.Stmt{}}
	defer sc.close()
	base, err := tx.NextID(ctx, "assets")
	if err != nil {
		return err
	}
	now := tx.Now()
	actor := tx.scope.ActorID
	for i, it := range b.Items {
		a := it.Asset
		a.ID = base + int64(i)
		if it.Parent >= 0 {
			a.ParentID = base + int64(it.Parent)
		}
		if it.Original >= 0 {
			a.CopyOf = base + int64(it.Original)
		}
		a.CreatedAt, a.UpdatedAt, a.CreatedBy = now, now, actor
	}
	ev := newEventWriter(tx, sc)
	ph, err := newPredictor(ctx, tx)
	if err != nil {
		return err
	}
	ph.precompute(b.Items)
	for start := 0; start < total; start += importChunk {
		end := min(start+importChunk, total)
		chunk := b.Items[start:end]
		if err := insertAssetChunk(ctx, sc, chunk); err != nil {
			return err
		}
		if err := insertLevelChunk(ctx, sc, chunk); err != nil {
			return err
		}
		hashes, err := ph.hashes(ctx, start/importChunk, start, chunk)
		if err != nil {
			return err
		}
		for _, it := range chunk {
			data := struct {
				assetState
				Row int `json:"row"`
			}{assetData(it.Asset), it.Row}
			h, ok := hashes[it.Asset.ID]
			if !ok {
				return fmt.Errorf("import: asset %d was not stored", it.Asset.ID)
			}
			if err := ev.add(ctx, "asset.import", "assets", it.Asset.ID, data, h); err != nil {
				return err
			}
		}
		if err := ev.flush(ctx); err != nil {
			return err
		}
		if progress != nil {
			progress(end, total)
		}
	}
	if err := ev.close(ctx); err != nil {
		return err
	}
	if total > 0 {
		if err := indexNames(ctx, tx, base, base+int64(total)-1); err != nil {
			return err
		}
	}
	// Existing holders of new assets are raised to what they now hold.
	var holders []int64
	seen := map[int64]bool{}
	for _, it := range b.Items {
		if it.Parent < 0 && it.Asset.ParentID != 0 && !seen[it.Asset.ParentID] {
			seen[it.Asset.ParentID] = true
			holders = append(holders, it.Asset.ParentID)
		}
	}
	if err := propagate(ctx, tx, d, 0, holders...); err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "asset.import_commit", Data: map[string]any{
		"file": b.FileName, "sha256": b.SHA256, "assets": total, "skipped_rows": b.Skipped,
		"first_id": base, "last_id": base + int64(total) - 1}}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if total >= analyzeAfter {
		s.analyzeAssets(ctx)
	}
	return nil
}

// analyzeAfter is the size of an import after which the planner's
// statistics of the register are renewed.
const analyzeAfter = 1000

// analyzeAssets renews the planner's statistics of the register after a
// large import: without them SQLite takes a filter on a few units or a
// location for a selective one and sorts all its rows, where walking the
// number index for the first page is what is fast. PostgreSQL's
// autovacuum would come to it later. The statistics are bookkeeping of
// the database (no tenant's data, no event); failing to renew them only
// leaves the plans as they were.
func (s *Store) analyzeAssets(ctx context.Context) {
	q := `ANALYZE assets; ANALYZE asset_levels; ANALYZE asset_name_grams`
	if s.dialect == Postgres {
		q = `ANALYZE assets, asset_levels, asset_name_grams`
	}
	s.write.ExecContext(context.WithoutCancel(ctx), q)
}

// checkImportRefs refuses a batch the register has moved away from since
// it was checked: a number taken meanwhile, a holder or original gone, an
// original whose levels (which its new copies take) changed.
func checkImportRefs(ctx context.Context, tx *Tx, b *asset.Batch) error {
	for start := 0; start < len(b.Items); start += importChunk {
		chunk := b.Items[start:min(start+importChunk, len(b.Items))]
		args := make([]any, len(chunk))
		for i, it := range chunk {
			args[i] = it.Asset.Number
		}
		var taken string
		err := tx.QueryRow(ctx, `SELECT number FROM assets WHERE tenant_id = $1 AND number IN (`+dollarList(2, len(args))+`) LIMIT 1`, args...).Scan(&taken)
		if err == nil {
			return &mamori.Error{Code: mamori.ECONFLICT, Message: "asset.import.number_taken_since", Args: map[string]any{"Number": taken}}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("import: check numbers: %w", err)
		}
	}
	for _, it := range b.Items {
		if it.Parent < 0 && it.Asset.ParentID != 0 {
			if _, err := findNode(ctx, tx, it.Asset.ParentID); err != nil {
				return &mamori.Error{Code: mamori.ECONFLICT, Message: "asset.import.changed_since", Err: err}
			}
		}
	}
	for id, eff := range b.Originals {
		n, err := findNode(ctx, tx, id)
		if err != nil || !n.effective.Equal(eff) {
			return &mamori.Error{Code: mamori.ECONFLICT, Message: "asset.import.changed_since", Err: err}
		}
	}
	return nil
}

// valuesRows writes the VALUES list of n rows of width values each, the
// tenant ($1) first in each row: "($1, $2, $3), ($1, $4, $5)". SQLite
// looks up every "$N" parameter by name in a list, which makes a
// statement with thousands of them quadratic to prepare and to bind; it
// gets anonymous "?" parameters after the one "$1" instead, which it
// numbers 2, 3 … in order, exactly as the arguments are given.
func valuesRows(d Dialect, n, width int) string {
	var sb strings.Builder
	sb.Grow(n * (width*7 + 8))
	p := 2
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("($1")
		for k := 0; k < width; k++ {
			if d == SQLite {
				sb.WriteString(", ?")
			} else {
				sb.WriteString(", $")
				sb.WriteString(strconv.Itoa(p))
			}
			p++
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

func insertAssetChunk(ctx context.Context, sc *stmts, chunk []asset.BatchItem) error {
	const width = 21
	args := make([]any, 0, len(chunk)*width)
	for _, it := range chunk {
		args = append(args, assetArgs(it.Asset)...)
	}
	if err := sc.exec(ctx, `INSERT INTO assets (tenant_id, id, number, name, kind, unit_id, levels, effective, unclassified, personal, specific_personal,
		segment, location, control_area, parent_id, copy_of, state, keep_until, notes, created_at, created_by, updated_at)
		VALUES `+valuesRows(sc.tx.s.dialect, len(chunk), width), args...); err != nil {
		return fmt.Errorf("import: insert assets from row %d: %w", chunk[0].Row, err)
	}
	return nil
}

func insertLevelChunk(ctx context.Context, sc *stmts, chunk []asset.BatchItem) error {
	var args []any
	n := 0
	for _, it := range chunk {
		for _, axis := range sortedAxes(it.Asset.Effective) {
			args = append(args, it.Asset.ID, axis, it.Asset.Effective[axis])
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if err := sc.exec(ctx, `INSERT INTO asset_levels (tenant_id, asset_id, axis, level) VALUES `+valuesRows(sc.tx.s.dialect, n, 3), args...); err != nil {
		return fmt.Errorf("import: index levels from row %d: %w", chunk[0].Row, err)
	}
	return nil
}

// predictor hashes imported rows from the values just written instead of
// reading them back: the values are known, and reading 100,000 rows back
// costs as much as writing them. The first row of every chunk is read back
// all the same and must hash alike; if it ever does not (a column added
// by a later migration, a driver returning another type), the import
// falls back to reading every row back, so the log never records a hash
// the row does not have.
type predictor struct {
	tx        *Tx
	cols      []string
	failed    bool
	predicted []string
	ready     []chan struct{}
}

// predictFallbacks counts imports that had to read rows back (tests hold
// it at zero).
var predictFallbacks atomic.Int64

func (p *predictor) fail() {
	if !p.failed {
		predictFallbacks.Add(1)
	}
	p.failed = true
}

func newPredictor(ctx context.Context, tx *Tx) (*predictor, error) {
	rows, err := tx.Query(ctx, `SELECT * FROM assets WHERE tenant_id = $1 AND id < 0`)
	if err != nil {
		return nil, fmt.Errorf("import: read the columns of assets: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	return &predictor{tx: tx, cols: cols}, rows.Err()
}

// values are a new asset's columns as the drivers return them: integers
// as int64, booleans as the canonical form hashes them, times in UTC at
// the stored precision, NULL as nil.
func (p *predictor) values(a *asset.Asset) ([]any, bool) {
	at := func(t time.Time) any { return eventlog.StoredTime(t) }
	ref := func(id int64) any {
		if id == 0 {
			return nil
		}
		return id
	}
	vals := make([]any, len(p.cols))
	for i, c := range p.cols {
		switch c {
		case "tenant_id":
			vals[i] = int64(p.tx.scope.Tenant)
		case "id":
			vals[i] = a.ID
		case "number":
			vals[i] = a.Number
		case "name":
			vals[i] = a.Name
		case "kind":
			vals[i] = string(a.Kind)
		case "unit_id":
			vals[i] = a.UnitID
		case "levels":
			vals[i] = encodeLevels(a.Levels)
		case "effective":
			vals[i] = encodeLevels(a.Effective)
		case "unclassified":
			vals[i] = a.Unclassified
		case "personal":
			vals[i] = a.Personal
		case "specific_personal":
			vals[i] = a.SpecificPersonal
		case "segment":
			vals[i] = a.Segment
		case "location":
			vals[i] = a.Location
		case "control_area":
			vals[i] = a.ControlArea
		case "parent_id":
			vals[i] = ref(a.ParentID)
		case "copy_of":
			vals[i] = ref(a.CopyOf)
		case "state":
			vals[i] = string(a.State)
		case "keep_until":
			if a.KeepUntil != nil {
				vals[i] = at(*a.KeepUntil)
			}
		case "notes":
			vals[i] = a.Notes
		case "created_at":
			vals[i] = at(a.CreatedAt)
		case "created_by":
			vals[i] = a.CreatedBy
		case "updated_at":
			vals[i] = at(a.UpdatedAt)
		default:
			return nil, false
		}
	}
	return vals, true
}

// precompute hashes the rows of a batch, all of whose values are known
// before they are written, on the other cores while the inserts run: each
// chunk's hashes are ready when its channel closes. A row that cannot be
// predicted leaves its hash empty.
func (p *predictor) precompute(items []asset.BatchItem) {
	n := (len(items) + importChunk - 1) / importChunk
	p.predicted = make([]string, len(items))
	p.ready = make([]chan struct{}, n)
	for i := range p.ready {
		p.ready[i] = make(chan struct{})
	}
	workers := max(1, runtime.NumCPU()-1)
	for w := 0; w < workers; w++ {
		go func(w int) {
			for c := w; c < n; c += workers {
				for i := c * importChunk; i < min((c+1)*importChunk, len(items)); i++ {
					if vals, ok := p.values(items[i].Asset); ok {
						if h, err := eventlog.RowHash(p.cols, vals); err == nil {
							p.predicted[i] = h
						}
					}
				}
				close(p.ready[c])
			}
		}(w)
	}
}

// hashes returns the state hash of each asset of chunk number c, just
// inserted (start is the chunk's first index in the batch).
func (p *predictor) hashes(ctx context.Context, c, start int, chunk []asset.BatchItem) (map[int64]string, error) {
	lo, hi := chunk[0].Asset.ID, chunk[len(chunk)-1].Asset.ID
	if p.failed {
		return rowHashes(ctx, p.tx, "assets", lo, hi)
	}
	select {
	case <-p.ready[c]:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out := make(map[int64]string, len(chunk))
	for i, it := range chunk {
		h := p.predicted[start+i]
		if h == "" {
			p.fail()
			return rowHashes(ctx, p.tx, "assets", lo, hi)
		}
		out[it.Asset.ID] = h
	}
	stored, err := rowHashes(ctx, p.tx, "assets", lo, lo)
	if err != nil {
		return nil, err
	}
	if stored[lo] != out[lo] {
		p.fail()
		return rowHashes(ctx, p.tx, "assets", lo, hi)
	}
	return out, nil
}

// rowHashes hashes the rows of a tracked table with ids from lo to hi, as
// Tx.Record hashes one row: every column, as the driver returns it.
func rowHashes(ctx context.Context, tx *Tx, table string, lo, hi int64) (map[int64]string, error) {
	idCol := trackedTables[table]
	rows, err := tx.Query(ctx, `SELECT * FROM `+table+` WHERE tenant_id = $1 AND `+idCol+` >= $2 AND `+idCol+` <= $3`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read %s %d–%d for hashing: %w", table, lo, hi, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	at := -1
	for i, c := range cols {
		if c == idCol {
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("hash %s: no column %s", table, idCol)
	}
	out := make(map[int64]string, hi-lo+1)
	for rows.Next() {
		vals, err := scanAny(rows, len(cols))
		if err != nil {
			return nil, fmt.Errorf("read %s for hashing: %w", table, err)
		}
		id, ok := vals[at].(int64)
		if !ok {
			return nil, fmt.Errorf("hash %s: id is %T", table, vals[at])
		}
		h, err := eventlog.RowHash(cols, vals)
		if err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// eventWriter appends events to the tenant's chain many to a statement.
// It does what Tx.Record does for one event (same fields, same sealing,
// same clock), holding the chain head of the writing transaction; close
// stores the new head.
type eventWriter struct {
	tx      *Tx
	sc      *stmts
	pending []eventlog.Event
}

func newEventWriter(tx *Tx, sc *stmts) *eventWriter { return &eventWriter{tx: tx, sc: sc} }

func (w *eventWriter) add(ctx context.Context, action, table string, id int64, data any, stateHash string) error {
	tx := w.tx
	if !tx.write {
		return errors.New("record event: read-only transaction")
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("record %s: encode change: %w", action, err)
	}
	ev := tx.sealEvent(action, table, id, b, stateHash)
	w.pending = append(w.pending, ev)
	return nil
}

func (w *eventWriter) flush(ctx context.Context) error {
	for len(w.pending) > 0 {
		n := min(len(w.pending), importChunk)
		batch := w.pending[:n]
		const width = 13
		args := make([]any, 0, n*width)
		for _, ev := range batch {
			args = append(args, ev.Seq, ev.At, ev.ActorID, ev.ActorLabel, ev.Action, ev.ObjectType, ev.ObjectID, ev.Data, ev.StateHash,
				ev.RequestID, ev.ClientAddr, ev.PrevHash, ev.Hash)
		}
		if err := w.sc.exec(ctx, `INSERT INTO events (tenant_id, seq, at, actor_id, actor_label, action, object_type, object_id, data, state_hash, request_id, client_addr, prev_hash, hash)
			VALUES `+valuesRows(w.tx.s.dialect, n, width), args...); err != nil {
			return fmt.Errorf("append events %d–%d: %w", batch[0].Seq, batch[n-1].Seq, err)
		}
		w.tx.events += n
		w.pending = w.pending[n:]
	}
	return nil
}

// close writes what is pending and advances the stored chain head.
func (w *eventWriter) close(ctx context.Context) error {
	if err := w.flush(ctx); err != nil {
		return err
	}
	if _, err := w.tx.Exec(ctx, `UPDATE event_heads SET seq = $2, hash = $3 WHERE tenant_id = $1`, w.tx.headSeq, w.tx.headHash); err != nil {
		return fmt.Errorf("advance event head: %w", err)
	}
	return nil
}

// uploadLife is how long an uploaded register waits between the steps of
// its import.
const uploadLife = 24 * time.Hour

// Upload is a file kept between an import's steps.
type Upload struct {
	ID       string
	PersonID int64
	FileName string
	Data     []byte
	Options  asset.ImportOptions
}

// SaveUpload keeps an uploaded register for the steps of its import and
// removes the tenant's uploads that have expired. It changes only
// bookkeeping: no event (the import itself is recorded when committed).
func (s *Store) SaveUpload(ctx context.Context, personID int64, filename string, data []byte) (string, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	tx.Untracked()
	if _, err := tx.Exec(ctx, `DELETE FROM asset_uploads WHERE tenant_id = $1 AND expires_at < $2`, tx.Now()); err != nil {
		return "", fmt.Errorf("remove expired uploads: %w", err)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b)
	if _, err := tx.Exec(ctx, `INSERT INTO asset_uploads (tenant_id, id, person_id, filename, data, options, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, personID, filename, data, "{}", tx.Now(), tx.Now().Add(uploadLife)); err != nil {
		return "", fmt.Errorf("keep upload: %w", err)
	}
	return id, tx.Commit()
}

// LoadUpload returns an upload of personID (another person's upload is not
// found: it may hold what they may see and the uploader may not).
func (s *Store) LoadUpload(ctx context.Context, id string, personID int64) (*Upload, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u := &Upload{ID: id}
	var opts string
	err = tx.QueryRow(ctx, `SELECT person_id, filename, data, options FROM asset_uploads WHERE tenant_id = $1 AND id = $2 AND person_id = $3 AND expires_at >= $4`,
		id, personID, tx.Now()).Scan(&u.PersonID, &u.FileName, &u.Data, &opts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "asset.import.upload_gone"}
	}
	if err != nil {
		return nil, fmt.Errorf("load upload: %w", err)
	}
	if err := json.Unmarshal([]byte(opts), &u.Options); err != nil {
		return nil, fmt.Errorf("upload options: %w", err)
	}
	return u, nil
}

// SaveUploadOptions keeps the choices made so far for an upload.
func (s *Store) SaveUploadOptions(ctx context.Context, id string, personID int64, opts asset.ImportOptions) error {
	b, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tx.Untracked()
	if _, err := tx.Exec(ctx, `UPDATE asset_uploads SET options = $4 WHERE tenant_id = $1 AND id = $2 AND person_id = $3`, id, personID, string(b)); err != nil {
		return fmt.Errorf("keep import choices: %w", err)
	}
	return tx.Commit()
}

// DeleteUpload removes an upload (after its import, or when abandoned).
func (s *Store) DeleteUpload(ctx context.Context, id string, personID int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tx.Untracked()
	if _, err := tx.Exec(ctx, `DELETE FROM asset_uploads WHERE tenant_id = $1 AND id = $2 AND person_id = $3`, id, personID); err != nil {
		return fmt.Errorf("remove upload: %w", err)
	}
	return tx.Commit()
}
