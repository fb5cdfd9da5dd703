package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mamori"
	"mamori/internal/directory"
)

const personColumns = `id, staff_no, name, kana, email, kind, COALESCE(unit_id, 0), is_admin, status, needs_review, created_at, updated_at`

func scanPerson(row interface{ Scan(...any) error }, p *directory.Person) error {
	return row.Scan(&p.ID, &p.StaffNo, &p.Name, &p.Kana, &p.Email, &p.Kind, &p.UnitID, &p.IsAdmin, &p.Status, &p.NeedsReview, &p.CreatedAt, &p.UpdatedAt)
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func createPerson(ctx context.Context, tx *Tx, p *directory.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND staff_no = $2`, p.StaffNo).Scan(&n); err != nil {
		return fmt.Errorf("check staff number: %w", err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "person.staff_no_taken", Args: map[string]any{"StaffNo": p.StaffNo}, Field: "staff_no"}
	}
	id, err := tx.NextID(ctx, "people")
	if err != nil {
		return err
	}
	p.ID = id
	p.CreatedAt, p.UpdatedAt = tx.Now(), tx.Now()
	if _, err := tx.Exec(ctx, `INSERT INTO people (tenant_id, id, staff_no, name, kana, email, kind, unit_id, is_admin, status, needs_review, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		p.ID, p.StaffNo, p.Name, p.Kana, p.Email, p.Kind, nullID(p.UnitID), p.IsAdmin, p.Status, p.NeedsReview, p.CreatedAt, p.UpdatedAt); err != nil {
		return fmt.Errorf("insert person %s: %w", p.StaffNo, err)
	}
	return tx.Record(ctx, Change{Action: "person.create", Table: "people", ID: p.ID,
		Data: map[string]any{"staff_no": p.StaffNo, "name": p.Name, "kind": p.Kind, "unit_id": p.UnitID, "is_admin": p.IsAdmin}})
}

// CreatePersonWithAccount creates a person who can sign in with login and
// a temporary password (already hashed) that must be changed at first use
// (下條村 第2章7(7)6, 天草 第30条2).
func (s *Store) CreatePersonWithAccount(ctx context.Context, p *directory.Person, login, passwordHash string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createPerson(ctx, tx, p); err != nil {
		return err
	}
	if err := createAccount(ctx, tx, p.ID, login, passwordHash); err != nil {
		return err
	}
	return tx.Commit()
}

// Person loads one person.
func (s *Store) Person(ctx context.Context, id int64) (*directory.Person, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findPerson(ctx, tx, id)
}

func findPerson(ctx context.Context, tx *Tx, id int64) (*directory.Person, error) {
	var p directory.Person
	err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE tenant_id = $1 AND id = $2`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "person", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load person %d: %w", id, err)
	}
	return &p, nil
}
