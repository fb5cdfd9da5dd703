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
