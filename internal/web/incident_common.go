package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/incident"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// incidentTabs are the sections of the incident area: the incidents, the
// emergency response plan, deviations and violations.
var incidentTabs = []string{"incidents", "plan", "deviations", "violations"}

// incPage is the common part of the incident area's pages.
type incPage struct {
	Page
	Tab string
}

func (s *Server) incPage(r *http.Request, title, tab string) incPage {
	return incPage{Page: s.page(r, title, "incidents"), Tab: tab}
}

// Tabs lists the sections the person may open.
func (p incPage) Tabs() []string {
	var out []string
	for _, t := range incidentTabs {
		switch t {
		case "incidents", "plan":
			if !p.Me.Can(string(policy.PermIncidentRead)) {
				continue
			}
		case "deviations":
			if !canSeeDeviations(p.Me) {
				continue
			}
		case "violations":
			if !p.Me.Can(string(policy.PermViolationManage)) {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// Lines splits text at line breaks, for showing it as written without
// inline styles (the CSP allows none).
func (incPage) Lines(s string) []string { return strings.Split(s, "\n") }

// Deref is the time a pointer holds (templates have no dereference).
func (incPage) Deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// TabURL is where a tab lives.
func (incPage) TabURL(tab string) string { return "/" + tab }

// incidentService is the incident area's service over the store, resolving
// roles through the directory.
func (s *Server) incidentService() *incident.Service {
	return incident.NewService(s.store, directory.NewService(s.store), s.store.Now)
}

func (s *Server) notifier() *notify.Service { return notify.NewService(s.store) }

// actorOf is the acting person as the incident area sees them.
func actorOf(p *auth.Principal) incident.Actor {
	a := incident.Actor{PersonID: p.PersonID, Name: p.Name, UnitID: p.UnitID}
	for _, h := range p.Roles {
		a.Roles = append(a.Roles, incident.RoleHolding{Role: h.Role, UnitID: h.UnitID})
	}
	return a
}

// incID reads a numeric path value; anything else is "not found".
func incID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errPageNotFound
	}
	return id, nil
}

// incTime reads a date or date and time field of a form (see
// incParseTime); empty is nil.
func incTime(v url.Values, field string) (*time.Time, error) {
	return incParseTime(field, v.Get(field))
}

// incUserError tells an error the person can mend from the server's own.
func incUserError(err error) bool {
	switch mamori.ErrorCode(err) {
	case mamori.EINVALID, mamori.ECONFLICT, mamori.EFORBIDDEN, mamori.ENOTFOUND, mamori.EDENIED:
		return true
	}
	return false
}

// incLookups are what incident pages need to show names: the units and
// the active policy.
type incLookups struct {
	Units    []directory.Unit
	unitByID map[int64]directory.Unit
	Policy   *policy.Policy
}

func (s *Server) incLookups(r *http.Request) (incLookups, error) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		return incLookups{}, err
	}
	l := incLookups{Units: units, unitByID: map[int64]directory.Unit{}}
	for _, u := range units {
		l.unitByID[u.ID] = u
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return l, err
	}
	l.Policy = pol
	return l, nil
}

// UnitName is a unit's name ("" for none).
func (l incLookups) UnitName(id int64) string { return l.unitByID[id].Name }

// RoleName is a role's name in the page's language.
func (l incLookups) RoleName(lang, id string) string {
	if l.Policy != nil {
		if r, ok := l.Policy.Role(id); ok {
			if lang == "en" && r.Name.EN != "" {
				return r.Name.EN
			}
			return r.Name.JA
		}
	}
	return id
}

// Gap returns the policy's note that it is silent on a topic (for
// example "deviation" or "emergency-plan" in 藤枝市's profile), or nil.
func (l incLookups) Gap(id string) *policy.Gap {
	if l.Policy == nil {
		return nil
	}
	for _, g := range l.Policy.Gaps() {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// canSeeDeviations: anyone who may submit, review or decide deviations.
func canSeeDeviations(p *auth.Principal) bool {
	return p.Can(string(policy.PermDeviationSubmit)) || p.Can(string(policy.PermDeviationReview)) || p.Can(string(policy.PermDeviationDecide))
}

// incLocal formats a time for a form field in Japan's time.
func incLocal(t *time.Time, layout string) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(i18n.Tokyo).Format(layout)
}
