package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// env is a running server over a fresh database with one organization.
type env struct {
	t      *testing.T
	st     *store.Store
	srv    *Server
	ts     *httptest.Server
	tenant *setup.NewTenant
}

// newEnv starts a server on dialect d with an organization under profile.
func newEnv(t *testing.T, d store.Dialect, profile string) *env {
	t.Helper()
	st := storetest.Open(t, d)
	nt, err := setup.CreateTenant(context.Background(), st, "testtown", "テスト町", profile)
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := New(Config{Version: "test"}, st, log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, st: st, srv: srv, ts: ts, tenant: nt}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// eachEnv runs fn on each database.
func eachEnv(t *testing.T, profile string, fn func(t *testing.T, e *env)) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d, profile)) })
	}
}

// ctx is a context acting in the env's tenant as the system.
func (e *env) ctx() context.Context {
	return mamori.WithScope(context.Background(), mamori.Scope{Tenant: e.tenant.Tenant.ID, ActorLabel: "test", RequestID: "test"})
}

// client is a browser: it keeps cookies and does not follow redirects, so
// tests see where the server sends it.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	code     int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) resp {
	c.e.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := resp{code: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
	if m := csrfRe.FindStringSubmatch(r.body); m != nil {
		c.csrf = m[1]
	}
	return r
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) get(path string) resp {
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	return c.do(req)
}

// post sends a form as a same-origin browser would, with the CSRF token of
// the last page seen.
func (c *client) post(path string, form url.Values) resp {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// signIn signs in with a password and returns where the server sent the
// browser next.
func (c *client) signIn(login, password string) resp {
	c.get("/signin")
	return c.post("/signin", url.Values{"tenant": {"testtown"}, "login": {login}, "password": {password}})
}

// admin signs in as the organization's administrator, changes the
// one-time password and enrols the second factor, as a first sign-in does.
func (e *env) admin() *client {
	e.t.Helper()
	c := e.client()
	if r := c.signIn("admin", e.tenant.AdminPassword); r.location != "/account/password" {
		e.t.Fatalf("first sign-in went to %q (%d), want /account/password", r.location, r.code)
	}
	c.get("/account/password")
	if r := c.post("/account/password", url.Values{"current": {e.tenant.AdminPassword}, "new": {"new-admin-password-1"}, "confirm": {"new-admin-password-1"}}); r.code != http.StatusSeeOther {
		e.t.Fatalf("password change: %d %s", r.code, r.body)
	}
	c.enrolTOTP()
	return c
}

var secretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)

// enrolTOTP sets up the second factor from the enrolment page.
func (c *client) enrolTOTP() string {
	r := c.get("/account/totp")
	m := secretRe.FindStringSubmatch(r.body)
	if m == nil {
		c.e.t.Fatalf("no TOTP secret on the enrolment page (%d): %.300s", r.code, r.body)
	}
	code, _ := auth.TOTPCode(m[1], time.Now())
	// Enrolment answers with the new recovery codes, shown once (200).
	if r := c.post("/account/totp", url.Values{"code": {code}}); r.code != http.StatusOK || !strings.Contains(r.body, `class="recovery-codes"`) {
		c.e.t.Fatalf("TOTP enrolment: %d %.300s", r.code, r.body)
	}
	return m[1]
}

// person creates a member of staff who can sign in with password (already
// changed from the temporary one) and holds roles.
func (e *env) person(staffNo, name string, unitID int64, password string) *directory.Person {
	e.t.Helper()
	p := &directory.Person{StaffNo: staffNo, Name: name, Kind: directory.KindStaff, UnitID: unitID}
	hash, _ := auth.HashPassword(password)
	if err := e.st.CreatePersonWithAccount(e.ctx(), p, staffNo, hash); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SetPassword(e.ctx(), p.ID, hash, false); err != nil {
		e.t.Fatal(err)
	}
	return p
}
