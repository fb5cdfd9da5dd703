package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/incident"
	"mamori/internal/notify"
)

func inboxKinds(t *testing.T, e *env, personID int64) []string {
	t.Helper()
	items, err := e.st.Inbox(e.ctx(), personID, notify.InboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Kind)
	}
	return out
}

func hasKind(kinds []string, k string) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// TestDeviationLifecycle (下條村 第2章9(4), under 藤枝市's profile which
// grants the same permissions): a manager reports a deviation with its
// period, reason and alternatives; the 統括 reviews it, never their own;
// the CISO (for the committee) approves; it is listed as active, a
// reminder goes out before its end, and it expires on its end date.
func TestDeviationLifecycle(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		now := time.Now()
		day := func(d int) string { return now.AddDate(0, 0, d).In(time.FixedZone("JST", 9*3600)).Format("2006-01-02") }
		mgr := town.as(town.manager)
		mgr.get("/deviations/new")
		form := url.Values{"provision": {"パスワードの定期変更"}, "clause": {"第2章 6(1)⑦"}, "unit_id": {fmt.Sprint(town.unit)},
			"starts_on": {day(0)}, "ends_on": {day(-1)}, "reason": {"旧システムが変更に対応しない"}, "alternatives": {"端末を隔離し、操作ログを毎日確認"}}
		if r := mgr.post("/deviations", form); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "終了日が開始日より前") || !strings.Contains(r.body, "旧システム") {
			t.Fatalf("period in the wrong order: %d %s", r.code, errorText(r.body))
		}
		form.Set("ends_on", day(30))
		r := mgr.post("/deviations", form)
		if r.code != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", r.code, errorText(r.body))
		}
		page := strings.Split(r.location, "?")[0]
		if !hasKind(inboxKinds(t, e, town.gso.ID), "deviation.submitted") {
			t.Error("the 統括 was not told of the deviation")
		}
		// The CISO cannot decide before the review.
		ciso := town.as(town.c)
		ciso.get(page)
		if r := ciso.post(page+"/decision", url.Values{"decision": {"approve"}}); r.code != http.StatusConflict {
			t.Errorf("decision before review: %d", r.code)
		}
		gso := town.as(town.gso)
		gso.get(page)
		if r := gso.post(page+"/review", url.Values{"opinion": {"acceptable"}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("review without findings: %d", r.code)
		}
		if r := gso.post(page+"/review", url.Values{"opinion": {"acceptable"}, "note": {"代替手段は妥当"}}); r.code != http.StatusSeeOther {
			t.Fatalf("review: %d %s", r.code, errorText(r.body))
		}
		if !hasKind(inboxKinds(t, e, town.c.ID), "deviation.reviewed") {
			t.Error("the committee was not told")
		}
		ciso.get(page)
		if r := ciso.post(page+"/decision", url.Values{"decision": {"approve"}, "note": {"第3回委員会で承認"}}); r.code != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", r.code, errorText(r.body))
		}
		if !hasKind(inboxKinds(t, e, town.manager.ID), "deviation.approved") {
			t.Error("the manager was not told of the approval")
		}
		list := mgr.get("/deviations")
		if !strings.Contains(list.body, "パスワードの定期変更") || strings.Contains(list.body, "現在有効な逸脱はありません") {
			t.Fatal("the approved deviation is not listed as active")
		}
		id := atoi64(strings.TrimPrefix(page, "/deviations/"))
		svc := incident.NewDeviations(e.st, directory.NewService(e.st), e.st.Now)
		pol, _ := e.srv.tenantPolicy(e.ctx())
		housekeep := func(at time.Time) int {
			e.st.SetClock(func() time.Time { return at })
			n, err := svc.Housekeep(e.ctx(), pol)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := housekeep(now.AddDate(0, 0, 10)); n != 0 {
			t.Errorf("housekeeping 20 days before the end changed %d", n)
		}
		if n := housekeep(now.AddDate(0, 0, 18)); n != 1 {
			t.Errorf("reminder 13 days before the end: %d", n)
		}
		if n := housekeep(now.AddDate(0, 0, 19)); n != 0 {
			t.Errorf("the reminder was sent twice")
		}
		if n := housekeep(now.AddDate(0, 0, 32)); n != 1 {
			t.Errorf("expiry: %d", n)
		}
		d, _ := e.st.Deviation(e.ctx(), id)
		if d.Status != incident.DeviationExpired || !hasKind(inboxKinds(t, e, town.manager.ID), "deviation.expire") {
			t.Errorf("after the end: %s", d.Status)
		}
		if n := len(inboxKinds(t, e, town.manager.ID)); n != 3 {
			t.Errorf("the manager got %d notices, want approval, reminder, expiry", n)
		}
		active, _ := e.st.Deviations(e.ctx(), incident.DeviationFilter{Active: true, At: now.AddDate(0, 0, 32)})
		if len(active) != 0 {
			t.Errorf("an expired deviation is active")
		}
	})
}

// TestDeviationSeparation: a 統括 who is also a section's manager reports
// a deviation and may not review it; the API refuses it too.
func TestDeviationSeparation(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		if err := e.st.AssignRole(e.ctx(), &directory.Assignment{PersonID: town.gso.ID, Role: "security_manager", UnitID: town.unit, ValidFrom: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		gso := town.as(town.gso)
		gso.get("/deviations/new")
		start := time.Now().In(time.FixedZone("JST", 9*3600))
		r := gso.post("/deviations", url.Values{"provision": {"USB メモリの使用"}, "starts_on": {start.Format("2006-01-02")}, "ends_on": {start.AddDate(0, 1, 0).Format("2006-01-02")},
			"reason": {"機器の更新待ち"}, "alternatives": {"暗号化 USB に限る"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", r.code, errorText(r.body))
		}
		page := strings.Split(r.location, "?")[0]
		gso.get(page)
		r = gso.post(page+"/review", url.Values{"opinion": {"acceptable"}, "note": {"自分で審査"}})
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "第2章 4(3)") {
			t.Errorf("self-review: %d %s", r.code, errorText(r.body))
		}
		d, _ := e.st.Deviation(e.ctx(), atoi64(strings.TrimPrefix(page, "/deviations/")))
		if d.Status != incident.DeviationSubmitted {
			t.Errorf("status after refused self-review: %s", d.Status)
		}
	})
}

// TestViolationSuspension (下條村 第2章9(6), 天草 第39条, under 藤枝市's
// profile, which names who is told of a violation (第2章9(3)) but sets no
// suspension, so the roles granted violation.manage are told): the
// record tells the person's manager; suspension needs "not corrected"
// first; it ends the person's session at once.
func TestViolationSuspension(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		violator := town.as(town.staff)
		if r := violator.get("/"); r.code != http.StatusOK {
			t.Fatalf("the violator's home: %d", r.code)
		}
		gso := town.as(town.gso)
		gso.get("/violations/new")
		if r := gso.post("/violations", url.Values{"person": {"nobody"}, "description": {"x"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "nobody") {
			t.Errorf("unknown person: %d %s", r.code, errorText(r.body))
		}
		r := gso.post("/violations", url.Values{"person": {town.staff.StaffNo}, "description": {"私物 USB メモリで住民データを持ち出した"}, "clause": {"第2章 6(1)③"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("record: %d %s", r.code, errorText(r.body))
		}
		page := strings.Split(r.location, "?")[0]
		if !hasKind(inboxKinds(t, e, town.manager.ID), "violation.recorded") || !hasKind(inboxKinds(t, e, town.infra.ID), "violation.recorded") {
			t.Error("the manager and the infrastructure manager were not told (第2章 9(3))")
		}
		gso.get(page)
		if r := gso.post(page+"/suspension", url.Values{"reason": {"早すぎる"}}); r.code != http.StatusConflict {
			t.Errorf("suspension before the result: %d", r.code)
		}
		for _, step := range []struct {
			path string
			form url.Values
		}{
			{"/instruction", url.Values{"instruction": {"持ち出したデータを消去し、報告すること"}}},
			{"/result", url.Values{"corrected": {"no"}, "result": {"指示に従わない"}}},
			{"/suspension", url.Values{"reason": {"指導によっても改善されない"}}},
		} {
			gso.get(page)
			if r := gso.post(page+step.path, step.form); r.code != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", step.path, r.code, errorText(r.body))
			}
		}
		p, _ := e.st.Person(e.ctx(), town.staff.ID)
		if p.Status != directory.StatusSuspended {
			t.Fatalf("person status %s, want suspended", p.Status)
		}
		if r := violator.get("/"); r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
			t.Errorf("the suspended person's session still works: %d %q", r.code, r.location)
		}
		if !hasKind(inboxKinds(t, e, town.c.ID), "violation.suspended") {
			t.Error("the CISO was not told of the suspension")
		}
		r = gso.get(page)
		if !strings.Contains(r.body, "権限停止") {
			t.Error("the violation page does not show the suspension")
		}
		// Nobody records their own violation.
		gso.get("/violations/new")
		if r := gso.post("/violations", url.Values{"person": {town.gso.StaffNo}, "description": {"x"}}); r.code != http.StatusForbidden {
			t.Errorf("own violation: %d", r.code)
		}
	})
}

// TestPlanVersions: each save is a new version; an incomplete plan is
// refused naming the row; the open incident shows the plan in force; an
// old version stays readable.
func TestPlanVersions(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		gso := town.as(town.gso)
		gso.get("/plan")
		bad := url.Values{"contact_role": {"CISO"}, "contact_name": {"副市長"}, "contact_phone": {""}, "contact_email": {""},
			"report_items": {"発生日時、内容"}, "responses": {"隔離"}, "prevention": {"委員会で協議"}}
		if r := gso.post("/plan", bad); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "1行目") || !strings.Contains(r.body, "委員会で協議") {
			t.Fatalf("contact without a means: %d %s", r.code, errorText(r.body))
		}
		for i, phone := range []string{"054-000-0001", "054-000-0002"} {
			v := url.Values{"contact_role": {"CISO", ""}, "contact_name": {"副市長", ""}, "contact_phone": {phone, ""}, "contact_email": {"", ""},
				"report_items": {"発生日時、内容、影響範囲"}, "responses": {"端末の隔離、ネットワークの切断"}, "prevention": {"委員会で協議する"}, "note": {fmt.Sprintf("第%d版", i+1)}}
			if r := gso.post("/plan", v); r.code != http.StatusSeeOther {
				t.Fatalf("save %d: %d %s", i+1, r.code, errorText(r.body))
			}
		}
		cur, err := e.st.CurrentPlan(e.ctx())
		if err != nil || cur.Version != 2 || cur.Contacts[0].Phone != "054-000-0002" || len(cur.Contacts) != 1 {
			t.Fatalf("current plan: %+v %v", cur, err)
		}
		if r := gso.get("/plan?v=1"); !strings.Contains(r.body, "054-000-0001") {
			t.Error("version 1 is not readable")
		}
		// Staff without incident.plan cannot change it.
		mgr := town.as(town.manager)
		mgr.get("/plan")
		if r := mgr.post("/plan", bad); r.code != http.StatusForbidden {
			t.Errorf("save by a manager: %d", r.code)
		}
		// The plan is shown beside an open incident.
		inc := &incident.Incident{Category: incident.CategoryIncident, Title: "訓練", Description: "訓練の報告"}
		pol, _ := e.srv.tenantPolicy(e.ctx())
		ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: e.tenant.Tenant.ID, ActorID: town.manager.ID, ActorLabel: town.manager.Name})
		if err := incident.NewService(e.st, directory.NewService(e.st), e.st.Now).ReportStaff(ctx, pol, 0, incident.Actor{PersonID: town.manager.ID, UnitID: town.unit}, inc); err != nil {
			t.Fatal(err)
		}
		if r := mgr.get(fmt.Sprintf("/incidents/%d", inc.ID)); !strings.Contains(r.body, `id="plan"`) || !strings.Contains(r.body, "054-000-0002") {
			t.Error("the open incident does not show the plan in force")
		}
	})
}

// TestInbox: the count in the layout, reading one notification follows
// its link, and nobody reads another's.
func TestInbox(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		svc := notify.NewService(e.st)
		msg := notify.Message{Kind: "test", Subject: mamori.Text{JA: "<b>確認</b>してください", EN: "Please check"}, Link: "/plan"}
		if err := svc.Send(e.ctx(), msg, notify.Recipient{PersonID: town.manager.ID}); err != nil {
			t.Fatal(err)
		}
		mgr := town.as(town.manager)
		r := mgr.get("/inbox")
		if r.code != http.StatusOK || !strings.Contains(r.body, "&lt;b&gt;確認&lt;/b&gt;") {
			t.Fatalf("inbox: %d", r.code)
		}
		if r := mgr.get("/inbox/count"); !strings.Contains(r.body, ">1<") {
			t.Errorf("count: %q", r.body)
		}
		items, _ := e.st.Inbox(e.ctx(), town.manager.ID, notify.InboxFilter{})
		other := town.as(town.staff)
		other.get("/")
		if r := other.post(fmt.Sprintf("/inbox/%d/read", items[0].ID), nil); r.code != http.StatusNotFound {
			t.Errorf("reading another's notification: %d", r.code)
		}
		if r := mgr.post(fmt.Sprintf("/inbox/%d/read", items[0].ID), nil); r.code != http.StatusSeeOther || r.location != "/plan" {
			t.Errorf("read: %d %q", r.code, r.location)
		}
		if r := mgr.get("/inbox/count"); strings.Contains(r.body, "badge") {
			t.Errorf("count after reading: %q", r.body)
		}
	})
}
