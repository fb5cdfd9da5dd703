package proof

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
	"mamori/internal/web"
)

// TestAuthorizationMatrix calls every route as a holder of each role of
// each built-in profile (and as someone holding only the baseline roles)
// and compares the answer with what the route declares and the profile
// grants: a route that needs a permission the person's roles do not grant
// is refused with 403; any other is not refused for want of rights (not
// 401, not 403). Each person signs in afresh and holds that one role
// (besides the baseline roles everyone holds). Paths name objects that do
// not exist, so that a route the person may use answers "not found" or
// "invalid" rather than run a check of its own on a real object.
//
// Every built-in profile runs on SQLite; on PostgreSQL (when configured)
// the fullest profile, 藤枝市, runs too.
func TestAuthorizationMatrix(t *testing.T) {
	for _, profile := range policy.BuiltinNames() {
		t.Run("sqlite/"+profile, func(t *testing.T) {
			t.Parallel()
			matrix(t, store.SQLite, profile)
		})
	}
	if slices.Contains(storetest.Dialects(), store.Postgres) {
		t.Run("postgres/fujieda", func(t *testing.T) {
			t.Parallel()
			matrix(t, store.Postgres, "fujieda")
		})
	}
}

// lastRoutes end the session; they are called after every other route.
func lastRoute(rt web.Route) bool { return strings.HasPrefix(rt.Path, "/signout") }

func matrix(t *testing.T, d store.Dialect, profile string) {
	s := newSite(t, d)
	o := s.newOrg("m-"+profile, "権限 "+profile, profile, false)
	pol := o.pol
	// One unit for the roles held per unit (a body's top unit where the
	// profile has several bodies, so that per-body roles fit it too).
	unit := &directory.Unit{Code: "u1", Name: "総務課", Kind: directory.UnitDepartment}
	if bodies := pol.Bodies(); len(bodies) > 0 {
		unit.Kind, unit.Body = directory.UnitBody, bodies[0].ID
	}
	if err := s.st.CreateUnit(o.ctx(o.adminID), unit); err != nil {
		t.Fatal(err)
	}

	roles := []string{""} // the baseline roles alone
	for _, r := range pol.Roles() {
		if r.Kind != policy.RoleBaseline {
			roles = append(roles, r.ID)
		}
	}
	routes := slices.Clone(s.srv.Routes())
	sort.SliceStable(routes, func(i, j int) bool { return !lastRoute(routes[i]) && lastRoute(routes[j]) })

	checked, denied := 0, 0
	for i, role := range roles {
		label := role
		if label == "" {
			label = "(baseline only)"
		}
		// The person: an account ready to use, the role, a fresh session.
		p := &directory.Person{StaffNo: fmt.Sprintf("m%03d", i), Name: "職員 " + label, Kind: directory.KindStaff, UnitID: unit.ID}
		if err := s.st.CreatePersonWithAccount(o.ctx(o.adminID), p, p.StaffNo, testPasswordHash); err != nil {
			t.Fatal(err)
		}
		o.ready(p.ID)
		if role != "" {
			r, _ := pol.Role(role)
			a := &directory.Assignment{PersonID: p.ID, Role: role}
			if directory.PerUnit(r) {
				a.UnitID = unit.ID
			}
			if err := directory.Assign(o.ctx(o.adminID), s.st, pol, a); err != nil {
				t.Fatalf("assign %s: %v", role, err)
			}
		}
		grants := map[policy.Permission]bool{}
		held := pol.BaselineRoles()
		if role != "" {
			held = append(held, role)
		}
		for _, g := range pol.Grants(held...) {
			grants[g] = true
		}
		c := o.session(p.ID)
		for _, rt := range routes {
			if lastRoute(rt) {
				// Signing out ends the session: each sign-out route gets
				// a session of its own.
				c = o.session(p.ID)
			}
			if rt.Method == "" {
				// The catch-all "/" answers every path no route has, in
				// any method: called as a GET of such a path.
				rt.Method, rt.Path = "GET", "/proof-no-such-page"
			}
			name := rt.Method + " " + rt.Path
			allow, why := expected(rt, grants)
			target := matrixPath(rt.Path, o.slug)
			var body []byte
			ctype := ""
			if rt.Method != "GET" {
				if rt.API {
					body, ctype = []byte("{}"), "application/json"
				} else {
					ctype = "application/x-www-form-urlencoded"
				}
			}
			if name == "POST /signin" {
				// A wrong password for the person's own login: an empty
				// form would be checked against mamori's dummy hash, a
				// fifth of a second of argon2id per role.
				body = []byte(url.Values{"tenant": {o.slug}, "login": {p.StaffNo}, "password": {"wrong-password"}}.Encode())
			}
			r := c.call(rt.Method, target, body, ctype)
			checked++
			if !allow {
				denied++
			}
			switch {
			case allow && r.code == 401 && rt.Access == web.Public:
				// A public route's own answer: a wrong password signs no
				// one in.
			case allow && r.code == 303 && lastRoute(rt):
				// Signed out, and sent to sign in again.
			case allow && (r.code == 401 || r.code == 403):
				t.Errorf("%s as %s: %d, want it allowed (%s)\n%s", name, label, r.code, why, r)
			case allow && r.code == 303 && guardRedirect(r.location) && !strings.HasPrefix(r.location, target):
				// Sent to sign in or to finish signing in: refused. (A
				// form sent back to itself is its own handler's answer.)
				t.Errorf("%s as %s: sent to %s, want it allowed (%s)", name, label, r.location, why)
			case !allow && r.code != 403:
				t.Errorf("%s as %s: %d, want 403 (%s)\n%s", name, label, r.code, why, r)
			}
		}
	}
	t.Logf("%s on %s: %d roles × %d routes = %d calls, %d of them to be refused", profile, d, len(roles), len(routes), checked, denied)
}

// guardRedirect: a page refused because the person must sign in, change
// the password or use the second factor first.
func guardRedirect(location string) bool {
	for _, p := range []string{"/signin", "/account/password", "/account/totp"} {
		if location == p || strings.HasPrefix(location, p+"?") || strings.HasPrefix(location, p+"/") {
			return true
		}
	}
	return false
}

// expected says whether a person with grants may use the route, and why:
// any one of the permissions the route declares admits.
func expected(rt web.Route, grants map[policy.Permission]bool) (bool, string) {
	perms := rt.Access.Permissions()
	if perms == nil {
		return true, string(rt.Access)
	}
	for _, p := range perms {
		if grants[p] {
			return true, "granted " + string(p)
		}
	}
	return false, fmt.Sprintf("granted none of %v", perms)
}

// matrixPath fills a route's wildcards with ids no object has (and the
// organization's own code for the public form).
func matrixPath(pattern, slug string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	p = strings.ReplaceAll(p, "{tenant}", slug)
	return wildRe.ReplaceAllString(p, "987654")
}
