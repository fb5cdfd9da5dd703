package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/store"
)

type roleRow struct {
	Role    *policy.Role
	Holders []directory.Assignment
	Acting  []directory.Acting // organization roles: who acts today
	ActErr  error
}

type roleResolution struct {
	Role   string
	UnitID int64
	Date   string
	Matter policy.Matter
	Acting []directory.Acting
	Names  map[int64]string // names of the absent holders stood in for
	Err    error
	Asked  bool
}

type roleListData struct {
	dirPage
	dirLookups
	Rows      []roleRow
	Names     map[int64]string
	Form      roleForm
	Err       error
	Resolve   roleResolution
	Matters   []policy.Matter
	CanManage bool
}

type roleForm struct {
	Person string
	Role   string
	UnitID int64
	From   string
}

// roleList shows every role of the active policy with who holds it (per
// unit where the role is per unit), who acts today for the organization
// roles (a substitute when the holders are absent), and a form that asks
// who acts for a role, a unit and a day.
func (s *Server) roleList(w http.ResponseWriter, r *http.Request) error {
	return s.renderRoles(w, r, http.StatusOK, roleForm{From: directory.FormatDate(s.now())}, nil, roleResolution{})
}

func (s *Server) renderRoles(w http.ResponseWriter, r *http.Request, status int, form roleForm, formErr error, res roleResolution) error {
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	if l.Policy == nil {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "policy.none_active"}
	}
	d := roleListData{dirPage: s.dirPage(r, "role.title", "roles"), dirLookups: l, Form: form, Err: formErr, Resolve: res,
		Names: map[int64]string{}, Matters: policy.Matters, CanManage: principalFrom(r).Can("directory.manage")}
	now := s.now()
	as, err := s.store.Assignments(r.Context(), store.AssignmentFilter{At: &now})
	if err != nil {
		return err
	}
	svc := directory.NewService(s.store)
	for _, role := range l.AssignableRoles() {
		row := roleRow{Role: role}
		for _, a := range as {
			if a.Role == role.ID {
				row.Holders = append(row.Holders, a)
			}
		}
		if !directory.PerUnit(role) {
			row.Acting, row.ActErr = svc.Resolve(r.Context(), l.Policy, policy.MatterApproval, role.ID, 0, now)
			if row.ActErr != nil && !isUserError(row.ActErr) {
				return row.ActErr
			}
			for _, a := range row.Acting {
				if a.ForPersonID != 0 {
					d.Names[a.ForPersonID] = s.personName(r, a.ForPersonID)
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, r, status, "roles", d)
}

func (s *Server) personName(r *http.Request, id int64) string {
	if p, err := s.store.Person(r.Context(), id); err == nil {
		return p.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

// roleResolve answers who acts in a role for a unit on a day: the holders,
// or the substitutes standing in for absent ones, and for whom.
func (s *Server) roleResolve(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	res := roleResolution{Role: q.Get("role"), UnitID: atoi64(q.Get("unit")), Date: strings.TrimSpace(q.Get("date")), Asked: true, Names: map[int64]string{}}
	if res.Matter, res.Err = parseMatter(q.Get("matter")); res.Err != nil {
		res.Matter = policy.MatterApproval
	}
	at := s.now()
	if res.Date != "" {
		d, err := directory.ParseDate(res.Date)
		if err != nil && res.Err == nil {
			res.Err = mamori.FieldError("date", "date.invalid", map[string]any{"Value": res.Date})
		} else {
			at = d.Add(12 * time.Hour) // midday: the day, whatever the clock
		}
	}
	if res.Err == nil {
		pol, err := s.activePolicy(r)
		if err != nil {
			return err
		}
		res.Acting, res.Err = directory.NewService(s.store).Resolve(r.Context(), pol, res.Matter, res.Role, res.UnitID, at)
		if res.Err != nil && !isUserError(res.Err) {
			return res.Err
		}
		for _, a := range res.Acting {
			if a.ForPersonID != 0 {
				res.Names[a.ForPersonID] = s.personName(r, a.ForPersonID)
			}
		}
	}
	return s.renderRoles(w, r, http.StatusOK, roleForm{From: directory.FormatDate(s.now())}, nil, res)
}

// parseMatter reads the matter a role is resolved for; empty means an
// approval, the matter most lookups are about.
func parseMatter(v string) (policy.Matter, error) {
	if v == "" {
		return policy.MatterApproval, nil
	}
	if m := policy.Matter(v); m.Valid() {
		return m, nil
	}
	return "", mamori.FieldError("matter", "role.matter_invalid", map[string]any{"Value": v})
}
