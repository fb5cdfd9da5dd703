package directory

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"mamori"
	"mamori/internal/policy"
)

// TransferStatus is where a personnel transfer (人事異動) stands.
type TransferStatus string

const (
	TransferDraft     TransferStatus = "draft"     // being put together; changes nothing
	TransferScheduled TransferStatus = "scheduled" // checked; applied on its date by the server
	TransferApplied   TransferStatus = "applied"   // done, all at once
	TransferFailed    TransferStatus = "failed"    // could not be applied on its date; nothing changed
	TransferCancelled TransferStatus = "cancelled" // withdrawn before its date
)

// Transfer is a batch of moves and role changes effective on one date
// (most municipalities move many people on 1 April). Applying it changes
// every row or none, and flags each person concerned for an access review
// (下條村 第2章8(3)9, 12).
type Transfer struct {
	ID          int64
	Title       string
	EffectiveAt time.Time // the start of the effective day in Japan, in UTC
	Status      TransferStatus
	Source      string // "画面入力", or the imported file's name
	Error       string // why applying failed
	CreatedAt   time.Time
	CreatedBy   int64
	AppliedAt   *time.Time
	Items       []TransferItem
	Count       int // rows, in lists (which do not load Items)
}

// Editable reports whether rows may still be added or removed.
func (t Transfer) Editable() bool { return t.Status == TransferDraft || t.Status == TransferFailed }

// Validate checks a transfer's own fields.
func (t *Transfer) Validate() error {
	t.Title = strings.TrimSpace(t.Title)
	if t.Title == "" || len([]rune(t.Title)) > 100 {
		return mamori.FieldError("title", "transfer.title_invalid", nil)
	}
	if t.EffectiveAt.IsZero() {
		return mamori.FieldError("effective_on", "transfer.date_required", nil)
	}
	return nil
}

// TransferItem is one person's move and role changes.
type TransferItem struct {
	ID         int64
	Line       int // the row of the imported file (0 when entered on screen)
	StaffNo    string
	PersonID   int64
	FromUnitID int64 // where the person was when the row was entered
	ToUnitID   int64 // 0: stays where they are
	AddRoles   []RoleGrant
	EndRoles   []string // role ids to end
	EndAll     bool     // end every role the person holds
	Note       string
}

// TransferChange is what applying an item does, worked out against the
// directory just before: the move, the assignments ended and the roles
// granted.
type TransferChange struct {
	PersonID int64
	ToUnitID int64   // 0: stays
	End      []int64 // role assignment ids
	Grant    []RoleGrant
}

// RoleGrant is a role to be held from the transfer's date.
type RoleGrant struct {
	Role   string `json:"role"`
	UnitID int64  `json:"unit_id,omitempty"`
}

// TransferInput is one row as people write it: staff number, unit and
// roles as text (codes, ids or names), from a file or a form.
type TransferInput struct {
	Row      int // spreadsheet row, 1-based; 0 for a form or API entry
	StaffNo  string
	Name     string // optional check that the staff number is the right person
	ToUnit   string
	Roles    string
	RoleUnit string
	EndRoles string
	Note     string
}

// Empty reports whether the row holds nothing at all (a blank line).
func (in TransferInput) Empty() bool {
	return strings.TrimSpace(in.StaffNo+in.Name+in.ToUnit+in.Roles+in.RoleUnit+in.EndRoles+in.Note) == ""
}

// RowError is what is wrong with one row or field of a transfer. Row is
// the spreadsheet row (0 for entries without one), Item the entry's index,
// Field the input at fault, Column the spreadsheet column ("C（異動先）").
type RowError struct {
	Row    int
	Item   int
	Field  string
	Column string
	Err    *mamori.Error
}

// RowErrors is every problem found, in row order.
type RowErrors []RowError

func (es RowErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		if e.Row > 0 {
			fmt.Fprintf(&b, "row %d ", e.Row)
		}
		if e.Column != "" {
			fmt.Fprintf(&b, "column %s ", e.Column)
		} else if e.Field != "" {
			fmt.Fprintf(&b, "%s ", e.Field)
		}
		b.WriteString(e.Err.Message)
	}
	return b.String()
}

// Snapshot is the directory as it stands, for checking a transfer against:
// units, people and the assignments current at At.
type Snapshot struct {
	At          time.Time
	Units       []Unit
	People      []Person
	Assignments []Assignment

	units    map[int64]*Unit
	people   map[int64]*Person
	byStaff  map[string]*Person
	children map[int64][]int64
}

func (s *Snapshot) index() {
	if s.units != nil {
		return
	}
	s.units = map[int64]*Unit{}
	s.people = map[int64]*Person{}
	s.byStaff = map[string]*Person{}
	s.children = map[int64][]int64{}
	for i := range s.Units {
		u := &s.Units[i]
		s.units[u.ID] = u
		s.children[u.ParentID] = append(s.children[u.ParentID], u.ID)
	}
	for i := range s.People {
		p := &s.People[i]
		s.people[p.ID] = p
		s.byStaff[p.StaffNo] = p
	}
}

// Unit returns the unit with id, or nil.
func (s *Snapshot) Unit(id int64) *Unit { s.index(); return s.units[id] }

// Person returns the person with id, or nil.
func (s *Snapshot) Person(id int64) *Person { s.index(); return s.people[id] }

// PersonByStaffNo returns the person with the staff number, or nil.
func (s *Snapshot) PersonByStaffNo(no string) *Person { s.index(); return s.byStaff[no] }

// UnitName is the unit's name, or "" for 0.
func (s *Snapshot) UnitName(id int64) string {
	if u := s.Unit(id); u != nil {
		return u.Name
	}
	return ""
}

// UnitPathName is the unit's name with its ancestors' (総務部／情報政策課).
func (s *Snapshot) UnitPathName(id int64) string {
	var names []string
	for u := s.Unit(id); u != nil && len(names) < 20; u = s.Unit(u.ParentID) {
		names = append(names, u.Name)
	}
	slices.Reverse(names)
	return strings.Join(names, "／")
}

// HeldBy returns the assignments of the snapshot held by personID.
func (s *Snapshot) HeldBy(personID int64) []Assignment {
	var out []Assignment
	for _, a := range s.Assignments {
		if a.PersonID == personID {
			out = append(out, a)
		}
	}
	return out
}

// FindUnit finds a unit by code, by name, or by a path of names
// ("消防本部/総務課/企画係", matched from the end), as people write it.
// More than one match is an error: a transfer must not guess.
func (s *Snapshot) FindUnit(text string) (*Unit, *mamori.Error) {
	s.index()
	text = strings.TrimSpace(text)
	for i := range s.Units {
		if s.Units[i].Code == text {
			return &s.Units[i], nil
		}
	}
	segs := strings.FieldsFunc(norm.NFKC.String(text), func(r rune) bool { return r == '/' || r == '>' || r == '＞' || r == '\\' })
	for i := range segs {
		segs[i] = fold(segs[i])
	}
	var found []*Unit
	if len(segs) > 0 {
		for i := range s.Units {
			if s.matchPath(&s.Units[i], segs) {
				found = append(found, &s.Units[i])
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "transfer.unit_unknown", Args: map[string]any{"Unit": text}}
	default:
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "transfer.unit_ambiguous", Args: map[string]any{"Unit": text, "Count": len(found)}}
	}
}

func (s *Snapshot) matchPath(u *Unit, segs []string) bool {
	for i := len(segs) - 1; i >= 0; i-- {
		if u == nil || (fold(u.Name) != segs[i] && fold(u.NameEN) != segs[i]) {
			return false
		}
		u = s.Unit(u.ParentID)
	}
	return true
}

var parenRe = regexp.MustCompile(`\([^)]*\)$`)

// fold makes names comparable as people type them: width (NFKC), spaces
// (including the full-width space) and letter case do not count.
func fold(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u3000', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return strings.ToLower(s)
}

// FindRole finds a role of the policy by its id or its name in either
// language, with or without the parenthesised abbreviation ("最高情報セキュ
// リティ責任者" finds "最高情報セキュリティ責任者（CISO）").
func FindRole(pol *policy.Policy, text string) (*policy.Role, bool) {
	text = strings.TrimSpace(text)
	if r, ok := pol.Role(text); ok {
		return r, true
	}
	want := fold(text)
	for _, r := range pol.Roles() {
		for _, n := range []string{r.Name.JA, r.Name.EN} {
			f := fold(n)
			if n != "" && (f == want || parenRe.ReplaceAllString(f, "") == want) {
				return r, true
			}
		}
	}
	return nil, false
}

// splitList splits a cell holding several values: 、 , ; and line breaks
// separate them, in either width.
func splitList(s string) []string {
	return strings.FieldsFunc(norm.NFKC.String(s), func(r rune) bool {
		return r == '、' || r == ',' || r == ';' || r == '\n' || r == '\r'
	})
}

func isAll(s string) bool {
	switch fold(s) {
	case "全て", "すべて", "全部", "all", "*":
		return true
	}
	return false
}

// maxTransferItems bounds one batch; a whole city moves fewer people on
// 1 April.
const maxTransferItems = 5000

// ParseInputs turns rows as people write them into transfer items, checking
// each against the directory and the active policy. It reports every
// problem of every row, never only the first: staff numbers missing,
// unknown or repeated, names that do not match, units that do not exist,
// roles the policy does not define or that need a unit. existing are the
// rows already in the batch (their staff numbers count as repeated).
func ParseInputs(pol *policy.Policy, snap *Snapshot, inputs []TransferInput, existing []TransferItem) ([]TransferItem, RowErrors) {
	var items []TransferItem
	var errs RowErrors
	if len(inputs)+len(existing) > maxTransferItems {
		return nil, RowErrors{{Err: &mamori.Error{Code: mamori.EINVALID, Message: "transfer.too_many_rows", Args: map[string]any{"Max": maxTransferItems}}}}
	}
	seen := map[string]int{} // staff number → row (or -1 for an existing row)
	for _, it := range existing {
		seen[it.StaffNo] = -1
	}
	for i, in := range inputs {
		add := func(field string, e *mamori.Error) {
			errs = append(errs, RowError{Row: in.Row, Item: i, Field: field, Err: e})
		}
		item, ok := parseInput(pol, snap, in, add)
		if item.StaffNo != "" {
			if first, dup := seen[item.StaffNo]; dup {
				args := map[string]any{"StaffNo": item.StaffNo, "First": first}
				msg := "transfer.staff_no_duplicate"
				if first <= 0 {
					msg = "transfer.staff_no_in_batch"
				}
				add("staff_no", &mamori.Error{Code: mamori.EINVALID, Message: msg, Args: args})
				ok = false
			} else {
				row := in.Row
				if row == 0 {
					row = i + 1 // the n-th entry of a form or API request
				}
				seen[item.StaffNo] = row
			}
		}
		if ok {
			items = append(items, item)
		}
	}
	return items, errs
}

func parseInput(pol *policy.Policy, snap *Snapshot, in TransferInput, add func(string, *mamori.Error)) (TransferItem, bool) {
	ok := true
	fail := func(field string, e *mamori.Error) { add(field, e); ok = false }
	item := TransferItem{Line: in.Row, StaffNo: strings.TrimSpace(norm.NFKC.String(in.StaffNo)), Note: strings.TrimSpace(in.Note)}
	if len([]rune(item.Note)) > 200 {
		fail("note", mamori.Errorf(mamori.EINVALID, "transfer.note_too_long", nil))
	}
	var person *Person
	if item.StaffNo == "" {
		fail("staff_no", mamori.Errorf(mamori.EINVALID, "transfer.staff_no_missing", nil))
	} else if person = snap.PersonByStaffNo(item.StaffNo); person == nil {
		fail("staff_no", mamori.Errorf(mamori.EINVALID, "transfer.staff_no_unknown", map[string]any{"StaffNo": item.StaffNo}))
	} else {
		item.PersonID, item.FromUnitID = person.ID, person.UnitID
		if person.Status == StatusLeft {
			fail("staff_no", mamori.Errorf(mamori.EINVALID, "transfer.person_left", map[string]any{"StaffNo": item.StaffNo, "Name": person.Name}))
		}
		if n := strings.TrimSpace(in.Name); n != "" && fold(n) != fold(person.Name) {
			fail("name", mamori.Errorf(mamori.EINVALID, "transfer.name_mismatch", map[string]any{"StaffNo": item.StaffNo, "Name": n, "Actual": person.Name}))
		}
	}
	if t := strings.TrimSpace(in.ToUnit); t != "" {
		if u, e := snap.FindUnit(t); e != nil {
			fail("to_unit", e)
		} else {
			item.ToUnitID = u.ID
		}
	}
	var roleUnit *Unit
	if t := strings.TrimSpace(in.RoleUnit); t != "" {
		if u, e := snap.FindUnit(t); e != nil {
			fail("role_unit", e)
		} else {
			roleUnit = u
		}
	}
	for _, name := range splitList(in.Roles) {
		r, found := FindRole(pol, name)
		if !found {
			fail("roles", mamori.Errorf(mamori.EINVALID, "transfer.role_unknown", map[string]any{"Role": strings.TrimSpace(name), "Policy": pol.Name().JA}))
			continue
		}
		g := RoleGrant{Role: r.ID}
		if PerUnit(r) {
			switch {
			case roleUnit != nil:
				g.UnitID = roleUnit.ID
			case item.ToUnitID != 0:
				g.UnitID = item.ToUnitID
			case person != nil:
				g.UnitID = person.UnitID
			}
		}
		if slices.Contains(item.AddRoles, g) {
			continue
		}
		item.AddRoles = append(item.AddRoles, g)
	}
	for _, name := range splitList(in.EndRoles) {
		if isAll(name) {
			item.EndAll = true
			continue
		}
		r, found := FindRole(pol, name)
		if !found {
			fail("end_roles", mamori.Errorf(mamori.EINVALID, "transfer.role_unknown", map[string]any{"Role": strings.TrimSpace(name), "Policy": pol.Name().JA}))
			continue
		}
		if !slices.Contains(item.EndRoles, r.ID) {
			item.EndRoles = append(item.EndRoles, r.ID)
		}
	}
	if ok && item.ToUnitID == 0 && len(item.AddRoles) == 0 && len(item.EndRoles) == 0 && !item.EndAll {
		fail("to_unit", mamori.Errorf(mamori.EINVALID, "transfer.row_empty", nil))
	}
	if ok {
		for _, e := range checkItem(pol, snap, item) {
			fail(e.Field, e)
		}
	}
	return item, ok
}

// checkItem checks an item whose references are ids: the person and units
// exist, each role is one the policy defines and is held for a unit
// exactly when it is per unit, and no role excluded by 兼務の禁止 is
// held together with another after the move.
func checkItem(pol *policy.Policy, snap *Snapshot, it TransferItem) []*mamori.Error {
	var errs []*mamori.Error
	p := snap.Person(it.PersonID)
	if p == nil {
		return []*mamori.Error{{Code: mamori.EINVALID, Message: "transfer.staff_no_unknown", Args: map[string]any{"StaffNo": it.StaffNo}, Field: "staff_no"}}
	}
	if p.Status == StatusLeft {
		errs = append(errs, &mamori.Error{Code: mamori.EINVALID, Message: "transfer.person_left", Args: map[string]any{"StaffNo": p.StaffNo, "Name": p.Name}, Field: "staff_no"})
	}
	if it.ToUnitID != 0 && snap.Unit(it.ToUnitID) == nil {
		errs = append(errs, &mamori.Error{Code: mamori.EINVALID, Message: "transfer.unit_unknown", Args: map[string]any{"Unit": it.ToUnitID}, Field: "to_unit"})
	}
	for _, g := range it.AddRoles {
		a := &Assignment{PersonID: it.PersonID, Role: g.Role, UnitID: g.UnitID}
		var u *Unit
		if g.UnitID != 0 {
			u = snap.Unit(g.UnitID)
		}
		if err := ValidateAssignment(pol, a, u); err != nil {
			e, _ := mamori.AsError(err)
			if e.Field == "unit_id" {
				e.Field = "role_unit"
			} else {
				e.Field = "roles"
			}
			errs = append(errs, e)
		}
	}
	for _, r := range it.EndRoles {
		if _, ok := pol.Role(r); !ok {
			errs = append(errs, &mamori.Error{Code: mamori.EINVALID, Message: "transfer.role_unknown", Args: map[string]any{"Role": r, "Policy": pol.Name().JA}, Field: "end_roles"})
		}
	}
	var after []string
	ends := map[int64]bool{}
	for _, a := range PlanEnds(pol, snap, it) {
		ends[a.ID] = true
	}
	for _, a := range snap.HeldBy(it.PersonID) {
		if !ends[a.ID] {
			after = append(after, a.Role)
		}
	}
	for _, g := range it.AddRoles {
		if err := CheckExclusive(pol, g.Role, after); err != nil {
			e, _ := mamori.AsError(err)
			e.Field = "roles"
			errs = append(errs, e)
		}
		after = append(after, g.Role)
	}
	return errs
}

// ValidateItems checks stored items against the directory and policy as
// they stand now (before scheduling and again before applying): people
// may have left and units may have gone since the rows were entered.
func ValidateItems(pol *policy.Policy, snap *Snapshot, items []TransferItem) RowErrors {
	var errs RowErrors
	seen := map[string]int{}
	for i, it := range items {
		if first, dup := seen[it.StaffNo]; dup {
			errs = append(errs, RowError{Row: it.Line, Item: i, Field: "staff_no", Err: &mamori.Error{Code: mamori.EINVALID,
				Message: "transfer.staff_no_duplicate", Args: map[string]any{"StaffNo": it.StaffNo, "First": first}}})
		}
		seen[it.StaffNo] = it.Line
		for _, e := range checkItem(pol, snap, it) {
			errs = append(errs, RowError{Row: it.Line, Item: i, Field: e.Field, Err: e})
		}
	}
	return errs
}

// PlanEnds lists the assignments an item ends: those it names (or all of
// them), and, when the person moves to another unit, every role held for
// a unit, which belongs to the post left behind — unless the item grants
// the same role for the same unit again.
func PlanEnds(pol *policy.Policy, snap *Snapshot, it TransferItem) []Assignment {
	p := snap.Person(it.PersonID)
	moving := p != nil && it.ToUnitID != 0 && it.ToUnitID != p.UnitID
	var out []Assignment
	for _, a := range snap.HeldBy(it.PersonID) {
		end := it.EndAll || slices.Contains(it.EndRoles, a.Role)
		if !end && moving && a.UnitID != 0 && !slices.Contains(it.AddRoles, RoleGrant{Role: a.Role, UnitID: a.UnitID}) {
			end = true
		}
		if end {
			out = append(out, a)
		}
	}
	return out
}

// PlanAdds lists the grants of an item that are new: a role already held
// for the same unit and not ended stays as it is.
func PlanAdds(pol *policy.Policy, snap *Snapshot, it TransferItem) []RoleGrant {
	ends := map[int64]bool{}
	for _, a := range PlanEnds(pol, snap, it) {
		ends[a.ID] = true
	}
	var out []RoleGrant
	for _, g := range it.AddRoles {
		kept := false
		for _, a := range snap.HeldBy(it.PersonID) {
			if a.Role == g.Role && a.UnitID == g.UnitID && !ends[a.ID] {
				kept = true
			}
		}
		if !kept {
			out = append(out, g)
		}
	}
	return out
}

// Unwrap makes a list of row problems a validation error as a whole: one
// message that says how many rows are wrong, for callers that show one.
func (es RowErrors) Unwrap() error {
	return &mamori.Error{Code: mamori.EINVALID, Message: "transfer.rows_invalid", Args: map[string]any{"Count": len(es)}}
}
