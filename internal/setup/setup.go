// Package setup does what the mamori command's subcommands do: open and
// migrate the database, create tenants with their first administrator,
// verify the log, back up. The command only parses flags and prints.
package setup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/tenant"
)

// Location says where the data lives.
type Location struct {
	DataDir string // default ./mamori-data
	DB      string // default: the SQLite file in DataDir
}

// URL is the database URL the location names.
func (l Location) URL() string {
	if l.DB != "" {
		return l.DB
	}
	return store.DefaultURL(l.dataDir())
}

func (l Location) dataDir() string {
	if l.DataDir == "" {
		return "mamori-data"
	}
	return l.DataDir
}

// Open opens the database and brings its schema up to date.
func Open(ctx context.Context, l Location) (*store.Store, []string, error) {
	if l.DB == "" {
		if err := os.MkdirAll(l.dataDir(), 0o750); err != nil {
			return nil, nil, fmt.Errorf("cannot create the data directory %s: %w", l.dataDir(), err)
		}
	}
	st, err := store.Open(ctx, l.URL())
	if err != nil {
		return nil, nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, applied, nil
}

// NewTenant is what creating a tenant produced: the tenant and the
// one-time password of its first administrator, shown once.
type NewTenant struct {
	Tenant        tenant.Tenant
	Profile       string
	AdminLogin    string
	AdminPassword string
}

// CreateTenant creates a tenant under a built-in policy profile, with an
// administrator whose temporary password must be changed at first sign-in.
func CreateTenant(ctx context.Context, st *store.Store, slug, name, profile string) (*NewTenant, error) {
	pol, err := policy.Builtin(profile)
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w (choose one of: %s)", profile, err, strings.Join(policy.BuiltinNames(), ", "))
	}
	t := &tenant.Tenant{Slug: slug, Name: name}
	pw, err := auth.OneTimePassword()
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	admin := &store.FirstAdmin{
		Person:       &directory.Person{StaffNo: "admin", Name: "システム管理者", Kind: directory.KindStaff, IsAdmin: true},
		Login:        "admin",
		PasswordHash: hash,
	}
	sys := mamori.WithScope(ctx, mamori.Scope{ActorLabel: "mamori setup", RequestID: "setup"})
	src := store.PolicySource{Profile: pol.ID(), Version: pol.Version(), SourceHash: pol.Hash(), Source: string(pol.Bytes())}
	if err := st.CreateTenant(sys, t, src, admin); err != nil {
		return nil, err
	}
	return &NewTenant{Tenant: *t, Profile: pol.ID(), AdminLogin: "admin", AdminPassword: pw}, nil
}

// FirstRun creates the first tenant when the database has none.
func FirstRun(ctx context.Context, st *store.Store, slug, name, profile string) (*NewTenant, error) {
	ts, err := st.Tenants(ctx)
	if err != nil {
		return nil, err
	}
	if len(ts) > 0 {
		return nil, nil
	}
	nt, err := CreateTenant(ctx, st, slug, name, profile)
	if mamori.ErrorCode(err) == mamori.ECONFLICT {
		// Another server starting on the same database created it first.
		return nil, nil
	}
	return nt, err
}

// Backup writes a consistent copy of an SQLite database to path while the
// server may be running. For PostgreSQL it returns the pg_dump command to
// run instead, since the server's own tools back it up best.
func Backup(ctx context.Context, st *store.Store, path string) (guidance string, err error) {
	if st.Dialect() == store.Postgres {
		return fmt.Sprintf("PostgreSQL is backed up with its own tools, while mamori runs:\n  pg_dump --format=custom --file=%s 'postgres://USER@%s'\nRestore with: pg_restore --clean --dbname=... %s", path, st.Target(), path), nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err == nil {
		return "", fmt.Errorf("%s already exists: choose a new file name", abs)
	}
	if err := st.BackupTo(ctx, abs); err != nil {
		return "", err
	}
	return "", nil
}

// ActivatePolicy validates a profile — a built-in name or a file — and
// makes it the tenant's active version.
func ActivatePolicy(ctx context.Context, st *store.Store, slug, nameOrFile string) (*policy.Policy, error) {
	t, err := st.TenantBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	var src []byte
	file := nameOrFile
	if b, berr := policy.BuiltinSource(nameOrFile); berr == nil {
		src, file = b, nameOrFile+".yaml"
	} else if src, err = os.ReadFile(nameOrFile); err != nil {
		return nil, fmt.Errorf("%q is neither a built-in profile (%s) nor a readable file: %w", nameOrFile, strings.Join(policy.BuiltinNames(), ", "), err)
	}
	pol, err := policy.Load(file, src)
	if err != nil {
		return nil, err
	}
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.ID, ActorLabel: "mamori command", RequestID: "cli"})
	if _, err := st.ActivatePolicy(tctx, store.PolicySource{Profile: pol.ID(), Version: pol.Version(), SourceHash: pol.Hash(), Source: string(src)}); err != nil {
		return nil, err
	}
	return pol, nil
}

// PurgeExpired deletes, in every tenant, the records whose keep-until date
// has passed; each deletion is an event of its own.
func PurgeExpired(ctx context.Context, st *store.Store) (int, error) {
	ts, err := st.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, t := range ts {
		tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.ID, ActorLabel: "retention", RequestID: "purge"})
		n, err := st.PurgeExpired(tctx)
		if err != nil {
			return total, fmt.Errorf("purge %s: %w", t.Slug, err)
		}
		total += n
	}
	return total, nil
}
