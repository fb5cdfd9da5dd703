package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mamori"
)

// maxHistoryKept bounds the password history kept per person: more than
// any policy asks to compare against, few enough that old hashes do not
// pile up.
const maxHistoryKept = 24

// ChangePassword sets a password the person chose (not temporary) and
// remembers its hash, so that the policy's "no reuse" rule can be checked
// at the next change (下條村 第2章7(7)5).
func (s *Store) ChangePassword(ctx context.Context, personID int64, hash string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $3, must_change = $4, password_changed_at = $5, failed_count = 0, locked_until = NULL, updated_at = $5
		WHERE tenant_id = $1 AND id = $2`, personID, hash, false, tx.Now())
	if err != nil {
		return fmt.Errorf("set password of %d: %w", personID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "account", "ID": personID}}
	}
	if err := tx.Record(ctx, Change{Action: "account.password_change", Table: "accounts", ID: personID}); err != nil {
		return err
	}
	id, err := tx.NextID(ctx, "password_history")
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO password_history (tenant_id, id, person_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id, personID, hash, tx.Now()); err != nil {
		return fmt.Errorf("remember password of %d: %w", personID, err)
	}
	if err := tx.Record(ctx, Change{Action: "account.password_history", Table: "password_history", ID: id, Data: map[string]any{"person_id": personID}}); err != nil {
		return err
	}
	old, err := historyIDs(ctx, tx, personID)
	if err != nil {
		return err
	}
	for i := maxHistoryKept; i < len(old); i++ {
		if err := deleteRecord(ctx, tx, "password_history", old[i], "account.password_history_prune"); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func historyIDs(ctx context.Context, tx *Tx, personID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM password_history WHERE tenant_id = $1 AND person_id = $2 ORDER BY id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("load password history of %d: %w", personID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// PasswordHistory returns the hashes of the n passwords the person chose
// most recently, newest first.
func (s *Store) PasswordHistory(ctx context.Context, personID int64, n int) ([]string, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT password_hash FROM password_history WHERE tenant_id = $1 AND person_id = $2 ORDER BY id DESC LIMIT $3`, personID, n)
	if err != nil {
		return nil, fmt.Errorf("load password history of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// ResetPassword gives a person a temporary password (already hashed),
// which must be changed at first use (下條村 第2章7(7)6, 天草 第30条2),
// unlocks the account and signs the person out of every browser: whoever
// held the old password is out. API tokens stay (an integration is not a
// person who forgot a password).
func (s *Store) ResetPassword(ctx context.Context, personID int64, hash string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $3, must_change = $4, password_changed_at = $5, failed_count = 0, locked_until = NULL, updated_at = $5
		WHERE tenant_id = $1 AND id = $2`, personID, hash, true, tx.Now())
	if err != nil {
		return fmt.Errorf("reset password of %d: %w", personID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "people.no_account"}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND person_id = $2`, personID); err != nil {
		return fmt.Errorf("end sessions of %d: %w", personID, err)
	}
	if err := tx.Record(ctx, Change{Action: "account.password_reset", Table: "accounts", ID: personID}); err != nil {
		return err
	}
	return tx.Commit()
}

// SetRecoveryCodes replaces a person's recovery codes by new ones (their
// hashes); the old ones stop working.
func (s *Store) SetRecoveryCodes(ctx context.Context, personID int64, hashes []string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := tx.Now()
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE tenant_id = $1 AND id = $2`, personID).Scan(&n); err != nil {
		return fmt.Errorf("load recovery codes of %d: %w", personID, err)
	}
	joined := strings.Join(hashes, " ")
	if n == 0 {
		_, err = tx.Exec(ctx, `INSERT INTO recovery_codes (tenant_id, id, code_hashes, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, personID, joined, now)
	} else {
		_, err = tx.Exec(ctx, `UPDATE recovery_codes SET code_hashes = $3, created_at = $4, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, personID, joined, now)
	}
	if err != nil {
		return fmt.Errorf("store recovery codes of %d: %w", personID, err)
	}
	if err := tx.Record(ctx, Change{Action: "account.recovery_codes", Table: "recovery_codes", ID: personID, Data: map[string]any{"count": len(hashes)}}); err != nil {
		return err
	}
	return tx.Commit()
}

// RecoveryCodes returns the hashes of a person's unused recovery codes.
func (s *Store) RecoveryCodes(ctx context.Context, personID int64) ([]string, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return recoveryHashes(ctx, tx, personID)
}

func recoveryHashes(ctx context.Context, tx *Tx, personID int64) ([]string, error) {
	var joined string
	err := tx.QueryRow(ctx, `SELECT code_hashes FROM recovery_codes WHERE tenant_id = $1 AND id = $2`, personID).Scan(&joined)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load recovery codes of %d: %w", personID, err)
	}
	return strings.Fields(joined), nil
}

// UseRecoveryCode spends one recovery code (its hash) in place of the
// second factor and completes the session's sign-in, in one transaction:
// two browsers racing with the same code cannot both get in. It reports
// false when the code is not (or no longer) among the person's.
func (s *Store) UseRecoveryCode(ctx context.Context, personID int64, hash, sessionID string) (bool, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	hashes, err := recoveryHashes(ctx, tx, personID)
	if err != nil {
		return false, err
	}
	var left []string
	found := false
	for _, h := range hashes {
		if h == hash && !found {
			found = true
			continue
		}
		left = append(left, h)
	}
	if !found {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE recovery_codes SET code_hashes = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, personID, strings.Join(left, " "), tx.Now()); err != nil {
		return false, fmt.Errorf("spend recovery code of %d: %w", personID, err)
	}
	if err := tx.Record(ctx, Change{Action: "auth.recovery_code_used", Table: "recovery_codes", ID: personID, Data: map[string]any{"left": len(left)}}); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE sessions SET mfa_done = $3 WHERE tenant_id = $1 AND id = $2`, sessionID, true); err != nil {
		return false, fmt.Errorf("complete second factor: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "auth.mfa", Table: "accounts", ID: personID, Data: map[string]any{"method": "recovery_code"}}); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// ResetTOTP removes a person's second factor and recovery codes (a lost
// phone) and signs them out everywhere; at their next sign-in they enrol
// again where the policy requires it.
func (s *Store) ResetTOTP(ctx context.Context, personID int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE accounts SET totp_secret = '', totp_enabled = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, personID, false, tx.Now())
	if err != nil {
		return fmt.Errorf("reset second factor of %d: %w", personID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "people.no_account"}
	}
	if err := tx.Record(ctx, Change{Action: "account.totp_reset", Table: "accounts", ID: personID}); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE tenant_id = $1 AND id = $2`, personID).Scan(&n); err != nil {
		return fmt.Errorf("load recovery codes of %d: %w", personID, err)
	}
	if n > 0 {
		if err := deleteRecord(ctx, tx, "recovery_codes", personID, "account.recovery_codes_remove"); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND person_id = $2`, personID); err != nil {
		return fmt.Errorf("end sessions of %d: %w", personID, err)
	}
	return tx.Commit()
}
