package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/tenant"
)

// PolicySource is a policy profile as a tenant adopts it.
type PolicySource struct {
	Profile    string // profile id, e.g. "fujieda"
	Version    string
	SourceHash string
	Source     string // the YAML
}

// FirstAdmin is the administrator a new tenant starts with.
type FirstAdmin struct {
	Person       *directory.Person
	Login        string
	PasswordHash string // of a temporary password, to be changed at first sign-in
}

// CreateTenant creates a tenant, starts its event chain, activates its
// first policy version and, if admin is given, creates its first
// administrator — all in one transaction, so that a tenant never exists
// without the administrator who can sign in to it.
func (s *Store) CreateTenant(ctx context.Context, t *tenant.Tenant, p PolicySource, admin *FirstAdmin) error {
	if err := t.Validate(); err != nil {
		return err
	}
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	if s.dialect == Postgres {
		// Tenants are few and created rarely; a lock keeps ids dense and
		// slugs unique without retry loops when two servers race.
		if _, err := stx.Exec(ctx, `SELECT pg_advisory_xact_lock(7261707)`); err != nil {
			return fmt.Errorf("lock tenants: %w", err)
		}
	}
	var exists int
	if err := stx.QueryRow(ctx, `SELECT COUNT(*) FROM tenants WHERE slug = $1`, t.Slug).Scan(&exists); err != nil {
		return fmt.Errorf("check tenant slug: %w", err)
	}
	if exists > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "tenant.slug_taken", Args: map[string]any{"Slug": t.Slug}, Field: "slug"}
	}
	var id int64
	if err := stx.QueryRow(ctx, `SELECT COALESCE(MAX(tenant_id), 0) + 1 FROM tenants`).Scan(&id); err != nil {
		return fmt.Errorf("next tenant id: %w", err)
	}
	t.ID = mamori.TenantID(id)
	t.CreatedAt = s.Now()
	if _, err := stx.Exec(ctx, `INSERT INTO tenants (tenant_id, slug, name, created_at) VALUES ($1, $2, $3, $4)`,
		id, t.Slug, t.Name, t.CreatedAt); err != nil {
		return fmt.Errorf("insert tenant %s: %w", t.Slug, err)
	}
	if _, err := stx.Exec(ctx, `INSERT INTO event_heads (tenant_id, seq, hash) VALUES ($1, 0, '')`, id); err != nil {
		return fmt.Errorf("start event chain of %s: %w", t.Slug, err)
	}
	sc, _ := mamori.ScopeFrom(ctx)
	sc.Tenant = t.ID
	tx, err := stx.asTenant(ctx, sc)
	if err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "tenant.create", Table: "tenants", ID: id,
		Data: map[string]any{"slug": t.Slug, "name": t.Name}}); err != nil {
		return err
	}
	if _, err := addPolicyVersion(ctx, tx, p, true); err != nil {
		return err
	}
	if admin != nil {
		if err := createPerson(ctx, tx, admin.Person); err != nil {
			return err
		}
		if err := createAccount(ctx, tx, admin.Person.ID, admin.Login, admin.PasswordHash); err != nil {
			return err
		}
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit tenant %s: %w", t.Slug, err)
	}
	return nil
}

// Tenants lists every tenant.
func (s *Store) Tenants(ctx context.Context) ([]tenant.Tenant, error) {
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	rows, err := stx.Query(ctx, `SELECT tenant_id, slug, name, created_at FROM tenants ORDER BY tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var out []tenant.Tenant
	for rows.Next() {
		var t tenant.Tenant
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TenantBySlug finds a tenant by its sign-in code.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (*tenant.Tenant, error) {
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	var t tenant.Tenant
	err = stx.QueryRow(ctx, `SELECT tenant_id, slug, name, created_at FROM tenants WHERE slug = $1`, slug).
		Scan(&t.ID, &t.Slug, &t.Name, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "tenant.not_found", Args: map[string]any{"Slug": slug}}
	}
	if err != nil {
		return nil, fmt.Errorf("find tenant %q: %w", slug, err)
	}
	return &t, nil
}
