package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"mamori/internal/asset"
)

// assetQuery is a listing's WHERE clause and its arguments ($2 on).
type assetQuery struct {
	where strings.Builder
	args  []any
}

func (q *assetQuery) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args)+1)
}

func (q *assetQuery) and(cond string) {
	q.where.WriteString(" AND ")
	q.where.WriteString(cond)
}

// unitsIn narrows to the units listed (with the units below them).
func (q *assetQuery) unitsIn(ctx context.Context, tx *Tx, roots []int64) error {
	var ids []int64
	seen := map[int64]bool{}
	for _, r := range roots {
		sub, err := subtree(ctx, tx, r)
		if err != nil {
			return err
		}
		for _, id := range sub {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		q.and("FALSE")
		return nil
	}
	ps := make([]string, len(ids))
	for i, id := range ids {
		ps[i] = q.arg(id)
	}
	q.and("a.unit_id IN (" + strings.Join(ps, ", ") + ")")
	return nil
}

// buildAssetQuery turns a filter into SQL over "assets a". Levels filter
// through the level index (asset_levels), which holds each asset's
// effective level per axis.
func buildAssetQuery(ctx context.Context, tx *Tx, f asset.Filter) (*assetQuery, error) {
	q := &assetQuery{}
	q.where.WriteString(" WHERE a.tenant_id = $1")
	if f.Query != "" {
		// A number starting with it (a range of the number index) or a name
		// containing it (through the name's pairs: assets_search.go).
		lo, hi := prefixRange(f.Query)
		byNumber := "SELECT n.id FROM assets n WHERE n.tenant_id = $1 AND n.number >= " + q.arg(lo) + " AND n.number < " + q.arg(hi)
		byName, err := nameMatch(ctx, tx, q, f.Query)
		if err != nil {
			return nil, err
		}
		if byName != "" {
			byNumber += " UNION " + byName
		}
		q.and("a.id IN (" + byNumber + ")")
	}
	if f.UnitID != 0 {
		if err := q.unitsIn(ctx, tx, []int64{f.UnitID}); err != nil {
			return nil, err
		}
	}
	if len(f.Within) > 0 {
		if err := q.unitsIn(ctx, tx, f.Within); err != nil {
			return nil, err
		}
	}
	switch {
	case f.Kind == asset.KindEquipmentGroup:
		var ps []string
		for _, k := range asset.Kinds {
			if k.Equipment() {
				ps = append(ps, q.arg(string(k)))
			}
		}
		q.and("a.kind IN (" + strings.Join(ps, ", ") + ")")
	case f.Kind != "":
		q.and("a.kind = " + q.arg(string(f.Kind)))
	}
	for _, axis := range sortedAxes(f.Levels) {
		level := f.Levels[axis]
		if level == asset.Unknown {
			q.and("NOT EXISTS (SELECT 1 FROM asset_levels l WHERE l.tenant_id = a.tenant_id AND l.asset_id = a.id AND l.axis = " + q.arg(axis) + ")")
			continue
		}
		// Probed per asset (the index's key ends with asset_id): with the
		// count bounded, a few thousand probes beat listing every asset of
		// the level first.
		q.and("EXISTS (SELECT 1 FROM asset_levels l WHERE l.tenant_id = a.tenant_id AND l.axis = " + q.arg(axis) + " AND l.level = " + q.arg(level) + " AND l.asset_id = a.id)")
	}
	if f.Segment != "" {
		q.and("a.segment = " + q.arg(f.Segment))
	}
	switch f.Personal {
	case asset.Yes:
		q.and("a.personal")
	case asset.No:
		q.and("NOT a.personal")
	}
	switch f.Specific {
	case asset.Yes:
		q.and("a.specific_personal")
	case asset.No:
		q.and("NOT a.specific_personal")
	}
	if f.Location != "" {
		lo, hi := prefixRange(f.Location)
		q.and("a.location >= " + q.arg(lo) + " AND a.location < " + q.arg(hi))
	}
	if f.ControlArea != "" {
		q.and("a.control_area = " + q.arg(f.ControlArea))
	}
	if f.State != "" {
		q.and("a.state = " + q.arg(string(f.State)))
	}
	if f.ToClassify {
		q.and("a.unclassified")
	}
	if f.ParentID != 0 {
		q.and("a.parent_id = " + q.arg(f.ParentID))
	}
	return q, nil
}

// prefixRange is the range of strings that start with p, compared
// bytewise (SQLite's BINARY, the "C" collation of these PostgreSQL
// columns): an index serves it, where LIKE 'p%' would scan.
func prefixRange(p string) (lo, hi string) {
	return p, p + string(rune(utf8.MaxRune))
}

func sortedAxes(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// orderBy is the ORDER BY of a sort: each ends with a unique key, so that
// pages neither repeat nor skip rows. Dates without a value sort last in
// both databases.
func orderBy(s asset.Sort, desc bool) string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	switch s {
	case asset.SortName:
		return " ORDER BY a.name" + dir + ", a.id" + dir
	case asset.SortKind:
		return " ORDER BY a.kind" + dir + ", a.number" + dir
	case asset.SortUnit:
		return " ORDER BY a.unit_id" + dir + ", a.number" + dir
	case asset.SortUpdated:
		return " ORDER BY a.updated_at" + dir + ", a.id" + dir
	case asset.SortKeepUntil:
		return " ORDER BY a.keep_until IS NULL, a.keep_until" + dir + ", a.id" + dir
	default:
		return " ORDER BY a.number" + dir
	}
}

// Assets lists a page of the register matching f, and how many match —
// exactly up to asset.CountBound(f), else that bound plus one. Pages are
// by offset: every sort is served by an index leading with tenant_id, so
// a deep page walks the index, not the table.
func (s *Store) Assets(ctx context.Context, f asset.Filter) ([]asset.Asset, int, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	q, err := buildAssetQuery(ctx, tx, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = asset.DefaultLimit
	}
	limit, offset := q.arg(f.Limit), q.arg(f.Offset)
	// The page is chosen on assets alone, then its rows are read with
	// their joins by id: the joins run for the rows shown, and the planner
	// is never tempted to walk the whole sort order to find fifty ids.
	ids, err := pageIDs(ctx, tx, `SELECT a.id FROM assets a`+q.where.String()+orderBy(f.Sort, f.Desc)+` LIMIT `+limit+` OFFSET `+offset, q.args)
	if err != nil {
		return nil, 0, err
	}
	// A page that is not full tells the total without counting. Otherwise
	// the matches are counted up to a bound: past it a listing says "more
	// than" (see asset.CountBound); counting 100,000 matches to print the
	// number would cost more than the page.
	total := f.Offset + len(ids)
	if len(ids) == f.Limit || (len(ids) == 0 && f.Offset > 0) {
		bound := asset.CountBound(f)
		args := q.args[:len(q.args)-2] // without the page's limit and offset
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM assets a`+q.where.String()+` LIMIT `+strconv.Itoa(bound+1)+`) c`, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count assets: %w", err)
		}
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.Query(ctx, `SELECT `+assetColumns+assetJoins+` WHERE a.tenant_id = $1 AND a.id IN (`+dollarList(2, len(ids))+`)`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list assets: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]asset.Asset, len(ids))
	for rows.Next() {
		var a asset.Asset
		if err := scanAsset(rows, &a); err != nil {
			return nil, 0, fmt.Errorf("list assets: %w", err)
		}
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list assets: %w", err)
	}
	out := make([]asset.Asset, 0, len(ids))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, total, nil
}

func pageIDs(ctx context.Context, tx *Tx, query string, args []any) ([]int64, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list assets: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// EachAsset calls fn for each asset matching f, in order, reading all of
// them in one transaction (an export of the whole register).
func (s *Store) EachAsset(ctx context.Context, f asset.Filter, fn func(*asset.Asset) error) error {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q, err := buildAssetQuery(ctx, tx, f)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT `+assetColumns+assetJoins+q.where.String()+orderBy(f.Sort, f.Desc), q.args...)
	if err != nil {
		return fmt.Errorf("export assets: %w", err)
	}
	defer rows.Close()
	var a asset.Asset
	for rows.Next() {
		a = asset.Asset{}
		if err := scanAsset(rows, &a); err != nil {
			return fmt.Errorf("export assets: %w", err)
		}
		if err := fn(&a); err != nil {
			return err
		}
	}
	return rows.Err()
}
