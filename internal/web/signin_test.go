package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mamori/internal/auth"
)

func totpNow(t *testing.T, secret string) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFirstSignInForcesPasswordChangeAndSecondFactor(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		c := e.client()
		if r := c.get("/"); r.code != http.StatusSeeOther || r.location != "/signin" {
			t.Fatalf("anonymous home: %d → %q", r.code, r.location)
		}
		if r := c.signIn("admin", e.tenant.AdminPassword); r.location != "/account/password" {
			t.Fatalf("sign-in → %q, want the password change", r.location)
		}
		// With a temporary password, every other page sends the person back.
		for _, path := range []string{"/", "/log", "/account/totp"} {
			if r := c.get(path); r.code != http.StatusSeeOther || r.location != "/account/password" {
				t.Errorf("GET %s with a temporary password: %d → %q", path, r.code, r.location)
			}
		}
		if r := c.get("/api/v1/me"); r.code != http.StatusForbidden || !strings.Contains(r.body, "password") {
			t.Errorf("API with a temporary password: %d %s", r.code, r.body)
		}
		c.get("/account/password")
		for _, test := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"current": {"wrong"}, "new": {"abcdefghijkl"}, "confirm": {"abcdefghijkl"}}, "現在のパスワードが正しくありません"},
			{url.Values{"current": {e.tenant.AdminPassword}, "new": {"short"}, "confirm": {"short"}}, "文字以上"},
			{url.Values{"current": {e.tenant.AdminPassword}, "new": {"abcdefghijkl"}, "confirm": {"abcdefghijkX"}}, "一致しません"},
		} {
			if r := c.post("/account/password", test.form); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, test.want) {
				t.Errorf("password change %v: %d, want 422 mentioning %q", test.form, r.code, test.want)
			}
		}
		if r := c.post("/account/password", url.Values{"current": {e.tenant.AdminPassword}, "new": {"a-better-password"}, "confirm": {"a-better-password"}}); r.code != http.StatusSeeOther {
			t.Fatalf("password change: %d", r.code)
		}
		// An administrator must have a second factor before anything else.
		if r := c.get("/"); r.location != "/account/totp" {
			t.Fatalf("admin without second factor → %q, want /account/totp", r.location)
		}
		secret := c.enrolTOTP()
		if r := c.get("/"); r.code != http.StatusOK || !strings.Contains(r.body, "システム管理者") {
			t.Fatalf("home after enrolment: %d", r.code)
		}
		// Signing in again asks for the code.
		c.post("/signout", nil)
		c2 := e.client()
		r := c2.signIn("admin", "a-better-password")
		if !strings.HasPrefix(r.location, "/signin/totp") {
			t.Fatalf("second sign-in → %q, want the code page", r.location)
		}
		if r := c2.get("/"); r.location != "/signin/totp" {
			t.Errorf("home before the code → %q", r.location)
		}
		c2.get("/signin/totp")
		if r := c2.post("/signin/totp", url.Values{"code": {"000000"}}); r.code != http.StatusUnauthorized || !strings.Contains(r.body, "確認コードが正しくありません") {
			t.Errorf("wrong code: %d", r.code)
		}
		code := totpNow(t, secret)
		if r := c2.post("/signin/totp", url.Values{"code": {code}}); r.code != http.StatusSeeOther {
			t.Fatalf("right code: %d", r.code)
		}
		if r := c2.get("/"); r.code != http.StatusOK {
			t.Errorf("home after the code: %d", r.code)
		}
	})
}

func TestWrongSignInsLookAlikeAndLockOut(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		e.person("s001", "山田 太郎", 0, "correct-horse-battery")
		c := e.client()
		var bodies []string
		for _, test := range []struct{ tenant, login, pw string }{
			{"testtown", "s001", "wrong"},
			{"testtown", "nobody", "wrong"},
			{"elsewhere", "s001", "correct-horse-battery"},
		} {
			c.get("/signin")
			r := c.post("/signin", url.Values{"tenant": {test.tenant}, "login": {test.login}, "password": {test.pw}})
			if r.code != http.StatusUnauthorized {
				t.Fatalf("%v: %d", test, r.code)
			}
			bodies = append(bodies, errorText(r.body))
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Errorf("failures differ, revealing which part was wrong: %q", bodies)
		}
		// The first failure above counted; four more reach the threshold.
		for range 4 {
			c.signIn("s001", "wrong")
		}
		if r := c.signIn("s001", "correct-horse-battery"); r.code != http.StatusUnauthorized {
			t.Errorf("locked account signed in: %d → %q", r.code, r.location)
		}
		e.st.SetClock(func() time.Time { return time.Now().Add(2 * time.Minute) })
		if r := c.signIn("s001", "correct-horse-battery"); r.code != http.StatusSeeOther {
			t.Errorf("after the lock expired: %d", r.code)
		}
	})
}

func errorText(body string) string {
	i := strings.Index(body, `class="error"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</p>")
	return body[i : i+j]
}
