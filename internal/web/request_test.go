package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mamori/internal/asset"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
)

// requestTown is a section of 藤枝市 with its 課長, a member of staff, a
// member of another section, and their assets.
type requestTown struct {
	staff, manager, outsider *directory.Person
	usb, paper, otherAsset   *asset.Asset
}

func newRequestTown(t *testing.T, e *env) *requestTown {
	t.Helper()
	ctx := e.ctx()
	dept := &directory.Unit{Code: "somu", Name: "総務部", Kind: directory.UnitDepartment}
	if err := e.st.CreateUnit(ctx, dept); err != nil {
		t.Fatal(err)
	}
	sec := &directory.Unit{Code: "somu-ka", Name: "総務課", Kind: directory.UnitSection, ParentID: dept.ID}
	other := &directory.Unit{Code: "joho-ka", Name: "情報政策課", Kind: directory.UnitSection, ParentID: dept.ID}
	for _, u := range []*directory.Unit{sec, other} {
		if err := e.st.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	rt := &requestTown{
		staff:    e.person("2001", "田中 一郎", sec.ID, "tanaka-password-1"),
		manager:  e.person("2002", "鈴木 課長", sec.ID, "suzuki-password-1"),
		outsider: e.person("2003", "山本 花子", other.ID, "yamamoto-password-1"),
	}
	if err := e.st.AssignRole(ctx, &directory.Assignment{PersonID: rt.manager.ID, Role: "security_manager", UnitID: sec.ID, ValidFrom: time.Now().AddDate(-1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(number, name string, kind asset.Kind, unit int64, c string) *asset.Asset {
		a := &asset.Asset{Number: number, Name: name, Kind: kind, UnitID: unit, State: asset.StateInUse,
			Levels: asset.Levels{"confidentiality": c, "integrity": "2", "availability": "2"}}
		if err := e.st.CreateAsset(ctx, a, asset.NewClassifier(pol)); err != nil {
			t.Fatal(err)
		}
		return a
	}
	rt.usb = mk("M-001", "USBメモリ", asset.KindMedium, sec.ID, "2")
	rt.paper = mk("P-001", "住民票写し", asset.KindPaper, sec.ID, "1")
	rt.otherAsset = mk("M-101", "情報政策課のUSBメモリ", asset.KindMedium, other.ID, "2")
	return rt
}

// reqTakeOutForm is the take-out form for an asset.
func reqTakeOutForm(assetID int64, start, ret string) url.Values {
	return url.Values{"kind": {"take_out"}, "f.assets": {fmt.Sprint(assetID)}, "f.purpose": {"住民説明会"}, "f.destination": {"市民会館"},
		"f.start_at": {start}, "f.return_date": {ret}}
}

func reqWantPage(t *testing.T, what string, r resp, code int, parts ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: %d, want %d: %.600s", what, r.code, code, errorText(r.body))
	}
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Fatalf("%s: the page does not show %q: %.2000s", what, p, r.body)
		}
	}
}

// TestRequestPages walks the pages: choose a kind, see what the policy will
// do before submitting, refuse bad input with the field named, submit;
// the 課長 finds it in the queue and approves; the applicant records the
// taking-out and the return; a second decision is refused.
func TestRequestPages(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		rt := newRequestTown(t, e)
		staff := e.client()
		if r := staff.signIn("2001", "tanaka-password-1"); r.code != http.StatusSeeOther {
			t.Fatalf("sign in: %d", r.code)
		}
		reqWantPage(t, "kinds", staff.get("/requests/new"), 200, "情報資産持ち出し許可申請", "第2章 6(1)③")
		reqWantPage(t, "unknown kind", staff.get("/requests/new?kind=teleport"), 422, "申請の種類「teleport」は適用中のポリシー")
		reqWantPage(t, "form", staff.get("/requests/new?kind=take_out"), 200, "M-001 USBメモリ", `name="f.return_date"`)
		if r := staff.get("/requests/new?kind=take_out"); strings.Contains(r.body, "情報政策課のUSBメモリ") {
			t.Error("the form offers another section's asset")
		}

		// The preview, as htmx asks for it: only the box, with the route.
		req, _ := http.NewRequest("POST", e.ts.URL+"/requests/preview", strings.NewReader(reqWithCSRF(reqTakeOutForm(rt.usb.ID, "2026-04-02T09:00", "2026-04-03"), staff.csrf).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("HX-Request", "true")
		r := staff.do(req)
		reqWantPage(t, "preview", r, 200, `id="preview"`, "承認が必要", "鈴木 課長", "第2章 6(1)③ア", "5y")
		if strings.Contains(r.body, "<html") {
			t.Error("the htmx preview returned the whole page")
		}

		// Bad input: the field is named and nothing is filed.
		reqWantPage(t, "return before take-out", staff.post("/requests", reqTakeOutForm(rt.usb.ID, "2026-04-02T09:00", "2026-04-01")), 422,
			"「返却予定日」が「持ち出し日時」より前になっています")
		reqWantPage(t, "another section's asset", staff.post("/requests", reqTakeOutForm(rt.otherAsset.ID, "2026-04-02T09:00", "2026-04-03")), 422,
			"所属の課等が所管するものではない")
		if rs, _ := e.st.Requests(e.ctx(), request.Filter{}); len(rs) != 0 {
			t.Fatalf("refused forms filed %d requests", len(rs))
		}

		r = staff.post("/requests", reqTakeOutForm(rt.usb.ID, "2026-04-02T09:00", "2026-04-03"))
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/requests/1?") {
			t.Fatalf("submit: %d → %q %s", r.code, r.location, errorText(r.body))
		}
		reqWantPage(t, "request", staff.get("/requests/1"), 200, "承認待ち", "情報セキュリティ管理者", "第2章 6(1)③ア", "2015-12-28.1")
		// The applicant holds no request.decide: refused before anything.
		staff.get("/requests/1")
		if r := staff.post("/requests/1/decision", url.Values{"outcome": {"approve"}}); r.code != http.StatusForbidden {
			t.Errorf("applicant's own decision: %d", r.code)
		}
		// Someone else's request is not even found.
		outsider := e.client()
		outsider.signIn("2003", "yamamoto-password-1")
		if r := outsider.get("/requests/1"); r.code != http.StatusNotFound {
			t.Errorf("another section's member reads the request: %d", r.code)
		}

		manager := e.client()
		manager.signIn("2002", "suzuki-password-1")
		reqWantPage(t, "queue", manager.get("/requests/queue"), 200, "田中 一郎", "USBメモリ")
		reqWantPage(t, "decide form", manager.get("/requests/1"), 200, `action="/requests/1/decision"`)
		if r := manager.post("/requests/1/decision", url.Values{"outcome": {"reject"}, "round": {"1"}, "step": {"1"}}); r.code != 422 || !strings.Contains(r.body, "理由を入力") {
			t.Errorf("rejection without a reason: %d %s", r.code, errorText(r.body))
		}
		if r := manager.post("/requests/1/decision", url.Values{"outcome": {"approve"}, "round": {"1"}, "step": {"1"}}); r.code != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", r.code, errorText(r.body))
		}
		manager.get("/requests/1")
		reqWantPage(t, "decided twice", manager.post("/requests/1/decision", url.Values{"outcome": {"approve"}, "round": {"1"}, "step": {"1"}}), 409, "判断待ちではありません")

		// The taking-out and the return, from the request's page.
		reqWantPage(t, "report form", staff.get("/requests/1"), 200, `id="report-execution"`)
		now := time.Now()
		at := func(d time.Duration) string { return now.Add(d).In(i18n.Tokyo).Format("2006-01-02T15:04") }
		if r := staff.post("/requests/1/reports", url.Values{"kind": {"execution"}, "at": {at(-2 * time.Hour)}, "performer": {fmt.Sprint(rt.staff.ID)}, "content": {"鞄に入れて持ち出した"}}); r.code != http.StatusSeeOther {
			t.Fatalf("execution report: %d %s", r.code, errorText(r.body))
		}
		staff.get("/requests/1")
		reqWantPage(t, "early return", staff.post("/requests/1/reports", url.Values{"kind": {"return"}, "at": {at(-3 * time.Hour)}}), 422, "返却日時が持ち出し")
		if r := staff.post("/requests/1/reports", url.Values{"kind": {"return"}, "at": {at(-time.Hour)}}); r.code != http.StatusSeeOther {
			t.Fatalf("return report: %d %s", r.code, errorText(r.body))
		}
		reqWantPage(t, "completed", staff.get("/requests/1"), 200, "完了", "鞄に入れて持ち出した", "第2章 6(1)③イ", fmt.Sprint(now.Year()+5), "返却を報告しました")
		reqWantPage(t, "history", staff.get("/requests"), 200, "情報資産持ち出し許可申請", "完了")
		reqWantPage(t, "in English", reqEnglish(staff).get("/requests/1"), 200, "Completed", "Keeping the record")
	})
}

// reqEnglish switches the client to English.
func reqEnglish(c *client) *client {
	c.get("/requests")
	c.post("/lang", url.Values{"lang": {"en"}, "next": {"/requests"}})
	return c
}

func reqWithCSRF(v url.Values, token string) url.Values {
	v.Set("csrf", token)
	return v
}

// TestRequestAPI: the JSON API refuses bad input with the field named,
// refuses what the policy forbids with its clause, files, decides once.
func TestRequestAPI(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		rt := newRequestTown(t, e)
		token := func(p *directory.Person, perms ...string) string {
			tok, hash, _ := auth.NewToken()
			if err := e.st.CreateAPIToken(e.ctx(), &store.APIToken{PersonID: p.ID, Name: "api", TokenHash: hash, Permissions: perms, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			return tok
		}
		staffTok := token(rt.staff, "request.submit")
		managerTok := token(rt.manager, "request.submit", "request.decide")
		call := func(method, path, tok, body string) resp {
			req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			return e.client().do(req)
		}
		takeOut := func(asset int64, ret string) string {
			return fmt.Sprintf(`{"kind": "take_out", "fields": {"assets": [%d], "purpose": "説明会", "destination": "会館", "start_at": "2026-04-02T09:00", "return_date": %q}}`, asset, ret)
		}
		for _, test := range []struct {
			name, body string
			code       int
			want       []string
		}{
			{"a kind the policy does not define", `{"kind": "teleport", "fields": {}}`, 422, []string{`"field": "kind"`, `defines no kind of request \"teleport\"`}},
			{"an asset of another section", takeOut(rt.otherAsset.ID, "2026-04-03"), 422, []string{`"field": "fields.assets"`}},
			{"an asset of no one", takeOut(9999, "2026-04-03"), 422, []string{`"field": "fields.assets"`, "no asset with number 9999"}},
			{"a return before the take-out", takeOut(rt.usb.ID, "2026-04-01"), 422, []string{`"field": "fields.return_date"`, `is before \"Take-out date and time\"`}},
			{"a field of the wrong type", `{"kind": "take_out", "fields": {"assets": "USB"}}`, 422, []string{`"field": "fields.assets"`}},
			{"a field the form lacks", `{"kind": "take_out", "fields": {"colour": "red"}}`, 422, []string{`"field": "fields.colour"`}},
			{"an unknown key", `{"kind": "take_out", "field": {}}`, 422, []string{`"code": "invalid"`}},
			{"機密性1 by e-mail", fmt.Sprintf(`{"kind": "email_send", "fields": {"assets": [%d], "recipients": "a@example.jp", "purpose": "照会"}}`, rt.paper.ID), 403,
				[]string{`"code": "policy_denied"`, "第2章 6(1)⑤ウ"}},
		} {
			t.Run(test.name, func(t *testing.T) {
				r := call("POST", "/api/v1/requests", staffTok, test.body)
				if r.code != test.code {
					t.Fatalf("%d, want %d: %s", r.code, test.code, r.body)
				}
				for _, w := range test.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("response lacks %s: %s", w, r.body)
					}
				}
			})
		}
		if r := call("POST", "/api/v1/requests/preview", staffTok, takeOut(rt.usb.ID, "2026-04-03")); r.code != 200 || !strings.Contains(r.body, `"security_manager"`) || !strings.Contains(r.body, `"鈴木 課長"`) {
			t.Fatalf("preview: %d %s", r.code, r.body)
		}
		r := call("POST", "/api/v1/requests", staffTok, takeOut(rt.usb.ID, "2026-04-03"))
		if r.code != 201 || !strings.Contains(r.body, `"status": "pending"`) || !strings.Contains(r.body, `"policy_version": "2015-12-28.1"`) || !strings.Contains(r.body, `"request.submit"`) {
			t.Fatalf("submit: %d %s", r.code, r.body)
		}
		if r := call("GET", "/api/v1/requests?view=queue", managerTok, ""); r.code != 200 || !strings.Contains(r.body, `"id": 1`) {
			t.Fatalf("queue: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/requests/1/decision", staffTok, `{"outcome": "approve"}`); r.code != http.StatusForbidden {
			t.Errorf("decision with a submit-only token: %d", r.code)
		}
		if r := call("POST", "/api/v1/requests/1/decision", managerTok, `{"outcome": "reject"}`); r.code != 422 || !strings.Contains(r.body, `"field": "comment"`) {
			t.Errorf("reject without reason: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/requests/1/decision", managerTok, `{"outcome": "reject", "comment": "不要"}`); r.code != 200 || !strings.Contains(r.body, `"status": "rejected"`) {
			t.Fatalf("reject: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/requests/1/decision", managerTok, `{"outcome": "approve"}`); r.code != http.StatusConflict || !strings.Contains(r.body, `"code": "conflict"`) {
			t.Errorf("decision on a closed request: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/requests/1/reports", staffTok, `{"kind": "execution", "at": "2026-04-02T09:00", "content": "x"}`); r.code != http.StatusConflict {
			t.Errorf("report on a rejected request: %d %s", r.code, r.body)
		}
		if r := call("GET", "/api/v1/requests?view=mine", staffTok, ""); r.code != 200 || !strings.Contains(r.body, `"status": "rejected"`) {
			t.Errorf("history: %d %s", r.code, r.body)
		}
		if r := call("GET", "/api/v1/request-kinds", staffTok, ""); r.code != 200 || !strings.Contains(r.body, `"take_out"`) {
			t.Errorf("kinds: %d", r.code)
		}
	})
}

// TestRequestCertificateUpload: the disposal's execution record is filed
// from the page with the disposal contractor's certificate (藤枝市
// 第2章5(2)⑪ウ); its readers download it, others do not reach it.
func TestRequestCertificateUpload(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		rt := newRequestTown(t, e)
		staff, manager, outsider := e.client(), e.client(), e.client()
		staff.signIn("2001", "tanaka-password-1")
		manager.signIn("2002", "suzuki-password-1")
		outsider.signIn("2003", "yamamoto-password-1")
		staff.get("/requests/new?kind=disposal")
		r := staff.post("/requests", url.Values{"kind": {"disposal"}, "f.assets": {fmt.Sprint(rt.paper.ID)}, "f.method": {"physical_destruction"},
			"f.planned_date": {"2026-04-10"}, "f.contractor": {"静岡リサイクル株式会社"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", r.code, errorText(r.body))
		}
		manager.get("/requests/1")
		if r := manager.post("/requests/1/decision", url.Values{"outcome": {"approve"}}); r.code != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", r.code, errorText(r.body))
		}
		staff.get("/requests/1")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"csrf": staff.csrf, "kind": "execution", "at": time.Now().Add(-time.Hour).In(i18n.Tokyo).Format("2006-01-02T15:04"),
			"content": "溶解処理", "f.method": "physical_destruction", "f.contractor": "静岡リサイクル株式会社"} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file.certificate", "廃棄証明書.pdf")
		fw.Write([]byte("%PDF-1.4 certificate"))
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+"/requests/1/reports", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if r := staff.do(req); r.code != http.StatusSeeOther {
			t.Fatalf("execution report: %d %s", r.code, errorText(r.body))
		}
		page := staff.get("/requests/1")
		reqWantPage(t, "completed", page, 200, "廃棄証明書.pdf", "完了", "第2章 5(2)⑪ウ")
		m := regexp.MustCompile(`href="(/requests/1/files/\d+)"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no link to the certificate")
		}
		if r := staff.get(m[1]); r.code != 200 || r.body != "%PDF-1.4 certificate" || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %d %q %q", r.code, r.body, r.header.Get("Content-Disposition"))
		}
		if r := outsider.get(m[1]); r.code != http.StatusNotFound {
			t.Errorf("another section's member downloads the certificate: %d", r.code)
		}
	})
}

func TestRequestRemindAfter(t *testing.T) {
	for _, test := range []struct {
		env  string
		want time.Duration
		bad  bool
	}{
		{"", 72 * time.Hour, false},
		{"2d", 48 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"off", 0, false},
		{"0", 0, false},
		{"3 days", 0, true},
		{"30s", 0, true},
		{"-1d", 0, true},
	} {
		got, err := requestRemindAfter(func(string) string { return test.env })
		if (err != nil) != test.bad || got != test.want {
			t.Errorf("MAMORI_REQUEST_REMIND_AFTER=%q: %v, %v; want %v (error %v)", test.env, got, err, test.want, test.bad)
		}
	}
}
