package proof

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
	"mamori/internal/web"
)

// Markers: every text of organization B carries dataMarker; its name and
// code carry orgMarker. Neither may appear in anything organization A is
// shown.
const (
	dataMarker = "zqmark"
	orgMarker  = "b7qorg"
)

// wildcardKinds maps each path wildcard, named by the path up to it
// (without /api/v1), to the kind of object it names. A route with a
// wildcard not listed here fails TestTenantIsolation until it is added,
// with an object of that kind made in fill (fixture_test.go).
var wildcardKinds = map[string]string{
	"/units/{id}":                   "unit",
	"/people/{id}":                  "person",
	"/people/{id}/tokens/{token}":   "token",
	"/account/tokens/{id}":          "token",
	"/roles/{id}":                   "role",
	"/absences/{id}":                "absence",
	"/transfers/{id}":               "transfer",
	"/transfers/{id}/items/{item}":  "transfer_item",
	"/policy/versions/{id}":         "policy_version",
	"/assets/{id}":                  "asset",
	"/asset-imports/{id}":           "asset_import",
	"/requests/{id}":                "request",
	"/requests/{id}/files/{file}":   "request_file",
	"/incidents/{id}":               "incident",
	"/incidents/{id}/reports/{rid}": "incident_report",
	"/incidents/{id}/files/{fid}":   "incident_file",
	"/deviations/{id}":              "deviation",
	"/violations/{id}":              "violation",
	"/inbox/{id}":                   "notification",
	"/t/{tenant}":                   "tenant",
}

// publicByDesign are routes anyone may call for any organization: the
// public incident report form of the organization the path names. They
// are called like the others and must show none of B's data, but may show
// B's name, and a report filed through them goes to B, as it should.
var publicByDesign = map[string]bool{
	"GET /t/{tenant}/report":  true,
	"POST /t/{tenant}/report": true,
}

// bodyRefs fill the parts of a JSON body that the API document cannot
// describe: the answers of a request, whose fields the policy defines.
// They name own's objects, or target's in the call that checks them.
var bodyRefs = map[string]func(own, target *fixture) map[string]any{
	"POST /api/v1/requests":         requestBody,
	"POST /api/v1/requests/preview": requestBody,
	"POST /api/v1/requests/{id}/resubmit": func(own, target *fixture) map[string]any {
		return map[string]any{"fields": requestFields(own.requestKind, target.id("person"), target.id("asset"), "proof")}
	},
}

// bodyPlain fill fields the API document leaves open with values a
// create accepts (the policy's role ids, kinds the handler requires).
var bodyPlain = map[string]func(own *fixture) map[string]any{
	"POST /api/v1/roles":     func(own *fixture) map[string]any { return map[string]any{"role": otherUnitRole(own.o.pol).ID} },
	"POST /api/v1/assets":    func(*fixture) map[string]any { return map[string]any{"kind": "medium"} },
	"POST /api/v1/incidents": func(*fixture) map[string]any { return map[string]any{"category": "incident"} },
}

// otherUnitRole is a per-unit role the fixture's person does not hold.
func otherUnitRole(pol *policy.Policy) *policy.Role {
	held := perUnitRole(pol)
	for _, r := range slices.Backward(pol.Roles()) {
		if r.Kind != policy.RoleBaseline && r.Scope == policy.ScopeUnit && r != held {
			return r
		}
	}
	return held
}

func requestBody(own, target *fixture) map[string]any {
	return map[string]any{"kind": own.requestKind.ID, "fields": requestFields(own.requestKind, target.id("person"), target.id("asset"), "proof")}
}

// pageQueryRefs are the query parameters pages may take that name
// objects; every page is called with all of them naming B's objects
// (pages ignore parameters they do not read).
var pageQueryRefs = []string{"unit", "unit_id", "person", "person_id", "parent", "object_id", "version", "incident_id"}

// TestTenantIsolation: organization A's administrator calls every route
// of the router with organization B's identifiers in every path wildcard,
// query parameter and body field that names an object. Every call that
// names one of B's objects is refused, no answer shows any of B's data,
// B's event log gains nothing, and the logs of both still verify.
func TestTenantIsolation(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { isolation(t, d) })
	}
}

func isolation(t *testing.T, d store.Dialect) {
	s := newSite(t, d)
	a := s.newOrg("town-a", "甲町", "fujieda", true)
	b := s.newOrg(orgMarker, "乙市 "+orgMarker, "fujieda", true)
	fa := fill(t, a, 1, "akomark", "ka")
	// A makes API tokens as the test goes (a new one after signing out
	// everywhere): B's tokens start well above.
	for range 20 {
		b.tokenRow(b.adminID, "spare", []string{"asset.read"})
	}
	fb := fill(t, b, 3, dataMarker, "kb")
	db := rawDB(t, d, s.url)
	// B's objects have ids A does not have, so that a refusal cannot be A
	// finding an object of its own, and an answer cannot be A's object.
	// A gains objects as the test goes (what its own calls create), so
	// this is checked again before every call.
	inA := func(kind string) bool {
		table, col := fb.tables[kind], "id"
		if t2, c, ok := strings.Cut(table, "."); ok {
			table, col = t2, c
		}
		if table == "" {
			return false
		}
		return count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE tenant_id = $1 AND `+col+` = $2`, int64(a.tenant), fb.ids[kind]) != 0
	}
	for kind := range fb.tables {
		if inA(kind) {
			t.Fatalf("B's %s %s also exists in A: give B more copies in fill", kind, fb.ids[kind])
		}
	}
	eventsB := func() int64 { return count(t, db, `SELECT COUNT(*) FROM events WHERE tenant_id = $1`, int64(b.tenant)) }
	before := eventsB()

	// A's administrator keeps a session and a token, renewed when a call
	// ends them (signing out, everywhere).
	session, token := a.session(a.adminID), a.token(a.adminID, "proof isolation", allPermissions())
	renew := func() {
		if session.get("/api/v1/me").code != 200 {
			session = a.session(a.adminID)
		}
		if token.get("/api/v1/me").code != 200 {
			token = a.token(a.adminID, "proof isolation", allPermissions())
		}
	}

	doc := loadAPIDoc(t)
	routes := s.srv.Routes()
	var controls []attempt
	calls := 0
	for _, rt := range routes {
		if rt.Method == "" {
			// The catch-all "/" answers every path no route has, in any
			// method: called as a GET of such a path.
			rt.Method, rt.Path = "GET", "/proof-no-such-page"
		}
		name := rt.Method + " " + rt.Path
		ats, problems := attempts(doc, rt, fa, fb)
		for _, p := range problems {
			t.Errorf("%s: %s", name, p)
		}
		for _, at := range ats {
			for _, k := range at.kinds {
				if inA(k) {
					t.Fatalf("before %s: A now has a %s with B's id %s (made by an earlier call): give B more copies in fill", name, k, fb.ids[k])
				}
			}
			cs := []*caller{session}
			if rt.API {
				cs = append(cs, token)
			}
			for _, c := range cs {
				how := "session"
				if c.bearer != "" {
					how = "token"
				}
				pre := eventsB()
				r := c.call(rt.Method, at.target, at.body, at.ctype)
				calls++
				if publicByDesign[name] {
					before += eventsB() - pre // a public report to B is B's, rightly
				}
				renew()
				where := fmt.Sprintf("%s as A's administrator (%s): %s %s %.300s", name, how, rt.Method, at.target, at.body)
				markers := []string{dataMarker, orgMarker}
				if publicByDesign[name] {
					markers = []string{dataMarker}
				}
				if m := leak(r, markers); m != "" {
					t.Errorf("%s\nshows B's data (%q): %s", where, m, r)
				}
				switch {
				case r.code == 401 && rt.Access == web.Public:
					// A public route's refusal (a failed sign-in).
				case r.code == 401:
					t.Errorf("%s\n401: A's administrator was not signed in, so the call proves nothing", where)
				case r.code >= 500:
					t.Errorf("%s\nserver error %s", where, r)
				case at.mustRefuse != "" && !publicByDesign[name] && !refused(r.code):
					t.Errorf("%s\n%d, want a refusal (it names %s)\n%s", where, r.code, at.mustRefuse, r)
				}
			}
			if at.control != nil {
				controls = append(controls, *at.control)
			}
			// B's own administrator reads what A was refused, and sees B's
			// data in it: the call named a real object of B's, and a leak
			// of it would have been caught.
			if rt.Method == "GET" && at.mustRefuse != "" {
				// Some pages are the applicant's alone: B's member of staff
				// filed B's request.
				c, alt := b.admin, fb.personSession
				if rt.API {
					c, alt = b.api, fb.person
				}
				r := c.get(at.target)
				if r.code == 403 {
					r = alt.get(at.target)
				}
				marker := dataMarker
				if publicByDesign[name] {
					marker = orgMarker
				}
				// A PDF's text is not searchable; a conflict (a request that
				// is not sent back cannot be edited) says the object exists.
				pdf := strings.HasPrefix(r.header.Get("Content-Type"), "application/pdf")
				if r.code != 409 && (r.code != 200 || leak(r, []string{marker}) == "" && !pdf) {
					t.Errorf("%s: B's own administrator does not see B's data at %s (%s): the test names no real object of B's", name, at.target, r)
				}
			}
		}
	}
	if after := eventsB(); after != before {
		rows, _ := db.QueryContext(context.Background(), `SELECT seq, action, object_type, object_id FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq`, int64(b.tenant), before)
		var got []string
		for rows != nil && rows.Next() {
			var seq, oid int64
			var action, typ string
			rows.Scan(&seq, &action, &typ, &oid)
			got = append(got, fmt.Sprintf("%d %s %s %d", seq, action, typ, oid))
		}
		t.Errorf("B's log grew by %d events while only A acted (public reports excepted):\n%s", after-before, strings.Join(got, "\n"))
	}
	// The same calls with A's own identifiers succeed, so the refusals
	// above were for naming B's objects, not for bodies the routes would
	// refuse anyway. Only for creating (POST to a path without
	// wildcards), and after every refusal was checked, because they add
	// to A.
	for _, c := range controls {
		if r := a.token(a.adminID, "proof control", allPermissions()).call(c.method, c.target, c.body, c.ctype); r.code >= 300 {
			t.Errorf("%s %s %s: with A's own identifiers it is refused too (%s), so its refusal with B's proves nothing: fix its body (refFields, selfFields, bodyRefs)", c.method, c.target, c.body, r)
		}
	}
	verifyAll(t, s.st)
	t.Logf("%d routes, %d calls, %d controls", len(routes), calls, len(controls))
}

// attempt is one call naming B's objects.
type attempt struct {
	method, target string
	body           []byte
	ctype          string
	kinds          []string // B's objects it names, by kind
	mustRefuse     string   // what it names, when it must be refused
	control        *attempt // the same call naming A's objects, for a create
}

var wildRe = regexp.MustCompile(`\{([^}]+)\}`)

// attempts are the calls that try a route with target's identifiers
// (B's) on behalf of own's administrator (A's): one with B's objects in the
// path, and one for each body field that names an object, with B's object
// there and A's everywhere else. Problems are what the test cannot map:
// they fail the test with what to add.
func attempts(doc *apiDoc, rt web.Route, own, target *fixture) ([]attempt, []string) {
	var problems []string
	name := rt.Method + " " + rt.Path

	// The path: each wildcard names an object of the kind its prefix says.
	path := strings.ReplaceAll(rt.Path, "{$}", "")
	plain := strings.TrimPrefix(path, "/api/v1")
	pathB, pathA := path, path
	var named []string
	for _, loc := range wildRe.FindAllStringIndex(plain, -1) {
		w := plain[loc[0]:loc[1]]
		kind, ok := wildcardKinds[plain[:loc[1]]]
		if !ok {
			problems = append(problems, fmt.Sprintf("wildcard %s: add %q to wildcardKinds in internal/proof/isolation_test.go, naming the kind of object it takes (and make one in fill, fixture_test.go)", w, plain[:loc[1]]))
			continue
		}
		if _, ok := target.ids[kind]; !ok {
			problems = append(problems, fmt.Sprintf("wildcard %s: fill (fixture_test.go) makes no %s", w, kind))
			continue
		}
		named = append(named, kind)
		pathB = strings.Replace(pathB, w, url.PathEscape(target.ids[kind]), 1)
		pathA = strings.Replace(pathA, w, url.PathEscape(own.ids[kind]), 1)
	}
	if len(problems) > 0 {
		return nil, problems
	}

	// The query: every parameter that names an object names one of B's.
	q := url.Values{}
	op := doc.op(rt.Method, rt.Path)
	if rt.API && op == nil {
		return nil, []string{"not in docs/openapi.yaml (TestOpenAPIMatchesRoutes says so too)"}
	}
	if rt.API {
		for _, p := range op.Parameters {
			if p.In != "query" {
				continue
			}
			ref, ok := refFields[p.Name]
			switch {
			case ok:
				typ := "integer"
				if p.Schema != nil {
					typ = doc.resolve(p.Schema).typ()
				}
				q.Set(p.Name, fmt.Sprint(ref.value(target, typ)))
			case plainParams[p.Name] || plainFields[p.Name]:
			default:
				problems = append(problems, fmt.Sprintf("query parameter %q: add it to refFields (it names an object) or plainParams (it does not) in internal/proof/openapi_test.go", p.Name))
			}
		}
	} else if rt.Method == "GET" {
		for _, k := range pageQueryRefs {
			q.Set(k, fmt.Sprint(refFields[k].value(target, "integer")))
		}
	}
	withQuery := func(p string) string {
		if len(q) == 0 {
			return p
		}
		return p + "?" + q.Encode()
	}
	inPath := attempt{method: rt.Method, target: withQuery(pathB), kinds: named}
	if len(named) > 0 {
		inPath.mustRefuse = "B's " + strings.Join(named, ", ") + " in the path"
	}

	switch {
	case rt.Method == "GET" || rt.Method == "HEAD":
		return []attempt{inPath}, problems
	case !rt.API:
		// A page's form: every field a form may use to name an object
		// names one of B's, beside plausible values for the rest.
		form := url.Values{"title": {"proof"}, "description": {"proof"}, "name": {"proof"}, "reason": {"proof"}, "note": {"proof"},
			"body": {"proof"}, "comment": {"proof"}, "kind": {"comment"}, "role": {perUnitRole(target.o.pol).ID}}
		for k, ref := range refFields {
			form.Set(k, fmt.Sprint(ref.value(target, "string")))
		}
		form.Set("assets", target.ids["asset"])
		inPath.body, inPath.ctype = []byte(form.Encode()), "application/x-www-form-urlencoded"
		return []attempt{inPath}, problems
	}
	sch := op.jsonSchema()
	if sch == nil {
		if op.RequestBody != nil {
			// A multipart-only API route (an import): the file names B's
			// unit by code.
			inPath.body, inPath.ctype = multipartCSV(target)
		}
		return []attempt{inPath}, problems
	}
	self := selfFields[name]
	body := func(only string, refsOf *fixture) ([]byte, []string) {
		b, refs, unknown := doc.bodyFor(sch, own, target, only, self)
		for _, u := range unknown {
			problems = append(problems, fmt.Sprintf("body field %q: add it to refFields (it names an object) or plainFields (it does not) in internal/proof/openapi_test.go", u))
		}
		m, _ := b.(map[string]any)
		if fill, ok := bodyPlain[name]; ok {
			maps.Copy(m, fill(own))
		}
		if fill, ok := bodyRefs[name]; ok {
			if m == nil {
				m = map[string]any{}
			}
			maps.Copy(m, fill(own, refsOf))
		}
		if m != nil {
			b = m
		}
		j, _ := json.Marshal(b)
		return j, refs
	}
	base, refs := body("", own)
	if _, ok := bodyRefs[name]; ok {
		refs = append(refs, "")
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	var out []attempt
	if len(named) > 0 || len(refs) == 0 {
		inPath.body, inPath.ctype = base, "application/json"
		out = append(out, inPath)
	}
	for _, ref := range refs {
		at := attempt{method: rt.Method, target: pathA, ctype: "application/json"}
		if ref == "" {
			at.body, _ = body("", target)
			at.mustRefuse = "B's objects in the request's answers"
			at.kinds = []string{"person", "asset"}
		} else {
			at.body, _ = body(ref, own)
			at.mustRefuse = "B's object in " + ref
			if k := refFields[ref].kind; k != "" && refFields[ref].key == nil {
				at.kinds = []string{k}
			}
		}
		if len(named) == 0 && rt.Method == "POST" && len(out) == 0 {
			at.control = &attempt{method: rt.Method, target: pathA, body: base, ctype: "application/json"}
		}
		out = append(out, at)
	}
	return out, problems
}

// multipartCSV is an uploaded register whose row names f's unit.
func multipartCSV(f *fixture) ([]byte, string) {
	var b bytes.Buffer
	w := newMultipart(&b)
	w.file("file", "register.csv", []byte("資産番号,名称,所管課\nproof-1,proof,"+f.unitCode+"\n"))
	w.field("options", fmt.Sprintf(`{"default_unit":%q}`, f.unitCode))
	ct := w.close()
	return b.Bytes(), ct
}

// refused: the answer is a refusal (not a success, a redirect after an
// action, a sign-in page or a server error).
func refused(code int) bool {
	switch code {
	case 400, 403, 404, 405, 409, 410, 422:
		return true
	}
	return false
}

// leak returns the first marker found in the answer: its body (and the
// files inside an xlsx), and the headers that carry names.
func leak(r reply, markers []string) string {
	hay := []string{strings.ToLower(r.body), strings.ToLower(r.location), strings.ToLower(r.header.Get("Content-Disposition")), strings.ToLower(r.header.Get("HX-Redirect"))}
	if strings.HasPrefix(r.body, "PK\x03\x04") {
		if zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body))); err == nil {
			for _, zf := range zr.File {
				if rc, err := zf.Open(); err == nil {
					b, _ := io.ReadAll(rc)
					rc.Close()
					hay = append(hay, strings.ToLower(string(b)))
				}
			}
		}
	}
	for _, m := range markers {
		for _, h := range hay {
			if strings.Contains(h, m) {
				return m
			}
		}
	}
	return ""
}

// verifyAll checks every organization's log.
func verifyAll(t testing.TB, st *store.Store) {
	t.Helper()
	reps, err := st.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.Break != nil {
			t.Errorf("log of %s: %v", r.Slug, r.Break)
		}
	}
}
