package web

import (
	"net/http"
	"sort"
)

type meJSON struct {
	Tenant      string     `json:"tenant"`
	PersonID    int64      `json:"person_id"`
	Name        string     `json:"name"`
	UnitID      int64      `json:"unit_id,omitempty"`
	Admin       bool       `json:"admin"`
	Roles       []roleJSON `json:"roles"`
	Permissions []string   `json:"permissions"`
}

type roleJSON struct {
	Role   string `json:"role"`
	UnitID int64  `json:"unit_id,omitempty"`
}

// apiMe answers who the caller is and what they may do.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	out := meJSON{Tenant: p.TenantSlug, PersonID: p.PersonID, Name: p.Name, UnitID: p.UnitID, Admin: p.IsAdmin, Roles: []roleJSON{}, Permissions: []string{}}
	for _, h := range p.Roles {
		out.Roles = append(out.Roles, roleJSON{Role: h.Role, UnitID: h.UnitID})
	}
	for perm := range p.Perms {
		out.Permissions = append(out.Permissions, perm)
	}
	sort.Strings(out.Permissions)
	return writeJSON(w, http.StatusOK, out)
}
