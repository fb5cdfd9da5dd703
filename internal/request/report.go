package request

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mamori"
	"mamori/internal/policy"
)

// ReportInput is a report as its author files it.
type ReportInput struct {
	Kind        policy.ReportKind
	At          time.Time // performed, returned, started or ended at
	PerformerID int64     // who did it; 0: the author
	Content     string    // what was done
	Values      Values    // the record type's further fields (RecordFields)
	Files       []Upload  // files for the record type's file fields
}

// reportPrefix names a report's record fields in errors ("record.method").
const reportPrefix = "record."

// RecordFields are the fields of the request's record type that its
// reports ask for beyond date and time, person and content (the
// disposal method, the contractor, the certificate …). The assets are the
// request's own and are not asked again.
func RecordFields(pol *policy.Policy, r *Request) []*policy.Field {
	rtID := r.Decision.RecordType
	if rtID == "" {
		if k, ok := pol.RequestKind(r.Kind); ok {
			rtID = k.RecordType
		}
	}
	rt, ok := pol.RecordType(rtID)
	if !ok {
		return nil
	}
	var out []*policy.Field
	for _, f := range rt.Fields {
		// A field a report fills from its own time, person or content
		// (policy purpose) is not asked again.
		if f.FilledByReport() || f.Type == policy.FieldAssetList {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Reports returns the reports the request's kind requires, in order.
func Reports(pol *policy.Policy, r *Request) []policy.ReportKind {
	if k, ok := pol.RequestKind(r.Kind); ok {
		return k.Reports
	}
	return nil
}

// DueReports returns the reports still to be filed, in order.
func DueReports(pol *policy.Policy, r *Request) []policy.ReportKind {
	var out []policy.ReportKind
	if !r.Status.Granted() {
		return nil
	}
	for _, k := range Reports(pol, r) {
		if !r.HasReport(k) {
			out = append(out, k)
		}
	}
	return out
}

// maxFutureReport is how far ahead of the clock a report's time may lie
// (clocks of people's computers differ a little); a report says what
// happened, not what will.
const maxFutureReport = 10 * time.Minute

// Report files a report on a granted request: the execution record the
// policy requires (date and time, person, what was done — 藤枝市
// 第2章5(2)⑪ウ, 6(1)③イ; for a disposal the contractor's certificate as
// a file), the return of what was taken out, or the start and end of a
// piece of work (下條村 第2章10(2)3). The applicant and the approvers of
// the request may file them. The request and all its records are then
// kept for the record type's period from now; once every report the kind
// requires is in, the request is completed.
func (s *Service) Report(ctx context.Context, pol Policy, actor Actor, id int64, in ReportInput) (*Request, error) {
	if pol.Policy == nil {
		return nil, mamori.Errorf(mamori.ENOTFOUND, "policy.none_active", nil)
	}
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.mayReport(actor, r) {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "request.not_reporter"}
	}
	required := Reports(pol.Policy, r)
	if !slices.Contains(required, in.Kind) {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.report_not_required", Field: "kind", Args: map[string]any{"Kind": clip(string(in.Kind))}}
	}
	if r.Status == StatusCompleted || r.HasReport(in.Kind) {
		return nil, &mamori.Error{Code: mamori.ECONFLICT, Message: "request.report_exists", Args: reportArgs("Kind", in.Kind)}
	}
	if !r.Status.Granted() {
		return nil, notOpen(r, "request.not_granted")
	}
	now := s.clock()
	if in.At.IsZero() {
		return nil, mamori.FieldError("at", "request.report_at_required", nil)
	}
	if in.At.After(now.Add(maxFutureReport)) {
		return nil, mamori.FieldError("at", "request.report_in_future", nil)
	}
	if err := checkOrder(r, required, in); err != nil {
		return nil, err
	}
	if in.PerformerID == 0 {
		in.PerformerID = actor.PersonID
	}
	if _, err := s.st.Person(ctx, in.PerformerID); err != nil {
		if mamori.ErrorCode(err) == mamori.ENOTFOUND {
			return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.person_unknown", Field: "performer", Args: map[string]any{"ID": in.PerformerID, "FieldJA": "実施担当者", "FieldEN": "Person in charge"}}
		}
		return nil, err
	}
	in.Content = strings.TrimSpace(in.Content)
	if in.Kind == policy.ReportExecution && in.Content == "" {
		return nil, mamori.FieldError("content", "request.report_content_required", nil)
	}
	if utf8.RuneCountInString(in.Content) > maxLongText || !utf8.ValidString(in.Content) {
		return nil, mamori.FieldError("content", "request.comment_too_long", map[string]any{"Max": maxLongText})
	}
	rep := &Report{RequestID: r.ID, Kind: in.Kind, At: in.At.UTC(), PerformerID: in.PerformerID, Content: in.Content, Values: Values{}}
	var files []Upload
	if in.Kind == policy.ReportExecution {
		fields := RecordFields(pol.Policy, r)
		v := in.Values
		if v == nil {
			v = Values{}
		}
		for _, f := range fields {
			if f.Type == policy.FieldFile {
				for _, u := range in.Files {
					if u.Field == f.ID {
						files = append(files, u)
					}
				}
				continue
			}
			if x, ok := v[f.ID]; ok {
				rep.Values[f.ID] = x
			}
		}
		if err := checkRequired(fields, rep.Values, files, reportPrefix); err != nil {
			return nil, err
		}
		if err := s.checkPeople(ctx, fields, rep.Values, reportPrefix); err != nil {
			return nil, err
		}
	}
	next := r.Status
	done := 0
	for _, k := range required {
		if k == in.Kind || r.HasReport(k) {
			done++
		}
	}
	if done == len(required) {
		next = StatusCompleted
	}
	ret := Retention{KeepUntil: r.KeepUntil, Clause: r.RetentionClause}
	if rt := s.recordType(pol.Policy, r); rt != nil {
		ret = retention(rt, now)
	}
	if err := s.st.AddReport(ctx, rep, files, next, ret); err != nil {
		return nil, err
	}
	return s.st.Request(ctx, id)
}

// checkOrder keeps the reports in the order of events: a return comes
// after the taking-out and not before it, an end after its start.
func checkOrder(r *Request, required []policy.ReportKind, in ReportInput) error {
	var before policy.ReportKind
	message, field := "", "at"
	switch in.Kind {
	case policy.ReportReturn:
		before, message = policy.ReportExecution, "request.return_before_takeout"
	case policy.ReportEnd:
		before, message = policy.ReportStart, "request.end_before_start"
	default:
		return nil
	}
	if !slices.Contains(required, before) {
		return nil
	}
	for _, rep := range r.Reports {
		if rep.Kind == before {
			if in.At.Before(rep.At) {
				return mamori.FieldError(field, message, map[string]any{"At": rep.At})
			}
			return nil
		}
	}
	return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.report_missing_first", Args: reportArgs("First", before)}
}

// mayReport: the applicant, who carries the act out, and the approvers
// who decided on it (a manager recording a contractor's disposal).
func (s *Service) mayReport(actor Actor, r *Request) bool {
	if actor.PersonID == r.ApplicantID {
		return true
	}
	for _, st := range r.Steps {
		if st.DecidedBy == actor.PersonID && st.Status == StepApproved {
			return true
		}
	}
	return false
}

// reportNames name the reports in errors (the pages use the catalog's
// policy.report.* for the same).
var reportNames = map[policy.ReportKind]mamori.Text{
	policy.ReportExecution: {JA: "実施報告", EN: "execution report"},
	policy.ReportReturn:    {JA: "返却", EN: "return"},
	policy.ReportStart:     {JA: "作業開始報告", EN: "start of work"},
	policy.ReportEnd:       {JA: "作業終了報告", EN: "end of work"},
}

func reportArgs(key string, k policy.ReportKind) map[string]any {
	n, ok := reportNames[k]
	if !ok {
		n = mamori.Text{JA: string(k), EN: string(k)}
	}
	return map[string]any{key + "JA": n.JA, key + "EN": n.EN}
}
