package proof

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// The crash and tamper tests run the real mamori binary, built once per
// test run and only when one of them needs it.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func mamoriBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "mamori-proof-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mamori")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/mamori").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("build mamori: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// runMamori runs a command of the binary on database dbURL and returns its
// output and exit status.
func runMamori(t testing.TB, dbURL string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mamoriBinary(t), args...)
	cmd.Env = append(os.Environ(), "MAMORI_DB="+dbURL, "MAMORI_DATA="+t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("mamori %v: %v", args, err)
	}
	return out.String(), 0
}

// copyDB makes an independent copy of a database (closed by now): a file
// copy for SQLite, a database made from it as a template on PostgreSQL.
func copyDB(t testing.TB, d store.Dialect, src string) string {
	t.Helper()
	if d == store.SQLite {
		from := src[len("sqlite:"):]
		to := filepath.Join(t.TempDir(), "copy.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(from + suffix)
			if os.IsNotExist(err) && suffix != "" {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return "sqlite:" + to
	}
	admin := os.Getenv(storetest.PostgresEnv)
	name := fmt.Sprintf("mamori_proof_%d", time.Now().UnixNano())
	pgAdmin(t, admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, dbName(src)))
	t.Cleanup(func() { pgAdmin(t, admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)) })
	return withDB(admin, name)
}

func pgAdmin(t testing.TB, admin, q string) {
	t.Helper()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var last error
	for range 50 {
		if _, last = db.Exec(q); last == nil {
			return
		}
		// A template is busy while anything else is connected to it.
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %v", q, last)
}

// dbName is the database a PostgreSQL URL names.
func dbName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	return strings.TrimPrefix(p.Path, "/")
}

// withDB is the admin URL pointed at another database.
func withDB(admin, name string) string {
	p, err := url.Parse(admin)
	if err != nil {
		panic(err)
	}
	p.Path = "/" + name
	return p.String()
}
