package web

import (
	"testing"

	"github.com/jba/templatecheck"
)

// pageData names the data type each page template is rendered with, so
// that the templates are type-checked against it. A new page must be
// added here.
var pageData = map[string]any{
	"signin":           signinData{},
	"signin_totp":      totpData{},
	"account_password": passwordData{},
	"account_totp":     totpEnrolData{},
	"home":             homeData{},
	"log":              logData{},
	"policy":           policyData{},
	"policy_versions":  policyVersionsData{},
	"policy_diff":      policyDiffData{},
	// Directory and account (issue 4).
	"directory":        directoryData{},
	"unit":             unitData{},
	"people":           personListData{},
	"person":           personData{},
	"person_form":      personFormData{},
	"person_secret":    personSecretData{},
	"roles":            roleListData{},
	"absences":         absenceListData{},
	"transfers":        transferListData{},
	"transfer":         transferData{},
	"account_tokens":   tokenData{},
	"account_recovery": recoveryData{},
	// The asset register (issue 5).
	"asset_list":   assetListData{},
	"asset_show":   assetShowData{},
	"asset_form":   assetFormData{},
	"asset_import": assetImportData{},
	// Requests and approvals (issue 6).
	"request_new":   requestFormData{},
	"request_show":  requestShowData{},
	"request_list":  requestListData{},
	"request_queue": requestQueueData{},
	// Incidents, the response plan, deviations, violations, inbox (issue 7).
	"incidents":     incidentListData{},
	"incident_new":  incidentNewData{},
	"incident_done": incidentDoneData{},
	"incident":      incidentShowData{},
	"report":        publicReportData{},
	"report_done":   publicReportDoneData{},
	"plan":          planData{},
	"deviations":    deviationListData{},
	"deviation_new": deviationNewData{},
	"deviation":     deviationShowData{},
	"violations":    violationListData{},
	"violation_new": violationNewData{},
	"violation":     violationShowData{},
	"inbox":         inboxData{},
	"error": struct {
		Page
		Err    error
		Status int
	}{},
}

func TestTemplatesTypeCheck(t *testing.T) {
	ps, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	for name, tmpl := range ps.byName {
		data, ok := pageData[name]
		if !ok {
			t.Errorf("page %s has no entry in pageData", name)
			continue
		}
		if err := templatecheck.CheckHTML(tmpl.Lookup("layout"), data); err != nil {
			t.Errorf("page %s: %v", name, err)
		}
	}
	for name := range pageData {
		if _, ok := ps.byName[name]; !ok {
			t.Errorf("pageData names %s, which is no page", name)
		}
	}
}
