package web

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/store"
)

var (
	oneTimeRe  = regexp.MustCompile(`id="one-time-password">([^<]+)<`)
	tokenRe    = regexp.MustCompile(`id="token-value">([^<]+)<`)
	recoveryRe = regexp.MustCompile(`<li><code>([a-z0-9-]{19})</code></li>`)
	rawIDRe    = regexp.MustCompile(`>[^<]*\b(dir|unit|people|role|absence|transfer|token|recovery|import|sod)\.[a-z_]+[^<]*<`)
)

// unit creates a unit directly.
func (e *env) unit(code, name string, parent int64, kind directory.UnitKind) int64 {
	e.t.Helper()
	u := &directory.Unit{Code: code, Name: name, ParentID: parent, Kind: kind}
	if err := e.st.CreateUnit(e.ctx(), u); err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

// assign gives a person a role of the env's policy directly.
func (e *env) assign(personID int64, role string, unitID int64) {
	e.t.Helper()
	pv, err := e.st.ActivePolicy(e.ctx())
	if err != nil {
		e.t.Fatal(err)
	}
	pol, err := policy.Load(pv.Profile+".yaml", []byte(pv.Source))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := directory.Assign(e.ctx(), e.st, pol, &directory.Assignment{PersonID: personID, Role: role, UnitID: unitID}); err != nil {
		e.t.Fatal(err)
	}
}

// signedIn signs a person in who has no second factor.
func (e *env) signedIn(login, password string) *client {
	e.t.Helper()
	c := e.client()
	if r := c.signIn(login, password); r.code != http.StatusSeeOther || r.location != "/" {
		e.t.Fatalf("sign-in of %s: %d → %q", login, r.code, r.location)
	}
	return c
}

// The e2e browser test covers the same in Chromium; this one covers both
// databases quickly.
func TestDirectoryAdminCreatesPersonWhoSignsIn(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		admin := e.admin()
		admin.get("/directory")
		r := admin.post("/units", url.Values{"code": {"shimin"}, "name": {"市民課"}, "kind": {"section"}, "parent_id": {"0"}})
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/units/") {
			t.Fatalf("create unit: %d %q %.300s", r.code, r.location, errorText(r.body))
		}
		unitID := strings.TrimPrefix(strings.Split(r.location, "?")[0], "/units/")
		admin.get("/people/new")
		r = admin.post("/people", url.Values{"staff_no": {"20260401"}, "name": {"新井 さくら"}, "kind": {"staff"}, "unit_id": {unitID}, "account": {"on"}})
		m := oneTimeRe.FindStringSubmatch(r.body)
		if r.code != http.StatusOK || m == nil {
			t.Fatalf("create person: %d %.500s", r.code, r.body)
		}
		// The same staff number again is refused on the form.
		admin.get("/people/new")
		if r := admin.post("/people", url.Values{"staff_no": {"20260401"}, "name": {"別人"}, "kind": {"staff"}}); r.code != http.StatusConflict || !strings.Contains(r.body, "すでに登録されています") {
			t.Errorf("duplicate staff number: %d", r.code)
		}
		c := e.client()
		if r := c.signIn("20260401", m[1]); r.location != "/account/password" {
			t.Fatalf("first sign-in → %q", r.location)
		}
		c.get("/account/password")
		if r := c.post("/account/password", url.Values{"current": {m[1]}, "new": {"sakura-no-password"}, "confirm": {"sakura-no-password"}}); r.code != http.StatusSeeOther {
			t.Fatalf("change: %d %s", r.code, errorText(r.body))
		}
		if r := c.get("/"); r.code != http.StatusOK || !strings.Contains(r.body, "新井 さくら") {
			t.Errorf("home: %d", r.code)
		}
	})
}

func TestDirectorySuspendedSessionIsRefusedAtOnce(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		p := e.person("s1", "違反 太郎", 0, "correct-horse-battery")
		c := e.signedIn("s1", "correct-horse-battery")
		token, hash, _ := auth.NewToken()
		if err := e.st.CreateAPIToken(e.ctx(), &store.APIToken{PersonID: p.ID, Name: "x", TokenHash: hash, Permissions: []string{"directory.read"}, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if r := c.get("/people"); r.code != http.StatusOK {
			t.Fatalf("before: %d", r.code)
		}
		admin := e.admin()
		admin.get("/people/" + strconv.FormatInt(p.ID, 10))
		// A reason is required.
		if r := admin.post("/people/"+strconv.FormatInt(p.ID, 10)+"/status", url.Values{"status": {"suspended"}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("suspension without a reason: %d", r.code)
		}
		if r := admin.post("/people/"+strconv.FormatInt(p.ID, 10)+"/status", url.Values{"status": {"suspended"}, "reason": {"指導によっても改善されない（第2章9(6)(2)）"}}); r.code != http.StatusSeeOther {
			t.Fatalf("suspend: %d %s", r.code, errorText(r.body))
		}
		// The open session's very next request is refused.
		if r := c.get("/people"); r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
			t.Errorf("suspended session: %d → %q", r.code, r.location)
		}
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if r := e.client().do(req); r.code != http.StatusUnauthorized {
			t.Errorf("suspended token: %d", r.code)
		}
		if r := e.client().signIn("s1", "correct-horse-battery"); r.code != http.StatusUnauthorized {
			t.Errorf("suspended sign-in: %d", r.code)
		}
		// An administrator cannot suspend themselves.
		admin.get("/people/1")
		if r := admin.post("/people/1/status", url.Values{"status": {"suspended"}, "reason": {"x"}}); r.code != http.StatusForbidden {
			t.Errorf("self-suspension: %d", r.code)
		}
		admin.get("/people")
		if r := admin.post("/people/"+strconv.FormatInt(p.ID, 10)+"/status", url.Values{"status": {"active"}}); r.code != http.StatusSeeOther {
			t.Fatalf("reinstate: %d", r.code)
		}
		e.signedIn("s1", "correct-horse-battery")
	})
}

func TestDirectoryPermissions(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		unit := e.unit("jouhou", "情報政策課", 0, directory.UnitSection)
		e.person("s1", "一般 職員", unit, "correct-horse-battery")
		mgr := e.person("m1", "基盤 管理者", unit, "correct-horse-battery")
		e.assign(mgr.ID, "infrastructure_manager", 0) // holds directory.manage
		c := e.signedIn("s1", "correct-horse-battery")
		for path, want := range map[string]int{
			"/directory": 200, "/people": 200, "/roles": 200, "/absences": 200, "/units/" + strconv.FormatInt(unit, 10): 200,
			"/people/new": 403, "/transfers": 403, "/api/v1/transfers": 403,
		} {
			if r := c.get(path); r.code != want {
				t.Errorf("staff GET %s: %d, want %d", path, r.code, want)
			}
		}
		c.get("/directory")
		if r := c.post("/units", url.Values{"code": {"x"}, "name": {"x"}, "kind": {"section"}}); r.code != http.StatusForbidden {
			t.Errorf("staff creates a unit: %d", r.code)
		}
		// Staff record their own absence, not someone else's.
		c.get("/absences")
		if r := c.post("/absences", url.Values{"from": {"2026-12-01"}, "until": {"2026-12-03"}, "reason": {"休暇"}}); r.code != http.StatusSeeOther {
			t.Errorf("own absence: %d %s", r.code, errorText(r.body))
		}
		if r := c.post("/absences", url.Values{"person": {"m1"}, "from": {"2026-12-01"}, "until": {"2026-12-03"}}); r.code != http.StatusForbidden {
			t.Errorf("someone else's absence: %d", r.code)
		}
		m := e.signedIn("m1", "correct-horse-battery")
		m.get("/roles")
		if r := m.post("/roles", url.Values{"person": {"m1"}, "role": {"ciso"}}); r.code != http.StatusForbidden || !strings.Contains(r.body, "自分自身に役割") {
			t.Errorf("manager gives themselves a role: %d", r.code)
		}
		if r := m.post("/roles", url.Values{"person": {"s1"}, "role": {"security_manager"}, "unit_id": {strconv.FormatInt(unit, 10)}}); r.code != http.StatusSeeOther {
			t.Errorf("manager assigns a role: %d %s", r.code, errorText(r.body))
		}
		if r := m.post("/roles", url.Values{"person": {"s1"}, "role": {"security_manager"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "組織ごとに置かれる役割") {
			t.Errorf("per-unit role without unit: %d", r.code)
		}
		if r := m.post("/roles", url.Values{"person": {"s1"}, "role": {"mayor"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "適用中のポリシーにありません") {
			t.Errorf("role the policy does not define: %d", r.code)
		}
		// A manager cannot take over the administrator's account.
		m.get("/people/1")
		if r := m.post("/people/1/password", nil); r.code != http.StatusForbidden {
			t.Errorf("manager resets the administrator's password: %d", r.code)
		}
		m.get("/people/new")
		if r := m.post("/people", url.Values{"staff_no": {"x9"}, "name": {"x"}, "kind": {"staff"}, "is_admin": {"on"}}); r.code != http.StatusForbidden {
			t.Errorf("manager creates an administrator: %d", r.code)
		}
		// The staff member now holds security_manager for the unit: who acts
		// for the unit says so.
		r := c.get("/roles/resolve?role=security_manager&unit=" + strconv.FormatInt(unit, 10))
		if r.code != http.StatusOK || !strings.Contains(r.body, "一般 職員") {
			t.Errorf("resolve: %d", r.code)
		}
	})
}

func TestDirectoryPagesRender(t *testing.T) {
	eachEnv(t, "amakusa", func(t *testing.T, e *env) {
		body := e.unit("jimu", "事務局", 0, directory.UnitBody)
		sec := e.unit("soumu", "総務企画課", body, directory.UnitSection)
		p := e.person("100", "天草 一郎", sec, "correct-horse-battery")
		e.assign(p.ID, "general_manager", body)
		admin := e.admin()
		admin.get("/transfers")
		r := admin.post("/transfers", url.Values{"title": {"4月異動"}, "effective_on": {"2027-04-01"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("create transfer: %d %s", r.code, errorText(r.body))
		}
		transfer := r.location
		id := strconv.FormatInt(p.ID, 10)
		for _, lang := range []string{"ja", "en"} {
			for _, path := range []string{"/directory", "/units/" + strconv.FormatInt(sec, 10), "/people", "/people?review=1&kind=staff&q=天草",
				"/people/" + id, "/people/" + id + "/edit", "/people/new", "/roles", "/roles/resolve?role=general_manager&unit=" + strconv.FormatInt(sec, 10),
				"/absences", "/absences?all=1", "/transfers", transfer, "/account/tokens", "/account/recovery", "/account/password", "/account/totp"} {
				req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
				req.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
				r := admin.do(req)
				if r.code != http.StatusOK {
					t.Errorf("%s %s: %d %s", lang, path, r.code, errorText(r.body))
					continue
				}
				if m := rawIDRe.FindString(r.body); m != "" {
					t.Errorf("%s %s shows a message id: %s", lang, path, m)
				}
			}
		}
	})
}

func TestDirectoryTokens(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		e.person("s1", "連携 担当", 0, "correct-horse-battery")
		c := e.signedIn("s1", "correct-horse-battery")
		c.get("/account/tokens")
		exp := directory.FormatDate(time.Now().Add(30 * 24 * time.Hour))
		for _, test := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"name": {"x"}, "perms": {"log.read"}, "expires": {exp}}, "持っていない"},
			{url.Values{"name": {"x"}, "perms": {"directory.read"}, "expires": {directory.FormatDate(time.Now().Add(400 * 24 * time.Hour))}}, "1年以内"},
			{url.Values{"name": {""}, "perms": {"directory.read"}, "expires": {exp}}, "名前"},
			{url.Values{"name": {"x"}, "expires": {exp}}, "一つ以上"},
		} {
			if r := c.post("/account/tokens", test.form); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, test.want) {
				t.Errorf("%v: %d, want 422 with %q", test.form, r.code, test.want)
			}
		}
		r := c.post("/account/tokens", url.Values{"name": {"人事システム"}, "perms": {"directory.read", "asset.read"}, "expires": {exp}})
		m := tokenRe.FindStringSubmatch(r.body)
		if r.code != http.StatusOK || m == nil {
			t.Fatalf("create: %d %s", r.code, errorText(r.body))
		}
		call := func(path, tok string) resp {
			req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			return e.client().do(req)
		}
		if r := call("/api/v1/people", m[1]); r.code != http.StatusOK || !strings.Contains(r.body, "連携 担当") {
			t.Errorf("token use: %d %s", r.code, r.body)
		}
		// A token does not mint tokens, nor reach the account pages.
		if r := call("/account/tokens", m[1]); r.code != http.StatusForbidden {
			t.Errorf("token reaches the token page: %d", r.code)
		}
		page := c.get("/account/tokens")
		if strings.Contains(page.body, m[1]) {
			t.Error("the token is shown again")
		}
		ts, _ := e.st.APITokens(e.ctx(), 0)
		c.post("/account/tokens/"+strconv.FormatInt(ts[0].ID, 10)+"/revoke", nil)
		if r := call("/api/v1/people", m[1]); r.code != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", r.code)
		}
	})
}

func TestDirectoryRecoveryCodesAndPasswordHistory(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		c := e.client()
		c.signIn("admin", e.tenant.AdminPassword)
		c.get("/account/password")
		c.post("/account/password", url.Values{"current": {e.tenant.AdminPassword}, "new": {"new-admin-password-1"}, "confirm": {"new-admin-password-1"}})
		r := c.get("/account/totp")
		secret := secretRe.FindStringSubmatch(r.body)[1]
		r = c.post("/account/totp", url.Values{"code": {totpNow(t, secret)}})
		codes := recoveryRe.FindAllStringSubmatch(r.body, -1)
		if r.code != http.StatusOK || len(codes) != auth.RecoveryCodeCount || !strings.Contains(r.body, "二要素認証を設定しました") {
			t.Fatalf("enrolment: %d, %d codes", r.code, len(codes))
		}
		if r := c.get("/account/recovery"); strings.Contains(r.body, codes[0][1]) || !strings.Contains(r.body, "10 個") {
			t.Error("recovery codes are shown again, or not counted")
		}
		// Sign in again with a recovery code instead of the phone; the same
		// code does not work twice, and a wrong one looks like a wrong code.
		for i, test := range []struct {
			code string
			want int
		}{
			{strings.ToUpper(codes[4][1]), http.StatusSeeOther},
			{codes[4][1], http.StatusUnauthorized},
			{"aaaa-bbbb-cccc-dddd", http.StatusUnauthorized},
		} {
			c2 := e.client()
			c2.signIn("admin", "new-admin-password-1")
			c2.get("/signin/totp")
			r := c2.post("/signin/totp", url.Values{"code": {test.code}})
			if r.code != test.want {
				t.Errorf("%d: recovery code %q: %d, want %d", i, test.code, r.code, test.want)
			}
			if test.want == http.StatusUnauthorized && !strings.Contains(r.body, "確認コードが正しくありません") {
				t.Errorf("%d: the refusal differs from a wrong TOTP code", i)
			}
		}
		// Passwords: none of the last ones again.
		c.get("/account/password")
		c.post("/account/password", url.Values{"current": {"new-admin-password-1"}, "new": {"second-admin-password"}, "confirm": {"second-admin-password"}})
		c.get("/account/password")
		if r := c.post("/account/password", url.Values{"current": {"second-admin-password"}, "new": {"new-admin-password-1"}, "confirm": {"new-admin-password-1"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "過去に使ったパスワード") {
			t.Errorf("reuse: %d %s", r.code, errorText(r.body))
		}
	})
}

// A profile that names segments and a maximum password age: 下條村's
// multi-factor rule for 個人番号利用事務系 (第2章5(1)①), and a period added
// to the password rules (the seed asks for periodic change without one).
func TestDirectorySegmentMFAAndPasswordAge(t *testing.T) {
	eachEnv(t, "shimojo", func(t *testing.T, e *env) {
		src, err := policy.BuiltinSource("shimojo")
		if err != nil {
			t.Fatal(err)
		}
		withAge := regexp.MustCompile(`(?m)^    max_age_days:.*\n`).ReplaceAllString(string(src), "")
		withAge = strings.Replace(withAge, "  password:\n", "  password:\n    max_age_days: {value: 90, clause: 第2章 7(7)5}\n", 1)
		pol, err := policy.Load("shimojo.yaml", []byte(withAge))
		if err != nil {
			t.Fatalf("profile with max age: %v", err)
		}
		segment := ""
		for _, rule := range pol.Auth().MFA {
			if len(rule.Segments) > 0 && segment == "" {
				segment = rule.Segments[0]
			}
		}
		if segment == "" {
			t.Skip("the shimojo profile names no segment that requires multi-factor sign-in")
		}
		if _, err := e.st.ActivatePolicy(e.ctx(), store.PolicySource{Profile: "shimojo", Version: "test-age", SourceHash: pol.Hash(), Source: withAge}); err != nil {
			t.Fatal(err)
		}
		p := e.person("k1", "住民 係員", 0, "correct-horse-battery")
		e.signedIn("k1", "correct-horse-battery")
		if err := e.st.SetSegments(e.ctx(), p.ID, []string{segment}); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.signIn("k1", "correct-horse-battery")
		if r := c.get("/"); r.location != "/account/totp" {
			t.Errorf("個人番号利用事務系 user without a second factor → %q, want /account/totp", r.location)
		}
		// 91 days on, the password must be changed.
		e.st.SetClock(func() time.Time { return time.Now().Add(91 * 24 * time.Hour) })
		if err := e.st.SetSegments(e.ctx(), p.ID, nil); err != nil {
			t.Fatal(err)
		}
		c = e.client()
		c.signIn("k1", "correct-horse-battery")
		r := c.get("/")
		if r.location != "/account/password" {
			t.Fatalf("expired password → %q", r.location)
		}
		if r := c.get("/account/password"); !strings.Contains(r.body, "有効期間（90日）が過ぎました") {
			t.Errorf("the page does not say why: %s", r.body)
		}
		if r := c.post("/account/password", url.Values{"current": {"correct-horse-battery"}, "new": {"a-newer-password-1"}, "confirm": {"a-newer-password-1"}}); r.code != http.StatusSeeOther {
			t.Fatalf("change: %d %s", r.code, errorText(r.body))
		}
		if r := c.get("/"); r.code != http.StatusOK {
			t.Errorf("after the change: %d", r.code)
		}
	})
}

func multipartFile(t *testing.T, fields map[string]string, name string, data []byte, csrf string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.WriteField("csrf", csrf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	return &buf, w.FormDataContentType()
}

func TestDirectoryTransferImport(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		soumu := e.unit("soumu", "総務部", 0, directory.UnitDepartment)
		jouhou := e.unit("jouhou", "情報政策課", soumu, directory.UnitSection)
		e.unit("shimin", "市民課", 0, directory.UnitSection)
		a := e.person("1001", "髙橋 一郎", jouhou, "correct-horse-battery")
		e.person("1002", "渡邊 花子", jouhou, "correct-horse-battery")
		e.assign(a.ID, "security_manager", jouhou)
		admin := e.admin()
		if r := admin.get("/transfers/template.csv"); r.code != http.StatusOK || !strings.HasPrefix(r.body, "\ufeff職員番号,氏名,異動先") {
			t.Errorf("template: %d %.60q", r.code, r.body)
		}
		admin.get("/transfers")
		post := func(text string) resp {
			data, _, err := transform.Bytes(japanese.ShiftJIS.NewEncoder(), []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			body, ct := multipartFile(t, map[string]string{"title": "令和9年4月1日 定期人事異動", "effective_on": "2027-04-01"}, "異動.csv", data, admin.csrf)
			req, _ := http.NewRequest("POST", e.ts.URL+"/transfers/import", body)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			return admin.do(req)
		}
		bad := "職員番号,氏名,異動先,付与する役割\n1001,髙橋 一郎,市民課,情報セキュリティ管理者\n1001,,総務部,\n9999,,市民課,\n1002,,存在しない課,課長\n"
		r := post(bad)
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Shift_JIS") {
			t.Fatalf("bad file: %d %.400s", r.code, r.body)
		}
		for _, want := range []string{"重複しています", "9999", "存在しない課", "「課長」は適用中のポリシー", "何も登録していません"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the refusal does not say %q", want)
			}
		}
		if ts, _ := e.st.Transfers(e.ctx()); len(ts) != 0 {
			t.Fatalf("a refused file left %d transfers", len(ts))
		}
		admin.get("/transfers")
		r = post("職員番号,氏名,異動先,付与する役割\n1001,髙橋 一郎,市民課,情報セキュリティ管理者\n1002,渡邊 花子,,情報セキュリティ担当者\n")
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/transfers/") {
			t.Fatalf("good file: %d %s", r.code, errorText(r.body))
		}
		page := admin.get(strings.Split(r.location, "?")[0])
		if !strings.Contains(page.body, "市民課") || !strings.Contains(page.body, "情報セキュリティ担当者") {
			t.Errorf("preview: %.1000s", page.body)
		}
		id := strings.TrimPrefix(strings.Split(r.location, "?")[0], "/transfers/")
		if r := admin.post("/transfers/"+id+"/schedule", nil); r.code != http.StatusSeeOther {
			t.Fatalf("schedule: %d %s", r.code, errorText(r.body))
		}
		e.st.SetClock(func() time.Time { return time.Date(2027, 4, 1, 0, 0, 1, 0, time.UTC) })
		if n := e.srv.applyDueTransfers(t.Context()); n != 1 {
			t.Fatalf("job applied %d", n)
		}
		e.st.SetClock(time.Now) // back to today, where the session lives
		flagged := admin.get("/people?review=1")
		if !strings.Contains(flagged.body, "髙橋 一郎") || !strings.Contains(flagged.body, "渡邊 花子") {
			t.Errorf("flagged people not listed")
		}
		admin.get("/people/" + strconv.FormatInt(a.ID, 10))
		if r := admin.post("/people/"+strconv.FormatInt(a.ID, 10)+"/review", nil); r.code != http.StatusSeeOther {
			t.Errorf("clear flag: %d", r.code)
		}
		if p, _ := e.st.Person(e.ctx(), a.ID); p.NeedsReview {
			t.Error("flag not cleared")
		}
	})
}

func TestDirectoryAPI(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		token, hash, _ := auth.NewToken()
		if err := e.st.CreateAPIToken(e.ctx(), &store.APIToken{PersonID: 1, Name: "admin", TokenHash: hash,
			Permissions: []string{"directory.read", "directory.manage"}, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		call := func(method, path string, body any) resp {
			var rd *bytes.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = bytes.NewReader(b)
			} else {
				rd = bytes.NewReader(nil)
			}
			req, _ := http.NewRequest(method, e.ts.URL+path, rd)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			return e.client().do(req)
		}
		r := call("POST", "/api/v1/units", map[string]any{"code": "shimin", "name": "市民課", "kind": "section"})
		if r.code != http.StatusCreated {
			t.Fatalf("create unit: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/units", map[string]any{"code": "shimin", "name": "x", "kind": "section"}); r.code != http.StatusConflict || !strings.Contains(r.body, `"field": "code"`) {
			t.Errorf("duplicate unit: %d %s", r.code, r.body)
		}
		r = call("POST", "/api/v1/people", map[string]any{"staff_no": "3001", "name": "API 太郎", "kind": "staff", "unit_id": 1, "account": true})
		var created struct {
			Person   personJSON `json:"person"`
			Password string     `json:"one_time_password"`
		}
		json.Unmarshal([]byte(r.body), &created)
		if r.code != http.StatusCreated || created.Password == "" || created.Person.UnitID != 1 {
			t.Fatalf("create person: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/roles", map[string]any{"staff_no": "3001", "person_id": created.Person.ID + 1000, "role": "security_manager", "unit_id": 1}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field": "person_id"`) {
			t.Errorf("assign naming two people: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/roles", map[string]any{"staff_no": "3001", "role": "security_manager", "unit_id": 1}); r.code != http.StatusCreated {
			t.Errorf("assign: %d %s", r.code, r.body)
		}
		r = call("GET", "/api/v1/roles/resolve?role=security_manager&unit=1", nil)
		if r.code != http.StatusOK || !strings.Contains(r.body, `"name": "API 太郎"`) {
			t.Errorf("resolve: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/absences", map[string]any{"person_id": created.Person.ID, "from": "2026-12-01", "until": "2026-12-05"}); r.code != http.StatusCreated {
			t.Errorf("absence: %d %s", r.code, r.body)
		}
		if r := call("GET", "/api/v1/roles/resolve?role=security_manager&unit=1&at=2026-12-02", nil); r.code != http.StatusNotFound || !strings.Contains(r.body, "情報セキュリティ管理者") {
			t.Errorf("resolve while absent (no substitute): %d %s", r.code, r.body)
		}
		r = call("POST", "/api/v1/transfers", map[string]any{"title": "テスト", "effective_on": "2027-04-01", "dry_run": true,
			"rows": []map[string]string{{"staff_no": "3001", "to_unit": "なし"}, {"staff_no": "3001", "roles": "x"}}})
		if r.code != http.StatusUnprocessableEntity || strings.Count(r.body, `"item"`) != 3 {
			t.Errorf("dry run with bad rows: %d %s", r.code, r.body)
		}
		r = call("POST", "/api/v1/transfers", map[string]any{"title": "テスト", "effective_on": "2027-04-01",
			"rows": []map[string]string{{"staff_no": "3001", "end_roles": "全て"}}})
		if r.code != http.StatusCreated {
			t.Fatalf("create transfer: %d %s", r.code, r.body)
		}
		var tr transferJSON
		json.Unmarshal([]byte(r.body), &tr)
		if r := call("POST", "/api/v1/transfers/"+strconv.FormatInt(tr.ID, 10)+"/schedule", nil); r.code != http.StatusOK || !strings.Contains(r.body, `"scheduled"`) {
			t.Errorf("schedule: %d %s", r.code, r.body)
		}
		if r := call("POST", "/api/v1/people/"+strconv.FormatInt(created.Person.ID, 10)+"/status", map[string]any{"status": "suspended", "reason": "テスト"}); r.code != http.StatusOK {
			t.Errorf("suspend: %d %s", r.code, r.body)
		}
		if r := call("GET", "/api/v1/people?status=suspended", nil); !strings.Contains(r.body, `"total": 1`) {
			t.Errorf("filter: %s", r.body)
		}
	})
}
