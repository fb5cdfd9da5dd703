package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
)

// retainedTables carry keep_until and retention_clause: records the policy
// requires to be kept for a period (藤枝市 第2章5(2)⑪ウ, 6(1)③イ: five years).
var retainedTables = map[string]bool{
	"attachments": true,
	// A request and its records share its keep-until (migration 0030).
	"requests":        true,
	"request_assets":  true,
	"request_steps":   true,
	"request_reports": true,
}

// deleteRecord deletes a row of a tracked table, refusing while the policy
// still requires it to be kept, and records the deletion.
func deleteRecord(ctx context.Context, tx *Tx, table string, id int64, action string) error {
	if retainedTables[table] {
		var keep sql.NullTime
		var clause string
		err := tx.QueryRow(ctx, `SELECT keep_until, retention_clause FROM `+table+` WHERE tenant_id = $1 AND id = $2`, id).Scan(&keep, &clause)
		if errors.Is(err, sql.ErrNoRows) {
			return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": table, "ID": id}}
		}
		if err != nil {
			return fmt.Errorf("check retention of %s %d: %w", table, id, err)
		}
		if keep.Valid && tx.Now().Before(keep.Time) {
			return &mamori.Error{Code: mamori.ERETAINED, Message: "error.retained",
				Args: map[string]any{"Until": keep.Time.Format("2006-01-02"), "Clause": clause}}
		}
	}
	res, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND id = $2`, id)
	if err != nil {
		return fmt.Errorf("delete %s %d: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": table, "ID": id}}
	}
	return tx.Record(ctx, Change{Action: action, Table: table, ID: id})
}

// PurgeExpired deletes the records of this tenant whose keep-until date has
// passed, each deletion an event of its own, and returns how many it
// deleted.
func (s *Store) PurgeExpired(ctx context.Context) (int, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n := 0
	for table := range retainedTables {
		ids, err := expiredIDs(ctx, tx, table, tx.Now())
		if err != nil {
			return 0, err
		}
		for _, id := range ids {
			if err := deleteRecord(ctx, tx, table, id, "record.purge"); err != nil {
				return 0, err
			}
			n++
		}
	}
	if n == 0 {
		tx.Untracked()
	}
	return n, tx.Commit()
}

func expiredIDs(ctx context.Context, tx *Tx, table string, now time.Time) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM `+table+` WHERE tenant_id = $1 AND keep_until IS NOT NULL AND keep_until <= $2 ORDER BY id`, now)
	if err != nil {
		return nil, fmt.Errorf("find expired %s: %w", table, err)
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
