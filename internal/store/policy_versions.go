package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
)

// PolicyVersion is one version of a policy profile a tenant has adopted.
type PolicyVersion struct {
	ID int64
	PolicySource
	Active      bool
	CreatedAt   time.Time
	CreatedBy   int64
	ActivatedAt *time.Time
}

// ActivatePolicy stores p as a new version and makes it the active one.
// Records decided earlier keep the version they were decided under.
func (s *Store) ActivatePolicy(ctx context.Context, p PolicySource) (int64, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	id, err := addPolicyVersion(ctx, tx, p, true)
	if err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

func addPolicyVersion(ctx context.Context, tx *Tx, p PolicySource, activate bool) (int64, error) {
	id, err := tx.NextID(ctx, "policy_versions")
	if err != nil {
		return 0, err
	}
	now := tx.Now()
	if activate {
		var prev int64
		err := tx.QueryRow(ctx, `SELECT id FROM policy_versions WHERE tenant_id = $1 AND active`).Scan(&prev)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, fmt.Errorf("find active policy: %w", err)
		default:
			if _, err := tx.Exec(ctx, `UPDATE policy_versions SET active = $2 WHERE tenant_id = $1 AND id = $3`, false, prev); err != nil {
				return 0, fmt.Errorf("deactivate policy version %d: %w", prev, err)
			}
			if err := tx.Record(ctx, Change{Action: "policy.deactivate", Table: "policy_versions", ID: prev}); err != nil {
				return 0, err
			}
		}
	}
	var activatedAt *time.Time
	if activate {
		activatedAt = &now
	}
	if _, err := tx.Exec(ctx, `INSERT INTO policy_versions (tenant_id, id, profile, version, source_hash, source, active, created_at, created_by, activated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, p.Profile, p.Version, p.SourceHash, p.Source, activate, now, tx.scope.ActorID, activatedAt); err != nil {
		return 0, fmt.Errorf("insert policy version: %w", err)
	}
	action := "policy.add"
	if activate {
		action = "policy.activate"
	}
	if err := tx.Record(ctx, Change{Action: action, Table: "policy_versions", ID: id,
		Data: map[string]any{"profile": p.Profile, "version": p.Version, "source_hash": p.SourceHash}}); err != nil {
		return 0, err
	}
	return id, nil
}

// ActivePolicy returns the tenant's active policy version.
func (s *Store) ActivePolicy(ctx context.Context) (*PolicyVersion, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	pvs, err := scanPolicyVersions(tx.Query(ctx, policyVersionSelect+` WHERE tenant_id = $1 AND active`))
	if err != nil {
		return nil, fmt.Errorf("load active policy: %w", err)
	}
	if len(pvs) == 0 {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "policy.none_active"}
	}
	return &pvs[0], nil
}

// PolicyVersion returns one version by id.
func (s *Store) PolicyVersion(ctx context.Context, id int64) (*PolicyVersion, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	pvs, err := scanPolicyVersions(tx.Query(ctx, policyVersionSelect+` WHERE tenant_id = $1 AND id = $2`, id))
	if err != nil {
		return nil, fmt.Errorf("load policy version %d: %w", id, err)
	}
	if len(pvs) == 0 {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "policy.version_not_found", Args: map[string]any{"ID": id}}
	}
	return &pvs[0], nil
}

// PolicyVersions lists the tenant's versions, newest first.
func (s *Store) PolicyVersions(ctx context.Context) ([]PolicyVersion, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	pvs, err := scanPolicyVersions(tx.Query(ctx, policyVersionSelect+` WHERE tenant_id = $1 ORDER BY id DESC`))
	if err != nil {
		return nil, fmt.Errorf("list policy versions: %w", err)
	}
	return pvs, nil
}

const policyVersionSelect = `SELECT id, profile, version, source_hash, source, active, created_at, created_by, activated_at FROM policy_versions`

func scanPolicyVersions(rows *sql.Rows, err error) ([]PolicyVersion, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicyVersion
	for rows.Next() {
		var p PolicyVersion
		var act sql.NullTime
		if err := rows.Scan(&p.ID, &p.Profile, &p.Version, &p.SourceHash, &p.Source, &p.Active, &p.CreatedAt, &p.CreatedBy, &act); err != nil {
			return nil, err
		}
		if act.Valid {
			t := act.Time
			p.ActivatedAt = &t
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
