package web

import (
	"net/http"

	"mamori/internal/policy"
)

// policyTabs are the sections of the policy page, in order.
var policyTabs = []string{"overview", "roles", "classification", "rules", "requests", "records", "incident", "duties", "obligations", "auth"}

type policyData struct {
	Page
	Policy    *policy.Policy
	Tab       string
	Tabs      []string
	VersionID int64
	Rules     map[string][]*policy.Rule // by action
}

// policyShow shows the active policy as staff read it: each role, level,
// restriction, rule and obligation with the clause it comes from.
func (s *Server) policyShow(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	tab := r.URL.Query().Get("tab")
	valid := false
	for _, t := range policyTabs {
		valid = valid || t == tab
	}
	if !valid {
		tab = "overview"
	}
	d := policyData{Page: s.page(r, "policy.title", "policy"), Policy: pol, Tab: tab, Tabs: policyTabs,
		VersionID: principalFrom(r).PolicyVersionID, Rules: map[string][]*policy.Rule{}}
	for _, rule := range pol.Rules() {
		d.Rules[rule.Action] = append(d.Rules[rule.Action], rule)
	}
	return s.render(w, r, http.StatusOK, "policy", d)
}
