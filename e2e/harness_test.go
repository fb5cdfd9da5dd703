// Package e2e drives mamori in a real headless Chromium against a real
// server process on a free port, on SQLite and (when configured)
// PostgreSQL. Where Chromium is absent the tests say so and skip, unless
// MAMORI_E2E_REQUIRE=1 (CI) makes its absence a failure.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mamori-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "mamori")
	build := exec.Command("go", "build", "-o", binary, "../cmd/mamori")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build mamori:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// chromium finds the browser or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MAMORI_E2E_REQUIRE") == "1" {
		t.Fatal("Chromium is not installed but MAMORI_E2E_REQUIRE=1: install the chromium package")
	}
	t.Skip("Chromium is not installed: browser tests skipped (apt-get install chromium)")
	return ""
}

// server is a running `mamori serve`.
type server struct {
	URL           string
	DB            string
	DataDir       string
	AdminPassword string
	cmd           *exec.Cmd
}

var (
	servingRe  = regexp.MustCompile(`serving (http://[^/ ]+)/`)
	passwordRe = regexp.MustCompile(`^    (\S{4}-\S{4}-\S{4}-\S{4})$`)
)

// startServer runs mamori serve on a fresh database of dialect d, with the
// first organization under profile, and waits until it listens.
func startServer(t *testing.T, d store.Dialect, profile string, extra ...string) *server {
	t.Helper()
	s := &server{DB: storetest.URL(t, d), DataDir: t.TempDir()}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", s.DataDir, "--db", s.DB, "--profile", profile, "--tenant", "e2e", "--tenant-name", "テスト村"}, extra...)
	s.cmd = exec.Command(binary, args...)
	stdout, _ := s.cmd.StdoutPipe()
	logf, _ := os.Create(filepath.Join(s.DataDir, "server.log"))
	s.cmd.Stderr = logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(s.DataDir, "server.log"))
			t.Logf("server log:\n%s", tail(string(b), 4000))
		}
	})
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if m := servingRe.FindStringSubmatch(line); m != nil {
				s.URL = m[1]
			}
			if m := passwordRe.FindStringSubmatch(line); m != nil {
				s.AdminPassword = m[1]
			}
			if s.URL != "" && s.AdminPassword != "" && !sent {
				ready <- nil
				sent = true
			}
		}
		if !sent {
			ready <- fmt.Errorf("server exited before it was ready")
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start within 60s")
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// browser starts a headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "ja"),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// eachDB runs fn on each database.
func eachDB(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

// text returns the visible text of the page's main element.
func text(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	return s
}

func mustContain(t *testing.T, ctx context.Context, want ...string) {
	t.Helper()
	got := text(t, ctx)
	for _, w := range want {
		if !strings.Contains(got, w) {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("page %s does not show %q; it shows:\n%s", loc, w, tail(got, 1500))
		}
	}
}

// css is a CSS selector (a plain string would be a DOM search).
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }
