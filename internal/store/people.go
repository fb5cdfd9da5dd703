package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

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

func personData(p *directory.Person) map[string]any {
	return map[string]any{"staff_no": p.StaffNo, "name": p.Name, "kana": p.Kana, "email": p.Email, "kind": p.Kind,
		"unit_id": p.UnitID, "is_admin": p.IsAdmin, "status": p.Status, "needs_review": p.NeedsReview}
}

// CreatePerson adds a person who has no sign-in account (yet): a
// contractor listed for the register, a member of staff who will be given
// an account later.
func (s *Store) CreatePerson(ctx context.Context, p *directory.Person) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if p.UnitID != 0 {
		if _, err := findUnit(ctx, tx, p.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	if err := createPerson(ctx, tx, p); err != nil {
		return err
	}
	return tx.Commit()
}

// CreatePersonWith creates a person, the network segments they work in
// and, when login is not empty, a sign-in account with a temporary
// password (already hashed), all in one transaction.
func (s *Store) CreatePersonWith(ctx context.Context, p *directory.Person, segments []string, login, passwordHash string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if p.UnitID != 0 {
		if _, err := findUnit(ctx, tx, p.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	if err := createPerson(ctx, tx, p); err != nil {
		return err
	}
	if login != "" {
		if err := createAccount(ctx, tx, p.ID, login, passwordHash); err != nil {
			return err
		}
	}
	if _, err := setSegments(ctx, tx, p.ID, segments); err != nil {
		return err
	}
	return tx.Commit()
}

// AddAccount gives a person without one a sign-in account with a
// temporary password (already hashed) to be changed at first use.
func (s *Store) AddAccount(ctx context.Context, personID int64, login, passwordHash string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findPerson(ctx, tx, personID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE tenant_id = $1 AND id = $2`, personID).Scan(&n); err != nil {
		return fmt.Errorf("check account of %d: %w", personID, err)
	}
	if n > 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "people.has_account"}
	}
	if err := createAccount(ctx, tx, personID, login, passwordHash); err != nil {
		return err
	}
	return tx.Commit()
}

// UpdatePerson changes a person's details. A change of unit outside a
// transfer is a move all the same: the person is flagged for an access
// review (下條村 第2章8(3)9).
//
// segments, when not nil, replace the network segments the person works
// in, in the same transaction.
func (s *Store) UpdatePerson(ctx context.Context, p *directory.Person, segments []string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findPerson(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	p.Status, p.NeedsReview, p.CreatedAt = old.Status, old.NeedsReview, old.CreatedAt
	if err := p.Validate(); err != nil {
		return err
	}
	if p.StaffNo != old.StaffNo {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND staff_no = $2 AND id <> $3`, p.StaffNo, p.ID).Scan(&n); err != nil {
			return fmt.Errorf("check staff number: %w", err)
		}
		if n > 0 {
			return &mamori.Error{Code: mamori.ECONFLICT, Message: "person.staff_no_taken", Args: map[string]any{"StaffNo": p.StaffNo}, Field: "staff_no"}
		}
	}
	if p.UnitID != 0 {
		if _, err := findUnit(ctx, tx, p.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	if p.UnitID != old.UnitID {
		p.NeedsReview = true
	}
	p.UpdatedAt = tx.Now()
	if _, err := tx.Exec(ctx, `UPDATE people SET staff_no = $3, name = $4, kana = $5, email = $6, kind = $7, unit_id = $8, is_admin = $9, needs_review = $10, updated_at = $11
		WHERE tenant_id = $1 AND id = $2`, p.ID, p.StaffNo, p.Name, p.Kana, p.Email, p.Kind, nullID(p.UnitID), p.IsAdmin, p.NeedsReview, p.UpdatedAt); err != nil {
		return fmt.Errorf("update person %d: %w", p.ID, err)
	}
	if err := tx.Record(ctx, Change{Action: "person.update", Table: "people", ID: p.ID, Data: personData(p)}); err != nil {
		return err
	}
	if segments != nil {
		if _, err := setSegments(ctx, tx, p.ID, segments); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SetPersonStatus suspends, reinstates or marks as left. Suspending (下條村
// 第2章9(6)(2), 天草 第39条(3)) and leaving end the person's sessions and
// API tokens in the same transaction, so that they take effect at once;
// the web layer refuses any request of a person who is not active.
func (s *Store) SetPersonStatus(ctx context.Context, id int64, status directory.PersonStatus, reason string) error {
	if !status.Valid() {
		return mamori.FieldError("status", "people.status_invalid", nil)
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := findPerson(ctx, tx, id)
	if err != nil {
		return err
	}
	if p.Status == status {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "people.status_unchanged"}
	}
	if _, err := tx.Exec(ctx, `UPDATE people SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, id, status, tx.Now()); err != nil {
		return fmt.Errorf("set status of %d: %w", id, err)
	}
	action := map[directory.PersonStatus]string{directory.StatusSuspended: "person.suspend", directory.StatusActive: "person.reinstate", directory.StatusLeft: "person.leave"}[status]
	if err := tx.Record(ctx, Change{Action: action, Table: "people", ID: id, Data: map[string]any{"status": status, "previous": p.Status, "reason": reason}}); err != nil {
		return err
	}
	if status != directory.StatusActive {
		if err := endSessions(ctx, tx, id, "auth.sessions_ended"); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ClearReview records that a person's access has been reviewed after a
// move (下條村 第2章8(3)9, 12) and clears the flag.
func (s *Store) ClearReview(ctx context.Context, id int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE people SET needs_review = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2 AND needs_review`, id, false, tx.Now())
	if err != nil {
		return fmt.Errorf("clear review flag of %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "people.review_not_flagged"}
	}
	if err := tx.Record(ctx, Change{Action: "person.reviewed", Table: "people", ID: id}); err != nil {
		return err
	}
	return tx.Commit()
}

// PersonByStaffNo finds a person by staff number.
func (s *Store) PersonByStaffNo(ctx context.Context, staffNo string) (*directory.Person, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var p directory.Person
	err = scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE tenant_id = $1 AND staff_no = $2`, staffNo), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "people.staff_no_unknown", Args: map[string]any{"StaffNo": staffNo}}
	}
	if err != nil {
		return nil, fmt.Errorf("find person %q: %w", staffNo, err)
	}
	return &p, nil
}

// PeopleFilter narrows a list of people.
type PeopleFilter struct {
	Query       string // part of the staff number, name, kana or e-mail
	UnitID      int64  // in this unit or below it
	Kind        directory.PersonKind
	Status      directory.PersonStatus
	NeedsReview bool
	Limit       int // default 100
	Offset      int
}

// People lists people matching f, by staff number, and how many match
// in all.
func (s *Store) People(ctx context.Context, f PeopleFilter) ([]directory.Person, int, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where := ` WHERE tenant_id = $1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args)+1)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.ToLower(escapeLike(q)) + "%"
		p := arg(like)
		where += ` AND (LOWER(staff_no) LIKE ` + p + ` ESCAPE '\' OR LOWER(name) LIKE ` + p + ` ESCAPE '\' OR LOWER(kana) LIKE ` + p + ` ESCAPE '\' OR LOWER(email) LIKE ` + p + ` ESCAPE '\')`
	}
	if f.UnitID != 0 {
		ids, err := subtree(ctx, tx, f.UnitID)
		if err != nil {
			return nil, 0, err
		}
		var ps []string
		for _, id := range ids {
			ps = append(ps, arg(id))
		}
		where += ` AND unit_id IN (` + strings.Join(ps, ", ") + `)`
	}
	if f.Kind != "" {
		where += ` AND kind = ` + arg(string(f.Kind))
	}
	if f.Status != "" {
		where += ` AND status = ` + arg(string(f.Status))
	}
	if f.NeedsReview {
		where += ` AND needs_review`
	}
	var total int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM people`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count people: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := `SELECT ` + personColumns + ` FROM people` + where + ` ORDER BY staff_no LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []directory.Person
	for rows.Next() {
		var p directory.Person
		if err := scanPerson(rows, &p); err != nil {
			return nil, 0, fmt.Errorf("list people: %w", err)
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// subtree returns a unit and all units below it.
func subtree(ctx context.Context, tx *Tx, id int64) ([]int64, error) {
	units, err := listUnits(ctx, tx)
	if err != nil {
		return nil, err
	}
	children := map[int64][]int64{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u.ID)
	}
	out := []int64{id}
	for i := 0; i < len(out) && i < len(units)+1; i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// SetSegments records the network segments of the policy a person works
// in (個人番号利用事務系 …), which may require multi-factor sign-in.
func (s *Store) SetSegments(ctx context.Context, personID int64, segments []string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findPerson(ctx, tx, personID); err != nil {
		return err
	}
	changed, err := setSegments(ctx, tx, personID, segments)
	if err != nil {
		return err
	}
	if !changed {
		tx.Untracked()
	}
	return tx.Commit()
}

func setSegments(ctx context.Context, tx *Tx, personID int64, segments []string) (bool, error) {
	rows, err := tx.Query(ctx, `SELECT id, segment_id FROM person_segments WHERE tenant_id = $1 AND person_id = $2`, personID)
	if err != nil {
		return false, fmt.Errorf("load segments of %d: %w", personID, err)
	}
	have := map[string]int64{}
	for rows.Next() {
		var id int64
		var seg string
		if err := rows.Scan(&id, &seg); err != nil {
			rows.Close()
			return false, err
		}
		have[seg] = id
	}
	rows.Close()
	want := map[string]bool{}
	changed := false
	for _, seg := range segments {
		want[seg] = true
		if _, ok := have[seg]; ok {
			continue
		}
		id, err := tx.NextID(ctx, "person_segments")
		if err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO person_segments (tenant_id, id, person_id, segment_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, personID, seg, tx.Now()); err != nil {
			return false, fmt.Errorf("add segment %s to %d: %w", seg, personID, err)
		}
		have[seg] = id
		if err := tx.Record(ctx, Change{Action: "person.segment_add", Table: "person_segments", ID: id, Data: map[string]any{"person_id": personID, "segment": seg}}); err != nil {
			return false, err
		}
		changed = true
	}
	for seg, id := range have {
		if want[seg] {
			continue
		}
		if err := deleteRecord(ctx, tx, "person_segments", id, "person.segment_remove"); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// Segments returns the segments a person works in, sorted.
func (s *Store) Segments(ctx context.Context, personID int64) ([]string, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return segmentsOf(ctx, tx, personID)
}

func segmentsOf(ctx context.Context, tx *Tx, personID int64) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT segment_id FROM person_segments WHERE tenant_id = $1 AND person_id = $2 ORDER BY segment_id`, personID)
	if err != nil {
		return nil, fmt.Errorf("load segments of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Headcounts returns how many active people work in each unit (0: no
// unit).
func (s *Store) Headcounts(ctx context.Context) (map[int64]int, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT COALESCE(unit_id, 0), COUNT(*) FROM people WHERE tenant_id = $1 AND status = 'active' GROUP BY unit_id`)
	if err != nil {
		return nil, fmt.Errorf("count people per unit: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var unit int64
		var n int
		if err := rows.Scan(&unit, &n); err != nil {
			return nil, err
		}
		out[unit] = n
	}
	return out, rows.Err()
}
