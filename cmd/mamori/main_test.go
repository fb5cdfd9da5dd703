package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mamori-cli-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "mamori")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the mamori binary and returns its output and exit status.
func run(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), code
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"tenant", "--help"}, {"tenant", "create", "--help"},
		{"tenant", "list", "--help"}, {"tenant", "activate-policy", "--help"}, {"log", "verify", "--help"}, {"backup", "--help"},
		{"version", "--help"}, {"policy", "--help"}, {"policy", "decide", "--help"},
	} {
		out, code := run(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("mamori %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
}

// TestTenantsAndLogVerify creates organizations, verifies the log, edits a
// stored row and then an event by hand, and expects verify to name the
// event that broke — on each database.
func TestTenantsAndLogVerify(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.URL(t, d)
			data := t.TempDir()
			env := []string{"MAMORI_DB=" + db, "MAMORI_DATA=" + data}
			out, code := run(t, env, "tenant", "create", "fujieda", "--name", "藤枝市", "--profile", "fujieda")
			if code != 0 || !regexp.MustCompile(`\n    \S{4}-\S{4}-\S{4}-\S{4}\n`).MatchString(out) {
				t.Fatalf("tenant create: exit %d\n%s", code, out)
			}
			if out, code := run(t, env, "tenant", "create", "fujieda", "--profile", "fujieda"); code == 0 || !strings.Contains(out, "すでに使われています") {
				t.Errorf("duplicate tenant: exit %d\n%s", code, out)
			}
			if out, code := run(t, env, "tenant", "create", "x", "--profile", "nosuch"); code == 0 || !strings.Contains(out, "choose one of") {
				t.Errorf("unknown profile: exit %d\n%s", code, out)
			}
			run(t, env, "tenant", "create", "amakusa", "--name", "天草広域連合", "--profile", "amakusa")
			if out, code := run(t, env, "tenant", "activate-policy", "amakusa", "fujieda"); code != 0 || !strings.Contains(out, "now follows fujieda") {
				t.Errorf("activate-policy: exit %d\n%s", code, out)
			}
			out, code = run(t, env, "tenant", "list")
			if code != 0 || !strings.Contains(out, "藤枝市") || !strings.Contains(out, "天草広域連合") {
				t.Fatalf("tenant list: exit %d\n%s", code, out)
			}
			out, code = run(t, env, "log", "verify")
			if code != 0 || strings.Count(out, "ok ") != 2 {
				t.Fatalf("verify of an untouched log: exit %d\n%s", code, out)
			}
			// Edit a stored row behind mamori's back.
			rawExec(t, d, db, `UPDATE people SET name = '改ざん' WHERE tenant_id = 1 AND id = 1`)
			out, code = run(t, env, "log", "verify")
			if code != 1 || !strings.Contains(out, "BROKEN fujieda") || !strings.Contains(out, "people 1") || !strings.Contains(out, "event ") {
				t.Fatalf("verify after editing a row: exit %d\n%s", code, out)
			}
			// An edited event is caught too (in the other tenant).
			rawExec(t, d, db, `UPDATE events SET action = 'nothing.happened' WHERE tenant_id = 2 AND seq = 2`)
			out, _ = run(t, env, "log", "verify")
			if !strings.Contains(out, "BROKEN amakusa: tenant 2: event 2") {
				t.Fatalf("verify after editing an event:\n%s", out)
			}
		})
	}
}

// rawExec changes the database directly, as an intruder with database
// access would (on PostgreSQL past row-level security, as its owner may).
func rawExec(t *testing.T, d store.Dialect, url, q string) {
	t.Helper()
	driver, dsn := "sqlite", strings.TrimPrefix(url, "sqlite:")
	if d == store.Postgres {
		driver, dsn = "pgx", url
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if d == store.Postgres {
		conn.ExecContext(context.Background(), `SET mamori.system = 'on'`)
	}
	if _, err := conn.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestBadSetupsSayWhatToDo(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	readonly := filepath.Join(t.TempDir(), "ro")
	os.MkdirAll(readonly, 0o500)
	newer := filepath.Join(t.TempDir(), "newer.db")
	if _, code := run(t, nil, "migrate", "--db", "sqlite:"+newer); code != 0 {
		t.Fatal("migrate a fresh file failed")
	}
	rawExec(t, store.SQLite, "sqlite:"+newer, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_x.sql', 'x')`)
	for _, test := range []struct {
		name string
		args []string
		want string
	}{
		{"malformed URL", []string{"migrate", "--db", "mysql://x"}, "not understood"},
		{"unreachable PostgreSQL", []string{"migrate", "--db", "postgres://u:secretpw@127.0.0.1:1/db"}, "cannot connect to PostgreSQL at 127.0.0.1:1/db"},
		{"port in use", []string{"serve", "--data", t.TempDir(), "--addr", busy.Addr().String()}, "cannot listen on " + busy.Addr().String()},
		{"unwritable data directory", []string{"migrate", "--data", readonly}, "not writable"},
		{"newer schema", []string{"migrate", "--db", "sqlite:" + newer}, "newer mamori"},
	} {
		t.Run(test.name, func(t *testing.T) {
			if test.name == "unwritable data directory" && os.Geteuid() == 0 {
				t.Skip("root writes anywhere: the permission check cannot fail")
			}
			out, code := run(t, nil, test.args...)
			if code == 0 || !strings.Contains(out, test.want) {
				t.Errorf("exit %d, want non-zero with %q:\n%s", code, test.want, out)
			}
			if strings.Count(strings.TrimSpace(out), "\n") > 0 && test.name != "port in use" {
				t.Errorf("want one line, got:\n%s", out)
			}
			if strings.Contains(out, "secretpw") {
				t.Errorf("the password leaked into the message: %s", out)
			}
		})
	}
}

func TestBackupWhileServing(t *testing.T) {
	data := t.TempDir()
	srv := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--profile", "fujieda")
	var out bytes.Buffer
	srv.Stdout = &out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	for i := 0; i < 100 && !strings.Contains(out.String(), "serving"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if o, code := run(t, nil, "backup", "--data", data, copyPath); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, o)
	}
	o, code := run(t, nil, "log", "verify", "--db", "sqlite:"+copyPath)
	if code != 0 || !strings.Contains(o, "ok     default") {
		t.Fatalf("verify of the copy: exit %d\n%s", code, o)
	}
	if o, code := run(t, nil, "backup", "--data", data, copyPath); code == 0 || !strings.Contains(o, "already exists") {
		t.Errorf("backup over an existing file: exit %d\n%s", code, o)
	}
}
