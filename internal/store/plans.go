package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"mamori"
	"mamori/internal/incident"
)

const planColumns = `r.id, r.version, r.contacts, r.report_items, r.responses, r.prevention, r.note, r.created_at, r.created_by, COALESCE(p.name, '')`

const planFrom = ` FROM response_plans r LEFT JOIN people p ON p.tenant_id = r.tenant_id AND p.id = r.created_by WHERE r.tenant_id = $1`

func scanPlan(row interface{ Scan(...any) error }, p *incident.Plan) error {
	var contacts string
	if err := row.Scan(&p.ID, &p.Version, &contacts, &p.ReportItems, &p.Responses, &p.Prevention, &p.Note, &p.CreatedAt, &p.CreatedBy, &p.CreatedByName); err != nil {
		return err
	}
	return json.Unmarshal([]byte(contacts), &p.Contacts)
}

// AddPlanVersion saves a new version of the emergency response plan; the
// versions before it stay as they were (the table refuses changes).
func (s *Store) AddPlanVersion(ctx context.Context, p *incident.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	id, err := tx.NextID(ctx, "response_plans")
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM response_plans WHERE tenant_id = $1`).Scan(&p.Version); err != nil {
		return fmt.Errorf("next plan version: %w", err)
	}
	contacts, err := json.Marshal(p.Contacts)
	if err != nil {
		return fmt.Errorf("encode contacts: %w", err)
	}
	p.ID, p.CreatedAt, p.CreatedBy = id, tx.Now(), tx.scope.ActorID
	if _, err := tx.Exec(ctx, `INSERT INTO response_plans (tenant_id, id, version, contacts, report_items, responses, prevention, note, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, p.Version, string(contacts), p.ReportItems, p.Responses, p.Prevention, p.Note, p.CreatedAt, p.CreatedBy); err != nil {
		return fmt.Errorf("save plan version %d: %w", p.Version, err)
	}
	if err := tx.Record(ctx, Change{Action: "plan.version", Table: "response_plans", ID: id, Data: map[string]any{"version": p.Version, "note": p.Note}}); err != nil {
		return err
	}
	return tx.Commit()
}

// CurrentPlan is the latest version of the plan; not_found when there is
// none yet.
func (s *Store) CurrentPlan(ctx context.Context) (*incident.Plan, error) {
	return s.planWhere(ctx, ` ORDER BY r.version DESC LIMIT 1`)
}

// PlanVersion is one version of the plan.
func (s *Store) PlanVersion(ctx context.Context, version int) (*incident.Plan, error) {
	return s.planWhere(ctx, ` AND r.version = $2`, version)
}

func (s *Store) planWhere(ctx context.Context, cond string, args ...any) (*incident.Plan, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var p incident.Plan
	err = scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+planFrom+cond, args...), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "plan.none"}
	}
	if err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	return &p, nil
}

// PlanVersions lists every version of the plan, newest first.
func (s *Store) PlanVersions(ctx context.Context) ([]incident.Plan, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT `+planColumns+planFrom+` ORDER BY r.version DESC`)
	if err != nil {
		return nil, fmt.Errorf("list plan versions: %w", err)
	}
	defer rows.Close()
	var out []incident.Plan
	for rows.Next() {
		var p incident.Plan
		if err := scanPlan(rows, &p); err != nil {
			return nil, fmt.Errorf("list plan versions: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
