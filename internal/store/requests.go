package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"mamori"
	"mamori/internal/notify"
	"mamori/internal/request"
)

// This file stores requests and approvals (申請・承認): the request row,
// the assets it concerns and its approval steps per round, and (in
// requests_reports.go) the reports filed after it was granted. Every row
// of a request carries the request's keep-until (requests_retention.go).

const requestSelect = `SELECT r.id, r.kind, r.kind_name_ja, r.kind_name_en, r.action, r.applicant_id, COALESCE(r.unit_id, 0), COALESCE(r.owner_unit_id, 0),
	r.fields, r.status, r.round, r.step, r.effect, r.rules, r.clauses, r.reason_ja, r.reason_en, r.record_type, r.facts, r.by_default,
	r.policy_version_id, r.policy_version, r.due_at, r.executed_at, r.returned_at, r.keep_until, r.retention_clause,
	r.submitted_at, r.decided_at, r.reminded_at, r.created_at, r.updated_at, p.name, COALESCE(u.name, ''),
	COALESCE(s.id, 0), COALESCE(s.role, ''), COALESCE(s.scope, ''), COALESCE(s.unit_id, 0), COALESCE(s.escalated_from, '')
	FROM requests r
	JOIN people p ON p.tenant_id = r.tenant_id AND p.id = r.applicant_id
	LEFT JOIN units u ON u.tenant_id = r.tenant_id AND u.id = r.unit_id
	LEFT JOIN request_steps s ON s.tenant_id = r.tenant_id AND s.request_id = r.id AND s.round = r.round AND s.idx = r.step AND r.status = 'pending'`

func scanRequest(row interface{ Scan(...any) error }, r *request.Request) error {
	var fields, rules, clauses, facts string
	var due, executed, returned, keep, decided, reminded sql.NullTime
	var st request.Step
	if err := row.Scan(&r.ID, &r.Kind, &r.KindName.JA, &r.KindName.EN, &r.Action, &r.ApplicantID, &r.UnitID, &r.OwnerUnitID,
		&fields, &r.Status, &r.Round, &r.Step, &r.Decision.Effect, &rules, &clauses, &r.Decision.Reason.JA, &r.Decision.Reason.EN,
		&r.Decision.RecordType, &facts, &r.Decision.Default, &r.Decision.PolicyVersionID, &r.Decision.PolicyVersion,
		&due, &executed, &returned, &keep, &r.RetentionClause, &r.SubmittedAt, &decided, &reminded, &r.CreatedAt, &r.UpdatedAt,
		&r.ApplicantName, &r.UnitName, &st.ID, &st.Role, &st.Scope, &st.UnitID, &st.EscalatedFrom); err != nil {
		return err
	}
	var err error
	if r.Values, err = request.DecodeValues(fields); err != nil {
		return fmt.Errorf("request %d: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(rules), &r.Decision.Rules); err != nil {
		return fmt.Errorf("request %d: decode rules: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(clauses), &r.Decision.Clauses); err != nil {
		return fmt.Errorf("request %d: decode clauses: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(facts), &r.Decision.Facts); err != nil {
		return fmt.Errorf("request %d: decode facts: %w", r.ID, err)
	}
	r.DueAt, r.ExecutedAt, r.ReturnedAt = timePtr(due), timePtr(executed), timePtr(returned)
	r.KeepUntil, r.DecidedAt, r.RemindedAt = timePtr(keep), timePtr(decided), timePtr(reminded)
	if st.ID != 0 {
		st.Round, st.Index, st.Status = r.Round, r.Step, request.StepPending
		r.Steps = []request.Step{st}
	}
	return nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// requestData is what the log keeps of a request's state change: never a
// secret (a request form holds none).
func requestData(r *request.Request) map[string]any {
	d := map[string]any{"kind": r.Kind, "action": r.Action, "status": string(r.Status), "round": r.Round, "step": r.Step,
		"applicant_id": r.ApplicantID, "effect": string(r.Decision.Effect), "rules": r.Decision.Rules, "clauses": r.Decision.Clauses,
		"policy_version_id": r.Decision.PolicyVersionID, "policy_version": r.Decision.PolicyVersion, "fields": map[string]any(r.Values)}
	var ids []int64
	for _, a := range r.Assets {
		ids = append(ids, a.ID)
	}
	if len(ids) > 0 {
		d["assets"] = ids
	}
	var route []string
	for _, st := range r.Steps {
		if st.Round == r.Round {
			route = append(route, st.Role)
		}
	}
	if len(route) > 0 {
		d["route"] = route
	}
	if r.KeepUntil != nil {
		d["keep_until"] = r.KeepUntil.UTC().Format(time.RFC3339)
	}
	return d
}

// CreateRequest stores a new request, the assets it concerns and its
// approval steps, in one transaction.
// tell, given the stored request, returns the notices to write with it.
func (s *Store) CreateRequest(ctx context.Context, r *request.Request, tell func(*request.Request) []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	id, err := tx.NextID(ctx, "requests")
	if err != nil {
		return err
	}
	now := tx.Now()
	r.ID, r.CreatedAt, r.UpdatedAt = id, now, now
	if err := addRequestFiles(ctx, tx, r); err != nil {
		return err
	}
	cols, err := decisionColumns(r)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO requests (tenant_id, id, kind, kind_name_ja, kind_name_en, action, applicant_id, unit_id, owner_unit_id,
		fields, status, round, step, step_since, effect, rules, clauses, reason_ja, reason_en, record_type, facts, by_default,
		policy_version_id, policy_version, due_at, keep_until, retention_clause, submitted_at, decided_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)`,
		r.ID, r.Kind, r.KindName.JA, r.KindName.EN, r.Action, r.ApplicantID, nullID(r.UnitID), nullID(r.OwnerUnitID),
		cols.fields, string(r.Status), r.Round, r.Step, stepSince(r), string(r.Decision.Effect), cols.rules, cols.clauses,
		r.Decision.Reason.JA, r.Decision.Reason.EN, r.Decision.RecordType, cols.facts, r.Decision.Default,
		r.Decision.PolicyVersionID, r.Decision.PolicyVersion, r.DueAt, r.KeepUntil, r.RetentionClause, r.SubmittedAt, r.DecidedAt, now, now); err != nil {
		return fmt.Errorf("insert request: %w", err)
	}
	if err := insertRound(ctx, tx, r); err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "request.submit", Table: "requests", ID: r.ID, Data: requestData(r)}); err != nil {
		return err
	}
	if tell != nil {
		if err := addNotifications(ctx, tx, tell(r)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

type encodedDecision struct{ fields, rules, clauses, facts string }

func decisionColumns(r *request.Request) (encodedDecision, error) {
	var e encodedDecision
	var err error
	if e.fields, err = r.Values.Encode(); err != nil {
		return e, err
	}
	rules, clauses, facts := r.Decision.Rules, r.Decision.Clauses, r.Decision.Facts
	if rules == nil {
		rules = []string{}
	}
	if clauses == nil {
		clauses = []string{}
	}
	if facts == nil {
		facts = map[string]any{}
	}
	if e.rules, err = jsonText(rules); err != nil {
		return e, err
	}
	if e.clauses, err = jsonText(clauses); err != nil {
		return e, err
	}
	e.facts, err = jsonText(facts)
	return e, err
}

// stepSince is when the pending step opened: the submission.
func stepSince(r *request.Request) *time.Time {
	if r.Status != request.StatusPending {
		return nil
	}
	t := r.SubmittedAt
	return &t
}

// insertRound stores the assets and steps of the request's current round.
func insertRound(ctx context.Context, tx *Tx, r *request.Request) error {
	for _, a := range r.Assets {
		id, err := tx.NextID(ctx, "request_assets")
		if err != nil {
			return err
		}
		levels := a.Levels
		if levels == nil {
			levels = map[string]string{}
		}
		lv, err := jsonText(levels)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO request_assets (tenant_id, id, request_id, round, asset_id, name, owner_unit_id, levels, keep_until, retention_clause)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, r.ID, r.Round, a.ID, a.Name, nullID(a.OwnerUnitID), lv, r.KeepUntil, r.RetentionClause); err != nil {
			return fmt.Errorf("insert asset %d of request %d: %w", a.ID, r.ID, err)
		}
		if err := tx.Record(ctx, Change{Action: "request.asset", Table: "request_assets", ID: id,
			Data: map[string]any{"request_id": r.ID, "round": r.Round, "asset_id": a.ID, "name": a.Name, "levels": levels}}); err != nil {
			return err
		}
	}
	for i := range r.Steps {
		st := &r.Steps[i]
		if st.Round != r.Round {
			continue
		}
		id, err := tx.NextID(ctx, "request_steps")
		if err != nil {
			return err
		}
		st.ID = id
		if _, err := tx.Exec(ctx, `INSERT INTO request_steps (tenant_id, id, request_id, round, idx, role, scope, unit_id, escalated_from, status, keep_until, retention_clause)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, r.ID, st.Round, st.Index, st.Role, st.Scope, nullID(st.UnitID), st.EscalatedFrom, string(st.Status), r.KeepUntil, r.RetentionClause); err != nil {
			return fmt.Errorf("insert step %d of request %d: %w", st.Index, r.ID, err)
		}
		if err := tx.Record(ctx, Change{Action: "request.step", Table: "request_steps", ID: id,
			Data: map[string]any{"request_id": r.ID, "round": st.Round, "step": st.Index, "role": st.Role, "unit_id": st.UnitID, "escalated_from": st.EscalatedFrom, "status": string(st.Status)}}); err != nil {
			return err
		}
	}
	return nil
}

// errAlreadyDecided is what the slower of two approvers gets.
func errAlreadyDecided(id int64) error {
	return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.already_decided", Args: map[string]any{"ID": id}}
}

// DecideStep applies an approver's decision. The request row is updated
// only while the decided step is still the pending one (WHERE status =
// 'pending' AND round AND step): of two approvers deciding at the same
// moment, on two servers, the second updates nothing and gets a conflict,
// and no step is ever decided twice. (A writing transaction also holds the
// tenant's chain head, which serializes them; the condition does not rely
// on it.)
// The notices ds are written in the same transaction.
func (s *Store) DecideStep(ctx context.Context, d *request.StepDecision, ds []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var since, decided *time.Time
	if d.NextStep != 0 {
		since = &d.At
	} else {
		decided = &d.At
	}
	res, err := tx.Exec(ctx, `UPDATE requests SET status = $3, step = $4, step_since = $5, decided_at = $6, reminded_at = NULL, updated_at = $7
		WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND round = $8 AND step = $9`,
		d.RequestID, string(d.Next), d.NextStep, since, decided, d.At, d.Round, d.Step)
	if err != nil {
		return fmt.Errorf("decide request %d: %w", d.RequestID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("decide request %d: %w", d.RequestID, err)
	} else if n != 1 {
		if _, err := findRequestRow(ctx, tx, d.RequestID); err != nil {
			return err
		}
		return errAlreadyDecided(d.RequestID)
	}
	stepStatus := map[request.Outcome]request.StepStatus{request.Approve: request.StepApproved, request.Reject: request.StepRejected, request.SendBack: request.StepReturned}[d.Outcome]
	stepID, err := stepIDOf(ctx, tx, d.RequestID, d.Round, d.Step)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE request_steps SET status = $3, decided_by = $4, acting_role = $5, for_person_id = $6, decided_at = $7, comment = $8
		WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
		stepID, string(stepStatus), d.By, d.ActingRole, nullID(d.ForPersonID), d.At, d.Comment); err != nil {
		return fmt.Errorf("decide step %d of request %d: %w", d.Step, d.RequestID, err)
	}
	if err := tx.Record(ctx, Change{Action: "request.step_" + string(d.Outcome), Table: "request_steps", ID: stepID,
		Data: map[string]any{"request_id": d.RequestID, "round": d.Round, "step": d.Step, "decided_by": d.By, "acting_role": d.ActingRole, "for_person_id": d.ForPersonID, "comment": d.Comment}}); err != nil {
		return err
	}
	if d.NextStep != 0 {
		if err := setStepStatus(ctx, tx, d.RequestID, d.Round, []string{string(request.StepWaiting)}, request.StepPending, d.NextStep); err != nil {
			return err
		}
	} else if d.Next != request.StatusApproved {
		if err := setStepStatus(ctx, tx, d.RequestID, d.Round, []string{string(request.StepWaiting)}, request.StepCancelled, 0); err != nil {
			return err
		}
	}
	if err := extendRetention(ctx, tx, d.RequestID, d.Ret); err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "request." + string(d.Outcome), Table: "requests", ID: d.RequestID,
		Data: map[string]any{"round": d.Round, "step": d.Step, "status": string(d.Next), "next_step": d.NextStep, "decided_by": d.By,
			"acting_role": d.ActingRole, "for_person_id": d.ForPersonID, "comment": d.Comment}}); err != nil {
		return err
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	return tx.Commit()
}

func stepIDOf(ctx context.Context, tx *Tx, requestID int64, round, idx int) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM request_steps WHERE tenant_id = $1 AND request_id = $2 AND round = $3 AND idx = $4`, requestID, round, idx).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("find step %d of request %d: %w", idx, requestID, err)
	}
	return id, nil
}

// setStepStatus moves the round's steps in one of the from statuses (only
// step idx when idx is not 0) to status to, recording each.
func setStepStatus(ctx context.Context, tx *Tx, requestID int64, round int, from []string, to request.StepStatus, idx int) error {
	q := `SELECT id, idx FROM request_steps WHERE tenant_id = $1 AND request_id = $2 AND round = $3 AND status IN (` + placeholders(4, len(from)) + `)`
	args := []any{requestID, round}
	for _, f := range from {
		args = append(args, f)
	}
	if idx != 0 {
		q += fmt.Sprintf(` AND idx = $%d`, len(args)+2)
		args = append(args, idx)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY idx`, args...)
	if err != nil {
		return fmt.Errorf("find steps of request %d: %w", requestID, err)
	}
	type step struct {
		id  int64
		idx int
	}
	var steps []step
	for rows.Next() {
		var s step
		if err := rows.Scan(&s.id, &s.idx); err != nil {
			rows.Close()
			return err
		}
		steps = append(steps, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, `UPDATE request_steps SET status = $3 WHERE tenant_id = $1 AND id = $2`, s.id, string(to)); err != nil {
			return fmt.Errorf("update step %d of request %d: %w", s.idx, requestID, err)
		}
		if err := tx.Record(ctx, Change{Action: "request.step_" + string(to), Table: "request_steps", ID: s.id,
			Data: map[string]any{"request_id": requestID, "round": round, "step": s.idx, "status": string(to)}}); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ps, ", ")
}

// ResubmitRequest starts a new round of a sent-back request: its answers,
// the policy's new decision and the new route replace the current ones
// (the earlier rounds' steps and assets stay, as history), only while the
// request is still sent back.
func (s *Store) ResubmitRequest(ctx context.Context, r *request.Request, ds []notify.Delivery) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := addRequestFiles(ctx, tx, r); err != nil {
		return err
	}
	cols, err := decisionColumns(r)
	if err != nil {
		return err
	}
	now := tx.Now()
	res, err := tx.Exec(ctx, `UPDATE requests SET unit_id = $3, owner_unit_id = $4, fields = $5, status = $6, round = $7, step = $8, step_since = $9,
		effect = $10, rules = $11, clauses = $12, reason_ja = $13, reason_en = $14, record_type = $15, facts = $16, by_default = $17,
		policy_version_id = $18, policy_version = $19, due_at = $20, submitted_at = $21, decided_at = $22, reminded_at = NULL, updated_at = $23,
		retention_clause = CASE WHEN retention_clause = '' THEN $24 ELSE retention_clause END
		WHERE tenant_id = $1 AND id = $2 AND status = 'returned' AND round = $25`,
		r.ID, nullID(r.UnitID), nullID(r.OwnerUnitID), cols.fields, string(r.Status), r.Round, r.Step, stepSince(r),
		string(r.Decision.Effect), cols.rules, cols.clauses, r.Decision.Reason.JA, r.Decision.Reason.EN, r.Decision.RecordType, cols.facts, r.Decision.Default,
		r.Decision.PolicyVersionID, r.Decision.PolicyVersion, r.DueAt, r.SubmittedAt, r.DecidedAt, now, r.RetentionClause, r.Round-1)
	if err != nil {
		return fmt.Errorf("resubmit request %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if _, err := findRequestRow(ctx, tx, r.ID); err != nil {
			return err
		}
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.not_returned", Args: map[string]any{"ID": r.ID}}
	}
	keep, err := currentKeep(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	if keep != nil && (r.KeepUntil == nil || r.KeepUntil.Before(*keep)) {
		r.KeepUntil = keep
	}
	if err := insertRound(ctx, tx, r); err != nil {
		return err
	}
	if err := extendRetention(ctx, tx, r.ID, request.Retention{KeepUntil: r.KeepUntil, Clause: r.RetentionClause}); err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "request.resubmit", Table: "requests", ID: r.ID, Data: requestData(r)}); err != nil {
		return err
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	return tx.Commit()
}

// WithdrawRequest closes an open request of the given round.
func (s *Store) WithdrawRequest(ctx context.Context, id int64, round int) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := tx.Now()
	res, err := tx.Exec(ctx, `UPDATE requests SET status = 'withdrawn', step = 0, step_since = NULL, decided_at = $3, updated_at = $3
		WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'returned') AND round = $4`, id, now, round)
	if err != nil {
		return fmt.Errorf("withdraw request %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if _, err := findRequestRow(ctx, tx, id); err != nil {
			return err
		}
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.closed", Args: map[string]any{"ID": id}}
	}
	if err := setStepStatus(ctx, tx, id, round, []string{string(request.StepPending), string(request.StepWaiting)}, request.StepCancelled, 0); err != nil {
		return err
	}
	if err := tx.Record(ctx, Change{Action: "request.withdraw", Table: "requests", ID: id, Data: map[string]any{"round": round, "status": "withdrawn"}}); err != nil {
		return err
	}
	return tx.Commit()
}

// MarkReminded claims the reminder of a pending step and writes its
// notices ds: it succeeds for one caller only — the first to find that no
// reminder went out since cutoff — so that two servers running the
// reminder job do not both send it.
func (s *Store) MarkReminded(ctx context.Context, id int64, round, step int, cutoff time.Time, ds []notify.Delivery) (bool, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE requests SET reminded_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND round = $4 AND step = $5
		AND COALESCE(reminded_at, step_since, submitted_at) <= $6`, id, tx.Now(), round, step, cutoff)
	if err != nil {
		return false, fmt.Errorf("claim reminder of request %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tx.Untracked()
		return false, tx.Commit()
	}
	if err := tx.Record(ctx, Change{Action: "request.remind", Table: "requests", ID: id, Data: map[string]any{"round": round, "step": step}}); err != nil {
		return false, err
	}
	if err := addNotifications(ctx, tx, ds); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// RecordRefusal records that the policy refused a submission: an event
// with what was asked and why, and no request.
func (s *Store) RecordRefusal(ctx context.Context, r *request.Request) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	d := requestData(r)
	d["reason"] = r.Decision.Reason.JA
	if r.ID != 0 {
		d["request_id"] = r.ID
	}
	if err := tx.Record(ctx, Change{Action: "request.refused", Data: d}); err != nil {
		return err
	}
	return tx.Commit()
}

// findRequestRow checks that a request exists (for the error of a
// conditional update that changed nothing).
func findRequestRow(ctx context.Context, tx *Tx, id int64) (request.Status, error) {
	var st request.Status
	err := tx.QueryRow(ctx, `SELECT status FROM requests WHERE tenant_id = $1 AND id = $2`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "request", "ID": id}}
	}
	if err != nil {
		return "", fmt.Errorf("load request %d: %w", id, err)
	}
	return st, nil
}

// Request loads a request with its current assets, every round's steps
// and its reports.
func (s *Store) Request(ctx context.Context, id int64) (*request.Request, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var r request.Request
	err = scanRequest(tx.QueryRow(ctx, requestSelect+` WHERE r.tenant_id = $1 AND r.id = $2`, id), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "request", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load request %d: %w", id, err)
	}
	list := []request.Request{r}
	if err := loadRequestAssets(ctx, tx, list); err != nil {
		return nil, err
	}
	r = list[0]
	if r.Steps, err = loadSteps(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Reports, err = loadReports(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Attachments, err = ownedAttachments(ctx, tx, "requests", id, r.Values); err != nil {
		return nil, err
	}
	return &r, nil
}

func loadSteps(ctx context.Context, tx *Tx, requestID int64) ([]request.Step, error) {
	rows, err := tx.Query(ctx, `SELECT s.id, s.round, s.idx, s.role, s.scope, COALESCE(s.unit_id, 0), s.escalated_from, s.status,
		COALESCE(s.decided_by, 0), s.acting_role, COALESCE(s.for_person_id, 0), s.decided_at, s.comment, COALESCE(d.name, ''), COALESCE(f.name, '')
		FROM request_steps s
		LEFT JOIN people d ON d.tenant_id = s.tenant_id AND d.id = s.decided_by
		LEFT JOIN people f ON f.tenant_id = s.tenant_id AND f.id = s.for_person_id
		WHERE s.tenant_id = $1 AND s.request_id = $2 ORDER BY s.round, s.idx`, requestID)
	if err != nil {
		return nil, fmt.Errorf("load steps of request %d: %w", requestID, err)
	}
	defer rows.Close()
	var out []request.Step
	for rows.Next() {
		var st request.Step
		var decided sql.NullTime
		if err := rows.Scan(&st.ID, &st.Round, &st.Index, &st.Role, &st.Scope, &st.UnitID, &st.EscalatedFrom, &st.Status,
			&st.DecidedBy, &st.ActingRole, &st.ForPersonID, &decided, &st.Comment, &st.DecidedByName, &st.ForPersonName); err != nil {
			return nil, fmt.Errorf("load steps of request %d: %w", requestID, err)
		}
		st.DecidedAt = timePtr(decided)
		out = append(out, st)
	}
	return out, rows.Err()
}

// loadRequestAssets fills in the assets of each request's current round.
func loadRequestAssets(ctx context.Context, tx *Tx, rs []request.Request) error {
	if len(rs) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, 0, len(rs))
	for i, r := range rs {
		idx[r.ID] = i
		args = append(args, r.ID)
	}
	rows, err := tx.Query(ctx, `SELECT a.request_id, a.asset_id, a.name, COALESCE(a.owner_unit_id, 0), a.levels
		FROM request_assets a JOIN requests r ON r.tenant_id = a.tenant_id AND r.id = a.request_id AND r.round = a.round
		WHERE a.tenant_id = $1 AND a.request_id IN (`+placeholders(2, len(args))+`) ORDER BY a.id`, args...)
	if err != nil {
		return fmt.Errorf("load assets of requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var reqID int64
		var a request.AssetRef
		var levels string
		if err := rows.Scan(&reqID, &a.ID, &a.Name, &a.OwnerUnitID, &levels); err != nil {
			return fmt.Errorf("load assets of requests: %w", err)
		}
		if err := json.Unmarshal([]byte(levels), &a.Levels); err != nil {
			return fmt.Errorf("asset %d of request %d: decode levels: %w", a.ID, reqID, err)
		}
		i := idx[reqID]
		rs[i].Assets = append(rs[i].Assets, a)
	}
	return rows.Err()
}

// Requests lists requests matching f, newest first, each with its
// current assets and (when pending) its pending step.
func (s *Store) Requests(ctx context.Context, f request.Filter) ([]request.Request, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	q := strings.Builder{}
	q.WriteString(requestSelect + ` WHERE r.tenant_id = $1`)
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args)+1)
	}
	if f.ApplicantID != 0 {
		q.WriteString(` AND r.applicant_id = ` + arg(f.ApplicantID))
	}
	if f.DecidedBy != 0 {
		q.WriteString(` AND EXISTS (SELECT 1 FROM request_steps d WHERE d.tenant_id = r.tenant_id AND d.request_id = r.id AND d.decided_by = ` + arg(f.DecidedBy) + `)`)
	}
	if f.Kind != "" {
		q.WriteString(` AND r.kind = ` + arg(f.Kind))
	}
	if len(f.Statuses) > 0 {
		var ps []string
		for _, st := range f.Statuses {
			ps = append(ps, arg(string(st)))
		}
		q.WriteString(` AND r.status IN (` + strings.Join(ps, ", ") + `)`)
	}
	if !f.OverdueAt.IsZero() {
		q.WriteString(` AND r.due_at IS NOT NULL AND r.returned_at IS NULL AND r.status IN ('approved', 'recorded', 'allowed') AND r.due_at < ` + arg(f.OverdueAt))
	}
	if !f.ReminderDue.IsZero() {
		q.WriteString(` AND r.status = 'pending' AND COALESCE(r.reminded_at, r.step_since, r.submitted_at) <= ` + arg(f.ReminderDue))
	}
	if len(f.Steps) > 0 {
		// s is the pending step (requestSelect joins it).
		ors := make([]string, 0, len(f.Steps))
		for _, k := range f.Steps {
			ors = append(ors, `(s.role = `+arg(k.Role)+` AND COALESCE(s.unit_id, 0) = `+arg(k.UnitID)+`)`)
		}
		q.WriteString(` AND r.status = 'pending' AND (` + strings.Join(ors, " OR ") + `)`)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	order := "DESC"
	if f.Oldest {
		order = "ASC"
	}
	fmt.Fprintf(&q, ` ORDER BY r.id %s LIMIT %d`, order, limit)
	rows, err := tx.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	var out []request.Request
	for rows.Next() {
		var r request.Request
		if err := scanRequest(rows, &r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	if err := loadRequestAssets(ctx, tx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// PendingSteps lists, once each, the role and unit each pending request's
// pending step waits for.
func (s *Store) PendingSteps(ctx context.Context) ([]request.StepKey, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT DISTINCT s.role, COALESCE(s.unit_id, 0) FROM requests r
		JOIN request_steps s ON s.tenant_id = r.tenant_id AND s.request_id = r.id AND s.round = r.round AND s.idx = r.step
		WHERE r.tenant_id = $1 AND r.status = 'pending'`)
	if err != nil {
		return nil, fmt.Errorf("list pending steps: %w", err)
	}
	defer rows.Close()
	var out []request.StepKey
	for rows.Next() {
		var k request.StepKey
		if err := rows.Scan(&k.Role, &k.UnitID); err != nil {
			return nil, fmt.Errorf("list pending steps: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// addRequestFiles stores the files sent with a submission, kept as long
// as the request, and answers the file fields with their ids.
func addRequestFiles(ctx context.Context, tx *Tx, r *request.Request) error {
	if len(r.Files) == 0 {
		return nil
	}
	if r.Values == nil {
		r.Values = request.Values{}
	}
	replaced := map[string]bool{}
	for _, u := range r.Files {
		a := &Attachment{OwnerType: "requests", OwnerID: r.ID, Filename: u.Filename, ContentType: u.ContentType, Data: u.Data,
			KeepUntil: r.KeepUntil, RetentionClause: r.RetentionClause}
		if err := addAttachment(ctx, tx, a); err != nil {
			return err
		}
		if !replaced[u.Field] {
			delete(r.Values, u.Field)
			replaced[u.Field] = true
		}
		r.Values[u.Field] = append(r.Values.IDs(u.Field), a.ID)
	}
	r.Files = nil
	return nil
}
