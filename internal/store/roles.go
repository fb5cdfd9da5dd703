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

const assignmentSelect = `SELECT ra.id, ra.person_id, ra.role_id, COALESCE(ra.unit_id, 0), ra.valid_from, ra.valid_until, ra.created_at, ra.created_by,
	p.name, p.staff_no, COALESCE(u.name, '')
	FROM role_assignments ra
	JOIN people p ON p.tenant_id = ra.tenant_id AND p.id = ra.person_id
	LEFT JOIN units u ON u.tenant_id = ra.tenant_id AND u.id = ra.unit_id`

func scanAssignment(row interface{ Scan(...any) error }, a *directory.Assignment) error {
	var until sql.NullTime
	if err := row.Scan(&a.ID, &a.PersonID, &a.Role, &a.UnitID, &a.ValidFrom, &until, &a.CreatedAt, &a.CreatedBy, &a.PersonName, &a.StaffNo, &a.UnitName); err != nil {
		return err
	}
	if until.Valid {
		t := until.Time
		a.ValidUntil = &t
	}
	return nil
}

func assignmentData(a *directory.Assignment) map[string]any {
	d := map[string]any{"person_id": a.PersonID, "role": a.Role, "unit_id": a.UnitID, "valid_from": a.ValidFrom.UTC().Format(time.RFC3339)}
	if a.ValidUntil != nil {
		d["valid_until"] = a.ValidUntil.UTC().Format(time.RFC3339)
	}
	return d
}

// AssignRole records that a person holds a role (for a unit) from
// a.ValidFrom. The role has been checked against the active policy by the
// directory service; here the person and unit must exist, and the same
// role for the same unit may not be held twice at once.
func (s *Store) AssignRole(ctx context.Context, a *directory.Assignment) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := assignRole(ctx, tx, a, "role.assign"); err != nil {
		return err
	}
	return tx.Commit()
}

func assignRole(ctx context.Context, tx *Tx, a *directory.Assignment, action string) error {
	p, err := findPerson(ctx, tx, a.PersonID)
	if err != nil {
		return fieldNotFound(err, "person_id")
	}
	if p.Status == directory.StatusLeft {
		return &mamori.Error{Code: mamori.EINVALID, Message: "role.person_left", Args: map[string]any{"Name": p.Name}, Field: "person_id"}
	}
	if a.UnitID != 0 {
		if _, err := findUnit(ctx, tx, a.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	if a.ValidFrom.IsZero() {
		a.ValidFrom = tx.Now()
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM role_assignments WHERE tenant_id = $1 AND person_id = $2 AND role_id = $3
		AND COALESCE(unit_id, 0) = $4 AND (valid_until IS NULL OR valid_until > $5)`, a.PersonID, a.Role, a.UnitID, a.ValidFrom).Scan(&n); err != nil {
		return fmt.Errorf("check role %s of %d: %w", a.Role, a.PersonID, err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "role.already_held", Args: map[string]any{"Role": a.Role, "Name": p.Name}, Field: "role"}
	}
	id, err := tx.NextID(ctx, "role_assignments")
	if err != nil {
		return err
	}
	a.ID, a.CreatedAt, a.CreatedBy = id, tx.Now(), tx.scope.ActorID
	if _, err := tx.Exec(ctx, `INSERT INTO role_assignments (tenant_id, id, person_id, role_id, unit_id, valid_from, valid_until, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.ID, a.PersonID, a.Role, nullID(a.UnitID), a.ValidFrom, a.ValidUntil, a.CreatedAt, a.CreatedBy); err != nil {
		return fmt.Errorf("insert role %s of %d: %w", a.Role, a.PersonID, err)
	}
	return tx.Record(ctx, Change{Action: action, Table: "role_assignments", ID: a.ID, Data: assignmentData(a)})
}

// EndAssignment ends a role held, at time at (now when zero). The row is
// kept: who held which role when is part of the record.
func (s *Store) EndAssignment(ctx context.Context, id int64, at time.Time) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if at.IsZero() {
		at = tx.Now()
	}
	if err := endAssignment(ctx, tx, id, at, "role.end"); err != nil {
		return err
	}
	return tx.Commit()
}

func endAssignment(ctx context.Context, tx *Tx, id int64, at time.Time, action string) error {
	a, err := findAssignment(ctx, tx, id)
	if err != nil {
		return err
	}
	if a.ValidUntil != nil && !a.ValidUntil.After(at) {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "role.already_ended"}
	}
	// A role cannot end before it began (a transfer applied late may
	// end a role that was assigned after the transfer's date).
	if at.Before(a.ValidFrom) {
		at = a.ValidFrom
	}
	if _, err := tx.Exec(ctx, `UPDATE role_assignments SET valid_until = $3 WHERE tenant_id = $1 AND id = $2`, id, at); err != nil {
		return fmt.Errorf("end role %d: %w", id, err)
	}
	a.ValidUntil = &at
	return tx.Record(ctx, Change{Action: action, Table: "role_assignments", ID: id, Data: assignmentData(a)})
}

// Assignment loads one role assignment.
func (s *Store) Assignment(ctx context.Context, id int64) (*directory.Assignment, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAssignment(ctx, tx, id)
}

func findAssignment(ctx context.Context, tx *Tx, id int64) (*directory.Assignment, error) {
	var a directory.Assignment
	err := scanAssignment(tx.QueryRow(ctx, assignmentSelect+` WHERE ra.tenant_id = $1 AND ra.id = $2`, id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "role_assignment", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load role assignment %d: %w", id, err)
	}
	return &a, nil
}

// AssignmentFilter narrows a list of role assignments.
type AssignmentFilter struct {
	PersonID int64
	Role     string
	UnitID   int64
	// At, when set, keeps the assignments current at that time; else all,
	// past and future included.
	At *time.Time
}

// Assignments lists role assignments, by role, unit and person.
func (s *Store) Assignments(ctx context.Context, f AssignmentFilter) ([]directory.Assignment, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return listAssignments(ctx, tx, f)
}

func listAssignments(ctx context.Context, tx *Tx, f AssignmentFilter) ([]directory.Assignment, error) {
	q := assignmentSelect + ` WHERE ra.tenant_id = $1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args)+1)
	}
	if f.PersonID != 0 {
		q += ` AND ra.person_id = ` + arg(f.PersonID)
	}
	if f.Role != "" {
		q += ` AND ra.role_id = ` + arg(f.Role)
	}
	if f.UnitID != 0 {
		q += ` AND ra.unit_id = ` + arg(f.UnitID)
	}
	if f.At != nil {
		p := arg(*f.At)
		q += ` AND ra.valid_from <= ` + p + ` AND (ra.valid_until IS NULL OR ra.valid_until > ` + p + `)`
	}
	rows, err := tx.Query(ctx, q+` ORDER BY ra.role_id, ra.unit_id, p.staff_no, ra.valid_from`, args...)
	if err != nil {
		return nil, fmt.Errorf("list role assignments: %w", err)
	}
	defer rows.Close()
	var out []directory.Assignment
	for rows.Next() {
		var a directory.Assignment
		if err := scanAssignment(rows, &a); err != nil {
			return nil, fmt.Errorf("list role assignments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RoleHolders returns the active people holding role at time at, for one
// of unitIDs or, when unitIDs is empty, organization-wide. It implements
// directory.Store for role resolution.
func (s *Store) RoleHolders(ctx context.Context, role string, unitIDs []int64, at time.Time) ([]directory.Holder, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := `SELECT p.id, p.name, p.email, ra.role_id, COALESCE(ra.unit_id, 0)
		FROM role_assignments ra JOIN people p ON p.tenant_id = ra.tenant_id AND p.id = ra.person_id
		WHERE ra.tenant_id = $1 AND ra.role_id = $2 AND ra.valid_from <= $3 AND (ra.valid_until IS NULL OR ra.valid_until > $3) AND p.status = 'active'`
	args := []any{role, at}
	if len(unitIDs) == 0 {
		q += ` AND ra.unit_id IS NULL`
	} else {
		var ps []string
		for _, id := range unitIDs {
			args = append(args, id)
			ps = append(ps, fmt.Sprintf("$%d", len(args)+1))
		}
		q += ` AND ra.unit_id IN (` + strings.Join(ps, ", ") + `)`
	}
	rows, err := tx.Query(ctx, q+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find holders of %s: %w", role, err)
	}
	defer rows.Close()
	var out []directory.Holder
	seen := map[[2]int64]bool{}
	for rows.Next() {
		var h directory.Holder
		if err := rows.Scan(&h.PersonID, &h.Name, &h.Email, &h.Role, &h.UnitID); err != nil {
			return nil, fmt.Errorf("find holders of %s: %w", role, err)
		}
		if k := [2]int64{h.PersonID, h.UnitID}; !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out, rows.Err()
}

// Snapshot reads the directory as it stands at time at, in one
// transaction: units, people and current role assignments. Transfers are
// checked against it.
func (s *Store) Snapshot(ctx context.Context, at time.Time) (*directory.Snapshot, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	snap := &directory.Snapshot{At: at}
	if snap.Units, err = listUnits(ctx, tx); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT `+personColumns+` FROM people WHERE tenant_id = $1 ORDER BY staff_no`)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	for rows.Next() {
		var p directory.Person
		if err := scanPerson(rows, &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list people: %w", err)
		}
		snap.People = append(snap.People, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if snap.Assignments, err = listAssignments(ctx, tx, AssignmentFilter{At: &at}); err != nil {
		return nil, err
	}
	return snap, nil
}

// HeldRoles returns the ids of the roles a person holds at time at.
func (s *Store) HeldRoles(ctx context.Context, personID int64, at time.Time) ([]string, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	hs, err := rolesOf(ctx, tx, personID, at)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.Role)
	}
	return out, nil
}
