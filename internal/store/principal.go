package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/directory"
)

// Who is everything a request needs to know about the person acting, read
// in one transaction: the person, their account's state, the roles they
// hold today, and the tenant's active policy version.
type Who struct {
	Person            directory.Person
	TenantSlug        string
	TenantName        string
	MustChange        bool
	TOTPEnabled       bool
	PasswordChangedAt time.Time
	Roles             []RoleHolding
	Segments          []string // network segments the person works in (person_segments)
	PolicyVersionID   int64
	PolicyHash        string
}

// RoleHolding is a role held by a person, for a unit when the role is per
// unit.
type RoleHolding struct {
	Role   string
	UnitID int64
}

// Who loads the acting person.
func (s *Store) Who(ctx context.Context, personID int64) (*Who, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := findPerson(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	w := &Who{Person: *p}
	err = tx.QueryRow(ctx, `SELECT must_change, totp_enabled, password_changed_at FROM accounts WHERE tenant_id = $1 AND id = $2`, personID).
		Scan(&w.MustChange, &w.TOTPEnabled, &w.PasswordChangedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.failed"}
	}
	if err != nil {
		return nil, fmt.Errorf("load account of %d: %w", personID, err)
	}
	if err := tx.QueryRow(ctx, `SELECT slug, name FROM tenants WHERE tenant_id = $1`).Scan(&w.TenantSlug, &w.TenantName); err != nil {
		return nil, fmt.Errorf("load tenant: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT id, source_hash FROM policy_versions WHERE tenant_id = $1 AND active`).Scan(&w.PolicyVersionID, &w.PolicyHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load active policy: %w", err)
	}
	if w.Roles, err = rolesOf(ctx, tx, personID, tx.Now()); err != nil {
		return nil, err
	}
	if w.Segments, err = segmentsOf(ctx, tx, personID); err != nil {
		return nil, err
	}
	return w, nil
}

func rolesOf(ctx context.Context, tx *Tx, personID int64, at time.Time) ([]RoleHolding, error) {
	rows, err := tx.Query(ctx, `SELECT role_id, COALESCE(unit_id, 0) FROM role_assignments
		WHERE tenant_id = $1 AND person_id = $2 AND valid_from <= $3 AND (valid_until IS NULL OR valid_until > $3) ORDER BY role_id, unit_id`, personID, at)
	if err != nil {
		return nil, fmt.Errorf("load roles of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []RoleHolding
	for rows.Next() {
		var h RoleHolding
		if err := rows.Scan(&h.Role, &h.UnitID); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
