package web

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"mamori/internal/auth"
	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestEveryRouteDeclaresAccess walks the router: each route declares a
// known access level, and every route that is not public refuses an
// anonymous caller.
func TestEveryRouteDeclaresAccess(t *testing.T) {
	e := newEnv(t, store.SQLite, "fujieda")
	routes := e.srv.Routes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	known := map[Access]bool{Public: true, SignedIn: true, Member: true}
	for _, p := range policy.Permissions {
		known[Perm(p)] = true
	}
	anon := e.client()
	for _, rt := range routes {
		if ps := rt.Access.Permissions(); ps == nil && !known[rt.Access] {
			t.Errorf("%s %s declares unknown access %q", rt.Method, rt.Path, rt.Access)
		} else {
			for _, p := range ps {
				if !p.Valid() {
					t.Errorf("%s %s declares unknown permission %q", rt.Method, rt.Path, p)
				}
			}
		}
		if rt.Access == Public || rt.Method == "" {
			continue
		}
		path := concretePath(rt.Path)
		req, _ := http.NewRequest(rt.Method, e.ts.URL+path, strings.NewReader(""))
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		r := anon.do(req)
		if r.code != http.StatusUnauthorized && !(r.code == http.StatusSeeOther && strings.HasPrefix(r.location, "/signin")) {
			t.Errorf("anonymous %s %s: %d → %q, want a refusal", rt.Method, path, r.code, r.location)
		}
	}
}

var wildcardRe = regexp.MustCompile(`\{[^}]+\}`)

// concretePath fills a route pattern's wildcards with an id.
func concretePath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	return wildcardRe.ReplaceAllString(p, "1")
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, store.SQLite, "fujieda")
	c := e.admin()
	for _, test := range []struct {
		name     string
		csrf     string
		fetch    string
		wantCode int
	}{
		{"no token", "-", "same-origin", http.StatusForbidden},
		{"wrong token", "forged", "same-origin", http.StatusForbidden},
		{"cross-site", "", "cross-site", http.StatusForbidden},
		{"same-origin with token", "", "same-origin", http.StatusSeeOther},
	} {
		t.Run(test.name, func(t *testing.T) {
			c.get("/account/password")
			form := url.Values{"lang": {"en"}, "next": {"/"}}
			switch test.csrf {
			case "-":
			case "":
				form.Set("csrf", c.csrf)
			default:
				form.Set("csrf", test.csrf)
			}
			req, _ := http.NewRequest("POST", e.ts.URL+"/signout/everywhere", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", test.fetch)
			if r := c.do(req); r.code != test.wantCode {
				t.Errorf("POST: %d, want %d", r.code, test.wantCode)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, store.SQLite, "fujieda")
	r := e.client().get("/signin")
	for k, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	} {
		if got := r.header.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", k, got, want)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " onclick=") {
		t.Error("a page carries inline script")
	}
}

func TestAPITokenAndErrors(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, "fujieda")
			p := e.person("s100", "佐藤 花子", 0, "correct-horse-battery")
			token, hash, _ := auth.NewToken()
			if err := e.st.CreateAPIToken(e.ctx(), &store.APIToken{PersonID: p.ID, Name: "連携", TokenHash: hash,
				Permissions: []string{"asset.read", "log.read"}, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			call := func(path, tok string) resp {
				req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
				if tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				return e.client().do(req)
			}
			r := call("/api/v1/me", token)
			if r.code != http.StatusOK || !strings.Contains(r.body, `"name": "佐藤 花子"`) {
				t.Fatalf("me with token: %d %s", r.code, r.body)
			}
			// The person holds no log.read, so the token cannot either.
			if r := call("/api/v1/events", token); r.code != http.StatusForbidden {
				t.Errorf("events beyond the person's rights: %d", r.code)
			}
			r = call("/api/v1/me", "not-a-token")
			if r.code != http.StatusUnauthorized || !strings.Contains(r.body, `"code": "unauthorized"`) || !strings.Contains(r.body, `"en": "The API token is invalid or expired."`) {
				t.Errorf("bad token: %d %s", r.code, r.body)
			}
			if r := call("/api/v1/nothing-here", token); r.code != http.StatusNotFound || !strings.Contains(r.body, `"code": "not_found"`) {
				t.Errorf("unknown API path: %d %s", r.code, r.body)
			}
			if err := e.st.EndSessions(e.ctx(), p.ID, "auth.signout_everywhere"); err != nil {
				t.Fatal(err)
			}
			if r := call("/api/v1/me", token); r.code != http.StatusUnauthorized {
				t.Errorf("token after sign-out everywhere: %d", r.code)
			}
		})
	}
}

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml in step with the router.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, store.SQLite, "fujieda")
	b, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                            `yaml:"openapi"`
		Paths   map[string]map[string]interface{} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
		}
	}
	var missing []string
	for _, rt := range e.srv.Routes() {
		if !rt.API {
			continue
		}
		k := rt.Method + " " + rt.Path
		if !documented[k] {
			missing = append(missing, k)
		}
		delete(documented, k)
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("route %s is not in docs/openapi.yaml", k)
	}
	for k := range documented {
		t.Errorf("docs/openapi.yaml documents %s, which no route serves", k)
	}
}
