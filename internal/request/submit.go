package request

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// fieldsPrefix names a request form's fields in errors ("fields.return_date").
const fieldsPrefix = "fields."

// Evaluation is what the policy says about a request before it is stored:
// the preview a person sees while filling in the form, and the basis of a
// submission.
type Evaluation struct {
	Kind        *policy.RequestKind
	Values      Values
	Assets      []AssetRef
	OwnerUnitID int64
	Facts       policy.Facts
	Decision    policy.Decision
	Steps       []Step               // the route (Effect approve), resolved
	Approvers   [][]directory.Acting // who acts at each step now
	RecordType  *policy.RecordType   // the record the policy requires, if any
}

// Kind returns the request kind id of the active policy, or a clear error
// naming the field: a kind the policy does not define cannot be asked for.
func Kind(pol *policy.Policy, id string) (*policy.RequestKind, error) {
	k, ok := pol.RequestKind(strings.TrimSpace(id))
	if !ok {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.kind_unknown", Field: "kind",
			Args: map[string]any{"Kind": clip(id), "Policy": pol.Name().JA}}
	}
	return k, nil
}

// Preview evaluates an unfinished form: what the policy will do with it
// and why, and who would decide. Missing answers are not an error here;
// a fact nobody has supplied yet yields an error naming what is missing.
func (s *Service) Preview(ctx context.Context, pol Policy, actor Actor, kindID string, v Values) (*Evaluation, error) {
	return s.evaluate(ctx, pol, actor, kindID, v, nil, false)
}

// Submit files a request. The policy decides at once: a request it forbids
// is refused with the clause (only the attempt is recorded); one it allows
// or only wants recorded is kept as granted; one that needs approval gets
// its route, each step a role resolved for the applicant's (or the
// asset owner's) unit, with substitutes when the holder is absent, and the
// first step's approvers are told. files answer the kind's file fields.
func (s *Service) Submit(ctx context.Context, pol Policy, actor Actor, kindID string, v Values, files ...Upload) (*Request, error) {
	if err := refuseFileIDs(pol.Policy, kindID, v); err != nil {
		return nil, err
	}
	ev, err := s.evaluate(ctx, pol, actor, kindID, v, files, true)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	r := &Request{Kind: ev.Kind.ID, KindName: mamori.Text{JA: ev.Kind.Name.JA, EN: ev.Kind.Name.EN}, Action: ev.Kind.Action,
		ApplicantID: actor.PersonID, ApplicantName: actor.Name, UnitID: actor.UnitID, Round: 1, SubmittedAt: now}
	s.apply(r, pol, ev, now)
	r.Files = fileUploads(ev.Kind, files)
	if ev.Decision.Effect == policy.Deny {
		if err := s.st.RecordRefusal(ctx, r); err != nil {
			s.log.Warn("record refused request", "err", err)
		}
		return nil, denied(ev.Decision)
	}
	tell := func(r *Request) []notify.Delivery {
		return s.deliveries(s.openNotices(ctx, pol.Policy, r, ev.Approvers))
	}
	if err := s.st.CreateRequest(ctx, r, tell); err != nil {
		return nil, err
	}
	return r, nil
}

// Resubmit files a sent-back request again with changed answers, as a new
// round: the policy decides afresh (its active version may have changed),
// and the route starts again from the first step.
func (s *Service) Resubmit(ctx context.Context, pol Policy, actor Actor, id int64, v Values, files ...Upload) (*Request, error) {
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.ApplicantID != actor.PersonID {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "request.not_applicant"}
	}
	if r.Status != StatusReturned {
		return nil, notOpen(r, "request.not_returned")
	}
	if err := refuseFileIDs(pol.Policy, r.Kind, v); err != nil {
		return nil, err
	}
	if v == nil {
		v = Values{}
	}
	// Files sent before stay with the request unless new ones replace them.
	for _, f := range kindFileFields(pol.Policy, r.Kind) {
		if !v.Has(f) && r.Values.Has(f) && !slices.ContainsFunc(files, func(u Upload) bool { return u.Field == f }) {
			v[f] = r.Values.IDs(f)
		}
	}
	ev, err := s.evaluate(ctx, pol, actor, r.Kind, v, files, true)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	r.Round++
	r.Files = fileUploads(ev.Kind, files)
	r.UnitID = actor.UnitID
	r.SubmittedAt = now
	s.apply(r, pol, ev, now)
	if ev.Decision.Effect == policy.Deny {
		if err := s.st.RecordRefusal(ctx, r); err != nil {
			s.log.Warn("record refused request", "err", err)
		}
		return nil, denied(ev.Decision)
	}
	if err := s.st.ResubmitRequest(ctx, r, s.deliveries(s.openNotices(ctx, pol.Policy, r, ev.Approvers))); err != nil {
		return nil, err
	}
	return r, nil
}

// Withdraw closes the applicant's own request while it is still open.
func (s *Service) Withdraw(ctx context.Context, actor Actor, id int64) (*Request, error) {
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.ApplicantID != actor.PersonID {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "request.not_applicant"}
	}
	if r.Status != StatusPending && r.Status != StatusReturned {
		return nil, notOpen(r, "request.closed")
	}
	if err := s.st.WithdrawRequest(ctx, id, r.Round); err != nil {
		return nil, err
	}
	return s.st.Request(ctx, id)
}

// apply puts the evaluation on the request: values, assets, the decision
// and the version it was taken under, the route, the status that follows,
// the return due date and how long the record must be kept.
func (s *Service) apply(r *Request, pol Policy, ev *Evaluation, now time.Time) {
	r.Values, r.Assets, r.OwnerUnitID = ev.Values, ev.Assets, ev.OwnerUnitID
	d := ev.Decision
	r.Decision = Decision{Effect: d.Effect, Rules: d.Rules, Clauses: d.Clauses, Reason: mamori.Text{JA: d.Reason.JA, EN: d.Reason.EN},
		RecordType: d.RecordType, PolicyVersionID: pol.VersionID, PolicyVersion: pol.Version(), Facts: ev.Facts, Default: d.Default}
	if r.Decision.RecordType == "" && ev.RecordType != nil {
		r.Decision.RecordType = ev.RecordType.ID
	}
	r.Steps = slices.DeleteFunc(r.Steps, func(st Step) bool { return st.Round == r.Round })
	r.Step, r.DecidedAt = 0, nil
	switch d.Effect {
	case policy.Approve:
		r.Status, r.Step = StatusPending, 1
		for _, st := range ev.Steps {
			st.Round = r.Round
			r.Steps = append(r.Steps, st)
		}
	case policy.Record:
		r.Status, r.DecidedAt = StatusRecorded, &now
	default:
		r.Status, r.DecidedAt = StatusAllowed, &now
	}
	r.DueAt = nil
	if f := dueField(ev.Kind); f != nil {
		if due, ok := dueInstant(f, ev.Values); ok {
			r.DueAt = &due
		}
	}
	ret := retention(ev.RecordType, now)
	r.KeepUntil, r.RetentionClause = ret.KeepUntil, ret.Clause
}

// retention is how long a record of type rt made at time at must be kept:
// the record type's period (藤枝市 第2章5(2)⑪ウ, 6(1)③イ: five years); a
// record type without a period keeps the record indefinitely; no record
// type, no requirement.
func retention(rt *policy.RecordType, at time.Time) Retention {
	if rt == nil {
		return Retention{}
	}
	p := rt.RetentionPeriod()
	if !p.Specified {
		return Retention{Clause: rt.Clause}
	}
	keep := p.AddTo(at)
	return Retention{KeepUntil: &keep, Clause: rt.Clause}
}

// denied is the refusal of an act the policy forbids, with its reason and
// clauses.
func denied(d policy.Decision) error {
	return &mamori.Error{Code: mamori.EDENIED, Message: "request.denied", Args: map[string]any{
		"ReasonJA": d.Reason.JA, "ReasonEN": orText(d.Reason.EN, d.Reason.JA), "Clauses": strings.Join(d.Clauses, "、"), "Version": d.PolicyVersion}}
}

func notOpen(r *Request, message string) error {
	return &mamori.Error{Code: mamori.ECONFLICT, Message: message, Args: map[string]any{"ID": r.ID, "Status": string(r.Status)}}
}

// evaluate checks a form against its kind and asks the policy about it.
// strict requires every required answer (a submission); otherwise only
// what was answered is checked (a preview).
func (s *Service) evaluate(ctx context.Context, pol Policy, actor Actor, kindID string, v Values, files []Upload, strict bool) (*Evaluation, error) {
	if pol.Policy == nil {
		return nil, mamori.Errorf(mamori.ENOTFOUND, "policy.none_active", nil)
	}
	k, err := Kind(pol.Policy, kindID)
	if err != nil {
		return nil, err
	}
	v, err = checkValues(k.Fields, v, fieldsPrefix)
	if err != nil {
		return &Evaluation{Kind: k, Values: Values{}}, err
	}
	ev := &Evaluation{Kind: k, Values: v}
	rtID := k.RecordType
	if rtID != "" {
		ev.RecordType, _ = pol.RecordType(rtID)
	}
	if strict {
		if err := checkRequired(k.Fields, v, files, fieldsPrefix); err != nil {
			return ev, err
		}
	}
	if err := checkDates(k, v); err != nil {
		return ev, err
	}
	if err := s.checkPeople(ctx, k.Fields, v, fieldsPrefix); err != nil {
		return ev, err
	}
	if ev.Assets, err = s.assets(ctx, actor, k, v); err != nil {
		return ev, err
	}
	if len(ev.Assets) > 0 {
		ev.OwnerUnitID = ev.Assets[0].OwnerUnitID
	}
	if ev.Facts, err = facts(pol.Policy, k, v, ev.Assets); err != nil {
		return ev, err
	}
	ev.Decision, err = pol.Decide(k.Action, ev.Facts)
	if err != nil {
		return ev, decideError(pol.Policy, k, err)
	}
	if ev.Decision.RecordType != "" {
		if rt, ok := pol.RecordType(ev.Decision.RecordType); ok {
			ev.RecordType = rt
		}
	}
	if ev.Decision.Effect == policy.Approve {
		if ev.Steps, ev.Approvers, err = s.route(ctx, pol.Policy, actor, ev.OwnerUnitID, ev.Decision.Route); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// decideError explains why the policy could not answer: usually a fact no
// field of the form supplies and that has no default, which is a gap in
// the profile rather than the applicant's fault.
func decideError(pol *policy.Policy, k *policy.RequestKind, err error) error {
	var de *policy.DecideError
	if !errors.As(err, &de) {
		return fmt.Errorf("decide %s: %w", k.Action, err)
	}
	field := "kind"
	var supplier *policy.Field
	for _, f := range k.Fields {
		if f.Fact != "" && f.Fact == de.Fact {
			supplier = f
		}
	}
	if decl, ok := pol.Fact(de.Fact); ok && supplier == nil && decl.Type == policy.FactLevel {
		supplier = assetFieldOf(k)
	}
	if supplier != nil {
		field = fieldsPrefix + supplier.ID
		if de.Code == policy.ECodeMissingFact {
			// The form can answer what the policy needs: say which field.
			return fieldErr(fieldsPrefix, supplier, "request.needs_answer", nil)
		}
	}
	return &mamori.Error{Code: mamori.EINVALID, Message: "request.policy_cannot_decide", Field: field,
		Args: map[string]any{"JA": de.Message.JA, "EN": orText(de.Message.EN, de.Message.JA)}, Err: err}
}

// checkPeople refuses a person field naming nobody of this organization.
func (s *Service) checkPeople(ctx context.Context, fields []*policy.Field, v Values, prefix string) error {
	for _, f := range fields {
		if f.Type != policy.FieldPerson || !v.Has(f.ID) {
			continue
		}
		if _, err := s.st.Person(ctx, v.Int(f.ID)); err != nil {
			if mamori.ErrorCode(err) == mamori.ENOTFOUND {
				return fieldErr(prefix, f, "request.person_unknown", map[string]any{"ID": v.Int(f.ID)})
			}
			return err
		}
	}
	return nil
}

// assets loads the assets the form's asset_list fields name and checks
// that the applicant may use each: it must belong to this organization
// (another's is simply not found), and to the applicant's own line of
// units — their unit, one above it, or one below it — unless the
// applicant manages assets (asset.manage).
func (s *Service) assets(ctx context.Context, actor Actor, k *policy.RequestKind, v Values) ([]AssetRef, error) {
	var out []AssetRef
	var line map[int64]bool
	for _, f := range k.Fields {
		if f.Type != policy.FieldAssetList {
			continue
		}
		ids := v.IDs(f.ID)
		if len(ids) == 0 {
			continue
		}
		if len(ids) > maxList {
			return nil, fieldErr(fieldsPrefix, f, "request.field_too_many", map[string]any{"Max": maxList})
		}
		found, err := s.st.RequestAssets(ctx, ids)
		if err != nil {
			return nil, err
		}
		byID := map[int64]AssetRef{}
		for _, a := range found {
			byID[a.ID] = a
		}
		for _, id := range ids {
			a, ok := byID[id]
			if !ok {
				return nil, fieldErr(fieldsPrefix, f, "request.asset_unknown", map[string]any{"ID": id})
			}
			if a.Disposed {
				return nil, fieldErr(fieldsPrefix, f, "request.asset_disposed", map[string]any{"Asset": a.Name, "ID": a.ID})
			}
			if !actor.ManageAssets {
				if line == nil {
					if line, err = s.unitLine(ctx, actor.UnitID); err != nil {
						return nil, err
					}
				}
				if ok, err := s.onLine(ctx, line, actor.UnitID, a.OwnerUnitID); err != nil {
					return nil, err
				} else if !ok {
					return nil, fieldErr(fieldsPrefix, f, "request.asset_not_usable", map[string]any{"Asset": a.Name, "ID": a.ID})
				}
			}
			if !slices.ContainsFunc(out, func(x AssetRef) bool { return x.ID == a.ID }) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// unitLine is the applicant's unit and its ancestors.
func (s *Service) unitLine(ctx context.Context, unitID int64) (map[int64]bool, error) {
	line := map[int64]bool{}
	if unitID == 0 {
		return line, nil
	}
	path, err := s.st.UnitPath(ctx, unitID)
	if err != nil {
		return nil, fmt.Errorf("load the applicant's units: %w", err)
	}
	for _, u := range path {
		line[u.ID] = true
	}
	return line, nil
}

// onLine reports whether an asset owned by owner is on the applicant's
// line: owned by their unit or one above it, or by a unit below theirs.
func (s *Service) onLine(ctx context.Context, line map[int64]bool, unitID, owner int64) (bool, error) {
	if owner == 0 || unitID == 0 {
		return false, nil
	}
	if line[owner] {
		return true, nil
	}
	path, err := s.st.UnitPath(ctx, owner)
	if err != nil {
		return false, fmt.Errorf("load the asset's units: %w", err)
	}
	for _, u := range path {
		if u.ID == unitID {
			return true, nil
		}
	}
	return false, nil
}

// facts are what the policy is asked about: each field that feeds a fact
// (Field.Fact), and from the assets their classification on every axis the
// action reads — for several assets as a list, so that the strictest
// applies (藤枝市 第2章5(2)④ウ, 下條村 第2章4(2)4-3).
func facts(pol *policy.Policy, k *policy.RequestKind, v Values, assets []AssetRef) (policy.Facts, error) {
	needed := pol.ActionFacts(k.Action)
	out := policy.Facts{}
	for _, f := range k.Fields {
		if f.Fact == "" || !v.Has(f.ID) || !slices.Contains(needed, f.Fact) {
			continue
		}
		decl, ok := pol.Fact(f.Fact)
		if !ok {
			continue
		}
		x, ok := factValue(decl, f, v)
		if !ok {
			return nil, fieldErr(fieldsPrefix, f, "request.fact_type", map[string]any{"Fact": f.Fact, "Type": string(decl.Type)})
		}
		out[f.Fact] = x
	}
	if len(assets) == 0 {
		return out, nil
	}
	assetField := assetFieldOf(k)
	for _, decl := range pol.Facts() {
		if decl.Type != policy.FactLevel || !slices.Contains(needed, decl.ID) {
			continue
		}
		if _, given := out[decl.ID]; given {
			continue
		}
		var levels []string
		for _, a := range assets {
			l, ok := a.Levels[decl.Axis]
			if !ok || l == "" {
				ax, _ := pol.Axis(decl.Axis)
				args := map[string]any{"Asset": a.Name, "ID": a.ID, "AxisJA": decl.Axis, "AxisEN": decl.Axis}
				if ax != nil {
					args["AxisJA"], args["AxisEN"] = ax.Name.JA, orText(ax.Name.EN, ax.Name.JA)
				}
				if assetField == nil {
					return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.asset_unclassified", Args: args}
				}
				return nil, fieldErr(fieldsPrefix, assetField, "request.asset_unclassified", args)
			}
			if !slices.Contains(levels, l) {
				levels = append(levels, l)
			}
		}
		out[decl.ID] = levels
	}
	return out, nil
}

func assetFieldOf(k *policy.RequestKind) *policy.Field {
	for _, f := range k.Fields {
		if f.Type == policy.FieldAssetList {
			return f
		}
	}
	return nil
}

// factValue converts a field's answer to the type of the fact it feeds.
func factValue(decl *policy.FactDecl, f *policy.Field, v Values) (any, bool) {
	x := v[f.ID]
	switch decl.Type {
	case policy.FactBool:
		b, ok := x.(bool)
		return b, ok
	case policy.FactInt:
		n, ok := x.(int64)
		return n, ok
	case policy.FactString, policy.FactLevel:
		s, ok := x.(string)
		return s, ok
	case policy.FactList:
		if s, ok := x.(string); ok {
			return []string{s}, true
		}
	}
	return nil, false
}

// route resolves each step of the policy's route: the role, for the unit
// its scope names, and who acts in it now (the holder, or the substitutes
// the policy names while the holder is absent). When only the applicant
// acts in a step's role, separation of duties (藤枝市 第2章4(3), 下條村
// 第2章3(7)) forbids them deciding on their own request, and the step goes
// to the role that role reports to, which the step records; if there is
// none, the submission is refused with the separation-of-duties error.
func (s *Service) route(ctx context.Context, pol *policy.Policy, actor Actor, ownerUnit int64, route []policy.RouteStep) ([]Step, [][]directory.Acting, error) {
	now := s.clock()
	var steps []Step
	var approvers [][]directory.Acting
	for i, rs := range route {
		unit := int64(0)
		switch rs.Scope {
		case policy.RouteApplicantUnit, policy.RouteApplicantBody:
			unit = actor.UnitID
		case policy.RouteOwnerUnit:
			unit = ownerUnit
			if unit == 0 {
				unit = actor.UnitID
			}
		}
		role := rs.Role
		if r, ok := pol.Role(role); ok && directory.PerUnit(r) && unit == 0 {
			return nil, nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.applicant_no_unit",
				Args: map[string]any{"RoleJA": r.Name.JA, "RoleEN": orText(r.Name.EN, r.Name.JA)}}
		}
		st := Step{Index: i + 1, Role: role, Scope: rs.Scope, UnitID: unit, Status: StepWaiting}
		if i == 0 {
			st.Status = StepPending
		}
		acts, err := s.dir.Approvers(ctx, pol, role, unit, now, actor.PersonID)
		for hops := 0; err != nil && mamori.ErrorCode(err) == mamori.EFORBIDDEN && hops < 8; hops++ {
			r, ok := pol.Role(role)
			if !ok || r.ReportsTo == "" {
				break
			}
			up, ok := pol.Role(r.ReportsTo)
			if !ok || up.Kind == policy.RoleBaseline {
				break
			}
			if st.EscalatedFrom == "" {
				st.EscalatedFrom = rs.Role
			}
			role = up.ID
			acts, err = s.dir.Approvers(ctx, pol, role, unit, now, actor.PersonID)
		}
		if err != nil {
			return nil, nil, err
		}
		st.Role = role
		steps = append(steps, st)
		approvers = append(approvers, acts)
	}
	return steps, approvers, nil
}

// dueField is the field of a kind that files a return report saying when
// what is taken out must be back (purpose return_due).
func dueField(k *policy.RequestKind) *policy.Field {
	if !slices.Contains(k.Reports, policy.ReportReturn) {
		return nil
	}
	return k.FieldFor(policy.PurposeReturnDue)
}

// dueInstant is when a date field's day ends in Japan, or a date-time
// field's instant.
func dueInstant(f *policy.Field, v Values) (time.Time, bool) {
	t, ok := v.Time(f.ID)
	if !ok {
		return time.Time{}, false
	}
	if f.Type == policy.FieldDate {
		t = t.In(i18n.Tokyo).AddDate(0, 0, 1)
	}
	return t.UTC(), true
}

// checkDates refuses a return due, or an end, before the act begins (a
// take-out that would be back before it left, a period that ends before
// it starts).
func checkDates(k *policy.RequestKind, v Values) error {
	start := k.FieldFor(policy.PurposeStartAt)
	if start == nil {
		return nil
	}
	begin, ok := v.Time(start.ID)
	if !ok {
		return nil
	}
	args := map[string]any{"StartJA": start.Name.JA, "StartEN": orText(start.Name.EN, start.Name.JA)}
	for _, c := range []struct {
		purpose policy.FieldPurpose
		message string
	}{
		{policy.PurposeReturnDue, "request.return_before_start"},
		{policy.PurposeEndAt, "request.period_end_before_start"},
	} {
		f := k.FieldFor(c.purpose)
		if f == nil {
			continue
		}
		end, ok := dueInstant(f, v)
		if !ok {
			continue
		}
		// A date's day must not end before the act begins; a start given
		// as a date begins at the start of its day, so an end day equal
		// to the start day still ends after it.
		if end.Before(begin) || (start.Type == policy.FieldDate && end.Equal(begin)) {
			return fieldErr(fieldsPrefix, f, c.message, args)
		}
	}
	return nil
}

// fileUploads keeps the files sent for the kind's file fields.
func fileUploads(k *policy.RequestKind, files []Upload) []Upload {
	var out []Upload
	for _, u := range files {
		for _, f := range k.Fields {
			if f.Type == policy.FieldFile && f.ID == u.Field {
				out = append(out, u)
			}
		}
	}
	return out
}

// kindFileFields lists the ids of a kind's file fields.
func kindFileFields(pol *policy.Policy, kind string) []string {
	if pol == nil {
		return nil
	}
	k, ok := pol.RequestKind(kind)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range k.Fields {
		if f.Type == policy.FieldFile {
			out = append(out, f.ID)
		}
	}
	return out
}

// refuseFileIDs refuses a file field answered with ids rather than a file:
// a request may not claim files kept with another record.
func refuseFileIDs(pol *policy.Policy, kind string, v Values) error {
	if pol == nil {
		return nil
	}
	k, ok := pol.RequestKind(kind)
	if !ok {
		return nil
	}
	for _, f := range k.Fields {
		if f.Type == policy.FieldFile && v.Has(f.ID) {
			return fieldErr(fieldsPrefix, f, "request.file_upload_only", nil)
		}
	}
	return nil
}
