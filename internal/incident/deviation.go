package incident

import (
	"context"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// Deviation management (逸脱管理, 下條村 第2章9(4)): where keeping to the
// policy is not possible, the 情報セキュリティ管理者 reports the deviation
// with its period, reason and alternative measures to the 統括情報セキュリ
// ティ責任者 (2), who examines it and puts it to the committee (3); the
// committee approves or rejects it (4); the 統括 manages the approved ones
// (5) — here: a list of the active ones, reminders before they end, and
// their expiry on the end date. Who may submit, review and decide is what
// the profile grants (deviation.submit, deviation.review,
// deviation.decide); nobody decides on their own deviation.

// DeviationStatus is where a deviation stands.
type DeviationStatus string

const (
	DeviationSubmitted DeviationStatus = "submitted" // reported, awaiting the review
	DeviationReviewed  DeviationStatus = "reviewed"  // reviewed, put to the committee
	DeviationApproved  DeviationStatus = "approved"
	DeviationRejected  DeviationStatus = "rejected"
	DeviationExpired   DeviationStatus = "expired"   // its period ended
	DeviationWithdrawn DeviationStatus = "withdrawn" // withdrawn by the one who reported it
)

// ReviewOpinion is the 統括's finding whether the deviation can be
// allowed as an exception (第2章9(4)3 例外として許諾可能かを審査).
type ReviewOpinion string

const (
	OpinionAcceptable    ReviewOpinion = "acceptable"
	OpinionNotAcceptable ReviewOpinion = "not_acceptable"
)

// Deviation is one reported deviation from the policy.
type Deviation struct {
	ID            int64
	UnitID        int64
	SubmittedBy   int64
	Provision     string // the provision deviated from
	Clause        string // its clause, if known
	Reason        string
	Alternatives  string // 代替手段
	StartsOn      time.Time
	EndsOn        time.Time // the last day it applies (midnight in Japan)
	Status        DeviationStatus
	ReviewOpinion ReviewOpinion
	ReviewNote    string
	ReviewedBy    int64
	ReviewedAt    *time.Time
	DecisionNote  string
	DecidedBy     int64
	DecidedAt     *time.Time
	RemindersSent int // bits: 1 = 14 days before the end, 2 = 3 days before
	EndedAt       *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time

	SubmitterName string // read with it
}

// Ends is the moment the deviation stops applying: the end of its last
// day in Japan.
func (d *Deviation) Ends() time.Time { return d.EndsOn.AddDate(0, 0, 1) }

// Active reports whether an approved deviation applies at now.
func (d *Deviation) Active(now time.Time) bool {
	return d.Status == DeviationApproved && !now.Before(d.StartsOn) && now.Before(d.Ends())
}

// Effective is the status as of now: an approved deviation past its end
// is expired even before the background job has marked it.
func (d *Deviation) Effective(now time.Time) DeviationStatus {
	if d.Status == DeviationApproved && !now.Before(d.Ends()) {
		return DeviationExpired
	}
	return d.Status
}

// Validate checks a deviation as reported, against now.
func (d *Deviation) Validate(now time.Time) error {
	var err error
	if d.Provision, err = cleanText("provision", d.Provision, 500, true); err != nil {
		return err
	}
	if d.Clause, err = cleanText("clause", d.Clause, 100, false); err != nil {
		return err
	}
	if d.Reason, err = cleanText("reason", d.Reason, MaxText, true); err != nil {
		return err
	}
	if d.Alternatives, err = cleanText("alternatives", d.Alternatives, MaxText, true); err != nil {
		return err
	}
	if d.StartsOn.IsZero() {
		return mamori.FieldError("starts_on", "deviation.period_required", nil)
	}
	if d.EndsOn.IsZero() {
		return mamori.FieldError("ends_on", "deviation.period_required", nil)
	}
	if d.EndsOn.Before(d.StartsOn) {
		return mamori.FieldError("ends_on", "deviation.period_order", nil)
	}
	if !now.Before(d.Ends()) {
		return mamori.FieldError("ends_on", "deviation.period_past", nil)
	}
	return nil
}

// DeviationFilter narrows the list.
type DeviationFilter struct {
	Status DeviationStatus
	Active bool // approved and in its period at the given time
	At     time.Time
}

// DeviationStore is what deviations need; internal/store implements it.
type DeviationStore interface {
	CreateDeviation(ctx context.Context, d *Deviation, ds []notify.Delivery) error
	Deviation(ctx context.Context, id int64) (*Deviation, error)
	Deviations(ctx context.Context, f DeviationFilter) ([]Deviation, error)
	// UpdateDeviation writes d as it is to be, refusing a conflict when it
	// changed since it was read (UpdatedAt), and delivers ds.
	UpdateDeviation(ctx context.Context, d *Deviation, action string, ds []notify.Delivery) error
}

// Deviations runs deviation management.
type Deviations struct {
	st  DeviationStore
	dir Resolver
	now func() time.Time
	cat *i18n.Catalog
}

// NewDeviations returns the service.
func NewDeviations(st DeviationStore, dir Resolver, now func() time.Time) *Deviations {
	return &Deviations{st: st, dir: dir, now: now, cat: i18n.Default()}
}

func (s *Deviations) link(d *Deviation) string { return fmt.Sprintf("/deviations/%d", d.ID) }

func (s *Deviations) args(d *Deviation) map[string]any {
	return map[string]any{"ID": d.ID, "Provision": d.Provision, "Start": d.StartsOn.In(i18n.Tokyo).Format("2006-01-02"),
		"End": d.EndsOn.In(i18n.Tokyo).Format("2006-01-02"), "Name": d.SubmitterName}
}

func (s *Deviations) notifyRoles(ctx context.Context, pol *policy.Policy, perm policy.Permission, d *Deviation, kind, msgID string, skip ...int64) []notify.Delivery {
	rs := recipientsOf(ctx, s.dir, pol, stepsFor(rolesGranting(pol, perm)), d.UnitID, s.now(), skip...)
	return notify.To(message(s.cat, kind, msgID, s.link(d), s.args(d)), rs...)
}

// Submit records a deviation reported by by (第2章9(4)2) and tells those
// who review deviations.
func (s *Deviations) Submit(ctx context.Context, pol *policy.Policy, by Actor, d *Deviation) error {
	d.SubmittedBy, d.SubmitterName, d.Status = by.PersonID, by.Name, DeviationSubmitted
	if d.UnitID == 0 {
		d.UnitID = by.UnitID
	}
	if err := d.Validate(s.now()); err != nil {
		return err
	}
	ds := s.notifyRoles(ctx, pol, policy.PermDeviationReview, d, "deviation.submitted", "deviation.msg.submitted", by.PersonID)
	return s.st.CreateDeviation(ctx, d, ds)
}

// separate refuses by acting on their own deviation (下條村 第2章3(7)).
func separate(pol *policy.Policy, d *Deviation, by Actor) error {
	return directory.CheckSeparation(pol, d.SubmittedBy, directory.Acting{PersonID: by.PersonID})
}

// Review records the 統括's examination and puts the deviation to the
// committee (第2章9(4)3), telling those who decide.
func (s *Deviations) Review(ctx context.Context, pol *policy.Policy, by Actor, id int64, opinion ReviewOpinion, note string) error {
	d, err := s.st.Deviation(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != DeviationSubmitted {
		return mamori.Errorf(mamori.ECONFLICT, "deviation.not_awaiting_review", nil)
	}
	if err := separate(pol, d, by); err != nil {
		return err
	}
	if opinion != OpinionAcceptable && opinion != OpinionNotAcceptable {
		return mamori.FieldError("opinion", "deviation.opinion_invalid", nil)
	}
	if note, err = cleanText("note", note, MaxText, true); err != nil {
		return err
	}
	now := s.now()
	d.Status, d.ReviewOpinion, d.ReviewNote, d.ReviewedBy, d.ReviewedAt = DeviationReviewed, opinion, note, by.PersonID, &now
	ds := s.notifyRoles(ctx, pol, policy.PermDeviationDecide, d, "deviation.reviewed", "deviation.msg.reviewed", d.SubmittedBy)
	return s.st.UpdateDeviation(ctx, d, "deviation.review", ds)
}

// Decide records the committee's approval or rejection (第2章9(4)4) and
// tells the one who reported it and the reviewer.
func (s *Deviations) Decide(ctx context.Context, pol *policy.Policy, by Actor, id int64, approve bool, note string) error {
	d, err := s.st.Deviation(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != DeviationReviewed {
		return mamori.Errorf(mamori.ECONFLICT, "deviation.not_awaiting_decision", nil)
	}
	if err := separate(pol, d, by); err != nil {
		return err
	}
	if note, err = cleanText("note", note, MaxText, !approve); err != nil {
		return err
	}
	now := s.now()
	d.Status, d.DecisionNote, d.DecidedBy, d.DecidedAt = DeviationRejected, note, by.PersonID, &now
	msg := "deviation.msg.rejected"
	if approve {
		if !now.Before(d.Ends()) {
			return mamori.Errorf(mamori.ECONFLICT, "deviation.period_past", nil)
		}
		d.Status, msg = DeviationApproved, "deviation.msg.approved"
	}
	ds := notify.To(message(s.cat, "deviation."+string(d.Status), msg, s.link(d), s.args(d)),
		notify.Recipient{PersonID: d.SubmittedBy}, notify.Recipient{PersonID: d.ReviewedBy})
	return s.st.UpdateDeviation(ctx, d, "deviation.decide", ds)
}

// Withdraw ends a deviation early at the request of the one who reported
// it (the need has gone), or before it was decided.
func (s *Deviations) Withdraw(ctx context.Context, pol *policy.Policy, by Actor, id int64) error {
	d, err := s.st.Deviation(ctx, id)
	if err != nil {
		return err
	}
	if d.SubmittedBy != by.PersonID {
		return mamori.Errorf(mamori.EFORBIDDEN, "deviation.not_yours", nil)
	}
	switch d.Effective(s.now()) {
	case DeviationSubmitted, DeviationReviewed, DeviationApproved:
	default:
		return mamori.Errorf(mamori.ECONFLICT, "deviation.not_withdrawable", nil)
	}
	now := s.now()
	d.Status, d.EndedAt = DeviationWithdrawn, &now
	ds := s.notifyRoles(ctx, pol, policy.PermDeviationReview, d, "deviation.withdrawn", "deviation.msg.withdrawn", by.PersonID)
	return s.st.UpdateDeviation(ctx, d, "deviation.withdraw", ds)
}

// Reminder stages before an approved deviation ends.
var deviationReminders = []struct {
	bit    int
	before time.Duration
}{{1, 14 * 24 * time.Hour}, {2, 3 * 24 * time.Hour}}

// Housekeep expires the approved deviations whose period has ended and
// sends the reminders due before an end (14 and 3 days before), each
// once, to the one who reported it and those who manage deviations. It
// returns how many deviations it changed.
func (s *Deviations) Housekeep(ctx context.Context, pol *policy.Policy) (int, error) {
	ds, err := s.st.Deviations(ctx, DeviationFilter{Status: DeviationApproved})
	if err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	for i := range ds {
		d := &ds[i]
		var action, msg string
		switch {
		case !now.Before(d.Ends()):
			d.Status, d.EndedAt = DeviationExpired, &now
			action, msg = "deviation.expire", "deviation.msg.expired"
		default:
			for _, rm := range deviationReminders {
				if d.RemindersSent&rm.bit == 0 && d.Ends().Sub(now) <= rm.before {
					// A later stage covers the earlier ones not yet sent.
					for _, r2 := range deviationReminders {
						if r2.before >= rm.before {
							d.RemindersSent |= r2.bit
						}
					}
					action, msg = "deviation.remind", "deviation.msg.expiring"
				}
			}
		}
		if action == "" {
			continue
		}
		out := s.notifyRoles(ctx, pol, policy.PermDeviationReview, d, action, msg, d.SubmittedBy)
		out = append(out, notify.To(message(s.cat, action, msg, s.link(d), s.args(d)), notify.Recipient{PersonID: d.SubmittedBy})...)
		if err := s.st.UpdateDeviation(ctx, d, action, out); err != nil {
			if mamori.ErrorCode(err) == mamori.ECONFLICT {
				continue // another server did it
			}
			return n, err
		}
		n++
	}
	return n, nil
}
