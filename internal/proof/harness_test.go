package proof

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/crypto/argon2"
	_ "modernc.org/sqlite"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/demo"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
	"mamori/internal/web"
)

// site is an in-process mamori over a fresh database: the real router,
// middleware and handlers, called without a network so that the tests
// that make thousands of calls stay fast.
type site struct {
	t   testing.TB
	d   store.Dialect
	url string // the database, for raw SQL past the application
	st  *store.Store
	srv *web.Server
	h   http.Handler
}

func newSite(t testing.TB, d store.Dialect) *site {
	t.Helper()
	return newSiteAt(t, d, storetest.URL(t, d))
}

// newSiteAt is a site over the database at u.
func newSiteAt(t testing.TB, d store.Dialect, u string) *site {
	t.Helper()
	st, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	srv, err := web.New(web.Config{Version: "proof"}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, d: d, url: u, st: st, srv: srv, h: srv.Handler()}
}

// org is an organization on a site with its administrator ready to act:
// password changed, second factor enrolled, a session and an API token
// holding every permission.
type org struct {
	s       *site
	tenant  mamori.TenantID
	slug    string
	profile string
	pol     *policy.Policy
	adminID int64
	admin   *caller // the administrator's browser session
	api     *caller // the administrator's API token
	demo    *demo.Demo
}

func (s *site) newOrg(slug, name, profile string, withDemo bool) *org {
	s.t.Helper()
	nt, err := setup.CreateTenant(context.Background(), s.st, slug, name, profile)
	if err != nil {
		s.t.Fatalf("create tenant %s: %v", slug, err)
	}
	pol, err := policy.Builtin(profile)
	if err != nil {
		s.t.Fatal(err)
	}
	o := &org{s: s, tenant: nt.Tenant.ID, slug: slug, profile: profile, pol: pol}
	if withDemo {
		// The demo organization: units, staff holding every role, and data
		// in every area, so that approvals and reporting chains find
		// someone to go to.
		d, err := demo.Fill(context.Background(), s.st, o.tenant)
		if err != nil {
			s.t.Fatalf("demo data for %s: %v", slug, err)
		}
		o.demo = d
	}
	acct, err := s.st.AccountByLogin(o.ctx(0), nt.AdminLogin)
	if err != nil {
		s.t.Fatal(err)
	}
	o.adminID = acct.PersonID
	o.ready(o.adminID)
	o.admin = o.session(o.adminID)
	o.api = o.token(o.adminID, "proof admin", allPermissions())
	return o
}

// ctx acts in the organization as person (0: the system).
func (o *org) ctx(person int64) context.Context {
	return mamori.WithScope(context.Background(), mamori.Scope{Tenant: o.tenant, ActorID: person, ActorLabel: "proof", RequestID: "proof"})
}

// testPassword is every test account's password. Accounts are made ready
// in the store, as a completed first sign-in would leave them. Its hash is
// argon2id with the least work the format allows (auth.CheckPassword reads
// the parameters from the hash): at mamori's own parameters every call
// that checks a password (a password change, a re-authentication) would
// take a fifth of a second, and the matrix makes many.
const testPassword = "proof-password-long-enough-1"

var testPasswordHash = func() string {
	salt := []byte("proof-salt-16-by")
	key := argon2.IDKey([]byte(testPassword), salt, 1, 64, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
}()

// ready leaves a person's account as a completed first sign-in does:
// its own password, and the second factor enrolled (the policies require
// it of administrators and of some roles).
func (o *org) ready(person int64) {
	o.s.t.Helper()
	ctx := o.ctx(person)
	if err := o.s.st.SetPassword(ctx, person, testPasswordHash, false); err != nil {
		o.s.t.Fatalf("set password of %d: %v", person, err)
	}
	if err := o.s.st.SetTOTP(ctx, person, "JBSWY3DPEHPK3PXP", true); err != nil {
		o.s.t.Fatalf("enrol second factor of %d: %v", person, err)
	}
}

// session signs person in: a fresh session whose second factor is done,
// as the sign-in pages would leave it.
func (o *org) session(person int64) *caller {
	o.s.t.Helper()
	token, hash, err := auth.NewToken()
	if err != nil {
		o.s.t.Fatal(err)
	}
	sess := &store.Session{ID: hash, PersonID: person, ExpiresAt: o.s.st.Now().Add(8 * time.Hour), MFADone: true}
	if err := o.s.st.CreateSession(o.ctx(person), sess); err != nil {
		o.s.t.Fatalf("session of %d: %v", person, err)
	}
	return &caller{s: o.s, cookie: token}
}

// token gives person an API token with perms.
func (o *org) token(person int64, name string, perms []string) *caller {
	o.s.t.Helper()
	tok := o.tokenRow(person, name, perms)
	return &caller{s: o.s, bearer: tok.secret}
}

type issuedToken struct {
	id     int64
	secret string
}

func (o *org) tokenRow(person int64, name string, perms []string) issuedToken {
	o.s.t.Helper()
	secret, hash, err := auth.NewToken()
	if err != nil {
		o.s.t.Fatal(err)
	}
	t := &store.APIToken{PersonID: person, Name: name, TokenHash: hash, Permissions: perms, ExpiresAt: o.s.st.Now().Add(24 * time.Hour)}
	if err := o.s.st.CreateAPIToken(o.ctx(person), t); err != nil {
		o.s.t.Fatalf("token of %d: %v", person, err)
	}
	return issuedToken{id: t.ID, secret: secret}
}

func allPermissions() []string {
	var out []string
	for _, p := range policy.Permissions {
		out = append(out, string(p))
	}
	return out
}

// caller is a browser session (cookie, CSRF token, same-origin fetches) or
// an API client (bearer token).
type caller struct {
	s      *site
	cookie string
	bearer string
}

type reply struct {
	code     int
	body     string
	location string
	header   http.Header
}

func (r reply) String() string {
	return fmt.Sprintf("%d %s %.600s", r.code, r.location, excerpt(r.body))
}

var (
	mainRe = regexp.MustCompile(`(?s)<main[^>]*>(.*)</main>`)
	tagRe  = regexp.MustCompile(`(?s)<[^>]*>`)
	wsRe   = regexp.MustCompile(`\s+`)
)

// excerpt is what a person would read of a page: the text of its main
// element; other bodies as they are.
func excerpt(body string) string {
	m := mainRe.FindStringSubmatch(body)
	if m == nil {
		return body
	}
	return strings.TrimSpace(wsRe.ReplaceAllString(tagRe.ReplaceAllString(m[1], " "), " "))
}

// json decodes the reply into a map.
func (r reply) json() map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(r.body), &m)
	return m
}

// id is the reply's "id", or that of the object it wraps ({"incident":
// {"id": …}, "timeline": …}), or of keys' object.
func (r reply) id(keys ...string) int64 {
	m := r.json()
	for _, k := range keys {
		m, _ = m[k].(map[string]any)
	}
	if f, ok := m["id"].(float64); ok {
		return int64(f)
	}
	for _, v := range m {
		if inner, ok := v.(map[string]any); ok {
			if f, ok := inner["id"].(float64); ok {
				return int64(f)
			}
		}
	}
	return 0
}

// call sends one request. body is sent as is with contentType.
func (c *caller) call(method, target string, body []byte, contentType string) reply {
	req := httptest.NewRequest(method, target, strings.NewReader(string(body)))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "mamori_session", Value: c.cookie})
		req.Header.Set("X-CSRF-Token", auth.CSRFToken(c.cookie))
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	w := httptest.NewRecorder()
	c.s.h.ServeHTTP(w, req)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return reply{code: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

// get and sendJSON are the common calls.
func (c *caller) get(target string) reply { return c.call("GET", target, nil, "") }

func (c *caller) sendJSON(method, target string, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return c.call(method, target, b, "application/json")
}

// postFile sends a multipart form with one file field.
func (c *caller) postFile(target string, fields url.Values, field, filename string, data []byte) reply {
	var b bytes.Buffer
	mw := newMultipart(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.field(k, v)
		}
	}
	mw.file(field, filename, data)
	ct := mw.close()
	return c.call("POST", target, b.Bytes(), ct)
}

// multipartBody writes a multipart form.
type multipartBody struct{ w *multipart.Writer }

func newMultipart(b *bytes.Buffer) multipartBody { return multipartBody{multipart.NewWriter(b)} }

func (m multipartBody) field(k, v string) { m.w.WriteField(k, v) }

func (m multipartBody) file(field, filename string, data []byte) {
	fw, _ := m.w.CreateFormFile(field, filename)
	fw.Write(data)
}

// close ends the form and returns its content type.
func (m multipartBody) close() string {
	m.w.Close()
	return m.w.FormDataContentType()
}

// must fails the test unless the reply's status is one of want.
func must(t testing.TB, what string, r reply, want ...int) reply {
	t.Helper()
	for _, w := range want {
		if r.code == w {
			return r
		}
	}
	t.Fatalf("%s: %s, want %v", what, r, want)
	return r
}

// rawDB opens the database past the application: on PostgreSQL as the
// owner with the system setting that row-level security lets through, as
// an intruder with database access (or a careless operator) would.
func rawDB(t testing.TB, d store.Dialect, dbURL string) *sql.Conn {
	t.Helper()
	driver, dsn := "sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:")+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)"
	if d == store.Postgres {
		driver, dsn = "pgx", dbURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatalf("connect to %s: %v", d, err)
	}
	t.Cleanup(func() { conn.Close(); db.Close() })
	if d == store.Postgres {
		if _, err := conn.ExecContext(context.Background(), `SET mamori.system = 'on'`); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// count runs a COUNT query on a raw connection.
func count(t testing.TB, db *sql.Conn, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
