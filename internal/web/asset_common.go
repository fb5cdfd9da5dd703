package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// This file holds what the register's pages and API share: the service,
// the acting person as the register sees them, the filter read from a
// query, and the lookups pages use to show units, kinds and levels.

// assets is the register over this server's store. It holds no state, so
// one per call costs nothing and needs no field on the server.
func (s *Server) assets() *asset.Service {
	return asset.NewService(s.store, directory.NewService(s.store))
}

// assetActor is the acting person as the register sees them.
func assetActor(p *auth.Principal) asset.Actor {
	a := asset.Actor{PersonID: p.PersonID, UnitID: p.UnitID, Can: func(perm policy.Permission) bool { return p.Can(string(perm)) }}
	for _, h := range p.Roles {
		a.Roles = append(a.Roles, asset.RoleHolding{Role: h.Role, UnitID: h.UnitID})
	}
	return a
}

// canWriteAssets reports whether p may register assets in some unit.
func canWriteAssets(p *auth.Principal) bool {
	return p.Can(string(policy.PermAssetWrite)) || p.Can(string(policy.PermAssetManage))
}

var errAssetWrite = &mamori.Error{Code: mamori.EFORBIDDEN, Message: "error.forbidden"}

// assetFilter reads a listing's filter from a query: the list page, the
// API and the export take the same parameters.
func assetFilter(q url.Values) (asset.Filter, error) {
	f := asset.Filter{
		Query:       q.Get("q"),
		Kind:        asset.Kind(q.Get("kind")),
		Segment:     q.Get("segment"),
		Personal:    asset.Tristate(q.Get("personal")),
		Specific:    asset.Tristate(q.Get("specific_personal")),
		Location:    q.Get("location"),
		ControlArea: q.Get("control_area"),
		State:       asset.State(q.Get("state")),
		ToClassify:  q.Get("to_classify") == "1" || q.Get("to_classify") == "true",
		Sort:        asset.Sort(q.Get("sort")),
		Desc:        q.Get("desc") == "1" || q.Get("desc") == "true",
		Levels:      map[string]string{},
	}
	for key, vs := range q {
		if axis, ok := strings.CutPrefix(key, "level."); ok && len(vs) > 0 {
			f.Levels[axis] = vs[0]
		}
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"unit", &f.UnitID}, {"parent", &f.ParentID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, mamori.FieldError(p.name, "asset.filter_id_invalid", nil)
			}
			*p.dst = n
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return f, mamori.FieldError(p.name, "asset.offset_invalid", nil)
			}
			*p.dst = n
		}
	}
	return f, nil
}

// filterQuery writes a filter back as a query (links to other pages and
// to the export keep the filter).
func filterQuery(f asset.Filter) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Query)
	if f.UnitID != 0 {
		q.Set("unit", strconv.FormatInt(f.UnitID, 10))
	}
	if f.ParentID != 0 {
		q.Set("parent", strconv.FormatInt(f.ParentID, 10))
	}
	set("kind", string(f.Kind))
	for axis, l := range f.Levels {
		set("level."+axis, l)
	}
	set("segment", f.Segment)
	set("personal", string(f.Personal))
	set("specific_personal", string(f.Specific))
	set("location", f.Location)
	set("control_area", f.ControlArea)
	set("state", string(f.State))
	if f.ToClassify {
		q.Set("to_classify", "1")
	}
	if f.Sort != "" && f.Sort != asset.SortNumber {
		q.Set("sort", string(f.Sort))
	}
	if f.Desc {
		q.Set("desc", "1")
	}
	return q
}

// assetLookups are what asset pages need beside their data: the policy's
// axes, levels and segments, the units, and the words for kinds and states.
type assetLookups struct {
	loc    Localizer
	Policy *policy.Policy
	Units  []directory.TreeNode
	unitBy map[int64]directory.Unit
}

func (s *Server) assetLookups(ctx context.Context, r *http.Request, pol *policy.Policy) (assetLookups, error) {
	units, err := s.store.Units(ctx)
	if err != nil {
		return assetLookups{}, err
	}
	l := assetLookups{loc: s.localizer(r), Policy: pol, Units: directory.Tree(units), unitBy: make(map[int64]directory.Unit, len(units))}
	for _, u := range units {
		l.unitBy[u.ID] = u
	}
	return l, nil
}

// Axes are the policy's classification axes.
func (l assetLookups) Axes() []*policy.Axis {
	if l.Policy == nil {
		return nil
	}
	return l.Policy.Axes()
}

// Segments are the policy's network segments (三層).
func (l assetLookups) Segments() []*policy.Segment {
	if l.Policy == nil {
		return nil
	}
	return l.Policy.Segments()
}

// Kinds are the asset kinds, in display order.
func (assetLookups) Kinds() []asset.Kind { return asset.Kinds }

// States are the lifecycle states, in display order.
func (assetLookups) States() []asset.State { return asset.States }

// Sorts are the sort keys.
func (assetLookups) Sorts() []asset.Sort { return asset.Sorts }

// KindName is a kind in the reader's language.
func (l assetLookups) KindName(k asset.Kind) string { return l.loc.T("asset.kind." + string(k)) }

// StateName is a state in the reader's language.
func (l assetLookups) StateName(s asset.State) string { return l.loc.T("asset.state." + string(s)) }

// AxisName is an axis's name in the reader's language.
func (l assetLookups) AxisName(ax *policy.Axis) string { return l.loc.Pick(ax.Name.JA, ax.Name.EN) }

// LevelName names a level of an axis in the reader's language ("" for
// none, the id itself for a level the policy does not have).
func (l assetLookups) LevelName(axis, level string) string {
	if level == "" || l.Policy == nil {
		return ""
	}
	ax, ok := l.Policy.Axis(axis)
	if !ok {
		return level
	}
	lv, ok := ax.Level(level)
	if !ok {
		return level
	}
	return l.loc.Pick(lv.Name.JA, lv.Name.EN)
}

// SegmentName names a segment of the policy.
func (l assetLookups) SegmentName(id string) string {
	for _, s := range l.Segments() {
		if s.ID == id {
			return l.loc.Pick(s.Name.JA, s.Name.EN)
		}
	}
	return id
}

// UnitPath is a unit's name with its ancestors' (市民部／市民課).
func (l assetLookups) UnitPath(id int64) string {
	var names []string
	for u, ok := l.unitBy[id]; ok && len(names) < 32; u, ok = l.unitBy[u.ParentID] {
		names = append([]string{u.Name}, names...)
	}
	return strings.Join(names, "／")
}

// Indent shows a unit's depth in a select.
func (assetLookups) Indent(depth int) string { return strings.Repeat("　", depth) }

// Date shows a keep-until date (a day, stored at UTC midnight) as the day
// it is, in the reader's language and 和暦.
func (l assetLookups) Date(t *time.Time) string {
	if t == nil {
		return ""
	}
	d := *t // UTC midnight: the same day in Japan
	if l.loc.Lang == "en" {
		return l.loc.Date(d)
	}
	return l.loc.Date(d) + "（" + l.loc.Wareki(d) + "）"
}

// DateValue is a keep-until date as a form's date input writes it.
func (assetLookups) DateValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// Lines splits a text at its line breaks, for pages that show them.
func (assetLookups) Lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
