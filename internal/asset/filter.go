package asset

import (
	"strings"

	"mamori"
	"mamori/internal/policy"
)

// Sort is a column the register can be sorted by.
type Sort string

const (
	SortNumber    Sort = "number"
	SortName      Sort = "name"
	SortKind      Sort = "kind"
	SortUnit      Sort = "unit"
	SortUpdated   Sort = "updated"
	SortKeepUntil Sort = "keep_until"
)

// Sorts lists the sort keys.
var Sorts = []Sort{SortNumber, SortName, SortKind, SortUnit, SortUpdated, SortKeepUntil}

// Valid reports whether s is a known sort key.
func (s Sort) Valid() bool {
	for _, x := range Sorts {
		if x == s {
			return true
		}
	}
	return false
}

// Tristate is a yes/no filter that may be left open.
type Tristate string

const (
	Any Tristate = ""
	Yes Tristate = "yes"
	No  Tristate = "no"
)

// Page sizes of a list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// CountCap is how many matches a listing counts exactly at least: a
// listing of more says "more than" instead (1,000件以上). Counting all of
// 100,000 matches to print the number would cost far more than the page.
const CountCap = 1000

// CountBound is how far a listing with f counts: CountCap, or further when
// the page itself lies further (so that "next" is known on every page).
func CountBound(f Filter) int {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	return max(CountCap, f.Offset+limit)
}

// Capped reports whether a total returned for f is a bound, not a count.
func Capped(total int, f Filter) bool { return total > CountBound(f) }

// Filter narrows and orders a listing of the register. Levels filter on the
// level an asset is handled at (its effective level); Unknown finds the
// assets not classified on that axis.
type Filter struct {
	Query       string  // a prefix of the asset number, or part of the name
	UnitID      int64   // owned by this unit or a unit below it
	Within      []int64 // and by one of these units or a unit below them (a manager's queue)
	Kind        Kind    // a kind, or KindEquipmentGroup
	Levels      map[string]string
	Segment     string
	Personal    Tristate
	Specific    Tristate
	Location    string // the location starts with this
	ControlArea string
	State       State
	ToClassify  bool  // waiting for the manager to classify (下條村 第2章4(2)3-3)
	ParentID    int64 // held by this asset
	Sort        Sort
	Desc        bool
	Limit       int
	Offset      int
}

// Validate checks a filter against the policy and fills defaults. Bad
// values are errors naming the parameter, not silently dropped filters.
func (f *Filter) Validate(pol *policy.Policy) error {
	f.Query = strings.TrimSpace(f.Query)
	f.Location = strings.TrimSpace(f.Location)
	f.ControlArea = strings.TrimSpace(f.ControlArea)
	if f.Kind != "" && f.Kind != KindEquipmentGroup && !f.Kind.Valid() {
		return mamori.FieldError("kind", "asset.kind_invalid", map[string]any{"Kind": string(f.Kind)})
	}
	if f.State != "" && !f.State.Valid() {
		return mamori.FieldError("state", "asset.state_invalid", map[string]any{"State": string(f.State)})
	}
	for _, t := range []struct {
		name string
		v    Tristate
	}{{"personal", f.Personal}, {"specific_personal", f.Specific}} {
		if t.v != Any && t.v != Yes && t.v != No {
			return mamori.FieldError(t.name, "asset.filter_flag_invalid", nil)
		}
	}
	for axis, level := range f.Levels {
		if level == "" {
			delete(f.Levels, axis)
			continue
		}
		var ax *policy.Axis
		ok := false
		if pol != nil {
			ax, ok = pol.Axis(axis)
		}
		if !ok {
			return mamori.FieldError("level."+axis, "asset.axis_unknown", map[string]any{"Axis": axis})
		}
		if level != Unknown && !ax.HasLevel(level) {
			return mamori.FieldError("level."+axis, "asset.level_unknown", map[string]any{"Axis": ax.Name.JA, "AxisEN": ax.Name.EN, "Level": level})
		}
	}
	if f.Segment != "" && !segmentKnown(pol, f.Segment) {
		return mamori.FieldError("segment", "asset.segment_unknown", map[string]any{"Segment": f.Segment})
	}
	if f.Sort == "" {
		f.Sort = SortNumber
	}
	if !f.Sort.Valid() {
		return mamori.FieldError("sort", "asset.sort_invalid", map[string]any{"Sort": string(f.Sort)})
	}
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit > MaxLimit {
		return mamori.FieldError("limit", "asset.limit_invalid", map[string]any{"Max": MaxLimit})
	}
	if f.Offset < 0 {
		return mamori.FieldError("offset", "asset.offset_invalid", nil)
	}
	return nil
}

func segmentKnown(pol *policy.Policy, id string) bool {
	if pol == nil {
		return false
	}
	for _, s := range pol.Segments() {
		if s.ID == id {
			return true
		}
	}
	return false
}
