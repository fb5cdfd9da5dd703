package main

import (
	"bufio"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestTwoServersShareOnePostgreSQL runs two mamori serve processes on one
// PostgreSQL database: a session made on one works on the other, writes
// from both at once keep one unbroken chain.
func TestTwoServersShareOnePostgreSQL(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip("PostgreSQL not configured")
	}
	db := storetest.URL(t, store.Postgres)
	a, pw := startServe(t, db)
	b, _ := startServe(t, db)
	if pw == "" {
		t.Fatal("the first server printed no one-time password")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(base, path string, form url.Values) *http.Response {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post(a, "/signin", url.Values{"tenant": {"default"}, "login": {"admin"}, "password": {pw}}); res.Header.Get("Location") != "/account/password" {
		t.Fatalf("sign-in on A: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// The cookie was set for A's address; send it to B as well.
	ua, _ := url.Parse(a)
	ub, _ := url.Parse(b)
	jar.SetCookies(ub, jar.Cookies(ua))
	res, err := c.Get(b + "/account/password")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("session from A on B: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	// Both servers write at once: failed sign-ins of an unknown login are
	// refused alike, and those of the admin append events on both.
	var wg sync.WaitGroup
	for _, base := range []string{a, b, a, b} {
		wg.Add(1)
		go func(base string) {
			defer wg.Done()
			anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for range 5 {
				req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"tenant": {"default"}, "login": {"admin"}, "password": {"wrong"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if r, err := anon.Do(req); err == nil {
					r.Body.Close()
				}
			}
		}(base)
	}
	wg.Wait()
	out, code := run(t, nil, "log", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "ok     default") {
		t.Fatalf("verify after concurrent writes on two servers: exit %d\n%s", code, out)
	}
}

var oneTimeRe = regexp.MustCompile(`^    (\S{4}-\S{4}-\S{4}-\S{4})$`)

// startServe starts mamori serve on db and returns its base URL and, if it
// created the first organization, the administrator's one-time password.
func startServe(t *testing.T, db string) (base, password string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--profile", "fujieda")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	servingRe := regexp.MustCompile(`serving (http://[^/ ]+)/`)
	for base == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("server exited before serving")
			}
			if m := servingRe.FindStringSubmatch(line); m != nil {
				base = m[1]
			}
		case <-deadline:
			t.Fatal("server did not start")
		}
	}
	// A new organization's password follows the serving line at once.
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return base, password
			}
			if m := oneTimeRe.FindStringSubmatch(line); m != nil {
				password = m[1]
			}
		case <-time.After(500 * time.Millisecond):
			go func() {
				for range lines {
				}
			}()
			return base, password
		}
	}
}
