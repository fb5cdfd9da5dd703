package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
)

// Session is a signed-in browser.
type Session struct {
	ID        string // SHA-256 of the cookie token
	Tenant    mamori.TenantID
	PersonID  int64
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time
	MFADone   bool
}

// CreateSession starts a session after a successful password check and
// clears the failure count. Any session the browser held before is gone
// (the token is new), which renews the session at sign-in.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := tx.Now()
	sess.Tenant, sess.CreatedAt, sess.SeenAt = tx.scope.Tenant, now, now
	if _, err := tx.Exec(ctx, `INSERT INTO sessions (tenant_id, id, person_id, created_at, seen_at, expires_at, mfa_done) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		sess.ID, sess.PersonID, now, now, sess.ExpiresAt, sess.MFADone); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE accounts SET failed_count = 0, locked_until = NULL, updated_at = $3 WHERE tenant_id = $1 AND id = $2 AND (failed_count <> 0 OR locked_until IS NOT NULL)`,
		sess.PersonID, now); err != nil {
		return fmt.Errorf("reset failures: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "auth.signin", Table: "accounts", ID: sess.PersonID, Data: map[string]any{"mfa": sess.MFADone}}); err != nil {
		return err
	}
	return tx.Commit()
}

// SessionByToken finds a live session by the hash of its token, in any
// tenant: the cookie is what tells which tenant a request belongs to.
func (s *Store) SessionByToken(ctx context.Context, id string) (*Session, error) {
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	var sess Session
	err = stx.QueryRow(ctx, `SELECT id, tenant_id, person_id, created_at, seen_at, expires_at, mfa_done FROM sessions WHERE id = $1`, id).
		Scan(&sess.ID, &sess.Tenant, &sess.PersonID, &sess.CreatedAt, &sess.SeenAt, &sess.ExpiresAt, &sess.MFADone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.session_expired"}
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	if !s.Now().Before(sess.ExpiresAt) {
		return nil, &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.session_expired"}
	}
	return &sess, nil
}

// TouchSession moves a session's idle expiry forward. It is bookkeeping,
// not a state change the log needs.
func (s *Store) TouchSession(ctx context.Context, id string, expires time.Time) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tx.Untracked()
	if _, err := tx.Exec(ctx, `UPDATE sessions SET seen_at = $3, expires_at = $4 WHERE tenant_id = $1 AND id = $2`, id, tx.Now(), expires); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return tx.Commit()
}

// CompleteMFA marks a session as having passed its second factor.
func (s *Store) CompleteMFA(ctx context.Context, id string, personID int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `UPDATE sessions SET mfa_done = $3 WHERE tenant_id = $1 AND id = $2`, id, true); err != nil {
		return fmt.Errorf("complete second factor: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "auth.mfa", Table: "accounts", ID: personID}); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteSession signs one browser out.
func (s *Store) DeleteSession(ctx context.Context, id string, personID int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND id = $2`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "auth.signout", Table: "accounts", ID: personID}); err != nil {
		return err
	}
	return tx.Commit()
}

// EndSessions signs a person out everywhere and revokes their API tokens
// (sign-out everywhere; suspension of rights).
func (s *Store) EndSessions(ctx context.Context, personID int64, action string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := endSessions(ctx, tx, personID, action); err != nil {
		return err
	}
	return tx.Commit()
}

func endSessions(ctx context.Context, tx *Tx, personID int64, action string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND person_id = $2`, personID); err != nil {
		return fmt.Errorf("end sessions of %d: %w", personID, err)
	}
	if err := revokeTokensOf(ctx, tx, personID); err != nil {
		return err
	}
	return tx.Record(ctx, Change{Action: action, Table: "accounts", ID: personID})
}

// DeleteExpiredSessions removes sessions past their expiry, in every tenant.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return 0, err
	}
	defer stx.Rollback()
	res, err := stx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, s.Now())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, stx.Commit()
}
