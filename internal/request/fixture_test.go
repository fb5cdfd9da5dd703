package request_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/notify"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// town is 藤枝市 in miniature: a department with two sections, the people
// who hold the policy's roles in them, and a few classified assets.
type town struct {
	t      *testing.T
	st     *store.Store
	tenant mamori.TenantID
	pol    request.Policy
	svc    *request.Service
	now    time.Time

	dept, section, other   *directory.Unit
	staff, manager, deputy *directory.Person // 職員, 課長 (情報セキュリティ管理者), 課長補佐 (also 管理者 of the section)
	director, infra, gso   *directory.Person // 部長 (情報セキュリティ責任者), 情報政策課長 (情報基盤管理者), 統括情報セキュリティ責任者
	outsider               *directory.Person // 職員 of the other section
	usb, paper, public     *asset.Asset      // 機密性2 USB medium, 機密性1 paper, 機密性3 leaflet (section)
	otherAsset             *asset.Asset      // 機密性2, other section
}

// newTown builds the town on s at a fixed time (the store's clock).
func newTown(t *testing.T, s *store.Store) *town {
	t.Helper()
	tw := &town{t: t, st: s, now: time.Date(2026, 4, 1, 0, 30, 0, 0, time.UTC)} // 09:30 in Japan
	s.SetClock(func() time.Time { return tw.now })
	nt, err := setup.CreateTenant(context.Background(), s, "fujieda", "藤枝市", "fujieda")
	if err != nil {
		t.Fatal(err)
	}
	tw.tenant = nt.Tenant.ID
	ctx := tw.sys()
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	pv, err := s.ActivePolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tw.pol = request.Policy{Policy: pol, VersionID: pv.ID}
	tw.svc = request.NewService(s, directory.NewService(s), nil)

	tw.dept = tw.unit(&directory.Unit{Code: "somu", Name: "総務部", Kind: directory.UnitDepartment})
	tw.section = tw.unit(&directory.Unit{Code: "somu-ka", Name: "総務課", Kind: directory.UnitSection, ParentID: tw.dept.ID})
	tw.other = tw.unit(&directory.Unit{Code: "joho-ka", Name: "情報政策課", Kind: directory.UnitSection, ParentID: tw.dept.ID})

	tw.staff = tw.person("1001", "田中 一郎", "tanaka@city.example.jp", tw.section.ID)
	tw.manager = tw.person("1002", "鈴木 課長", "suzuki@city.example.jp", tw.section.ID)
	tw.deputy = tw.person("1003", "高橋 補佐", "", tw.section.ID)
	tw.director = tw.person("1004", "佐藤 部長", "", tw.dept.ID)
	tw.infra = tw.person("1005", "伊藤 情報政策課長", "", tw.other.ID)
	tw.gso = tw.person("1006", "渡辺 部長", "", tw.dept.ID)
	tw.outsider = tw.person("1007", "山本 花子", "", tw.other.ID)
	tw.role(tw.manager, "security_manager", tw.section.ID)
	tw.role(tw.director, "security_officer", tw.dept.ID)
	tw.role(tw.infra, "infrastructure_manager", 0)
	tw.role(tw.infra, "security_manager", tw.other.ID)
	tw.role(tw.gso, "general_security_officer", 0)

	lv := func(c string) asset.Levels {
		return asset.Levels{"confidentiality": c, "integrity": "2", "availability": "2"}
	}
	tw.usb = tw.asset("M-001", "USBメモリ（住民説明会資料）", asset.KindMedium, tw.section.ID, lv("2"))
	tw.paper = tw.asset("P-001", "住民票写し", asset.KindPaper, tw.section.ID, lv("1"))
	tw.public = tw.asset("P-002", "広報チラシ", asset.KindPaper, tw.section.ID, lv("3"))
	tw.otherAsset = tw.asset("M-101", "情報政策課のUSBメモリ", asset.KindMedium, tw.other.ID, lv("2"))
	return tw
}

// sys is a context acting as the system in the town.
func (tw *town) sys() context.Context {
	return mamori.WithScope(context.Background(), mamori.Scope{Tenant: tw.tenant, ActorLabel: "test", RequestID: "test"})
}

// as is a context acting as p.
func (tw *town) as(p *directory.Person) context.Context {
	return mamori.WithScope(context.Background(), mamori.Scope{Tenant: tw.tenant, ActorID: p.ID, ActorLabel: p.Name, RequestID: "test"})
}

// actor is p as the engine sees them.
func (tw *town) actor(p *directory.Person) request.Actor {
	return request.Actor{PersonID: p.ID, Name: p.Name, UnitID: p.UnitID}
}

func (tw *town) unit(u *directory.Unit) *directory.Unit {
	tw.t.Helper()
	if err := tw.st.CreateUnit(tw.sys(), u); err != nil {
		tw.t.Fatal(err)
	}
	return u
}

func (tw *town) person(no, name, email string, unit int64) *directory.Person {
	tw.t.Helper()
	p := &directory.Person{StaffNo: no, Name: name, Email: email, Kind: directory.KindStaff, UnitID: unit}
	if err := tw.st.CreatePerson(tw.sys(), p); err != nil {
		tw.t.Fatal(err)
	}
	return p
}

func (tw *town) role(p *directory.Person, role string, unit int64) {
	tw.t.Helper()
	a := &directory.Assignment{PersonID: p.ID, Role: role, UnitID: unit, ValidFrom: tw.now.AddDate(-1, 0, 0)}
	if err := tw.st.AssignRole(tw.sys(), a); err != nil {
		tw.t.Fatal(err)
	}
}

func (tw *town) asset(number, name string, kind asset.Kind, unit int64, levels asset.Levels) *asset.Asset {
	tw.t.Helper()
	a := &asset.Asset{Number: number, Name: name, Kind: kind, UnitID: unit, Levels: levels, State: asset.StateInUse}
	if err := tw.st.CreateAsset(tw.sys(), a, asset.NewClassifier(tw.pol.Policy)); err != nil {
		tw.t.Fatal(err)
	}
	return a
}

// takeOut is a complete take-out form for the USB medium.
func (tw *town) takeOut(assets ...int64) request.Values {
	if len(assets) == 0 {
		assets = []int64{tw.usb.ID}
	}
	return request.Values{
		"assets":      assets,
		"purpose":     "住民説明会での説明",
		"destination": "藤枝市民会館",
		"start_at":    "2026-04-02T00:00:00Z", // 09:00 in Japan
		"return_date": "2026-04-03",
	}
}

// submit files a request as p and fails the test on error.
func (tw *town) submit(p *directory.Person, kind string, v request.Values) *request.Request {
	tw.t.Helper()
	r, err := tw.svc.Submit(tw.as(p), tw.pol, tw.actor(p), kind, v)
	if err != nil {
		tw.t.Fatalf("submit %s as %s: %v", kind, p.Name, err)
	}
	return r
}

// decide decides as p and fails the test on error.
func (tw *town) decide(p *directory.Person, id int64, o request.Outcome, comment string) *request.Request {
	tw.t.Helper()
	r, err := tw.svc.Decide(tw.as(p), tw.pol, tw.actor(p), id, request.DecisionInput{Outcome: o, Comment: comment})
	if err != nil {
		tw.t.Fatalf("%s as %s: %v", o, p.Name, err)
	}
	return r
}

// inbox returns the subjects of p's notifications, newest first.
func (tw *town) inbox(p *directory.Person) []string {
	tw.t.Helper()
	items, err := tw.st.Inbox(tw.sys(), p.ID, notify.InboxFilter{Limit: 100})
	if err != nil {
		tw.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Subject.JA+" / "+it.Body.JA)
	}
	return out
}

// wantCode checks an error's code, message and field.
func wantCode(t *testing.T, err error, code mamori.Code, message, field string) {
	t.Helper()
	e, ok := mamori.AsError(err)
	if !ok {
		t.Fatalf("err = %v, want %s %s", err, code, message)
	}
	if e.Code != code || (message != "" && e.Message != message) || (field != "" && e.Field != field) {
		t.Fatalf("err = %v, want %s %s (%s)", err, code, message, field)
	}
}

// verifyClean checks that the event log vouches for every row.
func verifyClean(t *testing.T, s *store.Store) {
	t.Helper()
	reps, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.Break != nil {
			t.Fatalf("log of %s broken: %+v", r.Slug, r.Break)
		}
	}
}

// newOtherTenantAsset registers assets in another organization on the same
// database and returns the id of one whose id this town does not use: an
// id of another organization must not reach its asset.
func newOtherTenantAsset(t *testing.T, tw *town) int64 {
	t.Helper()
	nt, err := setup.CreateTenant(context.Background(), tw.st, "shizuoka", "静岡市", "fujieda")
	if err != nil {
		t.Fatal(err)
	}
	ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: nt.Tenant.ID, ActorLabel: "test", RequestID: "test"})
	u := &directory.Unit{Code: "somu-ka", Name: "総務課", Kind: directory.UnitSection}
	if err := tw.st.CreateUnit(ctx, u); err != nil {
		t.Fatal(err)
	}
	var last int64
	for i := range 10 {
		a := &asset.Asset{Number: fmt.Sprintf("X-%03d", i), Name: "他団体のUSBメモリ", Kind: asset.KindMedium, UnitID: u.ID,
			Levels: asset.Levels{"confidentiality": "2", "integrity": "2", "availability": "2"}, State: asset.StateInUse}
		if err := tw.st.CreateAsset(ctx, a, asset.NewClassifier(tw.pol.Policy)); err != nil {
			t.Fatal(err)
		}
		last = a.ID
	}
	return last
}

func absenceOf(p *directory.Person, from, until time.Time) *directory.Absence {
	return &directory.Absence{PersonID: p.ID, Starts: from, Ends: until, Reason: "出張"}
}
