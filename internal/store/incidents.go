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
	"mamori/internal/eventlog"
	"mamori/internal/incident"
)

const incidentColumns = `id, receipt_no, source, category, title, description, COALESCE(reporter_id, 0), COALESCE(reporter_unit_id, 0),
	reporter_name, reporter_contact, COALESCE(form_nonce, ''), COALESCE(unit_id, 0), occurred_at, discovered_at, reported_at, status,
	triage, severity, personal_info, malicious, triaged_at, COALESCE(triaged_by, 0), what_happened, cause, damage, impact_scope,
	chain_step, policy_version_id, closed_at, COALESCE(closed_by, 0), created_at, updated_at`

func scanIncident(row interface{ Scan(...any) error }, inc *incident.Incident) error {
	var occurred, triaged, closed sql.NullTime
	err := row.Scan(&inc.ID, &inc.ReceiptNo, &inc.Source, &inc.Category, &inc.Title, &inc.Description, &inc.ReporterID, &inc.ReporterUnitID,
		&inc.ReporterName, &inc.ReporterContact, &inc.FormNonce, &inc.UnitID, &occurred, &inc.DiscoveredAt, &inc.ReportedAt, &inc.Status,
		&inc.Triage, &inc.Severity, &inc.PersonalInfo, &inc.Malicious, &triaged, &inc.TriagedBy, &inc.What, &inc.Cause, &inc.Damage, &inc.Scope,
		&inc.ChainStep, &inc.PolicyVersionID, &closed, &inc.ClosedBy, &inc.CreatedAt, &inc.UpdatedAt)
	inc.OccurredAt, inc.TriagedAt, inc.ClosedAt = incTime(occurred), incTime(triaged), incTime(closed)
	return err
}

func incTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func incNullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// incidentData is what the log keeps of an incident's state change: the
// status and judgements, never the reporter's contact details.
func incidentData(inc *incident.Incident) map[string]any {
	return map[string]any{"receipt_no": inc.ReceiptNo, "status": inc.Status, "triage": inc.Triage, "severity": inc.Severity,
		"unit_id": inc.UnitID, "chain_step": inc.ChainStep, "personal_info": inc.PersonalInfo, "malicious": inc.Malicious}
}

// CreateIncident writes a new incident with its first timeline entries
// and chain notices, and its notifications, in one transaction.
func (s *Store) CreateIncident(ctx context.Context, c *incident.Creation) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	inc := c.Incident
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM incidents WHERE tenant_id = $1 AND receipt_no = $2`, inc.ReceiptNo).Scan(&n); err != nil {
		return fmt.Errorf("check receipt number: %w", err)
	}
	if n > 0 {
		return mamori.Errorf(mamori.ECONFLICT, "incident.receipt_taken", nil)
	}
	if inc.FormNonce != "" {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM incidents WHERE tenant_id = $1 AND form_nonce = $2`, inc.FormNonce).Scan(&n); err != nil {
			return fmt.Errorf("check form token: %w", err)
		}
		if n > 0 {
			return mamori.Errorf(mamori.ECONFLICT, "report.already_sent", nil)
		}
	}
	if inc.UnitID != 0 {
		if _, err := findUnit(ctx, tx, inc.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	id, err := tx.NextID(ctx, "incidents")
	if err != nil {
		return err
	}
	now := tx.Now()
	inc.ID, inc.CreatedAt, inc.UpdatedAt = id, now, now
	if _, err := tx.Exec(ctx, `INSERT INTO incidents (tenant_id, id, receipt_no, source, category, title, description, reporter_id, reporter_unit_id,
		reporter_name, reporter_contact, form_nonce, unit_id, occurred_at, discovered_at, reported_at, status, triage, severity, personal_info, malicious,
		chain_step, policy_version_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
		id, inc.ReceiptNo, inc.Source, inc.Category, inc.Title, inc.Description, nullID(inc.ReporterID), nullID(inc.ReporterUnitID),
		inc.ReporterName, inc.ReporterContact, incNullText(inc.FormNonce), nullID(inc.UnitID), inc.OccurredAt, inc.DiscoveredAt, inc.ReportedAt,
		inc.Status, inc.Triage, inc.Severity, inc.PersonalInfo, inc.Malicious, inc.ChainStep, inc.PolicyVersionID, now, now); err != nil {
		return fmt.Errorf("insert incident: %w", err)
	}
	if err := tx.Record(ctx, Change{Action: "incident.report", Table: "incidents", ID: id,
		Data: map[string]any{"receipt_no": inc.ReceiptNo, "source": inc.Source, "category": inc.Category, "unit_id": inc.UnitID}}); err != nil {
		return err
	}
	for i := range c.Notices {
		c.Notices[i].IncidentID = id
	}
	if err := insertIncidentNotices(ctx, tx, c.Notices); err != nil {
		return err
	}
	for i := range c.Entries {
		c.Entries[i].IncidentID = id
		if err := appendIncidentEntry(ctx, tx, &c.Entries[i]); err != nil {
			return err
		}
	}
	for i := range c.Deliveries {
		c.Deliveries[i].Msg.Link = fmt.Sprintf("/incidents/%d", id)
	}
	if err := addNotifications(ctx, tx, c.Deliveries); err != nil {
		return err
	}
	return tx.Commit()
}

// appendEntry appends a timeline entry: the only write the timeline
// knows (the database refuses updates and deletes of it).
func appendIncidentEntry(ctx context.Context, tx *Tx, e *incident.Entry) error {
	id, err := tx.NextID(ctx, "incident_entries")
	if err != nil {
		return err
	}
	data := []byte("{}")
	if len(e.Data) > 0 {
		if data, err = json.Marshal(e.Data); err != nil {
			return fmt.Errorf("encode entry data: %w", err)
		}
	}
	e.ID, e.At = id, eventlog.StoredTime(tx.Now())
	e.ActorID, e.ActorLabel = tx.scope.ActorID, tx.scope.ActorLabel
	if e.ActorLabel == "" {
		e.ActorLabel = "system"
	}
	if _, err := tx.Exec(ctx, `INSERT INTO incident_entries (tenant_id, id, incident_id, at, kind, step, body, data, actor_id, actor_label, corrects, attachment_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, e.IncidentID, e.At, e.Kind, e.Step, e.Body, string(data), e.ActorID, e.ActorLabel, nullID(e.Corrects), nullID(e.AttachmentID)); err != nil {
		return fmt.Errorf("append %s to incident %d: %w", e.Kind, e.IncidentID, err)
	}
	return tx.Record(ctx, Change{Action: "incident.entry", Table: "incident_entries", ID: id,
		Data: map[string]any{"incident_id": e.IncidentID, "kind": e.Kind, "step": e.Step, "corrects": e.Corrects}})
}

func insertIncidentNotices(ctx context.Context, tx *Tx, ns []incident.Notice) error {
	now := eventlog.StoredTime(tx.Now())
	for i := range ns {
		n := &ns[i]
		id, err := tx.NextID(ctx, "incident_notices")
		if err != nil {
			return err
		}
		n.ID, n.NotifiedAt = id, now
		if _, err := tx.Exec(ctx, `INSERT INTO incident_notices (tenant_id, id, incident_id, step, role, as_role, unit_id, person_id, for_person_id, clause, notified_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, n.IncidentID, n.Step, n.Role, n.AsRole, nullID(n.UnitID), n.PersonID, nullID(n.ForPersonID), n.Clause, now); err != nil {
			return fmt.Errorf("record notice to %d: %w", n.PersonID, err)
		}
		if err := tx.Record(ctx, Change{Action: "incident.notice", Table: "incident_notices", ID: id,
			Data: map[string]any{"incident_id": n.IncidentID, "step": n.Step, "role": n.Role, "person_id": n.PersonID, "for_person_id": n.ForPersonID}}); err != nil {
			return err
		}
	}
	return nil
}

// UpdateIncident applies a change built by the incident service in one
// transaction. The incident must not have changed since it was read: two
// handlers acting at once do not overwrite each other.
func (s *Store) UpdateIncident(ctx context.Context, u *incident.Update) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	inc := u.Incident
	var at time.Time
	err = tx.QueryRow(ctx, `SELECT updated_at FROM incidents WHERE tenant_id = $1 AND id = $2`, inc.ID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "incident", "ID": inc.ID}}
	}
	if err != nil {
		return fmt.Errorf("load incident %d: %w", inc.ID, err)
	}
	if !eventlog.StoredTime(at).Equal(eventlog.StoredTime(inc.UpdatedAt)) {
		return mamori.Errorf(mamori.ECONFLICT, "incident.changed", nil)
	}
	if inc.UnitID != 0 {
		if _, err := findUnit(ctx, tx, inc.UnitID); err != nil {
			return fieldNotFound(err, "unit_id")
		}
	}
	now := tx.Now()
	inc.UpdatedAt = now
	if _, err := tx.Exec(ctx, `UPDATE incidents SET unit_id = $3, status = $4, triage = $5, severity = $6, personal_info = $7, malicious = $8,
		triaged_at = $9, triaged_by = $10, what_happened = $11, cause = $12, damage = $13, impact_scope = $14, chain_step = $15,
		closed_at = $16, closed_by = $17, updated_at = $18 WHERE tenant_id = $1 AND id = $2`,
		inc.ID, nullID(inc.UnitID), inc.Status, inc.Triage, inc.Severity, inc.PersonalInfo, inc.Malicious, inc.TriagedAt, nullID(inc.TriagedBy),
		inc.What, inc.Cause, inc.Damage, inc.Scope, inc.ChainStep, inc.ClosedAt, nullID(inc.ClosedBy), now); err != nil {
		return fmt.Errorf("update incident %d: %w", inc.ID, err)
	}
	action := u.Action
	if action == "" {
		action = "incident.update"
	}
	if err := tx.Record(ctx, Change{Action: action, Table: "incidents", ID: inc.ID, Data: incidentData(inc)}); err != nil {
		return err
	}
	for _, nid := range u.Acks {
		res, err := tx.Exec(ctx, `UPDATE incident_notices SET acknowledged_at = $3 WHERE tenant_id = $1 AND id = $2 AND acknowledged_at IS NULL`, nid, now)
		if err != nil {
			return fmt.Errorf("acknowledge notice %d: %w", nid, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return mamori.Errorf(mamori.ECONFLICT, "incident.changed", nil)
		}
		if err := tx.Record(ctx, Change{Action: "incident.ack", Table: "incident_notices", ID: nid, Data: map[string]any{"incident_id": inc.ID}}); err != nil {
			return err
		}
	}
	for i := range u.Notices {
		u.Notices[i].IncidentID = inc.ID
	}
	if err := insertIncidentNotices(ctx, tx, u.Notices); err != nil {
		return err
	}
	for i := range u.AddReports {
		if err := insertIncidentReport(ctx, tx, inc.ID, &u.AddReports[i]); err != nil {
			return err
		}
	}
	for i := range u.SetReports {
		if err := updateIncidentReport(ctx, tx, inc.ID, &u.SetReports[i]); err != nil {
			return err
		}
	}
	var fileID int64
	if u.File != nil {
		a := &Attachment{OwnerType: "incident", OwnerID: inc.ID, Filename: u.File.Name, ContentType: u.File.ContentType, Data: u.File.Data}
		if err := addAttachment(ctx, tx, a); err != nil {
			return err
		}
		fileID = a.ID
	}
	for i := range u.Entries {
		e := &u.Entries[i]
		e.IncidentID = inc.ID
		if fileID != 0 && e.Kind == incident.EntryEvidence {
			e.AttachmentID, fileID = fileID, 0
			if e.Data == nil {
				e.Data = map[string]string{}
			}
		}
		// An external report entry refers to the report it adds.
		if e.Kind == incident.EntryExternal && e.Data["report"] == "" {
			for _, r := range u.AddReports {
				if string(r.Kind) == e.Data["kind"] && r.Target == e.Data["target"] {
					e.Data["report"] = fmt.Sprint(r.ID)
				}
			}
		}
		if err := appendIncidentEntry(ctx, tx, e); err != nil {
			return err
		}
	}
	if err := addNotifications(ctx, tx, u.Deliveries); err != nil {
		return err
	}
	return tx.Commit()
}

func insertIncidentReport(ctx context.Context, tx *Tx, incidentID int64, r *incident.ExternalReport) error {
	id, err := tx.NextID(ctx, "incident_reports")
	if err != nil {
		return err
	}
	now := tx.Now()
	r.ID, r.IncidentID, r.CreatedAt, r.UpdatedAt = id, incidentID, now, now
	if _, err := tx.Exec(ctx, `INSERT INTO incident_reports (tenant_id, id, incident_id, kind, policy_id, target, target_en, due_at, status, submitted_at, reference, note, clause, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		id, incidentID, r.Kind, r.PolicyID, r.Target, r.TargetEN, r.DueAt, r.Status, r.SubmittedAt, r.Reference, r.Note, r.Clause, now, now); err != nil {
		return fmt.Errorf("add report to %s: %w", r.Kind, err)
	}
	return tx.Record(ctx, Change{Action: "incident.report_add", Table: "incident_reports", ID: id,
		Data: map[string]any{"incident_id": incidentID, "kind": r.Kind, "due_at": r.DueAt}})
}

func updateIncidentReport(ctx context.Context, tx *Tx, incidentID int64, r *incident.ExternalReport) error {
	now := tx.Now()
	res, err := tx.Exec(ctx, `UPDATE incident_reports SET due_at = $4, status = $5, submitted_at = $6, reference = $7, note = $8, updated_at = $9
		WHERE tenant_id = $1 AND id = $2 AND incident_id = $3`, r.ID, incidentID, r.DueAt, r.Status, r.SubmittedAt, r.Reference, r.Note, now)
	if err != nil {
		return fmt.Errorf("update report %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "report", "ID": r.ID}}
	}
	r.UpdatedAt = now
	return tx.Record(ctx, Change{Action: "incident.report_" + string(r.Status), Table: "incident_reports", ID: r.ID,
		Data: map[string]any{"incident_id": incidentID, "status": r.Status, "due_at": r.DueAt, "submitted_at": r.SubmittedAt}})
}

// IncidentRecord reads an incident with its timeline, notices and reports,
// in one transaction.
func (s *Store) IncidentRecord(ctx context.Context, id int64) (*incident.Record, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rec := &incident.Record{}
	if err := scanIncident(tx.QueryRow(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE tenant_id = $1 AND id = $2`, id), &rec.Incident); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "incident", "ID": id}}
		}
		return nil, fmt.Errorf("load incident %d: %w", id, err)
	}
	if rec.Entries, err = incidentEntries(ctx, tx, id); err != nil {
		return nil, err
	}
	if rec.Notices, err = incidentNotices(ctx, tx, id); err != nil {
		return nil, err
	}
	if rec.Reports, err = incidentReports(ctx, tx, id); err != nil {
		return nil, err
	}
	return rec, nil
}

func incidentEntries(ctx context.Context, tx *Tx, id int64) ([]incident.Entry, error) {
	rows, err := tx.Query(ctx, `SELECT id, incident_id, at, kind, step, body, data, actor_id, actor_label, COALESCE(corrects, 0), COALESCE(attachment_id, 0)
		FROM incident_entries WHERE tenant_id = $1 AND incident_id = $2 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("load timeline of %d: %w", id, err)
	}
	defer rows.Close()
	var out []incident.Entry
	for rows.Next() {
		var e incident.Entry
		var data string
		if err := rows.Scan(&e.ID, &e.IncidentID, &e.At, &e.Kind, &e.Step, &e.Body, &data, &e.ActorID, &e.ActorLabel, &e.Corrects, &e.AttachmentID); err != nil {
			return nil, fmt.Errorf("load timeline of %d: %w", id, err)
		}
		e.At = e.At.UTC()
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("entry %d data: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func incidentNotices(ctx context.Context, tx *Tx, id int64) ([]incident.Notice, error) {
	rows, err := tx.Query(ctx, `SELECT n.id, n.incident_id, n.step, n.role, n.as_role, COALESCE(n.unit_id, 0), n.person_id, COALESCE(n.for_person_id, 0),
		n.clause, n.notified_at, n.acknowledged_at, p.name
		FROM incident_notices n JOIN people p ON p.tenant_id = n.tenant_id AND p.id = n.person_id
		WHERE n.tenant_id = $1 AND n.incident_id = $2 ORDER BY n.step, n.id`, id)
	if err != nil {
		return nil, fmt.Errorf("load notices of %d: %w", id, err)
	}
	defer rows.Close()
	var out []incident.Notice
	for rows.Next() {
		var n incident.Notice
		var ack sql.NullTime
		if err := rows.Scan(&n.ID, &n.IncidentID, &n.Step, &n.Role, &n.AsRole, &n.UnitID, &n.PersonID, &n.ForPersonID, &n.Clause, &n.NotifiedAt, &ack, &n.PersonName); err != nil {
			return nil, fmt.Errorf("load notices of %d: %w", id, err)
		}
		n.NotifiedAt, n.AcknowledgedAt = n.NotifiedAt.UTC(), incTime(ack)
		out = append(out, n)
	}
	return out, rows.Err()
}

func incidentReports(ctx context.Context, tx *Tx, id int64) ([]incident.ExternalReport, error) {
	rows, err := tx.Query(ctx, `SELECT id, incident_id, kind, policy_id, target, target_en, due_at, status, submitted_at, reference, note, clause, created_at, updated_at
		FROM incident_reports WHERE tenant_id = $1 AND incident_id = $2 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("load reports of %d: %w", id, err)
	}
	defer rows.Close()
	var out []incident.ExternalReport
	for rows.Next() {
		var r incident.ExternalReport
		var due, sub sql.NullTime
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Kind, &r.PolicyID, &r.Target, &r.TargetEN, &due, &r.Status, &sub, &r.Reference, &r.Note, &r.Clause, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("load reports of %d: %w", id, err)
		}
		r.DueAt, r.SubmittedAt = incTime(due), incTime(sub)
		out = append(out, r)
	}
	return out, rows.Err()
}

// IncidentByNonce finds the incident a public form token made.
func (s *Store) IncidentByNonce(ctx context.Context, nonce string) (*incident.Incident, error) {
	return s.incidentWhere(ctx, `form_nonce = $2`, nonce)
}

// IncidentByReceipt finds an incident by its receipt number.
func (s *Store) IncidentByReceipt(ctx context.Context, receipt string) (*incident.Incident, error) {
	return s.incidentWhere(ctx, `receipt_no = $2`, receipt)
}

func (s *Store) incidentWhere(ctx context.Context, cond string, arg any) (*incident.Incident, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var inc incident.Incident
	err = scanIncident(tx.QueryRow(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE tenant_id = $1 AND `+cond, arg), &inc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "incident.not_found"}
	}
	if err != nil {
		return nil, fmt.Errorf("find incident: %w", err)
	}
	return &inc, nil
}

// IncidentFilter narrows the incident list.
type IncidentFilter struct {
	Open       bool // not closed
	Status     incident.Status
	Query      string // part of the receipt number or title
	NoticeFor  int64  // told to this person and not yet acknowledged by them
	DueReports bool   // with a pending external report that has a deadline
	Limit      int    // default 100, at most 1000
	Offset     int
}

// Incidents lists incidents, newest first, and how many match in all.
func (s *Store) Incidents(ctx context.Context, f IncidentFilter) ([]incident.Incident, int, error) {
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
	if f.Open {
		where += ` AND status <> ` + arg(string(incident.StatusClosed))
	}
	if f.Status != "" {
		where += ` AND status = ` + arg(string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg("%" + strings.ToLower(escapeLike(q)) + "%")
		where += ` AND (LOWER(receipt_no) LIKE ` + p + ` ESCAPE '\' OR LOWER(title) LIKE ` + p + ` ESCAPE '\')`
	}
	if f.NoticeFor != 0 {
		where += ` AND id IN (SELECT incident_id FROM incident_notices WHERE tenant_id = $1 AND person_id = ` + arg(f.NoticeFor) + ` AND acknowledged_at IS NULL)`
	}
	if f.DueReports {
		where += ` AND id IN (SELECT incident_id FROM incident_reports WHERE tenant_id = $1 AND status = ` + arg(string(incident.ReportPending)) + ` AND due_at IS NOT NULL)`
	}
	var total int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM incidents`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := tx.Query(ctx, `SELECT `+incidentColumns+` FROM incidents`+where+` ORDER BY id DESC LIMIT `+arg(f.Limit)+` OFFSET `+arg(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list incidents: %w", err)
	}
	defer rows.Close()
	var out []incident.Incident
	for rows.Next() {
		var inc incident.Incident
		if err := scanIncident(rows, &inc); err != nil {
			return nil, 0, fmt.Errorf("list incidents: %w", err)
		}
		out = append(out, inc)
	}
	return out, total, rows.Err()
}

// IncidentFile loads an evidence file of an incident (never a file of
// another record, whatever id is asked for).
func (s *Store) IncidentFile(ctx context.Context, incidentID, attachmentID int64) (*Attachment, error) {
	a, err := s.Attachment(ctx, attachmentID)
	if err != nil {
		return nil, err
	}
	if a.OwnerType != "incident" || a.OwnerID != incidentID {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "attachment", "ID": attachmentID}}
	}
	return a, nil
}
