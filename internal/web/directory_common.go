package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// dirTabs are the sections of the directory, in order; transfers only for
// those who manage it.
var dirTabs = []string{"units", "people", "roles", "absences", "transfers"}

// dirPage is the common part of the directory's pages: the section tabs.
type dirPage struct {
	Page
	Tab  string
	Tabs []string
}

func (s *Server) dirPage(r *http.Request, title, tab string) dirPage {
	return dirPage{Page: s.page(r, title, "directory"), Tab: tab, Tabs: dirTabs}
}

// TabURL is where a directory tab lives.
func (dirPage) TabURL(tab string) string {
	if tab == "units" {
		return "/directory"
	}
	return "/" + tab
}

// dirLookups are what directory pages need to show names: the units (as a
// tree for selects), the policy's roles and segments.
type dirLookups struct {
	Units    []directory.TreeNode
	unitByID map[int64]directory.Unit
	Policy   *policy.Policy
}

func (s *Server) lookups(r *http.Request) (dirLookups, error) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		return dirLookups{}, err
	}
	l := dirLookups{Units: directory.Tree(units), unitByID: map[int64]directory.Unit{}}
	for _, u := range units {
		l.unitByID[u.ID] = u
	}
	pol, err := s.activePolicy(r)
	if err != nil && mamori.ErrorCode(err) != mamori.ENOTFOUND {
		return l, err
	}
	l.Policy = pol
	return l, nil
}

// UnitName is the unit's name ("" for none).
func (l dirLookups) UnitName(id int64) string {
	if u, ok := l.unitByID[id]; ok {
		return u.Name
	}
	return ""
}

// UnitPath is the unit's name with its ancestors' (総務部／情報政策課).
func (l dirLookups) UnitPath(id int64) string {
	var names []string
	for u, ok := l.unitByID[id]; ok && len(names) < 32; u, ok = l.unitByID[u.ParentID] {
		names = append([]string{u.Name}, names...)
	}
	return strings.Join(names, "／")
}

// Role returns a role of the active policy, or nil.
func (l dirLookups) Role(id string) *policy.Role {
	if l.Policy == nil {
		return nil
	}
	r, _ := l.Policy.Role(id)
	return r
}

// AssignableRoles are the roles held by appointment (not the baseline).
func (l dirLookups) AssignableRoles() []*policy.Role {
	if l.Policy == nil {
		return nil
	}
	var out []*policy.Role
	for _, r := range l.Policy.Roles() {
		if r.Kind != policy.RoleBaseline {
			out = append(out, r)
		}
	}
	return out
}

// PerUnit reports whether a role is held for a unit.
func (dirLookups) PerUnit(r *policy.Role) bool { return directory.PerUnit(r) }

// Indent is the prefix that shows a unit's depth in a select.
func (dirLookups) Indent(depth int) string { return strings.Repeat("　", depth) }

// pathID reads a numeric path value; anything else is "not found".
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errPageNotFound
	}
	return id, nil
}

// formDate reads a date field (2026-04-01) as the start of that day in
// Japan; empty gives the zero time.
func formDate(r *http.Request, field string) (time.Time, error) {
	v := strings.TrimSpace(r.FormValue(field))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := directory.ParseDate(v)
	if err != nil {
		return time.Time{}, mamori.FieldError(field, "date.invalid", map[string]any{"Value": v})
	}
	return t, nil
}

// canManagePerson refuses what would let a directory manager raise their
// own power: only a mamori administrator may act on another
// administrator's account or make someone one.
func canManagePerson(me *auth.Principal, target *directory.Person) error {
	if target.IsAdmin && !me.IsAdmin {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.admin_only"}
	}
	return nil
}

// noToken refuses account pages to API tokens: a token must not mint
// tokens that outlive it, nor change the password of its person.
func noToken(p *auth.Principal) error {
	if p.TokenID != 0 {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "token.not_with_token"}
	}
	return nil
}

// findPersonRef finds a person by id ("12") or staff number, as a form
// field holds it.
func (s *Server) findPersonRef(r *http.Request, field string) (*directory.Person, error) {
	v := strings.TrimSpace(r.FormValue(field))
	if v == "" {
		return nil, mamori.FieldError(field, "role.person_required", nil)
	}
	p, err := s.store.PersonByStaffNo(r.Context(), v)
	if err == nil {
		return p, nil
	}
	if id, perr := strconv.ParseInt(v, 10, 64); perr == nil {
		if p, err := s.store.Person(r.Context(), id); err == nil {
			return p, nil
		}
	}
	return nil, mamori.FieldError(field, "people.staff_no_unknown", map[string]any{"StaffNo": v})
}

// nowIn returns the store's clock (tests move it).
func (s *Server) now() time.Time { return s.store.Now() }

// isUserError tells an error the person can mend (bad input, a conflict)
// from one that is the server's: the first is shown on the form again.
func isUserError(err error) bool {
	switch codeOf(err) {
	case mamori.EINVALID, mamori.ECONFLICT, mamori.EFORBIDDEN, mamori.ENOTFOUND, mamori.EDENIED, mamori.ERETAINED:
		return true
	}
	_, ok := err.(directory.RowErrors)
	return ok
}

func codeOf(err error) mamori.Code {
	if _, ok := err.(directory.RowErrors); ok {
		return mamori.EINVALID
	}
	return mamori.ErrorCode(err)
}

// KindChoices are the unit kinds for a select.
func (dirLookups) KindChoices() []directory.UnitKind { return directory.UnitKinds }

// Segment returns a network segment of the active policy, or nil.
func (l dirLookups) Segment(id string) *policy.Segment {
	if l.Policy != nil {
		for _, s := range l.Policy.Segments() {
			if s.ID == id {
				return s
			}
		}
	}
	return nil
}
