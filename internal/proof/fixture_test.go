package proof

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// fixture is what an organization was filled with: an object of every
// kind a route can name, made through the JSON API as its administrator
// and members of staff would make them (files and API tokens, which the
// API does not create, through the store). Every text it writes carries
// the marker, so that a response showing any of it can be caught.
type fixture struct {
	o      *org
	marker string
	keys   string
	// ids are the objects by kind ("unit", "asset", "incident_report" …):
	// the value a path wildcard or an id field takes.
	ids map[string]string
	// tables say where each kind's rows live, to check that another
	// organization has no row with the same id.
	tables map[string]string
	// Natural keys other records refer to objects by.
	staffNo, unitCode, assetNumber string
	holderNumber                   string  // an asset that holds others (a system)
	person                         *caller // a member of staff with a unit (an applicant): API token
	personSession                  *caller // and browser session
	requestKind                    *policy.RequestKind
	homeUnit                       int64             // the unit of the member of staff and the assets
	levels                         map[string]string // the assets' classification
}

func (f *fixture) id(kind string) int64 {
	n, _ := strconv.ParseInt(f.ids[kind], 10, 64)
	return n
}

// fill makes copies of every kind of object in o; the last copy's ids are
// kept. An organization filled with more copies has ids the other does
// not have. Every text carries marker; natural keys (staff numbers, unit
// codes, asset numbers) start with keys and carry no marker, because a
// refusal may rightly quote the key it was given.
func fill(t testing.TB, o *org, copies int, marker, keys string) *fixture {
	t.Helper()
	f := &fixture{o: o, marker: marker, keys: keys, ids: map[string]string{"tenant": o.slug}, tables: map[string]string{}}
	for i := 1; i <= copies; i++ {
		f.fillOnce(t, i)
	}
	return f
}

func (f *fixture) set(kind, table string, id int64) {
	f.ids[kind], f.tables[kind] = strconv.FormatInt(id, 10), table
}

func (f *fixture) fillOnce(t testing.TB, i int) {
	t.Helper()
	o, m, api := f.o, f.marker, f.o.api
	ctx := o.ctx(o.adminID)
	today := o.s.st.Now().In(i18n.Tokyo)
	date := func(days int) string { return today.AddDate(0, 0, days).Format("2006-01-02") }
	tag := fmt.Sprintf("%s%d", m, i)
	key := fmt.Sprintf("%s%d", f.keys, i)

	// The directory: a unit (a body root where the profile has bodies, so
	// that per-body roles fit it), a member of staff with an account, a
	// role, an absence, a transfer.
	unit := map[string]any{"code": key + "-u", "name": "課 " + tag, "name_en": tag + " section", "kind": "department"}
	if bodies := o.pol.Bodies(); len(bodies) > 0 {
		unit["kind"], unit["body"] = "body", bodies[0].ID
	}
	r := must(t, "create unit", api.sendJSON("POST", "/api/v1/units", unit), 201)
	f.set("unit", "units", r.id())
	f.unitCode = key + "-u"

	// The member of staff works in a unit whose manager the demo appointed,
	// so that their requests find an approver.
	role := perUnitRole(o.pol)
	if role == nil {
		t.Fatalf("profile %s has no per-unit role to assign", o.profile)
	}
	home := f.id("unit")
	if as, err := o.s.st.Assignments(ctx, store.AssignmentFilter{Role: role.ID}); err == nil && len(as) > 0 {
		home = as[0].UnitID
	}
	r = must(t, "create person", api.sendJSON("POST", "/api/v1/people", map[string]any{
		"staff_no": key + "-p", "name": "職員 " + tag, "kana": "しょくいん", "email": tag + "@example.jp", "kind": "staff",
		"unit_id": home, "account": true, "login": key + "-login"}), 201)
	f.set("person", "people", r.id())
	f.homeUnit = home
	f.staffNo = key + "-p"
	o.ready(f.id("person"))
	f.person = o.token(f.id("person"), "proof staff "+tag, allPermissions())
	f.personSession = o.session(f.id("person"))

	r = must(t, "assign role", api.sendJSON("POST", "/api/v1/roles", map[string]any{"person_id": f.id("person"), "role": role.ID, "unit_id": f.id("unit")}), 201)
	f.set("role", "role_assignments", r.id())

	r = must(t, "create absence", api.sendJSON("POST", "/api/v1/absences", map[string]any{"person_id": f.id("person"), "from": date(40), "until": date(41), "reason": "休暇 " + tag}), 201)
	f.set("absence", "absences", r.id())

	r = must(t, "create transfer", api.sendJSON("POST", "/api/v1/transfers", map[string]any{"title": "異動 " + tag, "effective_on": date(60),
		"rows": []map[string]any{{"staff_no": f.staffNo, "to_unit": f.unitCode, "note": "備考 " + tag}}}), 201)
	f.set("transfer", "transfers", r.id())
	items, _ := r.json()["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("transfer without items: %s", r)
	}
	f.set("transfer_item", "transfer_items", int64(items[len(items)-1].(map[string]any)["id"].(float64)))

	tok := o.tokenRow(f.id("person"), "連携 "+tag, []string{"asset.read"})
	f.set("token", "api_tokens", tok.id)

	// A new policy version: the same profile adopted again, its source
	// marked by a comment.
	src, err := policy.BuiltinSource(o.profile)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), o.profile+".yaml")
	if err := os.WriteFile(file, append(src, "\n# 版 "+tag+"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.ActivatePolicy(context.Background(), o.s.st, o.slug, file); err != nil {
		t.Fatalf("activate policy: %v", err)
	}
	pv, err := o.s.st.ActivePolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.set("policy_version", "policy_versions", pv.ID)

	// The register: an asset (a medium, which can hold others), and an uploaded register waiting to be
	// imported.
	levels := map[string]string{}
	for _, ax := range o.pol.Axes() {
		if n := len(ax.StrictestFirst); n > 0 {
			levels[ax.ID] = ax.StrictestFirst[n-1]
		}
	}
	f.levels = levels
	r = must(t, "create asset", api.sendJSON("POST", "/api/v1/assets", map[string]any{"number": key + "-A", "name": "資産 " + tag,
		"kind": "medium", "unit_id": home, "levels": levels, "location": "書庫 " + tag, "notes": "備考 " + tag}), 201)
	f.set("asset", "assets", r.id())
	f.assetNumber = key + "-A"
	must(t, "create system", api.sendJSON("POST", "/api/v1/assets", map[string]any{"number": key + "-S", "name": "システム " + tag,
		"kind": "system", "unit_id": home, "levels": levels, "notes": "備考 " + tag}), 201)
	f.holderNumber = key + "-S"
	csv := "資産番号,名称,所管課\n" + key + "-I,台帳 " + tag + "," + f.unitCode + "\n"
	r = o.admin.postFile("/assets/import", nil, "file", tag+".csv", []byte(csv))
	if r.code != 303 || !strings.HasPrefix(r.location, "/asset-imports/") {
		t.Fatalf("upload a register: %s", r)
	}
	f.ids["asset_import"], f.tables["asset_import"] = strings.TrimPrefix(r.location, "/asset-imports/"), "asset_uploads"

	// A request of the first kind the policy lets a member of staff file
	// (approved, recorded or allowed), with a file.
	f.fileRequest(t, tag)

	// Incidents: one with a timeline entry, an outside report and an
	// evidence file; the response plan; a deviation; a violation.
	r = must(t, "report incident", api.sendJSON("POST", "/api/v1/incidents", map[string]any{"category": "incident", "title": "事案 " + tag,
		"description": "内容 " + tag, "unit_id": f.id("unit")}), 201)
	f.set("incident", "incidents", r.id())
	inc := "/api/v1/incidents/" + f.ids["incident"]
	r = must(t, "add incident entry", api.sendJSON("POST", inc+"/entries", map[string]any{"kind": "comment", "body": "記録 " + tag}), 200)
	f.set("incident_entry", "incident_entries", lastID(r.json()["timeline"]))
	r = must(t, "add incident report", api.sendJSON("POST", inc+"/reports", map[string]any{"kind": "police", "target": "警察 " + tag, "note": "報告 " + tag}), 200)
	f.set("incident_report", "incident_reports", lastID(r.json()["reports"]))
	f.attach(t, "incident", "incident_file", f.id("incident"), tag)

	r = must(t, "save plan", api.sendJSON("POST", "/api/v1/plan", map[string]any{"contacts": []map[string]any{{"role": "窓口 " + tag, "name": "担当 " + tag, "phone": "内線 " + tag}},
		"report_items": "項目 " + tag, "responses": "対応 " + tag, "prevention": "防止 " + tag, "note": "版 " + tag}), 200, 201)
	f.ids["plan_version"], f.tables["plan_version"] = strconv.FormatInt(int64(r.json()["version"].(float64)), 10), "response_plans.version"

	r = must(t, "submit deviation", api.sendJSON("POST", "/api/v1/deviations", map[string]any{"unit_id": f.id("unit"), "provision": "規定 " + tag,
		"reason": "理由 " + tag, "alternatives": "代替 " + tag, "starts_on": date(1), "ends_on": date(30)}), 201)
	f.set("deviation", "deviations", r.id())

	r = must(t, "record violation", api.sendJSON("POST", "/api/v1/violations", map[string]any{"person": f.staffNo, "description": "違反 " + tag,
		"incident_id": f.id("incident")}), 201)
	f.set("violation", "violations", r.id())

	// Someone is told of something: the newest notification.
	var nid int64
	db := rawDB(t, o.s.d, o.s.url)
	if err := db.QueryRowContext(context.Background(), `SELECT COALESCE(MAX(id), 0) FROM notifications WHERE tenant_id = $1`, int64(o.tenant)).Scan(&nid); err != nil || nid == 0 {
		t.Fatalf("no notification in %s (%v)", o.slug, err)
	}
	f.set("notification", "notifications", nid)
}

// fileRequest files a request as the fixture's member of staff: the first
// kind the policy accepts with the answers made up here.
func (f *fixture) fileRequest(t testing.TB, tag string) {
	t.Helper()
	var tried []string
	for _, k := range f.o.pol.RequestKinds() {
		fields := requestFields(k, f.id("person"), f.id("asset"), tag)
		if fields == nil {
			continue
		}
		r := f.person.sendJSON("POST", "/api/v1/requests", map[string]any{"kind": k.ID, "fields": fields})
		if r.code != 201 {
			tried = append(tried, fmt.Sprintf("%s: %s", k.ID, r))
			continue
		}
		f.set("request", "requests", r.id())
		f.requestKind = k
		f.attach(t, "requests", "request_file", f.id("request"), tag)
		return
	}
	t.Fatalf("no request kind of %s could be filed:\n%s", f.o.profile, strings.Join(tried, "\n"))
}

// requestFields answers a kind's form (nil if it needs a file, which the
// JSON API does not take).
func requestFields(k *policy.RequestKind, person, asset int64, tag string) map[string]any {
	now := time.Now().In(i18n.Tokyo)
	v := map[string]any{}
	for _, fd := range k.Fields {
		switch fd.Type {
		case policy.FieldText:
			v[fd.ID] = "回答 " + tag
		case policy.FieldLongText:
			v[fd.ID] = "詳細 " + tag
		case policy.FieldDate:
			v[fd.ID] = now.AddDate(0, 0, 2).Format("2006-01-02")
		case policy.FieldDateTime:
			v[fd.ID] = time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, i18n.Tokyo).Format(time.RFC3339)
		case policy.FieldInt:
			v[fd.ID] = 1
		case policy.FieldBool:
			v[fd.ID] = true
		case policy.FieldEnum:
			if len(fd.Options) > 0 {
				v[fd.ID] = fd.Options[0].ID
			}
		case policy.FieldPerson:
			v[fd.ID] = person
		case policy.FieldAssetList:
			v[fd.ID] = []int64{asset}
		case policy.FieldFile:
			if fd.Required {
				return nil
			}
		}
	}
	return v
}

// attach stores a file of owner, as the pages' uploads do.
func (f *fixture) attach(t testing.TB, ownerType, kind string, owner int64, tag string) {
	t.Helper()
	a := &store.Attachment{OwnerType: ownerType, OwnerID: owner, Filename: tag + ".txt", ContentType: "text/plain", Data: []byte("証拠 " + tag)}
	if err := f.o.s.st.AddAttachment(f.o.ctx(f.o.adminID), a); err != nil {
		t.Fatalf("attach to %s %d: %v", ownerType, owner, err)
	}
	f.set(kind, "attachments", a.ID)
}

func lastID(list any) int64 {
	l, _ := list.([]any)
	var id int64
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			if f, ok := m["id"].(float64); ok && int64(f) > id {
				id = int64(f)
			}
		}
	}
	return id
}

// perUnitRole is a role held for a unit, so that the fixture's unit has a
// manager.
func perUnitRole(pol *policy.Policy) *policy.Role {
	for _, r := range pol.Roles() {
		if r.Kind != policy.RoleBaseline && r.Scope == policy.ScopeUnit {
			return r
		}
	}
	for _, r := range pol.Roles() {
		if r.Kind != policy.RoleBaseline && directory.PerUnit(r) {
			return r
		}
	}
	return nil
}
