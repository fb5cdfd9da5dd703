package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/eventlog"
)

// assetColumns are read with the owning unit's name and the numbers and
// names of the holder and the original (left joins a, u, p, o).
const assetColumns = `a.id, a.number, a.name, a.kind, a.unit_id, a.levels, a.effective, a.unclassified, a.personal, a.specific_personal,
	a.segment, a.location, a.control_area, COALESCE(a.parent_id, 0), COALESCE(a.copy_of, 0), a.state, a.keep_until, a.notes,
	a.created_at, a.created_by, a.updated_at, COALESCE(u.name, ''), COALESCE(p.number, ''), COALESCE(p.name, ''), COALESCE(o.number, ''), COALESCE(o.name, '')`

const assetJoins = ` FROM assets a
	LEFT JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	LEFT JOIN assets p ON p.tenant_id = a.tenant_id AND p.id = a.parent_id
	LEFT JOIN assets o ON o.tenant_id = a.tenant_id AND o.id = a.copy_of`

func scanAsset(row interface{ Scan(...any) error }, a *asset.Asset) error {
	var levels, effective string
	var keep sql.NullTime
	if err := row.Scan(&a.ID, &a.Number, &a.Name, &a.Kind, &a.UnitID, &levels, &effective, &a.Unclassified, &a.Personal, &a.SpecificPersonal,
		&a.Segment, &a.Location, &a.ControlArea, &a.ParentID, &a.CopyOf, &a.State, &keep, &a.Notes,
		&a.CreatedAt, &a.CreatedBy, &a.UpdatedAt, &a.UnitName, &a.ParentNumber, &a.ParentName, &a.OriginalNumber, &a.OriginalName); err != nil {
		return err
	}
	a.KeepUntil = nil
	if keep.Valid {
		t := keep.Time.UTC()
		a.KeepUntil = &t
	}
	var err error
	if a.Levels, err = decodeLevels(levels); err != nil {
		return fmt.Errorf("asset %d levels: %w", a.ID, err)
	}
	if a.Effective, err = decodeLevels(effective); err != nil {
		return fmt.Errorf("asset %d effective levels: %w", a.ID, err)
	}
	return nil
}

func decodeLevels(s string) (asset.Levels, error) {
	l := asset.Levels{}
	if s == "" || s == "{}" {
		return l, nil
	}
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	return l, nil
}

// encodeLevels is the stored form: a JSON object with sorted keys, so
// that equal levels are equal text (and hash alike).
func encodeLevels(l asset.Levels) string {
	if len(l) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(map[string]string(l))
	return string(b)
}

// nullTime stores a nil date as NULL.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// assetState is an asset as its events record it. A struct, not a map:
// an import encodes one per row.
type assetState struct {
	Number           string       `json:"number"`
	Name             string       `json:"name"`
	Kind             asset.Kind   `json:"kind"`
	UnitID           int64        `json:"unit_id"`
	Levels           asset.Levels `json:"levels"`
	Effective        asset.Levels `json:"effective"`
	Personal         bool         `json:"personal"`
	SpecificPersonal bool         `json:"specific_personal"`
	Segment          string       `json:"segment,omitempty"`
	Location         string       `json:"location,omitempty"`
	ControlArea      string       `json:"control_area,omitempty"`
	ParentID         int64        `json:"parent_id,omitempty"`
	CopyOf           int64        `json:"copy_of,omitempty"`
	State            asset.State  `json:"state"`
	KeepUntil        string       `json:"keep_until,omitempty"`
	Notes            string       `json:"notes,omitempty"`
}

func assetData(a *asset.Asset) assetState {
	d := assetState{Number: a.Number, Name: a.Name, Kind: a.Kind, UnitID: a.UnitID, Levels: a.Levels, Effective: a.Effective,
		Personal: a.Personal, SpecificPersonal: a.SpecificPersonal, Segment: a.Segment, Location: a.Location,
		ControlArea: a.ControlArea, ParentID: a.ParentID, CopyOf: a.CopyOf, State: a.State, Notes: a.Notes}
	if a.KeepUntil != nil {
		d.KeepUntil = a.KeepUntil.Format("2006-01-02")
	}
	return d
}

// Asset loads one asset.
func (s *Store) Asset(ctx context.Context, id int64) (*asset.Asset, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAsset(ctx, tx, id)
}

func findAsset(ctx context.Context, tx *Tx, id int64) (*asset.Asset, error) {
	var a asset.Asset
	err := scanAsset(tx.QueryRow(ctx, `SELECT `+assetColumns+assetJoins+` WHERE a.tenant_id = $1 AND a.id = $2`, id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "asset.not_found", Args: map[string]any{"ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load asset %d: %w", id, err)
	}
	return &a, nil
}

// AssetByNumber loads the asset with the given number.
func (s *Store) AssetByNumber(ctx context.Context, number string) (*asset.Asset, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var a asset.Asset
	err = scanAsset(tx.QueryRow(ctx, `SELECT `+assetColumns+assetJoins+` WHERE a.tenant_id = $1 AND a.number = $2`, asset.NormalizeNumber(number)), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "asset.number_not_found", Args: map[string]any{"Number": number}}
	}
	if err != nil {
		return nil, fmt.Errorf("load asset %q: %w", number, err)
	}
	return &a, nil
}

// assetNode is what deriving levels reads of an asset.
type assetNode struct {
	id, parent, copyOf int64
	kind               asset.Kind
	levels, effective  asset.Levels
	unclassified       bool
}

func findNode(ctx context.Context, tx *Tx, id int64) (*assetNode, error) {
	n := &assetNode{id: id}
	var levels, effective string
	err := tx.QueryRow(ctx, `SELECT COALESCE(parent_id, 0), COALESCE(copy_of, 0), kind, levels, effective, unclassified FROM assets WHERE tenant_id = $1 AND id = $2`, id).
		Scan(&n.parent, &n.copyOf, &n.kind, &levels, &effective, &n.unclassified)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "asset.not_found", Args: map[string]any{"ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load asset %d: %w", id, err)
	}
	if n.levels, err = decodeLevels(levels); err != nil {
		return nil, fmt.Errorf("asset %d levels: %w", id, err)
	}
	if n.effective, err = decodeLevels(effective); err != nil {
		return nil, fmt.Errorf("asset %d effective levels: %w", id, err)
	}
	return n, nil
}

// heldLevels returns the distinct effective levels of the assets held by
// id, one Levels per (axis, level): what the holder is raised to.
func heldLevels(ctx context.Context, tx *Tx, id int64) ([]asset.Levels, error) {
	rows, err := tx.Query(ctx, `SELECT l.axis, l.level FROM assets c
		JOIN asset_levels l ON l.tenant_id = c.tenant_id AND l.asset_id = c.id
		WHERE c.tenant_id = $1 AND c.parent_id = $2 GROUP BY l.axis, l.level`, id)
	if err != nil {
		return nil, fmt.Errorf("levels held by asset %d: %w", id, err)
	}
	defer rows.Close()
	var out []asset.Levels
	for rows.Next() {
		var axis, level string
		if err := rows.Scan(&axis, &level); err != nil {
			return nil, err
		}
		out = append(out, asset.Levels{axis: level})
	}
	return out, rows.Err()
}

// derive computes the effective levels of an asset from the database.
func derive(ctx context.Context, tx *Tx, d asset.Deriver, n *assetNode) (asset.Levels, error) {
	held, err := heldLevels(ctx, tx, n.id)
	if err != nil {
		return nil, err
	}
	var orig asset.Levels
	if n.copyOf != 0 {
		o, err := findNode(ctx, tx, n.copyOf)
		if err != nil {
			return nil, err
		}
		orig = o.effective
	}
	return d.Effective(n.levels, orig, n.copyOf != 0, held), nil
}

// setEffective stores an asset's effective levels and rewrites its rows of
// the level index.
func setEffective(ctx context.Context, tx *Tx, id int64, eff asset.Levels, unclassified bool) error {
	if _, err := tx.Exec(ctx, `UPDATE assets SET effective = $3, unclassified = $4 WHERE tenant_id = $1 AND id = $2`, id, encodeLevels(eff), unclassified); err != nil {
		return fmt.Errorf("store effective levels of asset %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM asset_levels WHERE tenant_id = $1 AND asset_id = $2`, id); err != nil {
		return fmt.Errorf("index levels of asset %d: %w", id, err)
	}
	return indexLevels(ctx, tx, id, eff)
}

func indexLevels(ctx context.Context, tx *Tx, id int64, eff asset.Levels) error {
	for axis, level := range eff {
		if _, err := tx.Exec(ctx, `INSERT INTO asset_levels (tenant_id, asset_id, axis, level) VALUES ($1, $2, $3, $4)`, id, axis, level); err != nil {
			return fmt.Errorf("index levels of asset %d: %w", id, err)
		}
	}
	return nil
}

// maxPropagation bounds a walk up holders and copies: the register has no
// loops (they are refused), but a walk must end whatever it is given.
const maxPropagation = 100_000

// propagate recomputes the effective levels of the given assets and, where
// they change, of what holds them and of their copies, recording each
// change: a medium is handled at the strictest level of what it holds
// (藤枝市 第2章5(2)④ウ), a copy as its original (藤枝市 第2章5(2)①イ).
func propagate(ctx context.Context, tx *Tx, d asset.Deriver, cause int64, ids ...int64) error {
	seen := map[int64]bool{}
	queue := append([]int64(nil), ids...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if id == 0 || seen[id] {
			continue
		}
		if len(seen) >= maxPropagation {
			return fmt.Errorf("propagate levels from asset %d: more than %d assets affected", cause, maxPropagation)
		}
		seen[id] = true
		n, err := findNode(ctx, tx, id)
		if err != nil {
			return err
		}
		eff, err := derive(ctx, tx, d, n)
		if err != nil {
			return err
		}
		uncl := d.Unclassified(eff)
		if eff.Equal(n.effective) && uncl == n.unclassified {
			continue
		}
		if err := setEffective(ctx, tx, id, eff, uncl); err != nil {
			return err
		}
		if err := tx.Record(ctx, Change{Action: "asset.derive", Table: "assets", ID: id,
			Data: map[string]any{"effective": eff, "previous": n.effective, "unclassified": uncl, "cause": cause}}); err != nil {
			return err
		}
		queue = append(queue, n.parent)
		copies, err := copiesOf(ctx, tx, id)
		if err != nil {
			return err
		}
		queue = append(queue, copies...)
	}
	return nil
}

func copiesOf(ctx context.Context, tx *Tx, id int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM assets WHERE tenant_id = $1 AND copy_of = $2 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("copies of asset %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// dependsOn reports whether target is reached from `from` going up: to
// what holds it and to its copies, transitively. Those are the assets
// whose levels follow from's; making one of them something from's levels
// follow in turn would loop.
func dependsOn(ctx context.Context, tx *Tx, from, target int64) (bool, error) {
	seen := map[int64]bool{}
	queue := []int64{from}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if id == target {
			return true, nil
		}
		if id == 0 || seen[id] {
			continue
		}
		if len(seen) >= maxPropagation {
			return false, fmt.Errorf("check loop from asset %d: more than %d assets", from, maxPropagation)
		}
		seen[id] = true
		n, err := findNode(ctx, tx, id)
		if err != nil {
			return false, err
		}
		copies, err := copiesOf(ctx, tx, id)
		if err != nil {
			return false, err
		}
		queue = append(append(queue, n.parent), copies...)
	}
	return false, nil
}

// checkRefs checks an asset's number, unit, holder and original. id is 0
// for a new asset.
func checkRefs(ctx context.Context, tx *Tx, a *asset.Asset) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM assets WHERE tenant_id = $1 AND number = $2 AND id <> $3`, a.Number, a.ID).Scan(&n); err != nil {
		return fmt.Errorf("check asset number: %w", err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "asset.number_taken", Args: map[string]any{"Number": a.Number}, Field: "number"}
	}
	if _, err := findUnit(ctx, tx, a.UnitID); err != nil {
		return fieldNotFound(err, "unit_id")
	}
	if a.ParentID != 0 {
		p, err := findNode(ctx, tx, a.ParentID)
		if err != nil {
			return fieldNotFound(err, "parent")
		}
		if !p.kind.Holds() {
			var number string
			if err := tx.QueryRow(ctx, `SELECT number FROM assets WHERE tenant_id = $1 AND id = $2`, a.ParentID).Scan(&number); err != nil {
				return fmt.Errorf("load holder %d: %w", a.ParentID, err)
			}
			return mamori.FieldError("parent", "asset.parent_not_holder", map[string]any{"Number": number})
		}
		// The holder is handled at a's levels: a must not depend on it.
		if a.ID != 0 {
			loop, err := dependsOn(ctx, tx, a.ParentID, a.ID)
			if err != nil {
				return err
			}
			if loop {
				return mamori.FieldError("parent", "asset.parent_cycle", nil)
			}
		}
	}
	if a.CopyOf != 0 {
		if _, err := findNode(ctx, tx, a.CopyOf); err != nil {
			return fieldNotFound(err, "copy_of")
		}
		// a follows its original: the original must not follow a, nor
		// hold (through anything) what holds a.
		from := a.ID
		if from == 0 {
			from = a.ParentID
		}
		if from != 0 {
			loop, err := dependsOn(ctx, tx, from, a.CopyOf)
			if err != nil {
				return err
			}
			if loop {
				return mamori.FieldError("copy_of", "asset.copy_cycle", nil)
			}
		}
	}
	return nil
}

// CreateAsset stores a new asset with the levels it is handled at (its
// original's if it is a copy), and raises what holds it.
func (s *Store) CreateAsset(ctx context.Context, a *asset.Asset, d asset.Deriver) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a.ID = 0
	if err := checkRefs(ctx, tx, a); err != nil {
		return err
	}
	n := &assetNode{copyOf: a.CopyOf, levels: a.Levels}
	if a.Effective, err = derive(ctx, tx, d, n); err != nil {
		return err
	}
	a.Unclassified = d.Unclassified(a.Effective)
	if a.ID, err = tx.NextID(ctx, "assets"); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = tx.Now(), tx.Now()
	if err := insertAsset(ctx, tx, a); err != nil {
		return err
	}
	if err := indexLevels(ctx, tx, a.ID, a.Effective); err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "asset.create", Table: "assets", ID: a.ID, Data: assetData(a)}); err != nil {
		return err
	}
	if err := propagate(ctx, tx, d, a.ID, a.ParentID); err != nil {
		return err
	}
	return tx.Commit()
}

func insertAsset(ctx context.Context, tx *Tx, a *asset.Asset) error {
	if _, err := tx.Exec(ctx, `INSERT INTO assets (tenant_id, id, number, name, kind, unit_id, levels, effective, unclassified, personal, specific_personal,
		segment, location, control_area, parent_id, copy_of, state, keep_until, notes, created_at, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		assetArgs(a)...); err != nil {
		return fmt.Errorf("insert asset %s: %w", a.Number, err)
	}
	return indexNames(ctx, tx, a.ID, a.ID)
}

// assetArgs are an asset's values in the column order of an insert.
func assetArgs(a *asset.Asset) []any {
	return []any{a.ID, a.Number, a.Name, string(a.Kind), a.UnitID, encodeLevels(a.Levels), encodeLevels(a.Effective), a.Unclassified,
		a.Personal, a.SpecificPersonal, a.Segment, a.Location, a.ControlArea, nullID(a.ParentID), nullID(a.CopyOf), string(a.State),
		nullTime(a.KeepUntil), a.Notes, a.CreatedAt, a.CreatedBy, a.UpdatedAt}
}

// UpdateAsset changes an asset's description (not its own levels). A new
// holder or original re-derives its levels and those of its old and new
// holders.
func (s *Store) UpdateAsset(ctx context.Context, a *asset.Asset, d asset.Deriver) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findAsset(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	if err := checkRefs(ctx, tx, a); err != nil {
		return err
	}
	a.Levels, a.CreatedAt, a.CreatedBy, a.UpdatedAt = old.Levels, old.CreatedAt, old.CreatedBy, tx.Now()
	if _, err := tx.Exec(ctx, `UPDATE assets SET number = $3, name = $4, kind = $5, unit_id = $6, personal = $7, specific_personal = $8,
		segment = $9, location = $10, control_area = $11, parent_id = $12, copy_of = $13, state = $14, keep_until = $15, notes = $16, updated_at = $17
		WHERE tenant_id = $1 AND id = $2`,
		a.ID, a.Number, a.Name, string(a.Kind), a.UnitID, a.Personal, a.SpecificPersonal, a.Segment, a.Location, a.ControlArea,
		nullID(a.ParentID), nullID(a.CopyOf), string(a.State), nullTime(a.KeepUntil), a.Notes, a.UpdatedAt); err != nil {
		return fmt.Errorf("update asset %d: %w", a.ID, err)
	}
	if a.Name != old.Name {
		if err := unindexName(ctx, tx, a.ID, old.Name); err != nil {
			return err
		}
		if err := indexNames(ctx, tx, a.ID, a.ID); err != nil {
			return err
		}
	}
	n, err := findNode(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	if a.Effective, err = derive(ctx, tx, d, n); err != nil {
		return err
	}
	a.Unclassified = d.Unclassified(a.Effective)
	changed := !a.Effective.Equal(n.effective) || a.Unclassified != n.unclassified
	if changed {
		if err := setEffective(ctx, tx, a.ID, a.Effective, a.Unclassified); err != nil {
			return err
		}
	}
	data := struct {
		assetState
		Previous assetState `json:"previous"`
	}{assetData(a), assetData(old)}
	if err := tx.Record(ctx, Change{Action: "asset.update", Table: "assets", ID: a.ID, Data: data}); err != nil {
		return err
	}
	again := []int64{a.ParentID}
	if old.ParentID != a.ParentID {
		again = append(again, old.ParentID)
	}
	if changed {
		copies, err := copiesOf(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		again = append(again, copies...)
	}
	if err := propagate(ctx, tx, d, a.ID, again...); err != nil {
		return err
	}
	return tx.Commit()
}

// ReclassifyAsset sets an asset's own levels, re-derives the levels it and
// what depends on it are handled at, and records the change with its
// reason: the history of its classification is its events.
func (s *Store) ReclassifyAsset(ctx context.Context, id int64, levels asset.Levels, reason string, d asset.Deriver) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n, err := findNode(ctx, tx, id)
	if err != nil {
		return err
	}
	previous := n.levels
	if _, err := tx.Exec(ctx, `UPDATE assets SET levels = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, id, encodeLevels(levels), tx.Now()); err != nil {
		return fmt.Errorf("reclassify asset %d: %w", id, err)
	}
	n.levels = levels
	eff, err := derive(ctx, tx, d, n)
	if err != nil {
		return err
	}
	uncl := d.Unclassified(eff)
	changed := !eff.Equal(n.effective) || uncl != n.unclassified
	if changed {
		if err := setEffective(ctx, tx, id, eff, uncl); err != nil {
			return err
		}
	}
	if err := tx.Record(ctx, Change{Action: "asset.reclassify", Table: "assets", ID: id,
		Data: map[string]any{"levels": levels, "previous": previous, "effective": eff, "unclassified": uncl, "reason": reason}}); err != nil {
		return err
	}
	if changed {
		again := []int64{n.parent}
		copies, err := copiesOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := propagate(ctx, tx, d, id, append(again, copies...)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// AssetHistory returns the events of one asset, newest first.
func (s *Store) AssetHistory(ctx context.Context, id int64) ([]eventlog.Event, error) {
	return s.Events(ctx, EventFilter{ObjectType: "assets", ObjectID: id, Limit: 500})
}

// AssetRefs returns every asset in brief, for an import to check against.
func (s *Store) AssetRefs(ctx context.Context) ([]asset.Ref, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT id, number, kind, unit_id, COALESCE(parent_id, 0), COALESCE(copy_of, 0), effective FROM assets WHERE tenant_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("read the register: %w", err)
	}
	defer rows.Close()
	var out []asset.Ref
	for rows.Next() {
		var r asset.Ref
		var eff string
		if err := rows.Scan(&r.ID, &r.Number, &r.Kind, &r.UnitID, &r.ParentID, &r.CopyOf, &eff); err != nil {
			return nil, fmt.Errorf("read the register: %w", err)
		}
		if r.Effective, err = decodeLevels(eff); err != nil {
			return nil, fmt.Errorf("asset %d effective levels: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ImportPeople lists everyone an import's manager column may name.
func (s *Store) ImportPeople(ctx context.Context) ([]directory.Person, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT `+personColumns+` FROM people WHERE tenant_id = $1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []directory.Person
	for rows.Next() {
		var p directory.Person
		if err := scanPerson(rows, &p); err != nil {
			return nil, fmt.Errorf("list people: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AssetsHeld lists (a page of) the assets held by id and how many it holds.
func (s *Store) AssetsHeld(ctx context.Context, id int64, limit int) ([]asset.Asset, int, error) {
	return s.Assets(ctx, asset.Filter{ParentID: id, Limit: limit, Sort: asset.SortNumber})
}

// AssetCopies lists the copies of an asset.
func (s *Store) AssetCopies(ctx context.Context, id int64) ([]asset.Asset, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT `+assetColumns+assetJoins+` WHERE a.tenant_id = $1 AND a.copy_of = $2 ORDER BY a.number LIMIT 200`, id)
	if err != nil {
		return nil, fmt.Errorf("copies of asset %d: %w", id, err)
	}
	defer rows.Close()
	var out []asset.Asset
	for rows.Next() {
		var a asset.Asset
		if err := scanAsset(rows, &a); err != nil {
			return nil, fmt.Errorf("copies of asset %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// dollarList writes $from, $from+1 … for n values.
func dollarList(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
