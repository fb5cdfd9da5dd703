package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/eventlog"
	"mamori/internal/incident"
	"mamori/internal/notify"
)

const deviationColumns = `d.id, COALESCE(d.unit_id, 0), d.submitted_by, d.provision, d.clause, d.reason, d.alternatives, d.starts_on, d.ends_on, d.status,
	d.review_opinion, d.review_note, COALESCE(d.reviewed_by, 0), d.reviewed_at, d.decision_note, COALESCE(d.decided_by, 0), d.decided_at,
	d.reminders_sent, d.ended_at, d.created_at, d.updated_at, p.name`

const deviationFrom = ` FROM deviations d JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.submitted_by WHERE d.tenant_id = $1`

func scanDeviation(row interface{ Scan(...any) error }, d *incident.Deviation) error {
	var reviewed, decided, ended sql.NullTime
	err := row.Scan(&d.ID, &d.UnitID, &d.SubmittedBy, &d.Provision, &d.Clause, &d.Reason, &d.Alternatives, &d.StartsOn, &d.EndsOn, &d.Status,
		&d.ReviewOpinion, &d.ReviewNote, &d.ReviewedBy, &reviewed, &d.DecisionNote, &d.DecidedBy, &decided,
		&d.RemindersSent, &ended, &d.CreatedAt, &d.UpdatedAt, &d.SubmitterName)
	d.ReviewedAt, d.DecidedAt, d.EndedAt = incTime(reviewed), incTime(decided), incTime(ended)
	d.StartsOn, d.EndsOn = d.StartsOn.UTC(), d.EndsOn.UTC()
	return err
}

func deviationData(d *incident.Deviation) map[string]any {
	return map[string]any{"status": d.Status, "unit_id": d.UnitID, "starts_on": d.StartsOn, "ends_on": d.EndsOn,
		"review_opinion": d.ReviewOpinion, "reminders_sent": d.RemindersSent}
}

// CreateDeviation records a reported deviation and tells its reviewers.
func (s *Store) CreateDeviation(ctx context.Context, d *incident.Deviation, ds []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.UnitID != 0 {
		if _, err := findUnit(ctx, tx, d.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	id, err := tx.NextID(ctx, "deviations")
	if err != nil {
		return err
	}
	now := tx.Now()
	d.ID, d.CreatedAt, d.UpdatedAt = id, now, now
	if _, err := tx.Exec(ctx, `INSERT INTO deviations (tenant_id, id, unit_id, submitted_by, provision, clause, reason, alternatives, starts_on, ends_on, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, nullID(d.UnitID), d.SubmittedBy, d.Provision, d.Clause, d.Reason, d.Alternatives, d.StartsOn, d.EndsOn, d.Status, now, now); err != nil {
		return fmt.Errorf("insert deviation: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "deviation.submit", Table: "deviations", ID: id, Data: deviationData(d)}); err != nil {
		return err
	}
	for i := range ds {
		ds[i].Msg.Link = fmt.Sprintf("/deviations/%d", id)
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	return tx.Commit()
}

// Deviation loads one deviation.
func (s *Store) Deviation(ctx context.Context, id int64) (*incident.Deviation, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var d incident.Deviation
	err = scanDeviation(tx.QueryRow(ctx, `SELECT `+deviationColumns+deviationFrom+` AND d.id = $2`, id), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "deviation", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load deviation %d: %w", id, err)
	}
	return &d, nil
}

// Deviations lists deviations, the latest first.
func (s *Store) Deviations(ctx context.Context, f incident.DeviationFilter) ([]incident.Deviation, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := `SELECT ` + deviationColumns + deviationFrom
	var args []any
	if f.Status != "" {
		args = append(args, string(f.Status))
		q += fmt.Sprintf(` AND d.status = $%d`, len(args)+1)
	}
	if f.Active {
		at := f.At
		if at.IsZero() {
			at = tx.Now()
		}
		// ends_on is the last day: the deviation applies until the day after.
		args = append(args, string(incident.DeviationApproved), at, at.AddDate(0, 0, -1))
		n := len(args) + 1
		q += fmt.Sprintf(` AND d.status = $%d AND d.starts_on <= $%d AND d.ends_on > $%d`, n-2, n-1, n)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY d.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list deviations: %w", err)
	}
	defer rows.Close()
	var out []incident.Deviation
	for rows.Next() {
		var d incident.Deviation
		if err := scanDeviation(rows, &d); err != nil {
			return nil, fmt.Errorf("list deviations: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UpdateDeviation writes a deviation's new state, refusing a conflict
// when it changed since it was read.
func (s *Store) UpdateDeviation(ctx context.Context, d *incident.Deviation, action string, ds []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := incCheckUnchanged(ctx, tx, "deviations", d.ID, d.UpdatedAt); err != nil {
		return err
	}
	now := tx.Now()
	d.UpdatedAt = now
	if _, err := tx.Exec(ctx, `UPDATE deviations SET status = $3, review_opinion = $4, review_note = $5, reviewed_by = $6, reviewed_at = $7,
		decision_note = $8, decided_by = $9, decided_at = $10, reminders_sent = $11, ended_at = $12, updated_at = $13
		WHERE tenant_id = $1 AND id = $2`,
		d.ID, d.Status, d.ReviewOpinion, d.ReviewNote, nullID(d.ReviewedBy), d.ReviewedAt, d.DecisionNote, nullID(d.DecidedBy), d.DecidedAt,
		d.RemindersSent, d.EndedAt, now); err != nil {
		return fmt.Errorf("update deviation %d: %w", d.ID, err)
	}
	if err := tx.Record(ctx, Change{Action: action, Table: "deviations", ID: d.ID, Data: deviationData(d)}); err != nil {
		return err
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	return tx.Commit()
}

// incCheckUnchanged refuses to write a row that changed since it was read
// (its updated_at is no longer the one read).
func incCheckUnchanged(ctx context.Context, tx *Tx, table string, id int64, read time.Time) error {
	var at time.Time
	err := tx.QueryRow(ctx, `SELECT updated_at FROM `+table+` WHERE tenant_id = $1 AND id = $2`, id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": table, "ID": id}}
	}
	if err != nil {
		return fmt.Errorf("load %s %d: %w", table, id, err)
	}
	if !eventlog.StoredTime(at).Equal(eventlog.StoredTime(read)) {
		return mamori.Errorf(mamori.ECONFLICT, "record.changed", nil)
	}
	return nil
}
