package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mamori"
)

// APIToken lets an integration act for a person, within the permissions it
// was given, until it expires. Only the token's hash is stored.
type APIToken struct {
	ID          int64
	Tenant      mamori.TenantID
	PersonID    int64
	Name        string
	TokenHash   string
	Permissions []string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}

// CreateAPIToken stores a new token.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	id, err := tx.NextID(ctx, "api_tokens")
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt, t.Tenant = id, tx.Now(), tx.scope.Tenant
	if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (tenant_id, id, person_id, name, token_hash, permissions, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, t.PersonID, t.Name, t.TokenHash, strings.Join(t.Permissions, " "), t.CreatedAt, t.ExpiresAt); err != nil {
		return fmt.Errorf("insert API token: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "token.create", Table: "api_tokens", ID: t.ID,
		Data: map[string]any{"name": t.Name, "person_id": t.PersonID, "permissions": t.Permissions, "expires_at": t.ExpiresAt}}); err != nil {
		return err
	}
	return tx.Commit()
}

// APITokenByHash finds a live token in any tenant.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*APIToken, error) {
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	var t APIToken
	var perms string
	var revoked sql.NullTime
	err = stx.QueryRow(ctx, `SELECT id, tenant_id, person_id, name, token_hash, permissions, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1`, hash).
		Scan(&t.ID, &t.Tenant, &t.PersonID, &t.Name, &t.TokenHash, &perms, &t.CreatedAt, &t.ExpiresAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.token_invalid"}
	}
	if err != nil {
		return nil, fmt.Errorf("find API token: %w", err)
	}
	if revoked.Valid || !s.Now().Before(t.ExpiresAt) {
		return nil, &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.token_invalid"}
	}
	t.Permissions = strings.Fields(perms)
	return &t, nil
}

// APITokens lists a person's tokens (0: everyone's).
func (s *Store) APITokens(ctx context.Context, personID int64) ([]APIToken, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := `SELECT id, person_id, name, token_hash, permissions, created_at, expires_at, revoked_at FROM api_tokens WHERE tenant_id = $1`
	var args []any
	if personID != 0 {
		q += ` AND person_id = $2`
		args = append(args, personID)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var perms string
		var revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.PersonID, &t.Name, &t.TokenHash, &perms, &t.CreatedAt, &t.ExpiresAt, &revoked); err != nil {
			return nil, err
		}
		t.Permissions = strings.Fields(perms)
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken ends a token at once.
func (s *Store) RevokeAPIToken(ctx context.Context, id, personID int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := `UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL`
	args := []any{id, tx.Now()}
	if personID != 0 {
		q += ` AND person_id = $4`
		args = append(args, personID)
	}
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("revoke API token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "token", "ID": id}}
	}
	if err := tx.Record(ctx, Change{Action: "token.revoke", Table: "api_tokens", ID: id}); err != nil {
		return err
	}
	return tx.Commit()
}

func revokeTokensOf(ctx context.Context, tx *Tx, personID int64) error {
	rows, err := tx.Query(ctx, `SELECT id FROM api_tokens WHERE tenant_id = $1 AND person_id = $2 AND revoked_at IS NULL`, personID)
	if err != nil {
		return fmt.Errorf("find tokens of %d: %w", personID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2`, id, tx.Now()); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if err := tx.Record(ctx, Change{Action: "token.revoke", Table: "api_tokens", ID: id}); err != nil {
			return err
		}
	}
	return nil
}
