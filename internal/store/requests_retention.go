package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/request"
)

// requestChildTables are the tables whose rows belong to one request,
// with the column naming it.
var requestChildTables = []string{"request_assets", "request_steps", "request_reports"}

// extendRetention keeps a request and every row on it (assets, steps,
// reports, the reports' files) until ret.KeepUntil at least: the record
// is kept for the policy's period from its latest entry (藤枝市
// 第2章5(2)⑪ウ, 6(1)③イ: five years), and a request's rows share one
// keep-until, so that no part of the record is purged before the rest. A
// keep-until never moves earlier. Each row it changes is recorded, except
// the request's own row, whose caller records the change it is part of.
// With a clause but no date (the policy requires a record and names no
// period) the rows only take the clause.
func extendRetention(ctx context.Context, tx *Tx, requestID int64, ret request.Retention) error {
	if ret.KeepUntil == nil && ret.Clause == "" {
		return nil
	}
	// set takes the clause as $3 and the date as $4; cond, which selects
	// the rows to change, reads only its own argument ($3), since
	// PostgreSQL refuses a parameter a statement does not use.
	set, cond := `retention_clause = $3`, `retention_clause = ''`
	args, condArgs := []any{ret.Clause}, []any{}
	if ret.KeepUntil != nil {
		set, cond = `keep_until = $4, retention_clause = $3`, `(keep_until IS NULL OR keep_until < $3)`
		args, condArgs = append(args, *ret.KeepUntil), []any{*ret.KeepUntil}
	}
	upd := cond
	if ret.KeepUntil != nil {
		upd = `(keep_until IS NULL OR keep_until < $4)`
	}
	if _, err := tx.Exec(ctx, `UPDATE requests SET `+set+` WHERE tenant_id = $1 AND id = $2 AND `+upd, append([]any{requestID}, args...)...); err != nil {
		return fmt.Errorf("keep request %d: %w", requestID, err)
	}
	data := map[string]any{"request_id": requestID, "retention_clause": ret.Clause}
	if ret.KeepUntil != nil {
		data["keep_until"] = ret.KeepUntil.UTC().Format(time.RFC3339)
	}
	for _, table := range requestChildTables {
		ids, err := idList(ctx, tx, `SELECT id FROM `+table+` WHERE tenant_id = $1 AND request_id = $2 AND `+cond+` ORDER BY id`, append([]any{requestID}, condArgs...)...)
		if err != nil {
			return err
		}
		if err := retainRows(ctx, tx, table, ids, set, args, data); err != nil {
			return err
		}
	}
	ids, err := idList(ctx, tx, `SELECT id FROM attachments WHERE tenant_id = $1 AND ((owner_type = 'requests' AND owner_id = $2) OR (owner_type = 'request_reports'
		AND owner_id IN (SELECT id FROM request_reports WHERE tenant_id = $1 AND request_id = $2))) AND `+cond+` ORDER BY id`, append([]any{requestID}, condArgs...)...)
	if err != nil {
		return err
	}
	return retainRows(ctx, tx, "attachments", ids, set, args, data)
}

// retainRows sets the retention of the given rows of table and records
// each change.
func retainRows(ctx context.Context, tx *Tx, table string, ids []int64, set string, args []any, data map[string]any) error {
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET `+set+` WHERE tenant_id = $1 AND id = $2`, append([]any{id}, args...)...); err != nil {
			return fmt.Errorf("keep %s %d: %w", table, id, err)
		}
		if err := tx.Record(ctx, Change{Action: "record.retain", Table: table, ID: id, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

// currentKeep is a request's keep-until as stored.
func currentKeep(ctx context.Context, tx *Tx, requestID int64) (*time.Time, error) {
	var keep sql.NullTime
	err := tx.QueryRow(ctx, `SELECT keep_until FROM requests WHERE tenant_id = $1 AND id = $2`, requestID).Scan(&keep)
	if err != nil {
		return nil, fmt.Errorf("load keep-until of request %d: %w", requestID, err)
	}
	return timePtr(keep), nil
}

// DeleteRequest deletes a request with its files, assets, steps, reports
// and the reports' files, each deletion recorded. While the policy requires the
// record to be kept nothing is deleted: until its keep-until date, or at
// all when the policy requires the record but names no period.
func (s *Store) DeleteRequest(ctx context.Context, id int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var keep sql.NullTime
	var clause string
	err = tx.QueryRow(ctx, `SELECT keep_until, retention_clause FROM requests WHERE tenant_id = $1 AND id = $2`, id).Scan(&keep, &clause)
	if errors.Is(err, sql.ErrNoRows) {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "request", "ID": id}}
	}
	if err != nil {
		return fmt.Errorf("load request %d: %w", id, err)
	}
	if !keep.Valid && clause != "" {
		return &mamori.Error{Code: mamori.ERETAINED, Message: "request.retained_indefinitely", Args: map[string]any{"Clause": clause}}
	}
	files, err := idList(ctx, tx, `SELECT id FROM attachments WHERE tenant_id = $1 AND ((owner_type = 'requests' AND owner_id = $2) OR (owner_type = 'request_reports'
		AND owner_id IN (SELECT id FROM request_reports WHERE tenant_id = $1 AND request_id = $2))) ORDER BY id`, id)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := deleteRecord(ctx, tx, "attachments", f, "attachment.delete"); err != nil {
			return err
		}
	}
	for _, table := range requestChildTables {
		ids, err := idList(ctx, tx, `SELECT id FROM `+table+` WHERE tenant_id = $1 AND request_id = $2 ORDER BY id`, id)
		if err != nil {
			return err
		}
		for _, cid := range ids {
			if err := deleteRecord(ctx, tx, table, cid, "request.delete"); err != nil {
				return err
			}
		}
	}
	if err := deleteRecord(ctx, tx, "requests", id, "request.delete"); err != nil {
		return err
	}
	return tx.Commit()
}
