package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/notify"
)

const violationColumns = `v.id, v.person_id, COALESCE(v.unit_id, 0), COALESCE(v.incident_id, 0), v.description, v.clause, v.found_at, v.recorded_by, v.status,
	v.instruction, COALESCE(v.instructed_by, 0), v.instructed_at, v.result, COALESCE(v.result_by, 0), v.result_at,
	v.suspension_reason, COALESCE(v.suspended_by, 0), v.suspended_at, v.created_at, v.updated_at, p.name`

const violationFrom = ` FROM violations v JOIN people p ON p.tenant_id = v.tenant_id AND p.id = v.person_id WHERE v.tenant_id = $1`

func scanViolation(row interface{ Scan(...any) error }, v *incident.Violation) error {
	var instructed, result, suspended sql.NullTime
	err := row.Scan(&v.ID, &v.PersonID, &v.UnitID, &v.IncidentID, &v.Description, &v.Clause, &v.FoundAt, &v.RecordedBy, &v.Status,
		&v.Instruction, &v.InstructedBy, &instructed, &v.Result, &v.ResultBy, &result,
		&v.SuspensionReason, &v.SuspendedBy, &suspended, &v.CreatedAt, &v.UpdatedAt, &v.PersonName)
	v.InstructedAt, v.ResultAt, v.SuspendedAt = incTime(instructed), incTime(result), incTime(suspended)
	return err
}

// violationData keeps the stage of a violation in the log, not its text.
func violationData(v *incident.Violation) map[string]any {
	return map[string]any{"person_id": v.PersonID, "unit_id": v.UnitID, "status": v.Status, "clause": v.Clause, "incident_id": v.IncidentID}
}

// PersonUnit returns a person's unit and name (a violation records the
// unit the person is in when it is found).
func (s *Store) PersonUnit(ctx context.Context, personID int64) (int64, string, error) {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return 0, "", fieldNotFound(err, "person_id")
	}
	return p.UnitID, p.Name, nil
}

// CreateViolation records a violation and tells those the policy names.
func (s *Store) CreateViolation(ctx context.Context, v *incident.Violation, ds []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findPerson(ctx, tx, v.PersonID); err != nil {
		return fieldNotFound(err, "person_id")
	}
	if v.IncidentID != 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM incidents WHERE tenant_id = $1 AND id = $2`, v.IncidentID).Scan(&n); err != nil {
			return fmt.Errorf("check incident %d: %w", v.IncidentID, err)
		}
		if n == 0 {
			return mamori.FieldError("incident_id", "violation.incident_unknown", nil)
		}
	}
	id, err := tx.NextID(ctx, "violations")
	if err != nil {
		return err
	}
	now := tx.Now()
	v.ID, v.CreatedAt, v.UpdatedAt = id, now, now
	if _, err := tx.Exec(ctx, `INSERT INTO violations (tenant_id, id, person_id, unit_id, incident_id, description, clause, found_at, recorded_by, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, v.PersonID, nullID(v.UnitID), nullID(v.IncidentID), v.Description, v.Clause, v.FoundAt, v.RecordedBy, v.Status, now, now); err != nil {
		return fmt.Errorf("insert violation: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "violation.record", Table: "violations", ID: id, Data: violationData(v)}); err != nil {
		return err
	}
	for i := range ds {
		ds[i].Msg.Link = fmt.Sprintf("/violations/%d", id)
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	return tx.Commit()
}

// Violation loads one violation.
func (s *Store) Violation(ctx context.Context, id int64) (*incident.Violation, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var v incident.Violation
	err = scanViolation(tx.QueryRow(ctx, `SELECT `+violationColumns+violationFrom+` AND v.id = $2`, id), &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "violation", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load violation %d: %w", id, err)
	}
	return &v, nil
}

// Violations lists violations, the latest first, of one person or (0) of
// everyone.
func (s *Store) Violations(ctx context.Context, personID int64) ([]incident.Violation, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q, args := `SELECT `+violationColumns+violationFrom, []any{}
	if personID != 0 {
		q, args = q+` AND v.person_id = $2`, append(args, personID)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY v.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list violations: %w", err)
	}
	defer rows.Close()
	var out []incident.Violation
	for rows.Next() {
		var v incident.Violation
		if err := scanViolation(rows, &v); err != nil {
			return nil, fmt.Errorf("list violations: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// UpdateViolation writes a violation's new stage. With suspend, the
// person's rights are suspended in the same transaction (下條村 第2章9(6)(2),
// 天草 第39条(3)): their status becomes suspended and their sessions and
// API tokens end, so that it takes effect at once and the violation never
// says "suspended" of a person who is not.
func (s *Store) UpdateViolation(ctx context.Context, v *incident.Violation, action string, suspend, byAdmin bool, ds []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := incCheckUnchanged(ctx, tx, "violations", v.ID, v.UpdatedAt); err != nil {
		return err
	}
	now := tx.Now()
	v.UpdatedAt = now
	if _, err := tx.Exec(ctx, `UPDATE violations SET status = $3, instruction = $4, instructed_by = $5, instructed_at = $6, result = $7, result_by = $8,
		result_at = $9, suspension_reason = $10, suspended_by = $11, suspended_at = $12, updated_at = $13 WHERE tenant_id = $1 AND id = $2`,
		v.ID, v.Status, v.Instruction, nullID(v.InstructedBy), v.InstructedAt, v.Result, nullID(v.ResultBy), v.ResultAt,
		v.SuspensionReason, nullID(v.SuspendedBy), v.SuspendedAt, now); err != nil {
		return fmt.Errorf("update violation %d: %w", v.ID, err)
	}
	if err := tx.Record(ctx, Change{Action: action, Table: "violations", ID: v.ID, Data: violationData(v)}); err != nil {
		return err
	}
	if suspend {
		if err := suspendForViolation(ctx, tx, v, byAdmin); err != nil {
			return err
		}
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	return tx.Commit()
}

// suspendForViolation suspends a person's rights as SetPersonStatus does,
// inside the violation's transaction.
func suspendForViolation(ctx context.Context, tx *Tx, v *incident.Violation, byAdmin bool) error {
	p, err := findPerson(ctx, tx, v.PersonID)
	if err != nil {
		return err
	}
	if p.IsAdmin && !byAdmin {
		return mamori.Errorf(mamori.EFORBIDDEN, "violation.admin_only", nil)
	}
	if p.Status == "suspended" {
		return nil // already suspended (by the directory): the violation records why
	}
	if _, err := tx.Exec(ctx, `UPDATE people SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, v.PersonID, "suspended", tx.Now()); err != nil {
		return fmt.Errorf("suspend %d: %w", v.PersonID, err)
	}
	if err := tx.Record(ctx, Change{Action: "person.suspend", Table: "people", ID: v.PersonID,
		Data: map[string]any{"status": "suspended", "previous": p.Status, "violation_id": v.ID}}); err != nil {
		return err
	}
	return endSessions(ctx, tx, v.PersonID, "auth.sessions_ended")
}
