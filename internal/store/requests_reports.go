package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/request"
)

// AddReport files a report on a granted request with its files, moves the
// request to status next, notes when the act was carried out or what was
// taken out came back, and keeps the request and all its records until
// ret.KeepUntil — in one transaction. A report of a kind already filed
// (even a moment ago by someone else) is a conflict.
func (s *Store) AddReport(ctx context.Context, rep *request.Report, files []request.Upload, next request.Status, ret request.Retention) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM request_reports WHERE tenant_id = $1 AND request_id = $2 AND kind = $3`, rep.RequestID, string(rep.Kind)).Scan(&n); err != nil {
		return fmt.Errorf("check reports of request %d: %w", rep.RequestID, err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.report_exists", Args: map[string]any{"Kind": string(rep.Kind)}}
	}
	now := tx.Now()
	q := `UPDATE requests SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2 AND status IN ('approved', 'recorded', 'allowed')`
	args := []any{rep.RequestID, string(next), now}
	switch rep.Kind {
	case policy.ReportExecution:
		q = strings.Replace(q, "updated_at = $4", "updated_at = $4, executed_at = $5", 1)
		args = append(args, rep.At)
	case policy.ReportReturn:
		q = strings.Replace(q, "updated_at = $4", "updated_at = $4, returned_at = $5", 1)
		args = append(args, rep.At)
	}
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report on request %d: %w", rep.RequestID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if _, err := findRequestRow(ctx, tx, rep.RequestID); err != nil {
			return err
		}
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.not_granted", Args: map[string]any{"ID": rep.RequestID}}
	}
	id, err := tx.NextID(ctx, "request_reports")
	if err != nil {
		return err
	}
	rep.ID, rep.CreatedAt, rep.CreatedBy = id, now, tx.scope.ActorID
	if rep.Values == nil {
		rep.Values = request.Values{}
	}
	for _, u := range files {
		a := &Attachment{OwnerType: "request_reports", OwnerID: id, Filename: u.Filename, ContentType: u.ContentType, Data: u.Data,
			KeepUntil: ret.KeepUntil, RetentionClause: ret.Clause}
		if err := addAttachment(ctx, tx, a); err != nil {
			return err
		}
		rep.Values[u.Field] = append(rep.Values.IDs(u.Field), a.ID)
		rep.Attachments = append(rep.Attachments, request.Attachment{ID: a.ID, Field: u.Field, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256})
	}
	fields, err := rep.Values.Encode()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO request_reports (tenant_id, id, request_id, kind, at, performer_id, content, fields, created_at, created_by, keep_until, retention_clause)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, rep.RequestID, string(rep.Kind), rep.At, rep.PerformerID, rep.Content, fields, now, rep.CreatedBy, ret.KeepUntil, ret.Clause); err != nil {
		return fmt.Errorf("insert %s report of request %d: %w", rep.Kind, rep.RequestID, err)
	}
	data := map[string]any{"request_id": rep.RequestID, "kind": string(rep.Kind), "at": rep.At, "performer_id": rep.PerformerID, "content": rep.Content, "fields": map[string]any(rep.Values)}
	if err := tx.Record(ctx, Change{Action: "request.report", Table: "request_reports", ID: id, Data: data}); err != nil {
		return err
	}
	if err := extendRetention(ctx, tx, rep.RequestID, ret); err != nil {
		return err
	}
	delete(data, "request_id")
	data["report_id"], data["status"] = id, string(next)
	if err := tx.Record(ctx, Change{Action: "request.report_" + string(rep.Kind), Table: "requests", ID: rep.RequestID, Data: data}); err != nil {
		return err
	}
	return tx.Commit()
}

// loadReports reads a request's reports with the files filed with them
// (their names and digests, not their contents).
func loadReports(ctx context.Context, tx *Tx, requestID int64) ([]request.Report, error) {
	rows, err := tx.Query(ctx, `SELECT r.id, r.kind, r.at, r.performer_id, r.content, r.fields, r.created_at, r.created_by, p.name, COALESCE(c.name, '')
		FROM request_reports r
		JOIN people p ON p.tenant_id = r.tenant_id AND p.id = r.performer_id
		LEFT JOIN people c ON c.tenant_id = r.tenant_id AND c.id = r.created_by
		WHERE r.tenant_id = $1 AND r.request_id = $2 ORDER BY r.id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("load reports of request %d: %w", requestID, err)
	}
	var out []request.Report
	for rows.Next() {
		rep := request.Report{RequestID: requestID}
		var fields string
		if err := rows.Scan(&rep.ID, &rep.Kind, &rep.At, &rep.PerformerID, &rep.Content, &fields, &rep.CreatedAt, &rep.CreatedBy, &rep.PerformerName, &rep.CreatedByName); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load reports of request %d: %w", requestID, err)
		}
		if rep.Values, err = request.DecodeValues(fields); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report %d: %w", rep.ID, err)
		}
		out = append(out, rep)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Attachments, err = reportAttachments(ctx, tx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func reportAttachments(ctx context.Context, tx *Tx, rep *request.Report) ([]request.Attachment, error) {
	return ownedAttachments(ctx, tx, "request_reports", rep.ID, rep.Values)
}

// ownedAttachments lists the files of a request or report (names and
// digests, not contents), each with the field whose value names it.
func ownedAttachments(ctx context.Context, tx *Tx, ownerType string, ownerID int64, v request.Values) ([]request.Attachment, error) {
	rows, err := tx.Query(ctx, `SELECT id, filename, content_type, size, sha256 FROM attachments
		WHERE tenant_id = $1 AND owner_type = $2 AND owner_id = $3 ORDER BY id`, ownerType, ownerID)
	if err != nil {
		return nil, fmt.Errorf("load files of %s %d: %w", ownerType, ownerID, err)
	}
	defer rows.Close()
	var out []request.Attachment
	for rows.Next() {
		var a request.Attachment
		if err := rows.Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256); err != nil {
			return nil, fmt.Errorf("load files of %s %d: %w", ownerType, ownerID, err)
		}
		for field, x := range v {
			if ids, ok := x.([]int64); ok && slices.Contains(ids, a.ID) {
				a.Field = field
			}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RequestAttachment loads a file sent with a request or filed with one of
// its reports; a file of anything else is not found, so that a request's
// readers reach only its own files.
func (s *Store) RequestAttachment(ctx context.Context, requestID, attachmentID int64) (*Attachment, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM attachments a WHERE a.tenant_id = $1 AND a.id = $2 AND (
		(a.owner_type = 'requests' AND a.owner_id = $3) OR
		(a.owner_type = 'request_reports' AND a.owner_id IN (SELECT r.id FROM request_reports r WHERE r.tenant_id = $1 AND r.request_id = $3)))`, attachmentID, requestID).Scan(&n); err != nil {
		return nil, fmt.Errorf("find file %d of request %d: %w", attachmentID, requestID, err)
	}
	if n == 0 {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "attachment", "ID": attachmentID}}
	}
	tx.Rollback()
	return s.Attachment(ctx, attachmentID)
}

func idList(ctx context.Context, tx *Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
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
