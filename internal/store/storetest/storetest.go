// Package storetest opens real, freshly migrated databases for tests:
// SQLite always, and PostgreSQL when MAMORI_TEST_POSTGRES names a server
// (an administrative URL such as postgres://mamori:mamori@127.0.0.1/postgres
// of a role that may create databases). Each test gets its own database,
// copied from a migrated template so that many run in parallel cheaply.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori"
	"mamori/internal/store"
	"mamori/internal/tenant"
)

// PostgresEnv names the variable that enables the PostgreSQL runs.
const PostgresEnv = "MAMORI_TEST_POSTGRES"

// Dialects returns the databases to test against.
func Dialects() []store.Dialect {
	if os.Getenv(PostgresEnv) != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Each runs fn once per database, each with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated store of dialect d, closed at the end of
// the test.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, d))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return s
}

// URL returns the URL of a fresh, empty (SQLite) or migrated (PostgreSQL)
// database, dropped at the end of the test. Tests that start mamori as a
// separate process use it.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "mamori.db")
	}
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		t.Skipf("%s is not set: PostgreSQL tests skipped", PostgresEnv)
	}
	tmpl, err := template(admin)
	if err != nil {
		t.Fatalf("prepare PostgreSQL template: %v", err)
	}
	name := "mamori_t_" + randomHex(6)
	if err := adminExec(admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

// template returns a database migrated to this binary's schema, created
// once per schema (its name carries a hash of the migrations).
func template(admin string) (string, error) {
	tmplOnce.Do(func() {
		h := sha256.New()
		for _, m := range store.MigrationNames(store.Postgres) {
			h.Write([]byte(m))
		}
		h.Write([]byte(store.MigrationDigest(store.Postgres)))
		tmplName = "mamori_tmpl_" + hex.EncodeToString(h.Sum(nil))[:12]
		tmplErr = ensureTemplate(admin, tmplName)
	})
	return tmplName, tmplErr
}

func ensureTemplate(admin, name string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Several test binaries start at once: one builds the template, the
	// others wait on the lock and find it ready.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7261708)`); err != nil {
		return err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7261708)`)
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	building := name + "_b"
	conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return err
	}
	s, err := store.Open(ctx, withDatabase(admin, building))
	if err != nil {
		return err
	}
	_, err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	_, err = conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name))
	return err
}

func adminExec(admin, q string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	var lastErr error
	for range 20 {
		if _, lastErr = db.Exec(q); lastErr == nil {
			return nil
		}
		// Copying a template fails while another copy holds it; wait.
		if !strings.Contains(lastErr.Error(), "being accessed by other users") {
			return lastErr
		}
		time.Sleep(200 * time.Millisecond)
	}
	return lastErr
}

func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Scope returns a context acting in tenant t as a test actor.
func Scope(t mamori.TenantID) context.Context {
	return mamori.WithScope(context.Background(), mamori.Scope{Tenant: t, ActorID: 0, ActorLabel: "test", RequestID: "test"})
}

// NewTenant creates a tenant with a stand-in policy source and returns a
// context scoped to it. Tests of policy-aware areas use their own helper
// that installs a real profile.
func NewTenant(t testing.TB, s *store.Store, slug string) context.Context {
	t.Helper()
	tn := &tenant.Tenant{Slug: slug, Name: "テスト団体 " + slug}
	src := store.PolicySource{Profile: "test", Version: "1", SourceHash: "0", Source: "profile: test"}
	if err := s.CreateTenant(context.Background(), tn, src, nil); err != nil {
		t.Fatalf("create tenant %s: %v", slug, err)
	}
	return Scope(tn.ID)
}
