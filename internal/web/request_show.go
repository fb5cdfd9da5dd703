package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
)

// requestShowData is a request's page: what was asked, what the policy
// said and under which version, the route and who decided, the reports,
// how long the record is kept, and its timeline.
type requestShowData struct {
	Page
	Req        *request.Request
	Kind       string
	Values     []requestFieldRow
	Assets     []requestAssetRow
	Steps      []requestStepRow
	Rounds     bool
	Acting     *requestActing
	NobodyActs bool
	Reports    []requestReportRow
	Forms      []requestReportForm
	Overdue    bool
	Due        time.Time // the last moment of the return's due day
	ReturnedAt time.Time
	KeepUntil  time.Time
	Indefinite bool
	Timeline   []requestEventRow
	CanEdit    bool
	CanCancel  bool
	Err        error
}

type requestAssetRow struct {
	Name   string
	Levels string
}

type requestStepRow struct {
	Round     int
	Index     int
	Role      string
	Unit      string
	Escalated string
	Status    string
	DecidedBy string
	ActingAs  string
	For       string
	DecidedAt time.Time
	Comment   string
}

// requestActing says that the reader may decide the pending step, and as
// whom.
type requestActing struct {
	Round, Step int
	Role        string
	As          string // the role they act in, when not the step's own
	For         string // the absent holder they stand in for
}

type requestReportRow struct {
	Kind      string
	At        time.Time
	Performer string
	Content   string
	Values    []requestFieldRow
	CreatedBy string
	CreatedAt time.Time
}

// requestReportForm is the form of a report still due.
type requestReportForm struct {
	Kind      string
	Label     string
	At        string
	AtLabel   string
	Execution bool
	People    []requestOption
	Fields    []requestInput
}

type requestEventRow struct {
	At    time.Time
	Actor string
	Text  string
	Note  string
}

// requestShow shows one request to those who may read it.
func (s *Server) requestShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderRequest(w, r, http.StatusOK, nil)
}

// renderRequest shows the request of the path with an error, if any, from
// an action taken on it.
func (s *Server) renderRequest(w http.ResponseWriter, r *http.Request, status int, actionErr error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	svc := s.requests()
	me := principalFrom(r)
	actor := requestActor(me)
	req, err := svc.Get(r.Context(), rp, actor, id)
	if err != nil {
		return err
	}
	ctx := r.Context()
	l := s.localizer(r)
	pol := rp.Policy
	d := requestShowData{Page: s.page(r, "request.show_title", "requests"), Req: req, Kind: l.Pick(req.KindName.JA, req.KindName.EN), Err: actionErr}
	k, hasKind := pol.RequestKind(req.Kind)
	if hasKind {
		d.Values = s.requestValueRows(ctx, l, k.Fields, req.Values, req.Assets, req.Attachments)
	}
	for _, a := range req.Assets {
		d.Assets = append(d.Assets, requestAssetRow{Name: a.Name, Levels: requestLevelsText(l, pol, a.Levels)})
	}
	for _, st := range req.Steps {
		row := requestStepRow{Round: st.Round, Index: st.Index, Role: requestRoleName(l, pol, st.Role), Status: l.T("request.step." + string(st.Status)),
			DecidedBy: st.DecidedByName, For: st.ForPersonName, Comment: st.Comment}
		if st.DecidedAt != nil {
			row.DecidedAt = *st.DecidedAt
		}
		if st.UnitID != 0 {
			if u, err := s.store.Unit(ctx, st.UnitID); err == nil {
				row.Unit = u.Name
			}
		}
		if st.EscalatedFrom != "" {
			row.Escalated = requestRoleName(l, pol, st.EscalatedFrom)
		}
		if st.ActingRole != "" && st.ActingRole != st.Role {
			row.ActingAs = requestRoleName(l, pol, st.ActingRole)
		}
		d.Rounds = d.Rounds || st.Round > 1
		d.Steps = append(d.Steps, row)
	}
	if st, ok := req.PendingStep(); ok {
		a, can, err := svc.Acting(ctx, rp, actor, req)
		if err != nil && mamori.ErrorCode(err) == mamori.EINTERNAL {
			return err
		}
		if can {
			d.Acting = requestActingRow(ctx, s, l, pol, st, a)
		} else if _, err := directory.NewService(s.store).Resolve(ctx, pol, policy.MatterApproval, st.Role, st.UnitID, s.store.Now()); err != nil {
			d.NobodyActs = true
		}
	}
	for _, rep := range req.Reports {
		row := requestReportRow{Kind: l.T("policy.report." + string(rep.Kind)), At: rep.At, Performer: rep.PerformerName, Content: rep.Content,
			CreatedBy: rep.CreatedByName, CreatedAt: rep.CreatedAt}
		if rep.Kind == policy.ReportExecution {
			row.Values = s.requestValueRows(ctx, l, request.RecordFields(pol, req), rep.Values, req.Assets, rep.Attachments)
		}
		d.Reports = append(d.Reports, row)
	}
	if due := request.DueReports(pol, req); len(due) > 0 && requestMayReport(me.PersonID, req) {
		forms, err := s.reportForms(r, pol, req, due)
		if err != nil {
			return err
		}
		d.Forms = forms
	}
	now := s.store.Now()
	d.Overdue = req.Overdue(now)
	if req.DueAt != nil {
		d.Due = req.DueAt.Add(-time.Second)
	}
	if req.ReturnedAt != nil {
		d.ReturnedAt = *req.ReturnedAt
	}
	if req.KeepUntil != nil {
		d.KeepUntil = *req.KeepUntil
	}
	d.Indefinite = req.KeepUntil == nil && req.RetentionClause != ""
	d.CanEdit = req.Status == request.StatusReturned && req.ApplicantID == me.PersonID
	d.CanCancel = (req.Status == request.StatusPending || req.Status == request.StatusReturned) && req.ApplicantID == me.PersonID
	if d.Timeline, err = s.requestTimeline(r, req.ID); err != nil {
		return err
	}
	return s.render(w, r, status, "request_show", d)
}

func requestActingRow(ctx context.Context, s *Server, l Localizer, pol *policy.Policy, st request.Step, a directory.Acting) *requestActing {
	out := &requestActing{Round: st.Round, Step: st.Index, Role: requestRoleName(l, pol, st.Role)}
	if a.AsRole != "" && a.AsRole != st.Role {
		out.As = requestRoleName(l, pol, a.AsRole)
	}
	if a.ForPersonID != 0 {
		if p, err := s.store.Person(ctx, a.ForPersonID); err == nil {
			out.For = p.Name
		}
	}
	return out
}

// requestMayReport mirrors the engine's rule for showing the forms: the
// applicant, and the approvers who approved a step.
func requestMayReport(personID int64, r *request.Request) bool {
	if personID == r.ApplicantID {
		return true
	}
	return slices.ContainsFunc(r.Steps, func(st request.Step) bool { return st.DecidedBy == personID && st.Status == request.StepApproved })
}

// requestLevelsText shows an asset's levels: "機密性2・完全性2・可用性2".
func requestLevelsText(l Localizer, pol *policy.Policy, levels map[string]string) string {
	out := ""
	for _, ax := range pol.Axes() {
		lv, ok := levels[ax.ID]
		if !ok {
			continue
		}
		name := lv
		if level, ok := ax.Level(lv); ok {
			name = l.Pick(level.Name.JA, level.Name.EN)
		}
		if out != "" {
			out += "・"
		}
		out += name
	}
	return out
}

// reportForms builds the forms of the reports still due, in order: a
// later one (the return) only once the one before it is in.
func (s *Server) reportForms(r *http.Request, pol *policy.Policy, req *request.Request, due []policy.ReportKind) ([]requestReportForm, error) {
	l := s.localizer(r)
	me := principalFrom(r)
	people, _, err := s.store.People(r.Context(), store.PeopleFilter{Status: directory.StatusActive, Limit: 500})
	if err != nil {
		return nil, err
	}
	var opts []requestOption
	for _, p := range people {
		opts = append(opts, requestOption{Value: strconv.FormatInt(p.ID, 10), Label: p.Name + "（" + p.StaffNo + "）", Selected: p.ID == me.PersonID})
	}
	required := request.Reports(pol, req)
	now := requestTimeInput(s.store.Now())
	var out []requestReportForm
	for _, k := range due {
		if (k == policy.ReportReturn && slices.Contains(required, policy.ReportExecution) && !req.HasReport(policy.ReportExecution)) ||
			(k == policy.ReportEnd && slices.Contains(required, policy.ReportStart) && !req.HasReport(policy.ReportStart)) {
			continue
		}
		f := requestReportForm{Kind: string(k), Label: l.T("policy.report." + string(k)), At: now, AtLabel: l.T("request.report_at." + string(k)),
			Execution: k == policy.ReportExecution, People: opts}
		if f.Execution {
			if f.Fields, err = s.requestInputs(r.Context(), r, request.RecordFields(pol, req), request.Values{}); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// requestTimeline is the request's history from the event log, oldest
// first: every submission, decision, report and reminder.
func (s *Server) requestTimeline(r *http.Request, id int64) ([]requestEventRow, error) {
	evs, err := s.store.Events(r.Context(), store.EventFilter{ObjectType: "requests", ObjectID: id, Limit: 500})
	if err != nil {
		return nil, err
	}
	l := s.localizer(r)
	var out []requestEventRow
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		var data map[string]any
		_ = json.Unmarshal([]byte(e.Data), &data)
		args := map[string]any{}
		for _, k := range []string{"round", "step", "status", "kind", "next_step"} {
			if v, ok := data[k]; ok {
				args[requestArgKey(k)] = v
			}
		}
		if st, ok := data["status"].(string); ok {
			args["Status"] = l.T("request.status." + st)
		}
		if k, ok := data["kind"].(string); ok && e.Action != "request.submit" && e.Action != "request.resubmit" {
			args["Kind"] = l.T("policy.report." + k)
		}
		row := requestEventRow{At: e.At, Actor: e.ActorLabel, Text: l.T("request.event."+e.Action, requestArgs(args)...)}
		if c, ok := data["comment"].(string); ok {
			row.Note = c
		} else if c, ok := data["content"].(string); ok {
			row.Note = c
		}
		out = append(out, row)
	}
	return out, nil
}

func requestArgKey(k string) string {
	switch k {
	case "next_step":
		return "NextStep"
	}
	return string(k[0]-'a'+'A') + k[1:]
}

func requestArgs(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		if f, ok := v.(float64); ok {
			v = strconv.FormatFloat(f, 'f', -1, 64)
		}
		out = append(out, k, v)
	}
	return out
}
