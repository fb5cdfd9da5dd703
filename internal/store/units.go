package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mamori"
	"mamori/internal/directory"
)

const unitColumns = `id, COALESCE(parent_id, 0), code, name, name_en, kind, body, sort, created_at, updated_at`

func scanUnit(row interface{ Scan(...any) error }, u *directory.Unit) error {
	return row.Scan(&u.ID, &u.ParentID, &u.Code, &u.Name, &u.NameEN, &u.Kind, &u.Body, &u.Sort, &u.CreatedAt, &u.UpdatedAt)
}

func unitData(u *directory.Unit) map[string]any {
	return map[string]any{"code": u.Code, "name": u.Name, "name_en": u.NameEN, "kind": u.Kind, "parent_id": u.ParentID, "body": u.Body, "sort": u.Sort}
}

// CreateUnit adds a unit to an organization tree (a root when it has no
// parent: 天草's 事務局 and 消防本部 are two roots).
func (s *Store) CreateUnit(ctx context.Context, u *directory.Unit) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createUnit(ctx, tx, u); err != nil {
		return err
	}
	return tx.Commit()
}

func createUnit(ctx context.Context, tx *Tx, u *directory.Unit) error {
	u.ID = 0
	if err := u.Validate(); err != nil {
		return err
	}
	if err := checkUnitCode(ctx, tx, u.Code, 0); err != nil {
		return err
	}
	if u.ParentID != 0 {
		if _, err := findUnit(ctx, tx, u.ParentID); err != nil {
			return fieldNotFound(err, "parent_id")
		}
	}
	id, err := tx.NextID(ctx, "units")
	if err != nil {
		return err
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, tx.Now(), tx.Now()
	if _, err := tx.Exec(ctx, `INSERT INTO units (tenant_id, id, parent_id, code, name, name_en, kind, body, sort, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, nullID(u.ParentID), u.Code, u.Name, u.NameEN, u.Kind, u.Body, u.Sort, u.CreatedAt, u.UpdatedAt); err != nil {
		return fmt.Errorf("insert unit %s: %w", u.Code, err)
	}
	return tx.Record(ctx, Change{Action: "unit.create", Table: "units", ID: u.ID, Data: unitData(u)})
}

func checkUnitCode(ctx context.Context, tx *Tx, code string, except int64) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND code = $2 AND id <> $3`, code, except).Scan(&n); err != nil {
		return fmt.Errorf("check unit code: %w", err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "unit.code_taken", Args: map[string]any{"Code": code}, Field: "code"}
	}
	return nil
}

// UpdateUnit changes a unit's names, kind, code, order or place in the
// tree. A unit cannot be moved under itself or one of its descendants.
func (s *Store) UpdateUnit(ctx context.Context, u *directory.Unit) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := u.Validate(); err != nil {
		return err
	}
	old, err := findUnit(ctx, tx, u.ID)
	if err != nil {
		return err
	}
	if err := checkUnitCode(ctx, tx, u.Code, u.ID); err != nil {
		return err
	}
	if u.ParentID != 0 {
		path, err := unitPath(ctx, tx, u.ParentID)
		if err != nil {
			return fieldNotFound(err, "parent_id")
		}
		for _, p := range path {
			if p.ID == u.ID {
				return mamori.FieldError("parent_id", "unit.parent_cycle", nil)
			}
		}
	}
	u.CreatedAt, u.UpdatedAt = old.CreatedAt, tx.Now()
	if _, err := tx.Exec(ctx, `UPDATE units SET parent_id = $3, code = $4, name = $5, name_en = $6, kind = $7, body = $8, sort = $9, updated_at = $10
		WHERE tenant_id = $1 AND id = $2`, u.ID, nullID(u.ParentID), u.Code, u.Name, u.NameEN, u.Kind, u.Body, u.Sort, u.UpdatedAt); err != nil {
		return fmt.Errorf("update unit %d: %w", u.ID, err)
	}
	if err := tx.Record(ctx, Change{Action: "unit.update", Table: "units", ID: u.ID, Data: unitData(u)}); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteUnit removes a unit that nothing refers to: no sub-units, no
// people, no role held for it (even in the past: who held what is kept)
// and no transfer row. Units in use are renamed or moved instead.
func (s *Store) DeleteUnit(ctx context.Context, id int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := findUnit(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND parent_id = $2`,
		`SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND unit_id = $2`,
		`SELECT COUNT(*) FROM role_assignments WHERE tenant_id = $1 AND unit_id = $2`,
		`SELECT COUNT(*) FROM transfer_items WHERE tenant_id = $1 AND (to_unit_id = $2 OR from_unit_id = $2)`,
	} {
		var n int
		if err := tx.QueryRow(ctx, q, id).Scan(&n); err != nil {
			return fmt.Errorf("check use of unit %d: %w", id, err)
		}
		if n > 0 {
			return &mamori.Error{Code: mamori.ECONFLICT, Message: "unit.in_use", Args: map[string]any{"Unit": u.Name}}
		}
	}
	if err := deleteRecord(ctx, tx, "units", id, "unit.delete"); err != nil {
		return err
	}
	return tx.Commit()
}

// Unit loads one unit.
func (s *Store) Unit(ctx context.Context, id int64) (*directory.Unit, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUnit(ctx, tx, id)
}

func findUnit(ctx context.Context, tx *Tx, id int64) (*directory.Unit, error) {
	var u directory.Unit
	err := scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+` FROM units WHERE tenant_id = $1 AND id = $2`, id), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "unit.unknown", Args: map[string]any{"Unit": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load unit %d: %w", id, err)
	}
	return &u, nil
}

// Units lists every unit of the organization, in tree order's raw
// material: by sort key, then code (directory.Tree arranges them).
func (s *Store) Units(ctx context.Context) ([]directory.Unit, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return listUnits(ctx, tx)
}

func listUnits(ctx context.Context, tx *Tx) ([]directory.Unit, error) {
	rows, err := tx.Query(ctx, `SELECT `+unitColumns+` FROM units WHERE tenant_id = $1 ORDER BY sort, code`)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []directory.Unit
	for rows.Next() {
		var u directory.Unit
		if err := scanUnit(rows, &u); err != nil {
			return nil, fmt.Errorf("list units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UnitPath returns a unit and its ancestors, the unit first (role
// resolution walks up it).
func (s *Store) UnitPath(ctx context.Context, id int64) ([]directory.Unit, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return unitPath(ctx, tx, id)
}

// maxDepth bounds a walk up the tree: a cycle the checks above prevent
// must still not hang a request.
const maxDepth = 32

func unitPath(ctx context.Context, tx *Tx, id int64) ([]directory.Unit, error) {
	var path []directory.Unit
	for next := id; next != 0; {
		if len(path) == maxDepth {
			return nil, fmt.Errorf("unit %d: tree deeper than %d (a cycle?)", id, maxDepth)
		}
		u, err := findUnit(ctx, tx, next)
		if err != nil {
			return nil, err
		}
		path = append(path, *u)
		next = u.ParentID
	}
	return path, nil
}

// fieldNotFound turns a not-found error into a validation error of the
// field that named the missing object.
func fieldNotFound(err error, field string) error {
	if e, ok := mamori.AsError(err); ok && e.Code == mamori.ENOTFOUND {
		return &mamori.Error{Code: mamori.EINVALID, Message: e.Message, Args: e.Args, Field: field}
	}
	return err
}
