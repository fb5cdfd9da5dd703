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

// Account is what sign-in needs to know about a person.
type Account struct {
	PersonID          int64
	Login             string
	PasswordHash      string
	MustChange        bool
	PasswordChangedAt time.Time
	FailedCount       int
	LockedUntil       *time.Time
	TOTPSecret        string
	TOTPEnabled       bool
	Status            directory.PersonStatus
}

func createAccount(ctx context.Context, tx *Tx, personID int64, login, hash string) error {
	now := tx.Now()
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE tenant_id = $1 AND login = $2`, login).Scan(&n); err != nil {
		return fmt.Errorf("check login: %w", err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "account.login_taken", Args: map[string]any{"Login": login}, Field: "login"}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO accounts (tenant_id, id, login, password_hash, must_change, password_changed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, personID, login, hash, true, now, now, now); err != nil {
		return fmt.Errorf("insert account %s: %w", login, err)
	}
	return tx.Record(ctx, Change{Action: "account.create", Table: "accounts", ID: personID, Data: map[string]any{"login": login}})
}

const accountSelect = `SELECT a.id, a.login, a.password_hash, a.must_change, a.password_changed_at, a.failed_count, a.locked_until, a.totp_secret, a.totp_enabled, p.status
	FROM accounts a JOIN people p ON p.tenant_id = a.tenant_id AND p.id = a.id`

func scanAccount(row *sql.Row) (*Account, error) {
	var a Account
	var locked sql.NullTime
	if err := row.Scan(&a.PersonID, &a.Login, &a.PasswordHash, &a.MustChange, &a.PasswordChangedAt, &a.FailedCount, &locked, &a.TOTPSecret, &a.TOTPEnabled, &a.Status); err != nil {
		return nil, err
	}
	if locked.Valid {
		a.LockedUntil = &locked.Time
	}
	return &a, nil
}

// AccountByLogin finds the account signing in.
func (s *Store) AccountByLogin(ctx context.Context, login string) (*Account, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := scanAccount(tx.QueryRow(ctx, accountSelect+` WHERE a.tenant_id = $1 AND a.login = $2`, login))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "auth.failed"}
	}
	if err != nil {
		return nil, fmt.Errorf("load account %q: %w", login, err)
	}
	return a, nil
}

// AccountOf loads the account of a person.
func (s *Store) AccountOf(ctx context.Context, personID int64) (*Account, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := scanAccount(tx.QueryRow(ctx, accountSelect+` WHERE a.tenant_id = $1 AND a.id = $2`, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "account", "ID": personID}}
	}
	if err != nil {
		return nil, fmt.Errorf("load account of %d: %w", personID, err)
	}
	return a, nil
}

// RecordSigninFailure counts a failed attempt and, when lockUntil is set,
// locks the account until then.
func (s *Store) RecordSigninFailure(ctx context.Context, personID int64, lockUntil *time.Time) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `UPDATE accounts SET failed_count = failed_count + 1, locked_until = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		personID, lockUntil, tx.Now()); err != nil {
		return fmt.Errorf("count failed sign-in: %w", err)
	}
	data := map[string]any{}
	if lockUntil != nil {
		data["locked_until"] = lockUntil.UTC().Format(time.RFC3339)
	}
	if err := tx.Record(ctx, Change{Action: "auth.signin_failed", Table: "accounts", ID: personID, Data: data}); err != nil {
		return err
	}
	return tx.Commit()
}

// SetPassword replaces a person's password hash. mustChange marks it as a
// temporary password (one an administrator set).
func (s *Store) SetPassword(ctx context.Context, personID int64, hash string, mustChange bool) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $3, must_change = $4, password_changed_at = $5, failed_count = 0, locked_until = NULL, updated_at = $5
		WHERE tenant_id = $1 AND id = $2`, personID, hash, mustChange, tx.Now())
	if err != nil {
		return fmt.Errorf("set password of %d: %w", personID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "account", "ID": personID}}
	}
	action := "account.password_change"
	if mustChange {
		action = "account.password_reset"
	}
	if err := tx.Record(ctx, Change{Action: action, Table: "accounts", ID: personID}); err != nil {
		return err
	}
	return tx.Commit()
}

// SetTOTP stores a person's second-factor secret: pending (enabled false)
// while they enrol, enabled once they have proved it with a code. An
// empty secret removes the second factor.
func (s *Store) SetTOTP(ctx context.Context, personID int64, secret string, enabled bool) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `UPDATE accounts SET totp_secret = $3, totp_enabled = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2`,
		personID, secret, enabled, tx.Now()); err != nil {
		return fmt.Errorf("set second factor of %d: %w", personID, err)
	}
	action := "account.totp_pending"
	switch {
	case secret == "":
		action = "account.totp_remove"
	case enabled:
		action = "account.totp_enable"
	}
	if err := tx.Record(ctx, Change{Action: action, Table: "accounts", ID: personID}); err != nil {
		return err
	}
	return tx.Commit()
}
