package asset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// Ref is an asset of the register in brief: what an import checks new rows
// against.
type Ref struct {
	ID        int64
	Number    string
	Kind      Kind
	UnitID    int64
	ParentID  int64
	CopyOf    int64
	Effective Levels
}

// Batch is a checked import ready to store: its assets in an order where
// every holder and every original comes before what refers to it.
type Batch struct {
	Items    []BatchItem
	FileName string
	SHA256   string
	Skipped  int // bad rows the person chose to leave out
	// Originals are the effective levels the plan read for the existing
	// originals its copies follow; the store refuses the batch when one
	// has changed since (the copies' levels would be stale).
	Originals map[int64]Levels
}

// BatchItem is one new asset. Parent and Original index Items (earlier
// ones) when the holder or original is in the same file, or are -1; the
// asset's ParentID and CopyOf name existing assets.
type BatchItem struct {
	Asset    *Asset
	Row      int
	Parent   int
	Original int
}

// ImportOptions are the person's choices for reading a file. Columns and
// Values left nil take what mamori proposes.
type ImportOptions struct {
	Sheet      string   `json:"sheet,omitempty"`
	Encoding   Encoding `json:"encoding,omitempty"`
	HeaderRow  int      `json:"header_row,omitempty"`  // sheet row number of the (last) header row
	HeaderRows int      `json:"header_rows,omitempty"` // 1 or 2
	// Columns maps a field to a column letter ("C"); notes may take
	// several ("K,L"), each written as "header: value".
	Columns map[string]string `json:"columns,omitempty"`
	// Values maps, per field (kind, state, segment, level.AXIS), a value as
	// the file writes it to what it means: a level id or "-" (not
	// classified: the manager decides), a kind, a state, a segment.
	Values      map[string]map[string]string `json:"values,omitempty"`
	DefaultKind Kind                         `json:"default_kind,omitempty"`
	// DefaultUnit is the unit (code or name) of rows without one: a
	// section's own register often has no unit column.
	DefaultUnit string `json:"default_unit,omitempty"`
	// SkipBadRows imports the good rows and leaves out the bad ones; without
	// it nothing is imported while any row is bad.
	SkipBadRows bool `json:"skip_bad_rows,omitempty"`
}

// Column is a column of the file as the mapping step shows it.
type Column struct {
	Index  int      `json:"-"`
	Letter string   `json:"column"`
	Label  string   `json:"label"`
	Hidden bool     `json:"hidden,omitempty"`
	Sample []string `json:"sample,omitempty"`
}

// ValueMapping is the value step of one field: each distinct value of its
// column and what it is taken to mean ("" when nothing is chosen yet: rows
// with it are errors).
type ValueMapping struct {
	Field  Field         `json:"field"`
	Column string        `json:"column"`
	Values []ValueTarget `json:"values"`
}

// ValueTarget is one distinct value and its meaning.
type ValueTarget struct {
	Value     string `json:"value"`
	Count     int    `json:"count"`
	Target    string `json:"target"`
	Suggested bool   `json:"suggested,omitempty"`
}

// Issue is a problem with one cell (or row) of the file: the row and column
// as the spreadsheet shows them, what was found and why it is refused.
// Warnings do not stop an import.
type Issue struct {
	Row     int            `json:"row"`
	Column  string         `json:"column,omitempty"`
	Header  string         `json:"header,omitempty"`
	Field   Field          `json:"field,omitempty"`
	Value   string         `json:"value,omitempty"`
	Message string         `json:"message"`
	Args    map[string]any `json:"args,omitempty"`
	Warning bool           `json:"warning,omitempty"`
}

// Plan is an import read and checked, not yet stored: the dry run.
type Plan struct {
	FileName   string
	SHA256     string
	Format     string
	Encoding   Encoding
	Sheets     []SheetInfo
	Sheet      string
	Header     Header
	Columns    []Column
	Fields     []Field
	Mapping    map[Field][]int
	Values     []ValueMapping
	Rows       int // data rows read
	Issues     []Issue
	Errors     int // issues that are errors
	BadRows    int // rows with at least one error
	ToClassify int // good rows that will wait for their manager
	Batch      *Batch
	Options    ImportOptions
}

// Letters returns the column letters mapped to f, comma-separated.
func (p *Plan) Letters(f Field) string {
	var out []string
	for _, j := range p.Mapping[f] {
		out = append(out, ColumnName(j))
	}
	return strings.Join(out, ",")
}

// ValueTargets returns the value step of field f, if it has one.
func (p *Plan) ValueTargets(f Field) *ValueMapping {
	for i := range p.Values {
		if p.Values[i].Field == f {
			return &p.Values[i]
		}
	}
	return nil
}

// maxIssues bounds the issues a plan keeps (the count is kept in full).
const maxIssues = 5000

// planner holds what checking the rows needs.
type planner struct {
	pol     *policy.Policy
	t       *Table
	p       *Plan
	labels  []string
	targets map[Field]map[string]string
	units   unitIndex
	people  map[string][]directory.Person
	refs    map[string]*Ref
	byID    map[int64]*Ref
	scope   scope
	defUnit int64
}

// Plan reads a file and checks every row without storing anything: the
// dry run of an import. A file that cannot be read at all is an error
// (with a nil plan); a choice of columns or values that cannot be used is
// an error with the plan so far; a file with bad cells gives a plan
// listing each of them.
func (s *Service) Plan(ctx context.Context, pol *policy.Policy, actor Actor, name string, data []byte, opts ImportOptions) (*Plan, error) {
	t, err := ReadTable(data, ReadOptions{Sheet: opts.Sheet, Encoding: opts.Encoding})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p := &Plan{FileName: name, SHA256: hex.EncodeToString(sum[:]), Format: t.Format, Encoding: t.Encoding,
		Sheets: t.Sheets, Sheet: t.Sheet, Fields: Fields(pol), Options: opts}
	pl := &planner{pol: pol, t: t, p: p}
	if err := pl.header(opts); err != nil {
		return p, err
	}
	// From here on a refused choice comes back with the plan as far as it
	// got (the file's columns and what was mapped), so that the person
	// can correct it on the same page.
	if err := pl.mapping(opts); err != nil {
		return p, err
	}
	data0 := pl.dataRows()
	p.Rows = len(data0)
	if p.Rows == 0 {
		return p, mamori.Errorf(mamori.EINVALID, "asset.import.no_rows", map[string]any{"Row": p.Header.Row})
	}
	if err := pl.valueSteps(data0, opts); err != nil {
		return p, err
	}
	if err := pl.load(ctx, s, actor, opts); err != nil {
		return p, err
	}
	items := pl.rows(data0, opts)
	pl.resolve(items)
	if err := pl.checkManagers(ctx, s, items); err != nil {
		return nil, err
	}
	pl.finish(items)
	return p, nil
}

func (pl *planner) header(opts ImportOptions) error {
	var h Header
	if opts.HeaderRow > 0 {
		var ok bool
		if h, ok = HeaderAt(pl.t, pl.pol, opts.HeaderRow, opts.HeaderRows); !ok {
			return mamori.FieldError("header_row", "asset.import.header_row_empty", map[string]any{"Row": opts.HeaderRow})
		}
	} else {
		h = DetectHeader(pl.t, pl.pol)
		if h.Row == 0 {
			h, _ = HeaderAt(pl.t, pl.pol, pl.t.Rows[0].N, 1)
		}
	}
	pl.p.Header = h
	pl.labels = h.Labels
	return nil
}

// dataRows are the rows below the header.
func (pl *planner) dataRows() []Row {
	for i, r := range pl.t.Rows {
		if r.N > pl.p.Header.Row {
			return pl.t.Rows[i:]
		}
	}
	return nil
}

func (pl *planner) mapping(opts ImportOptions) error {
	p, t := pl.p, pl.t
	for j := 0; j < t.Width; j++ {
		c := Column{Index: j, Letter: ColumnName(j), Label: pl.labels[j], Hidden: t.Hidden[j]}
		for _, r := range pl.dataRows() {
			if len(c.Sample) == 3 {
				break
			}
			if v := strings.TrimSpace(r.Cell(j)); v != "" {
				c.Sample = append(c.Sample, v)
			}
		}
		p.Columns = append(p.Columns, c)
	}
	if opts.Columns == nil {
		p.Mapping = SuggestColumns(pl.pol, pl.labels)
	} else {
		p.Mapping = map[Field][]int{}
		used := map[int]Field{}
		keys := make([]string, 0, len(opts.Columns))
		for key := range opts.Columns {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if !slices.Contains(p.Fields, Field(key)) {
				return mamori.FieldError("columns."+key, "asset.import.field_unknown", map[string]any{"Field": key})
			}
		}
		for _, f := range p.Fields {
			key := string(f)
			letters, ok := opts.Columns[key]
			if !ok {
				continue
			}
			for _, l := range strings.Split(letters, ",") {
				if l = strings.TrimSpace(l); l == "" {
					continue
				}
				j := ColumnIndex(l)
				if j < 0 || j >= t.Width {
					return mamori.FieldError("columns."+key, "asset.import.column_unknown", map[string]any{"Column": l})
				}
				if other, ok := used[j]; ok && other != f {
					return mamori.FieldError("columns."+key, "asset.import.column_twice", map[string]any{"Column": l})
				}
				used[j] = f
				if len(p.Mapping[f]) > 0 && f != FieldNotes {
					return mamori.FieldError("columns."+key, "asset.import.one_column", map[string]any{"Field": key})
				}
				p.Mapping[f] = append(p.Mapping[f], j)
			}
		}
	}
	for _, f := range []Field{FieldNumber, FieldName} {
		if len(p.Mapping[f]) == 0 {
			return mamori.FieldError("columns."+string(f), "asset.import.column_required", map[string]any{"Field": string(f)})
		}
	}
	if len(p.Mapping[FieldUnit]) == 0 && strings.TrimSpace(opts.DefaultUnit) == "" {
		return mamori.FieldError("columns.unit", "asset.import.unit_column_required", nil)
	}
	return nil
}

// valueFields are the fields whose values are mapped in the value step.
func (pl *planner) valueFields() []Field {
	var out []Field
	for _, f := range pl.p.Fields {
		if _, ok := f.Axis(); ok || f == FieldKind || f == FieldState || f == FieldSegment {
			if len(pl.p.Mapping[f]) > 0 {
				out = append(out, f)
			}
		}
	}
	return out
}

// validTarget checks a value step's choice for field f.
func (pl *planner) validTarget(f Field, target string) bool {
	if axis, ok := f.Axis(); ok {
		ax, ok := pl.pol.Axis(axis)
		return target == Unknown || ok && ax.HasLevel(target)
	}
	switch f {
	case FieldKind:
		return Kind(target).Valid()
	case FieldState:
		return State(target).Valid()
	case FieldSegment:
		return target == Unknown || segmentKnown(pl.pol, target)
	}
	return false
}

func (pl *planner) suggest(f Field, v string) (string, bool) {
	if axis, ok := f.Axis(); ok {
		ax, _ := pl.pol.Axis(axis)
		return SuggestLevel(ax, v)
	}
	switch f {
	case FieldKind:
		k, ok := SuggestKind(v)
		return string(k), ok
	case FieldState:
		s, ok := SuggestState(v)
		return string(s), ok
	case FieldSegment:
		return SuggestSegment(pl.pol, v)
	}
	return "", false
}

func (pl *planner) valueSteps(rows []Row, opts ImportOptions) error {
	pl.targets = map[Field]map[string]string{}
	for key, m := range opts.Values {
		f := Field(key)
		if !slices.Contains(pl.valueFields(), f) {
			return mamori.FieldError("values."+key, "asset.import.field_unknown", map[string]any{"Field": key})
		}
		for v, target := range m {
			if target != "" && !pl.validTarget(f, target) {
				return mamori.FieldError("values."+key, "asset.import.target_invalid", map[string]any{"Value": v, "Target": target})
			}
		}
	}
	for _, f := range pl.valueFields() {
		j := pl.p.Mapping[f][0]
		vm := ValueMapping{Field: f, Column: ColumnName(j)}
		given := opts.Values[string(f)]
		targets := map[string]string{}
		for _, vc := range distinctValues(rows, j) {
			vt := ValueTarget{Value: vc.Value, Count: vc.Count}
			if target, ok := given[vc.Value]; ok {
				vt.Target = target
			} else if target, ok := pl.suggest(f, vc.Value); ok {
				vt.Target, vt.Suggested = target, true
			}
			targets[vc.Value] = vt.Target
			vm.Values = append(vm.Values, vt)
		}
		pl.targets[f] = targets
		pl.p.Values = append(pl.p.Values, vm)
	}
	return nil
}

// unitIndex finds units by code, name or path (総務部/総務課), folded.
type unitIndex map[string][]directory.Unit

func newUnitIndex(units []directory.Unit) unitIndex {
	byID := map[int64]directory.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	idx := unitIndex{}
	add := func(k string, u directory.Unit) {
		if k == "" {
			return
		}
		for _, x := range idx[k] {
			if x.ID == u.ID {
				return
			}
		}
		idx[k] = append(idx[k], u)
	}
	for _, u := range units {
		add(fold(u.Code), u)
		add(fold(u.Name), u)
		if u.NameEN != "" {
			add(fold(u.NameEN), u)
		}
		path := u.Name
		seen := 0
		for p := u.ParentID; p != 0 && seen < 32; seen++ {
			pu, ok := byID[p]
			if !ok {
				break
			}
			path = pu.Name + "/" + path
			add(fold(path), u)
			p = pu.ParentID
		}
	}
	return idx
}

// find returns the unit a cell names; ambiguous names several.
func (idx unitIndex) find(v string) (directory.Unit, []directory.Unit) {
	hits := idx[fold(v)]
	if len(hits) == 1 {
		return hits[0], nil
	}
	return directory.Unit{}, hits
}

func (pl *planner) load(ctx context.Context, s *Service, actor Actor, opts ImportOptions) error {
	units, err := s.st.Units(ctx)
	if err != nil {
		return err
	}
	pl.units = newUnitIndex(units)
	if d := strings.TrimSpace(opts.DefaultUnit); d != "" {
		u, amb := pl.units.find(d)
		if u.ID == 0 {
			msg := "asset.import.unit_unknown"
			if len(amb) > 1 {
				msg = "asset.import.unit_ambiguous"
			}
			return mamori.FieldError("default_unit", msg, map[string]any{"Unit": d})
		}
		pl.defUnit = u.ID
	}
	if pl.scope, err = s.writeScope(ctx, actor); err != nil {
		return err
	}
	refs, err := s.st.AssetRefs(ctx)
	if err != nil {
		return err
	}
	pl.refs = make(map[string]*Ref, len(refs))
	pl.byID = make(map[int64]*Ref, len(refs))
	for i := range refs {
		pl.refs[refs[i].Number] = &refs[i]
		pl.byID[refs[i].ID] = &refs[i]
	}
	if len(pl.p.Mapping[FieldManager]) > 0 {
		people, err := s.st.ImportPeople(ctx)
		if err != nil {
			return err
		}
		pl.people = map[string][]directory.Person{}
		for _, p := range people {
			for _, k := range []string{fold(p.StaffNo), fold(p.Name)} {
				if k != "" && !slices.ContainsFunc(pl.people[k], func(x directory.Person) bool { return x.ID == p.ID }) {
					pl.people[k] = append(pl.people[k], p)
				}
			}
		}
	}
	return nil
}

// item is a row being checked.
type item struct {
	row          Row
	asset        *Asset
	bad          bool
	parentNo     string
	parentCol    int
	originalNo   string
	originalCol  int
	parent       int // index among items, or -1
	original     int
	managerID    int64
	managerCol   int
	copyLevelCol int
}

func (pl *planner) issue(r *Row, j int, f Field, value, msg string, args map[string]any, warning bool) {
	p := pl.p
	if !warning {
		p.Errors++
	}
	if len(p.Issues) >= maxIssues {
		return
	}
	is := Issue{Row: r.N, Field: f, Value: value, Message: msg, Args: args, Warning: warning}
	if j >= 0 {
		is.Column = ColumnName(j)
		if j < len(pl.labels) {
			is.Header = pl.labels[j]
		}
	}
	p.Issues = append(p.Issues, is)
}

// cell returns the trimmed value of field f in r, its column (-1 when the
// field is not mapped), and false when the cell's bytes were not valid in
// the file's encoding (reported here, once).
func (pl *planner) cell(it *item, f Field) (string, int, bool) {
	cols := pl.p.Mapping[f]
	if len(cols) == 0 {
		return "", -1, true
	}
	j := cols[0]
	if it.row.BadEncoding(j) {
		pl.issue(&it.row, j, f, it.row.Cell(j), "asset.import.bad_encoding", map[string]any{"Encoding": string(pl.t.Encoding)}, false)
		it.bad = true
		return "", j, false
	}
	return strings.TrimSpace(strings.ReplaceAll(it.row.Cell(j), "\r\n", "\n")), j, true
}

func (pl *planner) fail(it *item, j int, f Field, value, msg string, args map[string]any) {
	pl.issue(&it.row, j, f, value, msg, args, false)
	it.bad = true
}

// rows turns each data row into an asset, reporting each bad cell.
func (pl *planner) rows(rows []Row, opts ImportOptions) []*item {
	items := make([]*item, 0, len(rows))
	seen := make(map[string]int, len(rows))
	defKind := opts.DefaultKind
	if defKind == "" || !defKind.Valid() {
		defKind = KindInformation
	}
	for _, r := range rows {
		it := &item{row: r, asset: &Asset{Levels: Levels{}}, parent: -1, original: -1, parentCol: -1, originalCol: -1, managerCol: -1}
		if pl.blankMapped(&it.row) {
			continue
		}
		a := it.asset
		// Asset number: present, unique in the file and in the register.
		if v, j, ok := pl.cell(it, FieldNumber); ok {
			a.Number = NormalizeNumber(v)
			switch {
			case a.Number == "":
				pl.fail(it, j, FieldNumber, v, "asset.import.number_missing", nil)
			case len(a.Number) > maxNumber:
				pl.fail(it, j, FieldNumber, v, "asset.number_invalid", map[string]any{"Max": maxNumber})
			case seen[a.Number] != 0:
				pl.fail(it, j, FieldNumber, v, "asset.import.number_twice", map[string]any{"Row": seen[a.Number]})
			case pl.refs[a.Number] != nil:
				pl.fail(it, j, FieldNumber, v, "asset.import.number_taken", map[string]any{"Number": a.Number})
			default:
				seen[a.Number] = r.N
			}
		}
		if v, j, ok := pl.cell(it, FieldName); ok {
			a.Name = v
			if v == "" {
				pl.fail(it, j, FieldName, v, "asset.import.name_missing", nil)
			} else if len([]rune(v)) > maxName {
				pl.fail(it, j, FieldName, v, "asset.name_invalid", map[string]any{"Max": maxName})
			}
		}
		if v, j, ok := pl.cell(it, FieldKind); ok {
			a.Kind = defKind
			if v != "" {
				if t := pl.targets[FieldKind][normValue(v)]; t != "" {
					a.Kind = Kind(t)
				} else {
					pl.fail(it, j, FieldKind, v, "asset.import.kind_unknown", nil)
				}
			}
		}
		pl.unitCell(it)
		pl.managerCell(it)
		for _, ax := range pl.pol.Axes() {
			f := LevelField(ax.ID)
			v, j, ok := pl.cell(it, f)
			if !ok || v == "" {
				continue
			}
			switch t := pl.targets[f][normValue(v)]; t {
			case "":
				pl.fail(it, j, f, v, "asset.import.level_unknown", map[string]any{"Axis": ax.Name.JA, "AxisEN": orText(ax.Name.EN, ax.Name.JA)})
			case Unknown:
			default:
				a.Levels[ax.ID] = t
				it.copyLevelCol = j
			}
		}
		for _, f := range []Field{FieldPersonal, FieldSpecific} {
			v, j, ok := pl.cell(it, f)
			if !ok {
				continue
			}
			b, valid := ParseFlag(v)
			if !valid {
				pl.fail(it, j, f, v, "asset.import.flag_invalid", nil)
			}
			if f == FieldPersonal {
				a.Personal = b
			} else {
				a.SpecificPersonal = b
			}
		}
		if v, j, ok := pl.cell(it, FieldSegment); ok && v != "" {
			switch t := pl.targets[FieldSegment][normValue(v)]; t {
			case "":
				pl.fail(it, j, FieldSegment, v, "asset.import.segment_unknown", nil)
			case Unknown:
			default:
				a.Segment = t
			}
		}
		if v, _, ok := pl.cell(it, FieldLocation); ok {
			a.Location = v
		}
		if v, _, ok := pl.cell(it, FieldControlArea); ok {
			a.ControlArea = v
		}
		if v, j, ok := pl.cell(it, FieldState); ok {
			a.State = StateInUse
			if v != "" {
				if t := pl.targets[FieldState][normValue(v)]; t != "" {
					a.State = State(t)
				} else {
					pl.fail(it, j, FieldState, v, "asset.import.state_unknown", nil)
				}
			}
		}
		if v, j, ok := pl.cell(it, FieldKeepUntil); ok && v != "" {
			d, err := ParseDate(v, it.row.Numeric(j), pl.t.Date1904)
			if err != nil {
				pl.fail(it, j, FieldKeepUntil, v, "asset.import.date_invalid", nil)
			} else {
				a.KeepUntil = &d
			}
		}
		pl.notesCell(it)
		if v, j, ok := pl.cell(it, FieldParent); ok && v != "" {
			it.parentNo, it.parentCol = NormalizeNumber(v), j
		}
		if v, j, ok := pl.cell(it, FieldCopyOf); ok && v != "" {
			it.originalNo, it.originalCol = NormalizeNumber(v), j
		}
		if !it.bad {
			pl.validate(it)
		}
		items = append(items, it)
	}
	return items
}

// blankMapped reports whether every mapped cell of a row is empty: such a
// row (a note beside the table, a subtotal label) is not an asset.
func (pl *planner) blankMapped(r *Row) bool {
	for _, cols := range pl.p.Mapping {
		for _, j := range cols {
			if strings.TrimSpace(r.Cell(j)) != "" || r.BadEncoding(j) {
				return false
			}
		}
	}
	return true
}

func (pl *planner) unitCell(it *item) {
	v, j, ok := pl.cell(it, FieldUnit)
	if !ok {
		return
	}
	a := it.asset
	if v == "" {
		if pl.defUnit == 0 {
			pl.fail(it, j, FieldUnit, v, "asset.import.unit_missing", nil)
			return
		}
		a.UnitID = pl.defUnit
	} else {
		u, amb := pl.units.find(v)
		if u.ID == 0 {
			msg := "asset.import.unit_unknown"
			if len(amb) > 1 {
				msg = "asset.import.unit_ambiguous"
			}
			pl.fail(it, j, FieldUnit, v, msg, map[string]any{"Unit": v})
			return
		}
		a.UnitID = u.ID
	}
	if !pl.scope.has(a.UnitID) {
		pl.fail(it, j, FieldUnit, v, "asset.import.unit_forbidden", map[string]any{"Unit": v})
	}
}

func (pl *planner) managerCell(it *item) {
	v, j, ok := pl.cell(it, FieldManager)
	if !ok || v == "" {
		return
	}
	hits := pl.people[fold(v)]
	switch len(hits) {
	case 0:
		pl.fail(it, j, FieldManager, v, "asset.import.manager_unknown", map[string]any{"Name": v})
	case 1:
		it.managerID, it.managerCol = hits[0].ID, j
	default:
		pl.fail(it, j, FieldManager, v, "asset.import.manager_ambiguous", map[string]any{"Name": v})
	}
}

// notesCell fills the notes: one column as it is; several (業務分類,
// 利用者範囲 … that have no field of their own) as "header: value" lines.
func (pl *planner) notesCell(it *item) {
	cols := pl.p.Mapping[FieldNotes]
	var parts []string
	for _, j := range cols {
		if it.row.BadEncoding(j) {
			pl.fail(it, j, FieldNotes, it.row.Cell(j), "asset.import.bad_encoding", map[string]any{"Encoding": string(pl.t.Encoding)})
			continue
		}
		v := strings.TrimSpace(strings.ReplaceAll(it.row.Cell(j), "\r\n", "\n"))
		if v == "" {
			continue
		}
		if len(cols) > 1 && j < len(pl.labels) && pl.labels[j] != "" {
			v = pl.labels[j] + ": " + v
		}
		parts = append(parts, v)
	}
	it.asset.Notes = strings.Join(parts, "\n")
}

// validate runs the asset's own checks, reporting at the field's column.
func (pl *planner) validate(it *item) {
	a := *it.asset
	a.Kind = orKind(a.Kind)
	if err := a.Validate(); err != nil {
		e, _ := mamori.AsError(err)
		f := Field(e.Field)
		if f == "unit_id" {
			f = FieldUnit
		}
		j := -1
		if cols := pl.p.Mapping[f]; len(cols) > 0 {
			j = cols[0]
		}
		pl.fail(it, j, f, "", e.Message, e.Args)
		return
	}
	*it.asset = a
}

func orKind(k Kind) Kind {
	if k == "" {
		return KindInformation
	}
	return k
}

// resolve links rows to the holders and originals they name, in the file
// or in the register, and refuses loops.
func (pl *planner) resolve(items []*item) {
	byNumber := make(map[string]int, len(items))
	for i, it := range items {
		if it.asset.Number != "" && !it.bad {
			byNumber[it.asset.Number] = i
		} else if it.asset.Number != "" {
			if _, dup := byNumber[it.asset.Number]; !dup {
				byNumber[it.asset.Number] = i
			}
		}
	}
	for _, it := range items {
		a := it.asset
		if it.parentNo != "" {
			switch i, inFile := byNumber[it.parentNo]; {
			case it.parentNo == a.Number:
				pl.fail(it, it.parentCol, FieldParent, it.parentNo, "asset.parent_cycle", nil)
			case inFile:
				if !items[i].bad && !items[i].asset.Kind.Holds() {
					pl.fail(it, it.parentCol, FieldParent, it.parentNo, "asset.parent_not_holder", map[string]any{"Number": it.parentNo})
				}
				it.parent = i
			case pl.refs[it.parentNo] != nil:
				ref := pl.refs[it.parentNo]
				if !ref.Kind.Holds() {
					pl.fail(it, it.parentCol, FieldParent, it.parentNo, "asset.parent_not_holder", map[string]any{"Number": it.parentNo})
				}
				a.ParentID = ref.ID
			default:
				pl.fail(it, it.parentCol, FieldParent, it.parentNo, "asset.import.parent_unknown", map[string]any{"Number": it.parentNo})
			}
		}
		if it.originalNo != "" {
			switch i, inFile := byNumber[it.originalNo]; {
			case it.originalNo == a.Number:
				pl.fail(it, it.originalCol, FieldCopyOf, it.originalNo, "asset.copy_cycle", nil)
			case inFile:
				it.original = i
			case pl.refs[it.originalNo] != nil:
				a.CopyOf = pl.refs[it.originalNo].ID
			default:
				pl.fail(it, it.originalCol, FieldCopyOf, it.originalNo, "asset.import.original_unknown", map[string]any{"Number": it.originalNo})
			}
		}
	}
	pl.cycles(items)
}

// cycles refuses rows whose levels would depend on themselves: a holder
// is handled at the levels of what it holds and a copy at its original's,
// so a copy held by its own original, or a holder that is a copy of what
// it holds, loops. The register has no loop, so any loop passes through
// the file's rows: a depth-first walk from them over what each asset
// depends on (what it holds, its original), in the file and in the
// register, finds it, visiting each asset once.
func (pl *planner) cycles(items []*item) {
	n := len(items)
	refs := make([]*Ref, 0, len(pl.refs))
	node := make(map[int64]int, len(pl.refs))
	for _, r := range pl.refs {
		node[r.ID] = n + len(refs)
		refs = append(refs, r)
	}
	deps := make([][]int, n+len(refs))
	for i, it := range items {
		switch {
		case it.parent >= 0:
			deps[it.parent] = append(deps[it.parent], i)
		case it.asset.ParentID != 0:
			if p, ok := node[it.asset.ParentID]; ok {
				deps[p] = append(deps[p], i)
			}
		}
		switch {
		case it.original >= 0:
			deps[i] = append(deps[i], it.original)
		case it.asset.CopyOf != 0:
			if o, ok := node[it.asset.CopyOf]; ok {
				deps[i] = append(deps[i], o)
			}
		}
	}
	for k, r := range refs {
		if p, ok := node[r.ParentID]; ok && r.ParentID != 0 {
			deps[p] = append(deps[p], n+k)
		}
		if o, ok := node[r.CopyOf]; ok && r.CopyOf != 0 {
			deps[n+k] = append(deps[n+k], o)
		}
	}
	state := make([]byte, len(deps)) // 0 not seen, 1 on the path, 2 done
	var path []int
	var visit func(v int)
	visit = func(v int) {
		state[v] = 1
		path = append(path, v)
		for _, d := range deps[v] {
			switch state[d] {
			case 0:
				visit(d)
			case 1:
				// A loop: every row of the file on it is refused.
				for k := len(path) - 1; k >= 0; k-- {
					// The rows whose references close the loop are refused;
					// a holder that is only named by them is not at fault.
					if w := path[k]; w < n && !items[w].bad && (items[w].parentNo != "" || items[w].originalNo != "") {
						it := items[w]
						col, f, v := it.parentCol, FieldParent, it.parentNo
						if it.original >= 0 || it.asset.CopyOf != 0 {
							col, f, v = it.originalCol, FieldCopyOf, it.originalNo
						}
						pl.fail(it, col, f, v, "asset.import.cycle", nil)
					}
					if path[k] == d {
						break
					}
				}
			}
		}
		path = path[:len(path)-1]
		state[v] = 2
	}
	for i := range items {
		if state[i] == 0 {
			visit(i)
		}
	}
}

// finish spreads badness to rows that refer to bad rows, derives the
// levels of the good rows, orders them for storing, and checks the
// manager column against the derived manager.
func (pl *planner) finish(items []*item) {
	for changed := true; changed; {
		changed = false
		for _, it := range items {
			if it.bad {
				continue
			}
			for _, ref := range []struct {
				i   int
				col int
				f   Field
			}{{it.parent, it.parentCol, FieldParent}, {it.original, it.originalCol, FieldCopyOf}} {
				if ref.i >= 0 && items[ref.i].bad {
					pl.fail(it, ref.col, ref.f, items[ref.i].asset.Number, "asset.import.refers_to_bad_row", map[string]any{"Row": items[ref.i].row.N})
					changed = true
					break
				}
			}
		}
	}
	d := NewClassifier(pl.pol)
	n := len(items)
	held := make([][]int, n)
	for i, it := range items {
		if !it.bad && it.parent >= 0 {
			held[it.parent] = append(held[it.parent], i)
		}
	}
	done := make([]bool, n)
	var derive func(i int) Levels
	derive = func(i int) Levels {
		it := items[i]
		if done[i] {
			return it.asset.Effective
		}
		done[i] = true // loops were refused above; this guards the recursion all the same
		var parts []Levels
		for _, h := range held[i] {
			parts = append(parts, derive(h))
		}
		var orig Levels
		isCopy := it.original >= 0 || it.asset.CopyOf != 0
		if it.original >= 0 {
			orig = derive(it.original)
		} else if r := pl.byID[it.asset.CopyOf]; r != nil {
			orig = r.Effective
			pl.p.Batch.Originals[r.ID] = r.Effective
		}
		it.asset.Effective = d.Effective(it.asset.Levels, orig, isCopy, parts)
		it.asset.Unclassified = d.Unclassified(it.asset.Effective)
		return it.asset.Effective
	}
	pl.p.Batch = &Batch{FileName: pl.p.FileName, SHA256: pl.p.SHA256, Originals: map[int64]Levels{}}
	for i, it := range items {
		if it.bad {
			continue
		}
		derive(i)
		// A copy's levels come from its original: levels the file gives
		// it that differ are not used, and the person is told.
		if isCopy := it.original >= 0 || it.asset.CopyOf != 0; isCopy && len(it.asset.Levels) > 0 {
			for axis, l := range it.asset.Levels {
				if it.asset.Effective[axis] != l {
					pl.issue(&it.row, it.copyLevelCol, LevelField(axis), l, "asset.import.copy_levels_ignored", nil, true)
					break
				}
			}
			it.asset.Levels = Levels{}
		}
	}
	// Order: holders and originals before what refers to them.
	order := make([]int, 0, n)
	placed := make([]bool, n)
	var place func(i int, depth int)
	place = func(i int, depth int) {
		if placed[i] || items[i].bad || depth > n {
			return
		}
		placed[i] = true
		if p := items[i].parent; p >= 0 {
			place(p, depth+1)
		}
		if o := items[i].original; o >= 0 {
			place(o, depth+1)
		}
		order = append(order, i)
	}
	for i := range items {
		place(i, 0)
	}
	pos := make(map[int]int, len(order))
	for k, i := range order {
		pos[i] = k
	}
	for _, i := range order {
		it := items[i]
		bi := BatchItem{Asset: it.asset, Row: it.row.N, Parent: -1, Original: -1}
		if it.parent >= 0 {
			bi.Parent = pos[it.parent]
		}
		if it.original >= 0 {
			bi.Original = pos[it.original]
		}
		if it.asset.Unclassified {
			pl.p.ToClassify++
		}
		pl.p.Batch.Items = append(pl.p.Batch.Items, bi)
	}
	for _, it := range items {
		if it.bad {
			pl.p.BadRows++
		}
	}
	sort.SliceStable(pl.p.Issues, func(i, j int) bool {
		a, b := pl.p.Issues[i], pl.p.Issues[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return ColumnIndex(a.Column) < ColumnIndex(b.Column)
	})
}

// Commit stores a checked plan. Nothing is stored while a row is bad,
// unless the person chose to leave bad rows out (SkipBadRows); either way
// the whole batch is one transaction. Managers named in the file are
// checked against the profile's manager of each unit first (warnings).
func (s *Service) Commit(ctx context.Context, pol *policy.Policy, plan *Plan, progress func(done, total int)) error {
	if plan.BadRows > 0 && !plan.Options.SkipBadRows {
		return &mamori.Error{Code: mamori.EINVALID, Message: "asset.import.has_errors", Args: map[string]any{"Rows": plan.BadRows, "Count": plan.Errors}}
	}
	if plan.Batch == nil || len(plan.Batch.Items) == 0 {
		return mamori.Errorf(mamori.EINVALID, "asset.import.nothing", nil)
	}
	plan.Batch.Skipped = plan.BadRows
	return s.st.ImportAssets(ctx, plan.Batch, NewClassifier(pol), progress)
}

// checkManagers warns of rows whose manager column names someone who is
// not the manager the profile derives for the row's unit: the manager is
// derived, never stored, so the column is only checked (a register made
// before a personnel transfer names the former 課長).
func (pl *planner) checkManagers(ctx context.Context, s *Service, items []*item) error {
	type result struct {
		ids  []int64
		role *policy.Role
	}
	cache := map[int64]result{}
	for _, it := range items {
		if it.bad || it.managerID == 0 || it.asset.UnitID == 0 {
			continue
		}
		r, ok := cache[it.asset.UnitID]
		if !ok {
			acting, role, err := s.Managers(ctx, pl.pol, it.asset.UnitID)
			if err != nil {
				return err
			}
			r.role = role
			for _, a := range acting {
				r.ids = append(r.ids, a.PersonID)
			}
			cache[it.asset.UnitID] = r
		}
		if r.role == nil || slices.Contains(r.ids, it.managerID) {
			continue
		}
		v := it.row.Cell(it.managerCol)
		pl.issue(&it.row, it.managerCol, FieldManager, v, "asset.import.manager_mismatch",
			map[string]any{"Name": strings.TrimSpace(v), "Role": r.role.Name.JA, "RoleEN": orText(r.role.Name.EN, r.role.Name.JA)}, true)
	}
	return nil
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// String describes a plan for logs and the command line.
func (p *Plan) String() string {
	good := 0
	if p.Batch != nil {
		good = len(p.Batch.Items)
	}
	return fmt.Sprintf("%d rows read, %d good, %d bad (%d errors), %d to classify", p.Rows, good, p.BadRows, p.Errors, p.ToClassify)
}
