package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/incident"
	"mamori/internal/notify"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// incTown is an organization under 藤枝市's profile with the people its
// incident chain names: the 統一的な窓口 (unified_desk), the section's
// 情報セキュリティ管理者 (security_manager, the triage role) and
// 情報セキュリティ責任者 (security_officer), the 情報基盤管理者, the 統括 and
// the CISO, and a member of staff with only the baseline role.
type incTown struct {
	e                                            *env
	unit                                         int64
	staff, desk, manager, officer, infra, gso, c *directory.Person
}

const incPassword = "incident-test-password-1"

func newIncTown(t *testing.T, e *env) *incTown {
	t.Helper()
	u := &directory.Unit{Code: "somu", Name: "総務課", Kind: directory.UnitSection}
	if err := e.st.CreateUnit(e.ctx(), u); err != nil {
		t.Fatal(err)
	}
	town := &incTown{e: e, unit: u.ID}
	mk := func(no, name, role string, unit int64) *directory.Person {
		p := e.person(no, name, u.ID, incPassword)
		if role != "" {
			a := &directory.Assignment{PersonID: p.ID, Role: role, UnitID: unit, ValidFrom: time.Now().Add(-time.Hour)}
			if err := e.st.AssignRole(e.ctx(), a); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	town.staff = mk("s1", "職員 一郎", "", 0)
	town.desk = mk("d1", "窓口 花子", "unified_desk", 0)
	town.manager = mk("m1", "管理者 次郎", "security_manager", u.ID)
	town.officer = mk("o1", "責任者 三郎", "security_officer", u.ID)
	town.infra = mk("i1", "基盤 四郎", "infrastructure_manager", 0)
	town.gso = mk("g1", "統括 五郎", "general_security_officer", 0)
	town.c = mk("c1", "副市長 六子", "ciso", 0)
	return town
}

// as signs a person of the town in.
func (town *incTown) as(p *directory.Person) *client {
	town.e.t.Helper()
	c := town.e.client()
	if r := c.signIn(p.StaffNo, incPassword); r.code != http.StatusSeeOther {
		town.e.t.Fatalf("sign-in of %s: %d %q", p.Name, r.code, r.location)
	}
	return c
}

var (
	incTokenRe   = regexp.MustCompile(`name="token" value="([^"]+)"`)
	incReceiptRe = regexp.MustCompile(`id="receipt"[^>]*>([0-9]{8}-[0-9A-Z]{4}-[0-9A-Z]{4})<`)
)

// publicForm opens the public form and returns its token.
func publicForm(t *testing.T, c *client, path string) string {
	t.Helper()
	r := c.get(path)
	m := incTokenRe.FindStringSubmatch(r.body)
	if r.code != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d, no token: %.400s", path, r.code, r.body)
	}
	return html.UnescapeString(m[1])
}

// later moves the store's clock forward (form tokens must be some
// seconds old; deadlines are counted on it).
func later(e *env, d time.Duration) {
	at := time.Now().Add(d)
	e.st.SetClock(func() time.Time { return at })
}

func incidentIDFrom(t *testing.T, e *env, receipt string) int64 {
	t.Helper()
	inc, err := e.st.IncidentByReceipt(e.ctx(), receipt)
	if err != nil {
		t.Fatalf("incident %s: %v", receipt, err)
	}
	return inc.ID
}

// TestIncidentPublicReportToClose: a resident reports through the public
// form; the contact point acknowledges, which tells the chain's first
// step; the manager (the triage role) judges it a breach of personal
// information, which tells the rest of the chain and adds the reports to
// the Personal Information Protection Commission with their deadlines;
// closing is refused while steps are open; the handlers record
// containment, the investigation and the rest, and close it. The timeline
// keeps every step with its time.
func TestIncidentPublicReportToClose(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		resident := e.client()
		token := publicForm(t, resident, "/report")
		form := url.Values{"t": {"testtown"}, "token": {token}, "category": {"suspected"},
			"description": {"<script>alert('x')</script>\n市のホームページに他人の住所が表示されています。"}, "name": {"住民 太郎"}, "contact": {"090-0000-0000"}}
		// Sent at once: a bot, or a slip; the form comes back with the text.
		r := resident.post("/report", form)
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "送信が早すぎます") || !strings.Contains(r.body, "住民 太郎") {
			t.Fatalf("instant post: %d %s", r.code, errorText(r.body))
		}
		later(e, 5*time.Second)
		r = resident.post("/report", form)
		m := incReceiptRe.FindStringSubmatch(r.body)
		if r.code != http.StatusOK || m == nil {
			t.Fatalf("report: %d %s", r.code, errorText(r.body))
		}
		receipt := m[1]
		// A double click shows the same receipt and makes no second incident.
		r = resident.post("/report", form)
		if m2 := incReceiptRe.FindStringSubmatch(r.body); m2 == nil || m2[1] != receipt || !strings.Contains(r.body, "既に送信") {
			t.Fatalf("second post of the same form: %d %.300s", r.code, r.body)
		}
		if _, total, _ := e.st.Incidents(e.ctx(), store.IncidentFilter{}); total != 1 {
			t.Fatalf("%d incidents after a double post, want 1", total)
		}
		id := incidentIDFrom(t, e, receipt)
		page := fmt.Sprintf("/incidents/%d", id)

		// The contact point is told (in the inbox) and sees the script inert.
		desk := town.as(town.desk)
		if r := desk.get("/inbox/count"); !strings.Contains(r.body, ">1<") {
			t.Errorf("desk's unread count: %q", r.body)
		}
		r = desk.get(page)
		if r.code != http.StatusOK || strings.Contains(r.body, "<script>alert") || !strings.Contains(r.body, "&lt;script&gt;alert") {
			t.Fatalf("incident page: %d; script not inert", r.code)
		}
		if r := desk.post(page+"/ack", nil); r.code != http.StatusSeeOther {
			t.Fatalf("ack: %d %s", r.code, errorText(r.body))
		}
		// A resident names no unit, so the section's manager (a per-unit
		// role) cannot be told yet: the timeline says so, and the desk sets
		// the unit concerned, which tells them.
		rec := loadRec(t, e, id)
		if !hasNotice(rec, 1, town.infra.ID) || hasNotice(rec, 1, town.manager.ID) || rec.Entries[len(rec.Entries)-1].Kind != incident.EntryUnresolved {
			t.Fatalf("after the desk's acknowledgement: %+v", rec.Notices)
		}
		if r := desk.post(page+"/unit", url.Values{"unit_id": {fmt.Sprint(town.unit)}}); r.code != http.StatusSeeOther {
			t.Fatalf("set unit: %d %s", r.code, errorText(r.body))
		}
		rec = loadRec(t, e, id)
		if !hasNotice(rec, 1, town.manager.ID) || hasNotice(rec, 2, town.officer.ID) {
			t.Fatalf("after the unit was set: %+v", rec.Notices)
		}

		// Someone not in the triage role may not triage.
		infra := town.as(town.infra)
		infra.get(page)
		r = infra.post(page+"/triage", url.Values{"triage": {"breach"}, "severity": {"high"}})
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "情報セキュリティ管理者") {
			t.Fatalf("triage by the infrastructure manager: %d %s", r.code, errorText(r.body))
		}
		mgr := town.as(town.manager)
		mgr.get(page)
		r = mgr.post(page+"/triage", url.Values{"triage": {"breach"}, "severity": {"high"}, "personal_info": {"1"}, "note": {"住所の漏えいを確認"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("triage: %d %s", r.code, errorText(r.body))
		}
		rec = loadRec(t, e, id)
		if rec.Incident.Triage != incident.TriageBreach || !hasNotice(rec, 2, town.officer.ID) || !hasNotice(rec, 3, town.gso.ID) || !hasNotice(rec, 3, town.c.ID) {
			t.Fatalf("after triage: %+v / %+v", rec.Incident, rec.Notices)
		}
		var pre, fin *incident.ExternalReport
		for i := range rec.Reports {
			switch rec.Reports[i].Kind {
			case incident.ReportPPCPreliminary:
				pre = &rec.Reports[i]
			case incident.ReportPPCFinal:
				fin = &rec.Reports[i]
			}
		}
		if pre == nil || fin == nil || pre.DueAt.Sub(rec.Incident.DiscoveredAt) != 72*time.Hour || fin.DueAt.Sub(rec.Incident.DiscoveredAt) != 30*24*time.Hour {
			t.Fatalf("PPC reports: %+v", rec.Reports)
		}
		// The CISO was told it is a breach.
		items, _ := e.st.Inbox(e.ctx(), town.desk.ID, notify.InboxFilter{})
		if len(items) != 2 || items[0].Kind != "incident.breach" || !strings.Contains(items[0].Subject.JA, "侵害と判断") {
			t.Errorf("the desk was not told of the breach: %+v", items)
		}

		// Closing now is refused, naming every open step.
		r = mgr.post(page+"/close", url.Values{"review": {"早すぎる終了"}})
		if r.code != http.StatusConflict || !strings.Contains(r.body, "個人情報保護委員会（速報）") || !strings.Contains(r.body, "調査（未記入") {
			t.Fatalf("early close: %d %s", r.code, errorText(r.body))
		}
		// A deadline before the incident is refused, and the form keeps what was typed.
		before := rec.Incident.DiscoveredAt.Add(-48 * time.Hour).In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04")
		r = mgr.post(page+"/reports", url.Values{"kind": {"police"}, "due_at": {before}, "note": {"警察署へ相談"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "期限がインシデントの発生") || !strings.Contains(r.body, "警察署へ相談") {
			t.Fatalf("deadline before the incident: %d %s", r.code, errorText(r.body))
		}

		steps := []url.Values{
			{"kind": {"containment"}, "containment": {"stop_system"}, "body": {"公開サーバを停止"}},
			{"kind": {"evidence"}, "body": {"アクセスログを保全（サーバ室金庫）"}},
			{"kind": {"investigation"}, "what": {"住所の誤表示"}, "cause": {"CMS の設定誤り"}, "damage": {"3名の住所"}, "scope": {"公開ページ1件"}, "step": {"investigate"}},
			{"kind": {"recovery"}, "body": {"設定を修正して再公開"}, "step": {"recover"}},
			{"kind": {"user_notice"}, "body": {"該当の3名に電話で連絡"}},
			{"kind": {"prevention"}, "body": {"公開前の二重確認"}, "step": {"prevent-recurrence"}},
		}
		for _, f := range steps {
			if r := mgr.post(page+"/entries", f); r.code != http.StatusSeeOther {
				t.Fatalf("entry %s: %d %s", f.Get("kind"), r.code, errorText(r.body))
			}
		}
		for _, st := range []string{"keep-record", "report-prevention"} {
			if r := mgr.post(page+"/steps", url.Values{"step": {st}, "outcome": {"done"}}); r.code != http.StatusSeeOther {
				t.Fatalf("step %s: %d %s", st, r.code, errorText(r.body))
			}
		}
		if r := mgr.post(page+"/steps", url.Values{"step": {"escalate-if-needed"}, "outcome": {"not_applicable"}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("not applicable without a reason: %d", r.code)
		}
		mgr.post(page+"/steps", url.Values{"step": {"escalate-if-needed"}, "outcome": {"not_applicable"}, "note": {"既に CISO に報告済み"}})
		rec = loadRec(t, e, id)
		for _, rp := range rec.Reports {
			v := url.Values{"status": {"submitted"}, "reference": {"PPC-123"}}
			if r := mgr.post(fmt.Sprintf("%s/reports/%d", page, rp.ID), v); r.code != http.StatusSeeOther {
				t.Fatalf("report %d: %d %s", rp.ID, r.code, errorText(r.body))
			}
		}
		if r := mgr.post(page+"/close", url.Values{"review": {"設定変更の手順を見直した"}}); r.code != http.StatusSeeOther {
			t.Fatalf("close: %d %s", r.code, errorText(r.body))
		}
		rec = loadRec(t, e, id)
		if rec.Incident.Status != incident.StatusClosed || rec.Incident.Cause != "CMS の設定誤り" {
			t.Fatalf("after close: %+v", rec.Incident)
		}
		kinds := map[incident.EntryKind]bool{}
		for i, en := range rec.Entries {
			kinds[en.Kind] = true
			if i > 0 && en.At.Before(rec.Entries[i-1].At) {
				t.Errorf("timeline out of order at entry %d", en.ID)
			}
		}
		for _, k := range []incident.EntryKind{incident.EntryReport, incident.EntryNotice, incident.EntryAck, incident.EntryTriage, incident.EntryBreachNotice,
			incident.EntryContainment, incident.EntryEvidence, incident.EntryInvestigation, incident.EntryRecovery, incident.EntryUserNotice,
			incident.EntryPrevention, incident.EntryStep, incident.EntryExternal, incident.EntryClose} {
			if !kinds[k] {
				t.Errorf("timeline lacks a %s entry", k)
			}
		}
		// A closed incident takes no more handling.
		if r := mgr.post(page+"/entries", url.Values{"kind": {"recovery"}, "body": {"追加"}}); r.code != http.StatusConflict {
			t.Errorf("entry after close: %d", r.code)
		}
		// The page shows the timeline with times; exports carry it too.
		r = mgr.get(page)
		if !strings.Contains(r.body, "被害拡大の防止") || !strings.Contains(r.body, "情報システムの停止") || strings.Count(r.body, "<time datetime=") != len(rec.Entries) {
			t.Errorf("timeline on the page is incomplete")
		}
		checkXLSX(t, mgr, page, receipt)
		checkPDF(t, mgr, page)
		// Anyone else: the resident's contact details are not public.
		if r := e.client().get(page); r.code != http.StatusSeeOther {
			t.Errorf("anonymous view of an incident: %d", r.code)
		}
		if r := town.as(town.staff).get(page); r.code != http.StatusForbidden {
			t.Errorf("staff without incident.read: %d", r.code)
		}
	})
}

func loadRec(t *testing.T, e *env, id int64) *incident.Record {
	t.Helper()
	rec, err := e.st.IncidentRecord(e.ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func hasNotice(rec *incident.Record, step int, person int64) bool {
	for _, n := range rec.Notices {
		if n.Step == step && n.PersonID == person {
			return true
		}
	}
	return false
}

func checkXLSX(t *testing.T, c *client, page, receipt string) {
	t.Helper()
	r := c.get(page + "/report.xlsx")
	if r.code != http.StatusOK || !strings.Contains(r.header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", r.code, r.header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 5 || sheets[0] != "報告書" {
		t.Fatalf("sheets = %v", sheets)
	}
	rows, _ := f.GetRows("報告書")
	found := false
	for _, row := range rows {
		if len(row) > 1 && row[1] == receipt {
			found = true
		}
	}
	if !found {
		t.Errorf("the report sheet does not give the receipt number")
	}
	tl, _ := f.GetRows("経過")
	if len(tl) < 10 || tl[0][0] != "日時" {
		t.Errorf("timeline sheet: %d rows, head %v", len(tl), tl[0])
	}
	// The script a resident typed is plain text in the workbook, not a formula.
	for _, row := range tl {
		for _, cell := range row {
			if strings.HasPrefix(cell, "=") {
				t.Errorf("a cell starts with '=': %q", cell)
			}
		}
	}
}

func checkPDF(t *testing.T, c *client, page string) {
	t.Helper()
	if _, err := incident.FindFont(); err != nil {
		t.Logf("PDF export not checked: no IPAex font (install fonts-ipaexfont; .ci/run does): %v", err)
		if r := c.get(page + "/report.pdf"); r.code != http.StatusNotFound || !strings.Contains(r.body, "fonts-ipaexfont") {
			t.Errorf("PDF without a font: %d", r.code)
		}
		return
	}
	r := c.get(page + "/report.pdf")
	if r.code != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("pdf: %d %s", r.code, r.header.Get("Content-Type"))
	}
	if err := incident.CheckPDFText([]byte(r.body), "情報セキュリティインシデント報告書"); err != nil {
		t.Error(err)
	}
}

// TestIncidentStaffChainOrder: a staff report tells the first step; the
// first acknowledgement of a step tells the next one in the policy's
// order; a conditional step ("必要に応じて") waits for an escalation.
func TestIncidentStaffChainOrder(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		staff := town.as(town.staff)
		staff.get("/incidents/new")
		r := staff.post("/incidents", url.Values{"category": {"defect"}, "title": {"プリンタが勝手に印刷"}, "description": {"複合機が深夜に印刷を続けた"}, "unit_id": {fmt.Sprint(town.unit)}})
		m := incReceiptRe.FindStringSubmatch(r.body)
		if r.code != http.StatusOK || m == nil {
			t.Fatalf("staff report: %d %s", r.code, errorText(r.body))
		}
		id := incidentIDFrom(t, e, m[1])
		page := fmt.Sprintf("/incidents/%d", id)
		rec := loadRec(t, e, id)
		if len(rec.Notices) != 2 || !hasNotice(rec, 1, town.manager.ID) || !hasNotice(rec, 1, town.infra.ID) {
			t.Fatalf("first step: %+v", rec.Notices)
		}
		// A bad occurred time is refused with the field named.
		r = staff.post("/incidents", url.Values{"category": {"defect"}, "title": {"x"}, "description": {"y"}, "occurred_at": {"2099-01-01T00:00"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "未来の日時") {
			t.Errorf("future occurred time: %d %s", r.code, errorText(r.body))
		}
		infra := town.as(town.infra)
		infra.get(page)
		if r := infra.post(page+"/ack", nil); r.code != http.StatusSeeOther {
			t.Fatalf("ack: %d %s", r.code, errorText(r.body))
		}
		rec = loadRec(t, e, id)
		if !hasNotice(rec, 2, town.officer.ID) || hasNotice(rec, 3, town.c.ID) || rec.Incident.ChainStep != 2 {
			t.Fatalf("after the first acknowledgement: step %d %+v", rec.Incident.ChainStep, rec.Notices)
		}
		// Acknowledging twice is refused; the officer's acknowledgement does not open the conditional step.
		if r := infra.post(page+"/ack", nil); r.code != http.StatusConflict {
			t.Errorf("second ack: %d", r.code)
		}
		officer := town.as(town.officer)
		officer.get(page)
		officer.post(page+"/ack", nil)
		rec = loadRec(t, e, id)
		if hasNotice(rec, 3, town.c.ID) {
			t.Fatal("the conditional step was told without an escalation")
		}
		if r := officer.post(page+"/escalate", url.Values{"note": {"影響が大きい"}}); r.code != http.StatusSeeOther {
			t.Fatalf("escalate: %d %s", r.code, errorText(r.body))
		}
		rec = loadRec(t, e, id)
		if !hasNotice(rec, 3, town.c.ID) || !hasNotice(rec, 3, town.gso.ID) {
			t.Fatalf("after escalation: %+v", rec.Notices)
		}
		for _, n := range rec.Notices {
			if n.PersonID == town.infra.ID && n.AcknowledgedAt == nil {
				t.Error("the infrastructure manager's acknowledgement has no time")
			}
		}
		if r := officer.post(page+"/escalate", nil); r.code != http.StatusConflict {
			t.Errorf("escalate past the last step: %d", r.code)
		}
	})
}

// TestPublicReportDefences: size limits, malformed and unknown fields,
// the honeypot, a forged token, the organization's code, and the rate
// limits that count every post in the database.
func TestPublicReportDefences(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		c := e.client()
		token := publicForm(t, c, "/report")
		later(e, 5*time.Second)
		post := func(v url.Values) resp {
			return c.post("/report", v)
		}
		base := func() url.Values {
			return url.Values{"t": {"testtown"}, "token": {token}, "description": {"不審なメール"}}
		}
		for _, test := range []struct {
			name string
			edit func(url.Values)
			code int
			want string
		}{
			{"honeypot", func(v url.Values) { v.Set("hp_confirm", "http://spam.example") }, 422, "お電話で"},
			{"forged token", func(v url.Values) { v.Set("token", strings.Repeat("A", 48)) }, 422, "有効期限が切れた"},
			{"unknown field", func(v url.Values) { v.Set("admin", "1") }, 422, "フォームにない項目"},
			{"repeated field", func(v url.Values) { v.Add("description", "二回目") }, 422, "同じ項目"},
			{"too long", func(v url.Values) { v.Set("description", strings.Repeat("あ", 4001)) }, 422, "4000文字以内"},
			{"control character", func(v url.Values) { v.Set("name", "a\x00b") }, 422, "使えない文字"},
			{"future day", func(v url.Values) { v.Set("occurred_on", "2999-01-01") }, 422, "未来の日時"},
			{"unknown organization", func(v url.Values) { v.Set("t", "nowhere") }, 404, "nowhere"},
		} {
			t.Run(test.name, func(t *testing.T) {
				v := base()
				test.edit(v)
				r := post(v)
				if r.code != test.code || !strings.Contains(html.UnescapeString(r.body), test.want) {
					t.Errorf("%d %s, want %d with %q", r.code, errorText(r.body), test.code, test.want)
				}
			})
		}
		// A body over the limit is refused before it is read.
		big := url.Values{"t": {"testtown"}, "description": {strings.Repeat("x", incident.MaxPublicBody)}}
		if r := post(big); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "大きすぎます") {
			t.Errorf("oversized body: %d %s", r.code, errorText(r.body))
		}
		// The rate limit: every post from an address counts, and the
		// eleventh within the hour is refused with Retry-After.
		var last resp
		for range 12 {
			v := base()
			v.Set("token", "refused")
			last = post(v)
		}
		if last.code != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(last.body, "短時間に多くの送信") {
			t.Errorf("after many posts: %d %q", last.code, last.header.Get("Retry-After"))
		}
		// Nothing from these posts became an incident.
		if _, total, _ := e.st.Incidents(e.ctx(), store.IncidentFilter{}); total != 0 {
			t.Errorf("%d incidents from refused posts", total)
		}
	})
}

// TestPublicReportSharedDeployment: with two organizations, /report asks
// which one; /t/CODE/report and ?t=CODE pick it, and a report reaches
// only its own organization.
func TestPublicReportSharedDeployment(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		other, err := setupTenant(e, "othertown")
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		if r := c.get("/report"); r.code != http.StatusOK || !strings.Contains(r.body, `name="t"`) || incTokenRe.MatchString(r.body) {
			t.Fatalf("/report with two organizations: %d", r.code)
		}
		token := publicForm(t, c, "/t/othertown/report")
		later(e, 5*time.Second)
		r := c.post("/t/othertown/report", url.Values{"t": {"othertown"}, "token": {token}, "description": {"別の町への報告"}})
		if r.code != http.StatusOK {
			t.Fatalf("report to the other town: %d %s", r.code, errorText(r.body))
		}
		// The token of one organization is refused by another.
		r = c.post("/report?t=testtown", url.Values{"t": {"testtown"}, "token": {token}, "description": {"流用"}})
		if r.code != http.StatusUnprocessableEntity {
			t.Errorf("token of another organization: %d", r.code)
		}
		if _, n, _ := e.st.Incidents(e.ctx(), store.IncidentFilter{}); n != 0 {
			t.Errorf("testtown has %d incidents, want 0", n)
		}
		if _, n, _ := e.st.Incidents(mamori.WithScope(e.ctx(), mamori.Scope{Tenant: other}), store.IncidentFilter{}); n != 1 {
			t.Errorf("othertown has %d incidents, want 1", n)
		}
	})
}

// TestIncidentAPI drives an incident through the JSON API with a token.
func TestIncidentAPI(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		tok, hash, _ := auth.NewToken()
		if err := e.st.CreateAPIToken(e.ctx(), &store.APIToken{PersonID: town.manager.ID, Name: "連携", TokenHash: hash,
			Permissions: []string{"incident.report", "incident.read", "incident.handle"}, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		call := func(method, path, body string) (int, map[string]any) {
			req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var out map[string]any
			json.Unmarshal(b, &out)
			return res.StatusCode, out
		}
		code, out := call("POST", "/api/v1/incidents", `{"category":"incident","title":"USBメモリ紛失","description":"会議室で紛失","unit_id":`+strconv.FormatInt(town.unit, 10)+`}`)
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, out)
		}
		inc := out["incident"].(map[string]any)
		path := fmt.Sprintf("/api/v1/incidents/%v", inc["id"])
		if code, out := call("POST", path+"/triage", `{"triage":"breach","severity":"medium","personal_info":true,"malicious":true}`); code != http.StatusOK || len(out["reports"].([]any)) != 2 {
			t.Fatalf("triage: %d %v", code, out)
		} else {
			for _, r := range out["reports"].([]any) {
				rp := r.(map[string]any)
				if rp["kind"] == "ppc_final" {
					due, _ := time.Parse(time.RFC3339, rp["due_at"].(string))
					found, _ := time.Parse(time.RFC3339, inc["discovered_at"].(string))
					if d := due.Sub(found); d != 60*24*time.Hour {
						t.Errorf("final report of a malicious leak due after %v, want 60 days", d)
					}
				}
			}
		}
		for _, test := range []struct {
			path, body string
			code       int
			field      string
		}{
			{"/entries", `{"kind":"containment","containment":"cut_network","body":"LAN から切断"}`, 200, ""},
			{"/entries", `{"kind":"containment","containment":"explode","body":"x"}`, 422, "containment"},
			{"/entries", `{"kind":"close","body":"x"}`, 422, "kind"},
			{"/entries", `{"kind":"prevention","body":"x","due":"2000-01-01"}`, 422, "due"},
			{"/entries", `{"kind":"comment","body":"x","surprise":1}`, 422, ""},
			{"/reports", `{"kind":"police","due_at":"1999-12-31T00:00"}`, 422, "due_at"},
			{"/reports", `{"kind":"other"}`, 422, "target"},
			{"/steps", `{"step":"no-such-step","outcome":"done"}`, 422, "step"},
			{"/close", `{"review":"まだ"}`, 409, ""},
		} {
			code, out := call("POST", path+test.path, test.body)
			if code != test.code {
				t.Errorf("%s %s: %d %v, want %d", test.path, test.body, code, out, test.code)
				continue
			}
			if test.field != "" {
				if ev, _ := out["error"].(map[string]any); ev == nil || ev["field"] != test.field {
					t.Errorf("%s %s: error %v, want field %s", test.path, test.body, out["error"], test.field)
				}
			}
		}
		code, out = call("GET", path, "")
		if code != http.StatusOK || len(out["timeline"].([]any)) < 4 || len(out["outstanding"].([]any)) == 0 {
			t.Errorf("show: %d %v", code, out)
		}
		if code, out := call("GET", "/api/v1/incidents?show=all", ""); code != http.StatusOK || out["total"].(float64) != 1 {
			t.Errorf("list: %d %v", code, out)
		}
	})
}

func setupTenant(e *env, slug string) (mamori.TenantID, error) {
	nt, err := setup.CreateTenant(e.ctx(), e.st, slug, "別の町", "fujieda")
	if err != nil {
		return 0, err
	}
	return nt.Tenant.ID, nil
}

// TestIncidentCatalogComplete: every message the incident area's pages
// use exists in both languages (a missing one would show its id).
func TestIncidentCatalogComplete(t *testing.T) {
	e := newEnv(t, store.SQLite, "fujieda")
	cat := e.srv.cat
	var missing []string
	check := func(id string) {
		for _, lang := range []string{"ja", "en"} {
			if !cat.Has(lang, id) {
				missing = append(missing, lang+":"+id)
			}
		}
	}
	for _, k := range append(incident.HandlingKinds, incident.EntryReport, incident.EntryNotice, incident.EntryUnresolved, incident.EntryAck, incident.EntryTriage,
		incident.EntryUnit, incident.EntryExternal, incident.EntryStep, incident.EntryEscalate, incident.EntryClose, incident.EntryBreachNotice,
		incident.EntryPersonalInfo, incident.EntryDeadlineAlert) {
		check("incident.entry." + string(k))
	}
	for _, k := range incident.HandlingKinds {
		check("incident.body." + string(k))
	}
	for _, c := range incident.Categories {
		check("incident.category." + string(c))
	}
	for _, s := range incident.Statuses {
		check("incident.status." + string(s))
	}
	for _, s := range incident.Severities {
		check("incident.severity." + string(s))
	}
	for _, c := range incident.Containments {
		check("incident.containment." + string(c))
	}
	for _, k := range []incident.ReportKind{incident.ReportPPCPreliminary, incident.ReportPPCFinal, incident.ReportMIC, incident.ReportPrefecture, incident.ReportPolice, incident.ReportPress, incident.ReportPolicy, incident.ReportOther} {
		check("incident.report_kind." + string(k))
	}
	for _, s := range []string{"pending", "submitted", "not_required"} {
		check("incident.report_status." + s)
	}
	for _, s := range []string{"submitted", "reviewed", "approved", "rejected", "expired", "withdrawn"} {
		check("deviation.status." + s)
	}
	for _, s := range []string{"recorded", "instructed", "corrected", "not_corrected", "suspended"} {
		check("violation.status." + s)
	}
	for _, tab := range incidentTabs {
		check("incident.tab." + tab)
	}
	// The notifications' texts (built from ids in the incident package).
	for _, id := range []string{"notice_subject", "notice_body", "intake_body", "breach_subject", "breach_body", "deadline_soon_subject", "deadline_overdue_subject", "deadline_body"} {
		check("incident.msg." + id)
	}
	for _, m := range []string{"deviation.msg.submitted", "deviation.msg.reviewed", "deviation.msg.approved", "deviation.msg.rejected", "deviation.msg.withdrawn",
		"deviation.msg.expiring", "deviation.msg.expired", "violation.msg.recorded", "violation.msg.instructed", "violation.msg.result", "violation.msg.suspended"} {
		check(m + "_subject")
		check(m + "_body")
	}
	// Every literal message of the area's templates.
	lit := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	for _, name := range []string{"_incident", "incidents", "incident_new", "incident_done", "incident", "report", "report_done", "plan", "deviations", "deviation_new", "deviation", "violations", "violation_new", "violation", "inbox"} {
		b, err := templateFS.ReadFile("templates/" + name + ".html")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllSubmatch(b, -1) {
			check(string(m[1]))
		}
	}
	if len(missing) > 0 {
		t.Errorf("messages missing from the catalogs: %v", missing)
	}
}

// TestIncidentEvidenceAndDeadlines: evidence files are kept with the
// timeline and only ever downloaded (an HTML file cannot run on the
// site); a report deadline a day away, then passed, reminds the person
// who triaged once each.
func TestIncidentEvidenceAndDeadlines(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		town := newIncTown(t, e)
		mgr := town.as(town.manager)
		mgr.get("/incidents/new")
		r := mgr.post("/incidents", url.Values{"category": {"incident"}, "title": {"標的型メール"}, "description": {"添付を開いた"}, "unit_id": {fmt.Sprint(town.unit)}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("report: %d %s", r.code, errorText(r.body))
		}
		page := strings.Split(r.location, "?")[0]
		id := atoi64(strings.TrimPrefix(page, "/incidents/"))
		mgr.get(page)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", mgr.csrf)
		mw.WriteField("kind", "evidence")
		mw.WriteField("body", "受信したメールを保存")
		fw, _ := mw.CreateFormFile("file", `C:\mail\phish.html`)
		fw.Write([]byte("<script>alert(document.cookie)</script>"))
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+page+"/entries", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if r := mgr.do(req); r.code != http.StatusSeeOther {
			t.Fatalf("evidence upload: %d %s", r.code, errorText(r.body))
		}
		rec := loadRec(t, e, id)
		ev := rec.Entries[len(rec.Entries)-1]
		if ev.Kind != incident.EntryEvidence || ev.AttachmentID == 0 || ev.Data["file"] != "phish.html" {
			t.Fatalf("evidence entry: %+v", ev)
		}
		r = mgr.get(fmt.Sprintf("%s/files/%d", page, ev.AttachmentID))
		if r.code != http.StatusOK || r.header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") || len(r.header.Get("X-Evidence-SHA256")) != 64 {
			t.Errorf("download: %d %v", r.code, r.header)
		}
		// Another incident's id does not reach this file.
		if r := mgr.get(fmt.Sprintf("/incidents/%d/files/%d", id+1, ev.AttachmentID)); r.code != http.StatusNotFound {
			t.Errorf("file through another incident: %d", r.code)
		}

		// A police report due in 20 hours, reminders at 1 day and when overdue.
		mgr.post(page+"/triage", url.Values{"triage": {"breach"}, "severity": {"medium"}})
		due := time.Now().Add(20 * time.Hour).In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04")
		if r := mgr.post(page+"/reports", url.Values{"kind": {"police"}, "due_at": {due}}); r.code != http.StatusSeeOther {
			t.Fatalf("add report: %d %s", r.code, errorText(r.body))
		}
		pol, _ := e.srv.tenantPolicy(e.ctx())
		svc := incident.NewService(e.st, directory.NewService(e.st), e.st.Now)
		alerts := func(at time.Time) int {
			e.st.SetClock(func() time.Time { return at })
			rec, _ := svc.Load(e.ctx(), id)
			u, err := svc.DeadlineAlerts(e.ctx(), pol, rec)
			if err != nil {
				t.Fatal(err)
			}
			if u == nil {
				return 0
			}
			if err := svc.Apply(e.ctx(), u); err != nil {
				t.Fatal(err)
			}
			return len(u.Entries)
		}
		now := time.Now()
		if n := alerts(now); n != 1 {
			t.Errorf("a day before: %d reminders", n)
		}
		if n := alerts(now.Add(time.Hour)); n != 0 {
			t.Errorf("the reminder was sent again")
		}
		if n := alerts(now.Add(25 * time.Hour)); n != 1 {
			t.Errorf("overdue: %d reminders", n)
		}
		kinds := inboxKinds(t, e, town.manager.ID)
		if !hasKind(kinds, "incident.deadline_soon") || !hasKind(kinds, "incident.deadline_overdue") {
			t.Errorf("the manager's notices: %v", kinds)
		}
	})
}

// TestIncidentEveryProfile: under every built-in profile a resident's and
// a staff member's report are received even when nobody holds the roles
// of the chain yet — the timeline then says whom nobody could tell.
func TestIncidentEveryProfile(t *testing.T) {
	for _, profile := range []string{"shimojo", "fujieda", "kawamata", "amakusa"} {
		t.Run(profile, func(t *testing.T) {
			eachEnv(t, profile, func(t *testing.T, e *env) {
				u := &directory.Unit{Code: "ka", Name: "総務課", Kind: directory.UnitSection}
				if err := e.st.CreateUnit(e.ctx(), u); err != nil {
					t.Fatal(err)
				}
				p := e.person("s1", "職員", u.ID, incPassword)
				c := e.client()
				if r := c.signIn(p.StaffNo, incPassword); r.code != http.StatusSeeOther {
					t.Fatalf("sign-in: %d", r.code)
				}
				c.get("/incidents/new")
				r := c.post("/incidents", url.Values{"category": {"incident"}, "title": {"報告"}, "description": {"内容"}})
				if r.code != http.StatusOK && r.code != http.StatusSeeOther {
					t.Fatalf("staff report: %d %s", r.code, errorText(r.body))
				}
				res := e.client()
				tok := publicForm(t, res, "/report")
				later(e, 5*time.Second)
				if r := res.post("/report", url.Values{"t": {"testtown"}, "token": {tok}, "description": {"住民からの報告"}}); r.code != http.StatusOK || !incReceiptRe.MatchString(r.body) {
					t.Fatalf("public report: %d %s", r.code, errorText(r.body))
				}
				list, _, _ := e.st.Incidents(e.ctx(), store.IncidentFilter{})
				for _, inc := range list {
					rec := loadRec(t, e, inc.ID)
					if len(rec.Notices) == 0 && !slicesContainsKind(rec.Entries, incident.EntryUnresolved) {
						t.Errorf("incident %s told nobody and says nothing of it", inc.ReceiptNo)
					}
				}
			})
		})
	}
}

func slicesContainsKind(es []incident.Entry, k incident.EntryKind) bool {
	for _, e := range es {
		if e.Kind == k {
			return true
		}
	}
	return false
}
