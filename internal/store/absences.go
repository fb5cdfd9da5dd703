package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mamori"
	"mamori/internal/directory"
)

const absenceSelect = `SELECT a.id, a.person_id, a.starts_at, a.ends_at, a.reason, a.created_at, a.created_by, p.name
	FROM absences a JOIN people p ON p.tenant_id = a.tenant_id AND p.id = a.person_id`

func scanAbsence(row interface{ Scan(...any) error }, a *directory.Absence) error {
	return row.Scan(&a.ID, &a.PersonID, &a.Starts, &a.Ends, &a.Reason, &a.CreatedAt, &a.CreatedBy, &a.PersonName)
}

func absenceData(a *directory.Absence) map[string]any {
	return map[string]any{"person_id": a.PersonID, "starts_at": a.Starts.UTC().Format(time.RFC3339), "ends_at": a.Ends.UTC().Format(time.RFC3339), "reason": a.Reason}
}

// CreateAbsence records that a person is absent for a period. Periods of
// one person may not overlap: one absence covers one stretch of time.
func (s *Store) CreateAbsence(ctx context.Context, a *directory.Absence) error {
	if err := a.Validate(); err != nil {
		return err
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := findPerson(ctx, tx, a.PersonID)
	if err != nil {
		return fieldNotFound(err, "person_id")
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM absences WHERE tenant_id = $1 AND person_id = $2 AND starts_at < $3 AND ends_at > $4`,
		a.PersonID, a.Ends, a.Starts).Scan(&n); err != nil {
		return fmt.Errorf("check absences of %d: %w", a.PersonID, err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "absence.overlaps", Args: map[string]any{"Name": p.Name}, Field: "from"}
	}
	id, err := tx.NextID(ctx, "absences")
	if err != nil {
		return err
	}
	a.ID, a.CreatedAt, a.CreatedBy, a.PersonName = id, tx.Now(), tx.scope.ActorID, p.Name
	if _, err := tx.Exec(ctx, `INSERT INTO absences (tenant_id, id, person_id, starts_at, ends_at, reason, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.PersonID, a.Starts, a.Ends, a.Reason, a.CreatedAt, a.CreatedBy); err != nil {
		return fmt.Errorf("insert absence of %d: %w", a.PersonID, err)
	}
	if err := tx.Record(ctx, Change{Action: "absence.create", Table: "absences", ID: a.ID, Data: absenceData(a)}); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteAbsence withdraws an absence (the person came back, or it was
// entered by mistake). The event keeps what it said.
func (s *Store) DeleteAbsence(ctx context.Context, id int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findAbsence(ctx, tx, id); err != nil {
		return err
	}
	if err := deleteRecord(ctx, tx, "absences", id, "absence.delete"); err != nil {
		return err
	}
	return tx.Commit()
}

// Absence loads one absence.
func (s *Store) Absence(ctx context.Context, id int64) (*directory.Absence, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAbsence(ctx, tx, id)
}

func findAbsence(ctx context.Context, tx *Tx, id int64) (*directory.Absence, error) {
	var a directory.Absence
	err := scanAbsence(tx.QueryRow(ctx, absenceSelect+` WHERE a.tenant_id = $1 AND a.id = $2`, id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "absence", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load absence %d: %w", id, err)
	}
	return &a, nil
}

// AbsenceFilter narrows a list of absences.
type AbsenceFilter struct {
	PersonID int64
	// EndsAfter keeps the absences not over by then (current and future
	// ones, given now).
	EndsAfter *time.Time
}

// Absences lists absences by start.
func (s *Store) Absences(ctx context.Context, f AbsenceFilter) ([]directory.Absence, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := absenceSelect + ` WHERE a.tenant_id = $1`
	var args []any
	if f.PersonID != 0 {
		args = append(args, f.PersonID)
		q += fmt.Sprintf(` AND a.person_id = $%d`, len(args)+1)
	}
	if f.EndsAfter != nil {
		args = append(args, *f.EndsAfter)
		q += fmt.Sprintf(` AND a.ends_at > $%d`, len(args)+1)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY a.starts_at, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	defer rows.Close()
	var out []directory.Absence
	for rows.Next() {
		var a directory.Absence
		if err := scanAbsence(rows, &a); err != nil {
			return nil, fmt.Errorf("list absences: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AbsentAt returns which of the given people are absent at time at. It
// implements directory.Store for role resolution.
func (s *Store) AbsentAt(ctx context.Context, personIDs []int64, at time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(personIDs) == 0 {
		return out, nil
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	args := []any{at}
	var ps []string
	for _, id := range personIDs {
		args = append(args, id)
		ps = append(ps, fmt.Sprintf("$%d", len(args)+1))
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM absences WHERE tenant_id = $1 AND starts_at <= $2 AND ends_at > $2
		AND person_id IN (`+strings.Join(ps, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find absences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
