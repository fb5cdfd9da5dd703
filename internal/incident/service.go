package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// Store is what the incident service reads and writes; internal/store
// implements it. Each method is one transaction scoped to the tenant of
// ctx.
type Store interface {
	// CreateIncident writes a new incident with its first entries and
	// notices, and delivers the notifications, all at once. It fills in
	// the ids and times. A receipt number or form nonce already used is a
	// conflict.
	CreateIncident(ctx context.Context, c *Creation) error
	// IncidentRecord reads an incident with its timeline, notices and
	// external reports.
	IncidentRecord(ctx context.Context, id int64) (*Record, error)
	// IncidentByNonce finds the incident a public form token made.
	IncidentByNonce(ctx context.Context, nonce string) (*Incident, error)
	// UpdateIncident applies u in one transaction: the incident row as it
	// is to be (refused as a conflict when it changed since it was read),
	// new entries, notices, acknowledgements, reports and notifications.
	UpdateIncident(ctx context.Context, u *Update) error
}

// Record is an incident with everything recorded about it.
type Record struct {
	Incident Incident
	Entries  []Entry
	Notices  []Notice
	Reports  []ExternalReport
}

// Creation is a new incident to write.
type Creation struct {
	Incident   *Incident
	Entries    []Entry
	Notices    []Notice
	Deliveries []notify.Delivery
}

// File is evidence to keep with an entry.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// MaxEvidence bounds one evidence file.
const MaxEvidence = 20 << 20

// Update is a change to an incident.
type Update struct {
	Action     string    // the event action, "incident.triage"
	Incident   *Incident // the row as it is to be; UpdatedAt as read
	Entries    []Entry
	Notices    []Notice
	Acks       []int64 // notice ids acknowledged now
	AddReports []ExternalReport
	SetReports []ExternalReport
	File       *File // evidence, attached to the first evidence entry
	Deliveries []notify.Delivery
}

// Actor is who acts: the signed-in person and the roles they hold.
type Actor struct {
	PersonID int64
	Name     string
	UnitID   int64
	Roles    []RoleHolding
}

// RoleHolding is a role the actor holds, for a unit when it is per unit.
type RoleHolding struct {
	Role   string
	UnitID int64
}

// Service runs incident handling under the active policy.
type Service struct {
	st  Store
	dir Resolver
	now func() time.Time
	cat *i18n.Catalog
}

// NewService returns a service over st that resolves roles with dir and
// takes the time from now (the store's clock).
func NewService(st Store, dir Resolver, now func() time.Time) *Service {
	return &Service{st: st, dir: dir, now: now, cat: i18n.Default()}
}

var (
	errClosed = mamori.Errorf(mamori.ECONFLICT, "incident.closed", nil)
)

// ReportStaff records a report by a member of staff (下條村 第2章7(6)1,
// 藤枝市 第2章4(2)②ア, 天草 第37条) and tells the first step of the
// profile's reporting chain.
func (s *Service) ReportStaff(ctx context.Context, pol *policy.Policy, policyVersion int64, by Actor, inc *Incident) error {
	inc.Source = SourceStaff
	inc.ReporterID, inc.ReporterUnitID = by.PersonID, by.UnitID
	if inc.UnitID == 0 {
		inc.UnitID = by.UnitID
	}
	inc.ReporterName, inc.ReporterContact, inc.FormNonce = "", "", ""
	return s.create(ctx, pol, policyVersion, inc, stepTargets(pol, 1), 1)
}

// ErrDuplicate is returned (wrapped in nothing) by ReportPublic when the
// form was already sent: the incident it made is returned with it.
var ErrDuplicate = errors.New("the form was already sent")

// ReportPublic records a report sent through the public form and tells
// the contact point (or the triage role); the chain continues when they
// acknowledge it. A token that was already used returns the incident it
// made and ErrDuplicate, so that a double click shows the same receipt
// number rather than making two incidents.
func (s *Service) ReportPublic(ctx context.Context, pol *policy.Policy, policyVersion int64, pr *PublicReport, nonce string) (*Incident, error) {
	if prev, err := s.st.IncidentByNonce(ctx, nonce); err == nil {
		return prev, ErrDuplicate
	} else if mamori.ErrorCode(err) != mamori.ENOTFOUND {
		return nil, err
	}
	inc := pr.Incident(s.now(), nonce)
	if err := s.create(ctx, pol, policyVersion, inc, intakeTargets(pol), 0); err != nil {
		if mamori.ErrorCode(err) == mamori.ECONFLICT {
			if prev, perr := s.st.IncidentByNonce(ctx, nonce); perr == nil {
				return prev, ErrDuplicate
			}
		}
		return nil, err
	}
	return inc, nil
}

func (s *Service) create(ctx context.Context, pol *policy.Policy, policyVersion int64, inc *Incident, targets []target, step int) error {
	now := s.now()
	if inc.ReportedAt.IsZero() {
		inc.ReportedAt = now
	}
	if err := inc.Validate(now); err != nil {
		return err
	}
	inc.Status, inc.ChainStep, inc.PolicyVersionID = StatusReported, step, policyVersion
	notices, unresolved, err := s.resolve(ctx, pol, inc, targets, nil)
	if err != nil {
		return err
	}
	if len(notices) == 0 {
		more, unres2, err := s.resolve(ctx, pol, inc, fallbackTargets(pol, step), nil)
		if err != nil {
			return err
		}
		notices, unresolved = more, append(unresolved, unres2...)
	}
	entries := []Entry{{Kind: EntryReport, Body: inc.Description, Data: map[string]string{"category": string(inc.Category), "source": string(inc.Source)}}}
	entries = append(entries, s.noticeEntries(pol, notices, unresolved)...)
	c := &Creation{Incident: inc, Entries: entries, Notices: notices}
	var lastErr error
	for range 3 {
		inc.ReceiptNo = NewReceiptNo(now)
		c.Deliveries = s.noticeDeliveries(pol, inc, notices)
		lastErr = s.st.CreateIncident(ctx, c)
		var me *mamori.Error
		if lastErr == nil || !errors.As(lastErr, &me) || me.Message != "incident.receipt_taken" {
			return lastErr
		}
	}
	return lastErr
}

// noticeEntries are the timeline's account of who was told at a step and
// whom nobody could be found for.
func (s *Service) noticeEntries(pol *policy.Policy, notices []Notice, unresolved []target) []Entry {
	byStep := map[int][]string{}
	var steps []int
	for _, n := range notices {
		if _, ok := byStep[n.Step]; !ok {
			steps = append(steps, n.Step)
		}
		name := n.PersonName + "（" + roleName(pol, n.Role).JA + "）"
		byStep[n.Step] = append(byStep[n.Step], name)
	}
	slices.Sort(steps)
	var out []Entry
	for _, st := range steps {
		out = append(out, Entry{Kind: EntryNotice, Body: strings.Join(byStep[st], "、"), Data: map[string]string{"step": strconv.Itoa(st)}})
	}
	for _, t := range unresolved {
		out = append(out, Entry{Kind: EntryUnresolved, Body: roleName(pol, t.Role).JA, Data: map[string]string{"step": strconv.Itoa(t.Step), "role": t.Role}})
	}
	return out
}

// noticeDeliveries tells each person of notices about inc.
func (s *Service) noticeDeliveries(pol *policy.Policy, inc *Incident, notices []Notice) []notify.Delivery {
	var ds []notify.Delivery
	for _, n := range notices {
		rn := roleName(pol, n.Role)
		args := map[string]any{"Title": inc.Title, "Receipt": inc.ReceiptNo, "RoleJA": rn.JA, "RoleEN": rn.EN, "Clause": n.Clause, "Step": n.Step}
		body := "incident.msg.notice_body"
		if n.Step == 0 {
			body = "incident.msg.intake_body" // a resident's report, to the contact point
		}
		msg := notify.Message{Kind: "incident.notice", Link: fmt.Sprintf("/incidents/%d", inc.ID),
			Subject: s.cat.Both("incident.msg.notice_subject", args), Body: s.cat.Both(body, args)}
		ds = append(ds, notify.Delivery{To: notify.Recipient{PersonID: n.PersonID}, Msg: msg})
	}
	return ds
}

// load reads an incident for a change.
func (s *Service) load(ctx context.Context, id int64) (*Record, error) {
	return s.st.IncidentRecord(ctx, id)
}

// Acknowledge records that by has received the report (the chain's
// acknowledgement, with its time). When it is the first acknowledgement of
// the latest step told, the next step of the chain is told, unless the
// policy makes that step conditional ("必要に応じて"): the order the
// policy gives is kept without anyone having to remember it.
func (s *Service) Acknowledge(ctx context.Context, pol *policy.Policy, by Actor, id int64) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	var acks []int64
	step := -1
	for _, n := range rec.Notices {
		if n.PersonID == by.PersonID && !n.Acknowledged() {
			acks = append(acks, n.ID)
			step = max(step, n.Step)
		}
	}
	if len(acks) == 0 {
		return mamori.Errorf(mamori.ECONFLICT, "incident.nothing_to_ack", nil)
	}
	u := &Update{Action: "incident.ack", Incident: &inc, Acks: acks,
		Entries: []Entry{{Kind: EntryAck, Data: map[string]string{"step": strconv.Itoa(step)}}}}
	if inc.Open() && step == inc.ChainStep {
		next := inc.ChainStep + 1
		chain := pol.IncidentChain()
		if next <= len(chain) && !chain[next-1].Conditional {
			if err := s.openStep(ctx, pol, &inc, rec, u, next); err != nil {
				return err
			}
		}
	}
	return s.st.UpdateIncident(ctx, u)
}

// openStep tells step of the chain and records it in u.
func (s *Service) openStep(ctx context.Context, pol *policy.Policy, inc *Incident, rec *Record, u *Update, step int) error {
	notices, unresolved, err := s.resolve(ctx, pol, inc, stepTargets(pol, step), append(rec.Notices, u.Notices...))
	if err != nil {
		return err
	}
	inc.ChainStep = step
	u.Notices = append(u.Notices, notices...)
	u.Entries = append(u.Entries, s.noticeEntries(pol, notices, unresolved)...)
	u.Deliveries = append(u.Deliveries, s.noticeDeliveries(pol, inc, notices)...)
	return nil
}

// Escalate tells the next step of the chain now, for a step the policy
// leaves to judgement ("必要に応じて") or when an acknowledgement is slow.
func (s *Service) Escalate(ctx context.Context, pol *policy.Policy, by Actor, id int64, note string) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !inc.Open() {
		return errClosed
	}
	next := inc.ChainStep + 1
	if next > len(pol.IncidentChain()) {
		return mamori.Errorf(mamori.ECONFLICT, "incident.chain_done", nil)
	}
	if note, err = cleanText("note", note, MaxText, false); err != nil {
		return err
	}
	u := &Update{Action: "incident.escalate", Incident: &inc,
		Entries: []Entry{{Kind: EntryEscalate, Body: note, Data: map[string]string{"step": strconv.Itoa(next)}}}}
	if err := s.openStep(ctx, pol, &inc, rec, u, next); err != nil {
		return err
	}
	return s.st.UpdateIncident(ctx, u)
}

// TriageInput is the CSIRT's assessment.
type TriageInput struct {
	Triage       Triage
	Severity     Severity
	PersonalInfo bool
	Malicious    bool
	Note         string
}

// CanTriage reports whether by may triage inc: they must act in the
// policy's triage role (下條村 第2章7(6)ウ: CSIRT; 藤枝市 第2章4(2)②ウ: the
// manager) — in their own right or as a substitute — for the incident's
// unit. For a role held per unit on an incident that has no unit yet (a
// resident's report) the unit is the one the person holds the role for.
func (s *Service) CanTriage(ctx context.Context, pol *policy.Policy, by Actor, inc *Incident) (unitID int64, ok bool, err error) {
	role := pol.Incident().Triage
	if role == "" {
		return 0, false, nil
	}
	r, found := pol.Role(role)
	if !found {
		return 0, false, nil
	}
	units := []int64{inc.UnitID}
	if directory.PerUnit(r) && inc.UnitID == 0 {
		units = nil
		for _, h := range by.Roles {
			if h.Role == role && h.UnitID != 0 {
				units = append(units, h.UnitID)
			}
		}
		if by.UnitID != 0 {
			units = append(units, by.UnitID)
		}
	}
	for _, u := range units {
		a, ok, err := s.dir.CanAct(ctx, pol, policy.MatterIncident, by.PersonID, role, u, s.now())
		if err != nil && mamori.ErrorCode(err) != mamori.EINVALID {
			return 0, false, err
		}
		if ok {
			if a.UnitID != 0 {
				u = a.UnitID
			}
			return u, true, nil
		}
	}
	return 0, false, nil
}

// Triage records whether the case is a breach, how serious it is and
// whether personal information is involved. A breach tells everyone told
// so far that it is one, tells the remaining steps of the chain (下條村
// 第2章7(6)ウ: 侵害と判断した場合、速やかに CISO 及び統括に報告), and adds
// the reports to outside bodies the profile and the law require, with
// their deadlines.
func (s *Service) Triage(ctx context.Context, pol *policy.Policy, by Actor, id int64, in TriageInput) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !inc.Open() {
		return errClosed
	}
	unit, ok, err := s.CanTriage(ctx, pol, by, &inc)
	if err != nil {
		return err
	}
	if !ok {
		rn := roleName(pol, pol.Incident().Triage)
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "incident.not_triage_role",
			Args: map[string]any{"RoleJA": rn.JA, "RoleEN": rn.EN, "Clause": pol.Incident().TriageClause}}
	}
	if !in.Triage.Valid() {
		return mamori.FieldError("triage", "incident.triage_invalid", nil)
	}
	if !in.Severity.Valid() {
		return mamori.FieldError("severity", "incident.severity_invalid", nil)
	}
	if in.Note, err = cleanText("note", in.Note, MaxText, false); err != nil {
		return err
	}
	now := s.now()
	was := inc.Triage
	inc.Triage, inc.Severity, inc.PersonalInfo, inc.Malicious = in.Triage, in.Severity, in.PersonalInfo, in.Malicious
	inc.TriagedAt, inc.TriagedBy = &now, by.PersonID
	if inc.UnitID == 0 {
		inc.UnitID = unit
	}
	if inc.Status == StatusReported {
		inc.Status = StatusTriaged
		if hasHandling(rec.Entries) {
			inc.Status = StatusResponding
		}
	}
	u := &Update{Action: "incident.triage", Incident: &inc, Entries: []Entry{{Kind: EntryTriage, Body: in.Note,
		Data: map[string]string{"triage": string(in.Triage), "severity": string(in.Severity),
			"personal_info": strconv.FormatBool(in.PersonalInfo), "malicious": strconv.FormatBool(in.Malicious)}}}}
	if in.Triage == TriageBreach {
		if was != TriageBreach {
			u.Entries = append(u.Entries, Entry{Kind: EntryBreachNotice})
			u.Deliveries = append(u.Deliveries, s.breachDeliveries(&inc, rec.Notices)...)
			for next := inc.ChainStep + 1; next <= len(pol.IncidentChain()); next++ {
				if err := s.openStep(ctx, pol, &inc, rec, u, next); err != nil {
					return err
				}
			}
		}
		add, upd := requiredReports(pol, &inc, rec.Reports)
		u.AddReports, u.SetReports = add, upd
		for _, r := range add {
			u.Entries = append(u.Entries, reportEntry(r, "added"))
		}
	}
	if unit != 0 && rec.Incident.UnitID == 0 {
		if err := s.resolveOpened(ctx, pol, &inc, rec, u); err != nil {
			return err
		}
	}
	return s.st.UpdateIncident(ctx, u)
}

func (s *Service) breachDeliveries(inc *Incident, told []Notice) []notify.Delivery {
	args := map[string]any{"Title": inc.Title, "Receipt": inc.ReceiptNo}
	msg := notify.Message{Kind: "incident.breach", Link: fmt.Sprintf("/incidents/%d", inc.ID),
		Subject: s.cat.Both("incident.msg.breach_subject", args), Body: s.cat.Both("incident.msg.breach_body", args)}
	var rs []notify.Recipient
	for _, n := range told {
		rs = append(rs, notify.Recipient{PersonID: n.PersonID})
	}
	return notify.To(msg, rs...)
}

func reportEntry(r ExternalReport, what string) Entry {
	d := map[string]string{"kind": string(r.Kind), "what": what, "target": r.Target, "status": string(r.Status)}
	if r.DueAt != nil {
		d["due"] = r.DueAt.UTC().Format(time.RFC3339)
	}
	if r.ID != 0 {
		d["report"] = strconv.FormatInt(r.ID, 10)
	}
	return Entry{Kind: EntryExternal, Body: r.Note, Data: d}
}

func hasHandling(es []Entry) bool {
	for _, e := range es {
		if e.Kind.Handling() && e.Kind != EntryComment && e.Kind != EntryCorrection {
			return true
		}
	}
	return false
}

// SetUnit sets the unit the incident concerns, and tells the per-unit
// roles of the steps already opened that could not be resolved without
// it (a resident's report names no unit).
func (s *Service) SetUnit(ctx context.Context, pol *policy.Policy, by Actor, id, unitID int64) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !inc.Open() {
		return errClosed
	}
	if unitID == 0 {
		return mamori.FieldError("unit_id", "incident.unit_required", nil)
	}
	if unitID == inc.UnitID {
		return mamori.Errorf(mamori.ECONFLICT, "incident.unit_unchanged", nil)
	}
	inc.UnitID = unitID
	u := &Update{Action: "incident.unit", Incident: &inc, Entries: []Entry{{Kind: EntryUnit, Data: map[string]string{"unit_id": strconv.FormatInt(unitID, 10)}}}}
	if err := s.resolveOpened(ctx, pol, &inc, rec, u); err != nil {
		return err
	}
	return s.st.UpdateIncident(ctx, u)
}

// resolveOpened tells the roles of the opened steps that nobody has been
// told for yet.
func (s *Service) resolveOpened(ctx context.Context, pol *policy.Policy, inc *Incident, rec *Record, u *Update) error {
	var targets []target
	have := append(rec.Notices, u.Notices...)
	for step := 1; step <= inc.ChainStep; step++ {
		for _, t := range stepTargets(pol, step) {
			if !slices.ContainsFunc(have, func(n Notice) bool { return n.Step == t.Step && n.Role == t.Role }) {
				targets = append(targets, t)
			}
		}
	}
	if len(targets) == 0 {
		return nil
	}
	notices, _, err := s.resolve(ctx, pol, inc, targets, have)
	if err != nil {
		return err
	}
	u.Notices = append(u.Notices, notices...)
	u.Entries = append(u.Entries, s.noticeEntries(pol, notices, nil)...)
	u.Deliveries = append(u.Deliveries, s.noticeDeliveries(pol, inc, notices)...)
	return nil
}

// EntryInput is a handling entry as a handler writes it.
type EntryInput struct {
	Kind        EntryKind
	Body        string
	Containment Containment // for EntryContainment
	// Investigation (下條村 第2章9(3)1 1)–3), 藤枝市 第2章4(2)③ア).
	What, Cause, Damage, Scope string
	DoneAt                     *time.Time // when it was done, if not now
	Due                        *time.Time // for a prevention measure
	Step                       string     // the policy's close step this completes
	Corrects                   int64      // for a correction
	Void                       bool       // the corrected entry no longer counts
	File                       *File      // for evidence
}

// AddEntry appends a handling entry to the timeline. A correction names
// the entry it corrects, which stays as written; "void" takes a step
// completion or an investigation out of account.
func (s *Service) AddEntry(ctx context.Context, pol *policy.Policy, by Actor, id int64, in EntryInput) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !in.Kind.Handling() {
		return mamori.FieldError("kind", "incident.kind_invalid", nil)
	}
	if !inc.Open() && in.Kind != EntryComment && in.Kind != EntryCorrection {
		return errClosed
	}
	required := in.Kind != EntryInvestigation && in.Kind != EntryEvidence
	if in.Body, err = cleanText("body", in.Body, MaxText, required); err != nil {
		return err
	}
	e := Entry{Kind: in.Kind, Body: in.Body, Data: map[string]string{}}
	now := s.now()
	if in.DoneAt != nil {
		if in.DoneAt.After(now.Add(10 * time.Minute)) {
			return mamori.FieldError("done_at", "incident.time_in_future", nil)
		}
		if in.DoneAt.Before(inc.Since()) {
			return mamori.FieldError("done_at", "incident.before_incident", nil)
		}
		e.Data["done_at"] = in.DoneAt.UTC().Format(time.RFC3339)
	}
	if in.Step != "" {
		if in.Kind == EntryComment || in.Kind == EntryCorrection {
			return mamori.FieldError("step", "incident.step_not_here", nil)
		}
		if !slices.ContainsFunc(pol.Incident().CloseSteps, func(p *policy.ProcessStep) bool { return p.ID == in.Step }) {
			return mamori.FieldError("step", "incident.step_unknown", map[string]any{"Step": in.Step})
		}
		e.Step = in.Step
	}
	u := &Update{Action: "incident." + string(in.Kind), Incident: &inc}
	switch in.Kind {
	case EntryContainment:
		if !in.Containment.Valid() {
			return mamori.FieldError("containment", "incident.containment_invalid", nil)
		}
		e.Data["action"] = string(in.Containment)
	case EntryInvestigation:
		fields := []struct {
			name string
			v    *string
		}{{"what", &in.What}, {"cause", &in.Cause}, {"damage", &in.Damage}, {"scope", &in.Scope}}
		anyField := false
		for _, f := range fields {
			if *f.v, err = cleanText(f.name, *f.v, MaxText, false); err != nil {
				return err
			}
			if *f.v != "" {
				anyField = true
			}
			e.Data[f.name] = *f.v
		}
		if !anyField && in.Body == "" {
			return mamori.FieldError("what", "incident.investigation_empty", nil)
		}
		// Fields left empty keep what an earlier entry found.
		inc.What, inc.Cause, inc.Damage, inc.Scope = or(in.What, inc.What), or(in.Cause, inc.Cause), or(in.Damage, inc.Damage), or(in.Scope, inc.Scope)
	case EntryPrevention:
		if in.Due != nil {
			if err := checkDeadline("due", *in.Due, &inc); err != nil {
				return err
			}
			e.Data["due"] = in.Due.UTC().Format(time.RFC3339)
		}
	case EntryEvidence:
		if in.File == nil && in.Body == "" {
			return mamori.FieldError("file", "incident.evidence_empty", nil)
		}
		if in.File != nil {
			if len(in.File.Data) == 0 || len(in.File.Data) > MaxEvidence {
				return mamori.FieldError("file", "incident.file_size", map[string]any{"Max": "20 MiB"})
			}
			if in.File.Name, err = cleanText("file", in.File.Name, 200, true); err != nil {
				return err
			}
			e.Data["file"] = in.File.Name
			u.File = in.File
		}
	case EntryCorrection:
		target := findEntry(rec.Entries, in.Corrects)
		if target == nil {
			return mamori.FieldError("corrects", "incident.corrects_unknown", nil)
		}
		e.Corrects = in.Corrects
		if in.Void {
			e.Data["void"] = "true"
			if target.Kind == EntryInvestigation {
				voided := voidedEntries(rec.Entries)
				voided[target.ID] = true
				inc.What, inc.Cause, inc.Damage, inc.Scope = currentInvestigation(rec.Entries, voided)
			}
		}
	}
	if inc.Status == StatusTriaged && in.Kind != EntryComment && in.Kind != EntryCorrection {
		inc.Status = StatusResponding
	}
	u.Entries = []Entry{e}
	return s.st.UpdateIncident(ctx, u)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func findEntry(es []Entry, id int64) *Entry {
	for i := range es {
		if es[i].ID == id {
			return &es[i]
		}
	}
	return nil
}

// voidedEntries are the entries a correction has taken out of account.
func voidedEntries(es []Entry) map[int64]bool {
	v := map[int64]bool{}
	for _, e := range es {
		if e.Kind == EntryCorrection && e.Data["void"] == "true" {
			v[e.Corrects] = true
		}
	}
	return v
}

// currentInvestigation is what the investigation entries that count have
// found, each field from the latest entry that gave it.
func currentInvestigation(es []Entry, voided map[int64]bool) (what, cause, damage, scope string) {
	for _, e := range es {
		if e.Kind != EntryInvestigation || voided[e.ID] {
			continue
		}
		what, cause, damage, scope = or(e.Data["what"], what), or(e.Data["cause"], cause), or(e.Data["damage"], damage), or(e.Data["scope"], scope)
	}
	return
}

// MarkStep records a mandatory step of the policy as done, or as not
// applicable to this incident (with the reason).
func (s *Service) MarkStep(ctx context.Context, pol *policy.Policy, by Actor, id int64, stepID string, done bool, note string) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !inc.Open() {
		return errClosed
	}
	if !slices.ContainsFunc(pol.Incident().CloseSteps, func(p *policy.ProcessStep) bool { return p.ID == stepID }) {
		return mamori.FieldError("step", "incident.step_unknown", map[string]any{"Step": stepID})
	}
	if note, err = cleanText("note", note, MaxText, !done); err != nil {
		return err
	}
	outcome := "done"
	if !done {
		outcome = "not_applicable"
	}
	u := &Update{Action: "incident.step", Incident: &inc,
		Entries: []Entry{{Kind: EntryStep, Step: stepID, Body: note, Data: map[string]string{"outcome": outcome}}}}
	return s.st.UpdateIncident(ctx, u)
}

// AddReport adds a report to an outside body: 総務省 or the prefecture
// (下條村 第2章3(6)5), the police (天草 第35条(1)), the press (下條村
// 第2章3(6)6) or another. A deadline before the incident is refused.
func (s *Service) AddReport(ctx context.Context, pol *policy.Policy, by Actor, id int64, r ExternalReport) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !inc.Open() {
		return errClosed
	}
	if !r.Kind.Manual() {
		return mamori.FieldError("kind", "incident.report_kind_invalid", nil)
	}
	if r.Target, err = cleanText("target", r.Target, 200, r.Kind == ReportOther); err != nil {
		return err
	}
	if r.Note, err = cleanText("note", r.Note, MaxText, false); err != nil {
		return err
	}
	if r.DueAt != nil {
		if err := checkDeadline("due_at", *r.DueAt, &inc); err != nil {
			return err
		}
	}
	r.Status, r.IncidentID = ReportPending, id
	u := &Update{Action: "incident.report_add", Incident: &inc, AddReports: []ExternalReport{r}, Entries: []Entry{reportEntry(r, "added")}}
	return s.st.UpdateIncident(ctx, u)
}

// ResolveReport records that a report was submitted (when, and the body's
// reference) or that it is not required (and why).
func (s *Service) ResolveReport(ctx context.Context, pol *policy.Policy, by Actor, id, reportID int64, status ReportStatus, at *time.Time, reference, note string) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	var r *ExternalReport
	for i := range rec.Reports {
		if rec.Reports[i].ID == reportID {
			r = &rec.Reports[i]
		}
	}
	if r == nil {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "report", "ID": reportID}}
	}
	if r.Resolved() {
		return mamori.Errorf(mamori.ECONFLICT, "incident.report_resolved", nil)
	}
	if reference, err = cleanText("reference", reference, 200, false); err != nil {
		return err
	}
	if note, err = cleanText("note", note, MaxText, status == ReportNotRequired); err != nil {
		return err
	}
	nr := *r
	switch status {
	case ReportSubmitted:
		now := s.now()
		if at == nil {
			at = &now
		}
		if at.After(now.Add(10 * time.Minute)) {
			return mamori.FieldError("submitted_at", "incident.time_in_future", nil)
		}
		if at.Before(inc.Since()) {
			return mamori.FieldError("submitted_at", "incident.before_incident", nil)
		}
		nr.SubmittedAt = at
	case ReportNotRequired:
	default:
		return mamori.FieldError("status", "incident.report_status_invalid", nil)
	}
	nr.Status, nr.Reference, nr.Note = status, reference, note
	u := &Update{Action: "incident.report_" + string(status), Incident: &inc, SetReports: []ExternalReport{nr}, Entries: []Entry{reportEntry(nr, string(status))}}
	return s.st.UpdateIncident(ctx, u)
}

// Open is a mandatory step not yet done.
type Open struct {
	ID     string
	Name   mamori.Text
	Clause string
}

// Outstanding lists what must be done before the incident may be closed:
// the triage (下條村 第2章7(6)ウ), for a breach the investigation of what
// happened, its cause, damage and scope (下條村 第2章9(3)1, 藤枝市
// 第2章4(2)③ア), every mandatory step of the profile (its close_steps,
// done or marked not applicable), and every report to an outside body
// submitted or marked not required.
func (s *Service) Outstanding(pol *policy.Policy, rec *Record) []Open {
	inc := &rec.Incident
	ip := pol.Incident()
	var out []Open
	if !inc.Triage.Valid() {
		out = append(out, Open{ID: "triage", Name: s.cat.Both("incident.open.triage", nil), Clause: ip.TriageClause})
	}
	if inc.Triage == TriageBreach {
		var missing []string
		for _, f := range []struct{ id, v string }{{"what", inc.What}, {"cause", inc.Cause}, {"damage", inc.Damage}, {"scope", inc.Scope}} {
			if f.v == "" {
				missing = append(missing, f.id)
			}
		}
		if len(missing) > 0 {
			clause := ip.Clause
			for _, st := range ip.CloseSteps {
				if st.ID == "investigate" {
					clause = st.Clause
				}
			}
			out = append(out, Open{ID: "investigation", Name: s.investigationOpen(missing), Clause: clause})
		}
	}
	done := StepsDone(rec.Entries)
	for _, st := range ip.CloseSteps {
		if _, ok := done[st.ID]; !ok {
			out = append(out, Open{ID: "step:" + st.ID, Name: mamori.Text{JA: st.Text.JA, EN: or(st.Text.EN, st.Text.JA)}, Clause: st.Clause})
		}
	}
	for _, r := range rec.Reports {
		if !r.Resolved() {
			out = append(out, Open{ID: "report:" + strconv.FormatInt(r.ID, 10), Name: s.ReportName(r), Clause: r.Clause})
		}
	}
	return out
}

func (s *Service) investigationOpen(missing []string) mamori.Text {
	var ja, en []string
	for _, m := range missing {
		t := s.cat.Both("incident.field."+m, nil)
		ja, en = append(ja, t.JA), append(en, t.EN)
	}
	return mamori.Text{
		JA: s.cat.T("ja", "incident.open.investigation", map[string]any{"Fields": strings.Join(ja, "、")}),
		EN: s.cat.T("en", "incident.open.investigation", map[string]any{"Fields": strings.Join(en, ", ")}),
	}
}

// ReportName names the body a report goes to, in both languages.
func (s *Service) ReportName(r ExternalReport) mamori.Text {
	switch r.Kind {
	case ReportPolicy, ReportOther:
		return mamori.Text{JA: r.Target, EN: or(r.TargetEN, r.Target)}
	}
	t := s.cat.Both("incident.report_kind."+string(r.Kind), nil)
	if r.Target != "" {
		t.JA += "（" + r.Target + "）"
		t.EN += " (" + or(r.TargetEN, r.Target) + ")"
	}
	return t
}

// StepsDone maps each close step completed (by a step entry or by a
// handling entry that names it, unless voided by a correction) to the
// entry that completed it.
func StepsDone(es []Entry) map[string]Entry {
	voided := voidedEntries(es)
	out := map[string]Entry{}
	for _, e := range es {
		if e.Step == "" || voided[e.ID] {
			continue
		}
		out[e.Step] = e
	}
	return out
}

// Close closes an incident with the closing review, refusing while any
// mandatory step is open and naming every one of them.
func (s *Service) Close(ctx context.Context, pol *policy.Policy, by Actor, id int64, review string) error {
	rec, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	inc := rec.Incident
	if !inc.Open() {
		return errClosed
	}
	if review, err = cleanText("review", review, MaxText, true); err != nil {
		return err
	}
	if open := s.Outstanding(pol, rec); len(open) > 0 {
		var ja, en []string
		for _, o := range open {
			ja, en = append(ja, o.Name.JA), append(en, o.Name.EN)
		}
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "incident.steps_open",
			Args: map[string]any{"Count": len(open), "StepsJA": strings.Join(ja, "／"), "StepsEN": strings.Join(en, " / ")}}
	}
	now := s.now()
	inc.Status, inc.ClosedAt, inc.ClosedBy = StatusClosed, &now, by.PersonID
	u := &Update{Action: "incident.close", Incident: &inc, Entries: []Entry{{Kind: EntryClose, Body: review}}}
	return s.st.UpdateIncident(ctx, u)
}

// DeadlineAlerts builds the reminders due now for rec's pending reports:
// one when a deadline is a day away and one when it has passed, each sent
// once (the timeline keeps that it was sent), to the person who triaged,
// the holders of the report's role in the profile, and the triage role.
func (s *Service) DeadlineAlerts(ctx context.Context, pol *policy.Policy, rec *Record) (*Update, error) {
	inc := rec.Incident
	if !inc.Open() {
		return nil, nil
	}
	now := s.now()
	sent := map[string]bool{}
	for _, e := range rec.Entries {
		if e.Kind == EntryDeadlineAlert {
			sent[e.Data["report"]+"/"+e.Data["stage"]] = true
		}
	}
	u := &Update{Action: "incident.deadline_alert", Incident: &inc}
	for _, r := range rec.Reports {
		if r.Resolved() || r.DueAt == nil {
			continue
		}
		stage := ""
		switch {
		case now.After(*r.DueAt):
			stage = "overdue"
		case r.DueAt.Sub(now) <= 24*time.Hour:
			stage = "soon"
		default:
			continue
		}
		key := strconv.FormatInt(r.ID, 10) + "/" + stage
		if sent[key] {
			continue
		}
		name := s.ReportName(r)
		due := r.DueAt.In(i18n.Tokyo).Format("2006-01-02 15:04")
		args := map[string]any{"Title": inc.Title, "Receipt": inc.ReceiptNo, "TargetJA": name.JA, "TargetEN": name.EN, "Due": due, "Clause": r.Clause}
		msg := notify.Message{Kind: "incident.deadline_" + stage, Link: fmt.Sprintf("/incidents/%d", inc.ID),
			Subject: s.cat.Both("incident.msg.deadline_"+stage+"_subject", args), Body: s.cat.Both("incident.msg.deadline_body", args)}
		rs := []notify.Recipient{{PersonID: inc.TriagedBy}}
		roles := []string{pol.Incident().Triage}
		for _, pr := range pol.Incident().ExternalReports {
			if pr.ID == r.PolicyID && pr.Role != "" {
				roles = append(roles, pr.Role)
			}
		}
		for _, role := range roles {
			if role == "" {
				continue
			}
			acting, err := s.dir.Resolve(ctx, pol, policy.MatterIncident, role, inc.UnitID, now)
			if err != nil {
				continue // nobody holds it: the person who triaged is still told
			}
			for _, a := range acting {
				rs = append(rs, notify.Recipient{PersonID: a.PersonID})
			}
		}
		u.Deliveries = append(u.Deliveries, notify.To(msg, rs...)...)
		u.Entries = append(u.Entries, Entry{Kind: EntryDeadlineAlert, Body: name.JA, Data: map[string]string{"report": strconv.FormatInt(r.ID, 10), "stage": stage, "due": r.DueAt.UTC().Format(time.RFC3339)}})
	}
	if len(u.Entries) == 0 {
		return nil, nil
	}
	return u, nil
}

// Apply writes an update built by DeadlineAlerts.
func (s *Service) Apply(ctx context.Context, u *Update) error { return s.st.UpdateIncident(ctx, u) }

// Load reads an incident with everything recorded about it.
func (s *Service) Load(ctx context.Context, id int64) (*Record, error) { return s.load(ctx, id) }
