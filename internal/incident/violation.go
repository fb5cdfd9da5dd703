package incident

import (
	"context"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/i18n"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// Violations of the policy by a member of staff: 下條村 第2章9(6) — the
// manager of the person's unit is told and asked to respond (1); when
// guidance does not correct it, the ネットワーク管理責任者 suspends or
// removes the person's rights to networks and systems and tells the CISO,
// the 統括 and the manager of the person's unit (2). 天草 第39条 — the
// ネットワーク管理者 instructs the 情報セキュリティ管理者 of the person to
// correct it (1), who reports the result (2); if it is not corrected, the
// person's rights may be suspended, with a report to the 総合情報統括管理者,
// the 情報統括管理者, the 課等の長 and the person's manager (3).

// ViolationStatus is where a violation stands.
type ViolationStatus string

const (
	ViolationRecorded     ViolationStatus = "recorded"
	ViolationInstructed   ViolationStatus = "instructed"    // told to correct it
	ViolationCorrected    ViolationStatus = "corrected"     // the result: corrected
	ViolationNotCorrected ViolationStatus = "not_corrected" // the result: not corrected
	ViolationSuspended    ViolationStatus = "suspended"     // the person's rights suspended
)

// Violation is one violation of the policy by a person.
type Violation struct {
	ID               int64
	PersonID         int64
	UnitID           int64 // the person's unit when it was recorded
	IncidentID       int64 // the incident it came from, if any
	Description      string
	Clause           string // the provision violated
	FoundAt          time.Time
	RecordedBy       int64
	Status           ViolationStatus
	Instruction      string
	InstructedBy     int64
	InstructedAt     *time.Time
	Result           string
	ResultBy         int64
	ResultAt         *time.Time
	SuspensionReason string
	SuspendedBy      int64
	SuspendedAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time

	PersonName string // read with it
}

// ViolationRule is whom the policy has told at each stage, with the
// clause, read from the profile's violations section.
type ViolationRule struct {
	RecordTo      []policy.RouteStep // told when the violation is recorded and when instructed
	RecordClause  string
	SuspendTo     []policy.RouteStep // told when the person's rights are suspended
	SuspendClause string
}

// RuleFor returns the violation rule of pol. Where the policy names no
// one (a profile without a violations section, or one that prescribes no
// suspension, as 藤枝市), the roles it grants violation.manage are told.
// applicant_unit and applicant_body mean the violator's unit (and body).
func RuleFor(pol *policy.Policy) ViolationRule {
	vp := pol.Violations()
	r := ViolationRule{RecordTo: vp.Notify, RecordClause: vp.NotifyClause}
	if vp.Suspend != nil {
		r.SuspendTo, r.SuspendClause = vp.Suspend.Notify, vp.Suspend.Clause
	}
	fallback := stepsFor(rolesGranting(pol, policy.PermViolationManage))
	if len(r.RecordTo) == 0 {
		r.RecordTo = fallback
	}
	if len(r.SuspendTo) == 0 {
		r.SuspendTo = fallback
	}
	return r
}

// ViolationStore is what violations need; internal/store implements it.
type ViolationStore interface {
	// CreateViolation records v (its unit is the person's unit now).
	CreateViolation(ctx context.Context, v *Violation, ds []notify.Delivery) error
	Violation(ctx context.Context, id int64) (*Violation, error)
	Violations(ctx context.Context, personID int64) ([]Violation, error)
	// UpdateViolation writes v, refusing a conflict when it changed since
	// it was read; with suspend, it also suspends the person's rights —
	// status suspended, sessions and API tokens ended — in the same
	// transaction, refusing an administrator unless byAdmin.
	UpdateViolation(ctx context.Context, v *Violation, action string, suspend, byAdmin bool, ds []notify.Delivery) error
}

// Violations runs the response to violations.
type Violations struct {
	st  ViolationStore
	dir Resolver
	now func() time.Time
	cat *i18n.Catalog
}

// NewViolations returns the service.
func NewViolations(st ViolationStore, dir Resolver, now func() time.Time) *Violations {
	return &Violations{st: st, dir: dir, now: now, cat: i18n.Default()}
}

func (s *Violations) deliveries(ctx context.Context, pol *policy.Policy, steps []policy.RouteStep, v *Violation, kind, msgID, clause string, extra ...int64) []notify.Delivery {
	rs := recipientsOf(ctx, s.dir, pol, steps, v.UnitID, s.now(), v.PersonID)
	for _, id := range extra {
		rs = append(rs, notify.Recipient{PersonID: id})
	}
	args := map[string]any{"ID": v.ID, "Name": v.PersonName, "Clause": clause}
	return notify.To(message(s.cat, kind, msgID, fmt.Sprintf("/violations/%d", v.ID), args), rs...)
}

// Record records a violation found in a person's conduct and tells the
// manager of their unit (下條村 第2章9(6)(1); 天草 第39条(1)).
func (s *Violations) Record(ctx context.Context, pol *policy.Policy, by Actor, v *Violation, unitOf func(int64) (int64, string, error)) error {
	var err error
	if v.PersonID == 0 {
		return mamori.FieldError("person_id", "violation.person_required", nil)
	}
	if v.PersonID == by.PersonID {
		return mamori.Errorf(mamori.EFORBIDDEN, "violation.self", nil)
	}
	if v.Description, err = cleanText("description", v.Description, MaxText, true); err != nil {
		return err
	}
	if v.Clause, err = cleanText("clause", v.Clause, 100, false); err != nil {
		return err
	}
	now := s.now()
	if v.FoundAt.IsZero() {
		v.FoundAt = now
	}
	if v.FoundAt.After(now.Add(10 * time.Minute)) {
		return mamori.FieldError("found_at", "incident.time_in_future", nil)
	}
	if v.UnitID, v.PersonName, err = unitOf(v.PersonID); err != nil {
		return err
	}
	v.RecordedBy, v.Status = by.PersonID, ViolationRecorded
	rule := RuleFor(pol)
	return s.st.CreateViolation(ctx, v, s.deliveries(ctx, pol, rule.RecordTo, v, "violation.recorded", "violation.msg.recorded", rule.RecordClause))
}

// Instruct records the instruction to correct the violation (天草
// 第39条(1); 下條村 第2章9(6)(1) 適切な対応を求める).
func (s *Violations) Instruct(ctx context.Context, pol *policy.Policy, by Actor, id int64, text string) error {
	v, err := s.st.Violation(ctx, id)
	if err != nil {
		return err
	}
	if v.Status != ViolationRecorded {
		return mamori.Errorf(mamori.ECONFLICT, "violation.wrong_stage", nil)
	}
	if text, err = cleanText("instruction", text, MaxText, true); err != nil {
		return err
	}
	now := s.now()
	v.Status, v.Instruction, v.InstructedBy, v.InstructedAt = ViolationInstructed, text, by.PersonID, &now
	rule := RuleFor(pol)
	return s.st.UpdateViolation(ctx, v, "violation.instruct", false, false, s.deliveries(ctx, pol, rule.RecordTo, v, "violation.instructed", "violation.msg.instructed", rule.RecordClause))
}

// RecordResult records whether the violation was corrected (天草
// 第39条(2)), telling whoever gave the instruction.
func (s *Violations) RecordResult(ctx context.Context, pol *policy.Policy, by Actor, id int64, corrected bool, text string) error {
	v, err := s.st.Violation(ctx, id)
	if err != nil {
		return err
	}
	if v.Status != ViolationInstructed {
		return mamori.Errorf(mamori.ECONFLICT, "violation.wrong_stage", nil)
	}
	if text, err = cleanText("result", text, MaxText, true); err != nil {
		return err
	}
	now := s.now()
	v.Result, v.ResultBy, v.ResultAt = text, by.PersonID, &now
	v.Status = ViolationNotCorrected
	if corrected {
		v.Status = ViolationCorrected
	}
	ds := notify.To(message(s.cat, "violation."+string(v.Status), "violation.msg.result", fmt.Sprintf("/violations/%d", v.ID),
		map[string]any{"ID": v.ID, "Name": v.PersonName, "Clause": RuleFor(pol).RecordClause}), notify.Recipient{PersonID: v.InstructedBy})
	return s.st.UpdateViolation(ctx, v, "violation.result", false, false, ds)
}

// Suspend suspends the person's rights because the violation was not
// corrected (下條村 第2章9(6)(2), 天草 第39条(3)): the person can no longer
// sign in or use API tokens, at once, and those the policy names are told.
// Nobody suspends themselves, and only an administrator suspends an
// administrator.
func (s *Violations) Suspend(ctx context.Context, pol *policy.Policy, by Actor, byAdmin bool, id int64, reason string) error {
	v, err := s.st.Violation(ctx, id)
	if err != nil {
		return err
	}
	if v.Status != ViolationNotCorrected {
		return mamori.Errorf(mamori.ECONFLICT, "violation.not_uncorrected", nil)
	}
	if v.PersonID == by.PersonID {
		return mamori.Errorf(mamori.EFORBIDDEN, "violation.self", nil)
	}
	if reason, err = cleanText("reason", reason, MaxText, true); err != nil {
		return err
	}
	now := s.now()
	v.Status, v.SuspensionReason, v.SuspendedBy, v.SuspendedAt = ViolationSuspended, reason, by.PersonID, &now
	rule := RuleFor(pol)
	ds := s.deliveries(ctx, pol, rule.SuspendTo, v, "violation.suspended", "violation.msg.suspended", rule.SuspendClause)
	return s.st.UpdateViolation(ctx, v, "violation.suspend", true, byAdmin, ds)
}
