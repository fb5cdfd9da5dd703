package web

import (
	"encoding/json"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/eventlog"
	"mamori/internal/policy"
	"mamori/internal/request"
)

// The JSON shapes of the request API (docs/openapi.yaml: Request,
// RequestPreview and the request bodies).

type requestJSON struct {
	ID              int64               `json:"id"`
	Kind            string              `json:"kind"`
	KindName        mamori.Text         `json:"kind_name"`
	Action          string              `json:"action"`
	ApplicantID     int64               `json:"applicant_id"`
	Applicant       string              `json:"applicant"`
	UnitID          int64               `json:"unit_id,omitempty"`
	Status          request.Status      `json:"status"`
	Round           int                 `json:"round"`
	Step            int                 `json:"step,omitempty"`
	Fields          map[string]any      `json:"fields"`
	Assets          []requestAssetJSON  `json:"assets"`
	Decision        requestDecisionOut  `json:"decision"`
	Steps           []requestStepJSON   `json:"steps"`
	Reports         []requestReportOut  `json:"reports"`
	DueAt           *time.Time          `json:"due_at,omitempty"`
	Overdue         bool                `json:"overdue"`
	ExecutedAt      *time.Time          `json:"executed_at,omitempty"`
	ReturnedAt      *time.Time          `json:"returned_at,omitempty"`
	KeepUntil       *time.Time          `json:"keep_until,omitempty"`
	RetentionClause string              `json:"retention_clause,omitempty"`
	SubmittedAt     time.Time           `json:"submitted_at"`
	DecidedAt       *time.Time          `json:"decided_at,omitempty"`
	UpdatedAt       time.Time           `json:"updated_at"`
	Timeline        []requestEventJSON  `json:"timeline,omitempty"`
	Acting          *requestApproverOut `json:"acting,omitempty"`
}

type requestAssetJSON struct {
	ID     int64             `json:"id"`
	Name   string            `json:"name"`
	Levels map[string]string `json:"levels"`
}

type requestDecisionOut struct {
	Effect          policy.Effect  `json:"effect"`
	Rules           []string       `json:"rules"`
	Clauses         []string       `json:"clauses"`
	Reason          mamori.Text    `json:"reason"`
	RecordType      string         `json:"record_type,omitempty"`
	PolicyVersionID int64          `json:"policy_version_id"`
	PolicyVersion   string         `json:"policy_version"`
	Facts           map[string]any `json:"facts"`
	Default         bool           `json:"default"`
}

type requestStepJSON struct {
	Round         int                `json:"round"`
	Step          int                `json:"step"`
	Role          string             `json:"role"`
	Scope         string             `json:"scope"`
	UnitID        int64              `json:"unit_id,omitempty"`
	EscalatedFrom string             `json:"escalated_from,omitempty"`
	Status        request.StepStatus `json:"status"`
	DecidedBy     int64              `json:"decided_by,omitempty"`
	ActingRole    string             `json:"acting_role,omitempty"`
	ForPersonID   int64              `json:"for_person_id,omitempty"`
	DecidedAt     *time.Time         `json:"decided_at,omitempty"`
	Comment       string             `json:"comment,omitempty"`
}

type requestReportOut struct {
	ID          int64                `json:"id"`
	Kind        policy.ReportKind    `json:"kind"`
	At          time.Time            `json:"at"`
	PerformerID int64                `json:"performer_id"`
	Content     string               `json:"content"`
	Fields      map[string]any       `json:"fields"`
	Files       []request.Attachment `json:"files"`
	CreatedAt   time.Time            `json:"created_at"`
	CreatedBy   int64                `json:"created_by"`
}

type requestEventJSON struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Change json.RawMessage `json:"change"`
}

type requestApproverOut struct {
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
	Role        string `json:"role"`
	AsRole      string `json:"as_role"`
	UnitID      int64  `json:"unit_id,omitempty"`
	ForPersonID int64  `json:"for_person_id,omitempty"`
}

func approverOut(a directory.Acting) requestApproverOut {
	return requestApproverOut{PersonID: a.PersonID, Name: a.Name, Role: a.Role, AsRole: a.AsRole, UnitID: a.UnitID, ForPersonID: a.ForPersonID}
}

func requestOut(r *request.Request, now time.Time) requestJSON {
	out := requestJSON{ID: r.ID, Kind: r.Kind, KindName: r.KindName, Action: r.Action, ApplicantID: r.ApplicantID, Applicant: r.ApplicantName,
		UnitID: r.UnitID, Status: r.Status, Round: r.Round, Step: r.Step, Fields: map[string]any(r.Values), Assets: []requestAssetJSON{},
		Steps: []requestStepJSON{}, Reports: []requestReportOut{}, DueAt: r.DueAt, Overdue: r.Overdue(now), ExecutedAt: r.ExecutedAt,
		ReturnedAt: r.ReturnedAt, KeepUntil: r.KeepUntil, RetentionClause: r.RetentionClause, SubmittedAt: r.SubmittedAt,
		DecidedAt: r.DecidedAt, UpdatedAt: r.UpdatedAt}
	if out.Fields == nil {
		out.Fields = map[string]any{}
	}
	d := r.Decision
	out.Decision = requestDecisionOut{Effect: d.Effect, Rules: nonNilStrings(d.Rules), Clauses: nonNilStrings(d.Clauses), Reason: d.Reason,
		RecordType: d.RecordType, PolicyVersionID: d.PolicyVersionID, PolicyVersion: d.PolicyVersion, Facts: d.Facts, Default: d.Default}
	if out.Decision.Facts == nil {
		out.Decision.Facts = map[string]any{}
	}
	for _, a := range r.Assets {
		out.Assets = append(out.Assets, requestAssetJSON{ID: a.ID, Name: a.Name, Levels: a.Levels})
	}
	for _, st := range r.Steps {
		out.Steps = append(out.Steps, requestStepJSON{Round: st.Round, Step: st.Index, Role: st.Role, Scope: st.Scope, UnitID: st.UnitID,
			EscalatedFrom: st.EscalatedFrom, Status: st.Status, DecidedBy: st.DecidedBy, ActingRole: st.ActingRole, ForPersonID: st.ForPersonID,
			DecidedAt: st.DecidedAt, Comment: st.Comment})
	}
	for _, rep := range r.Reports {
		files := rep.Attachments
		if files == nil {
			files = []request.Attachment{}
		}
		out.Reports = append(out.Reports, requestReportOut{ID: rep.ID, Kind: rep.Kind, At: rep.At, PerformerID: rep.PerformerID, Content: rep.Content,
			Fields: map[string]any(rep.Values), Files: files, CreatedAt: rep.CreatedAt, CreatedBy: rep.CreatedBy})
	}
	return out
}

func nonNilStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func eventsOut(evs []eventlog.Event) []requestEventJSON {
	out := []requestEventJSON{}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		out = append(out, requestEventJSON{Seq: e.Seq, At: e.At, Actor: e.ActorLabel, Action: e.Action, Change: json.RawMessage(e.Data)})
	}
	return out
}

// The bodies the API reads.

type requestSubmitIn struct {
	Kind   string                     `json:"kind"`
	Fields map[string]json.RawMessage `json:"fields"`
}

type requestResubmitIn struct {
	Fields map[string]json.RawMessage `json:"fields"`
}

type requestDecisionIn struct {
	Outcome string `json:"outcome"`
	Comment string `json:"comment"`
	Round   int    `json:"round"`
	Step    int    `json:"step"`
}

type requestReportIn struct {
	Kind        string                     `json:"kind"`
	At          string                     `json:"at"`
	PerformerID int64                      `json:"performer_id"`
	Content     string                     `json:"content"`
	Fields      map[string]json.RawMessage `json:"fields"`
}

// requestPreviewOut is what the policy will do with a request.
type requestPreviewOut struct {
	Effect          policy.Effect      `json:"effect"`
	Rules           []string           `json:"rules"`
	Clauses         []string           `json:"clauses"`
	Reason          mamori.Text        `json:"reason"`
	PolicyVersion   string             `json:"policy_version"`
	PolicyVersionID int64              `json:"policy_version_id"`
	RecordType      string             `json:"record_type,omitempty"`
	Retention       string             `json:"retention,omitempty"`
	Facts           map[string]any     `json:"facts"`
	Route           []requestRouteStep `json:"route"`
}

type requestRouteStep struct {
	Step          int                  `json:"step"`
	Role          string               `json:"role"`
	Scope         string               `json:"scope"`
	UnitID        int64                `json:"unit_id,omitempty"`
	EscalatedFrom string               `json:"escalated_from,omitempty"`
	Approvers     []requestApproverOut `json:"approvers"`
}

func previewOut(ev *request.Evaluation, versionID int64) requestPreviewOut {
	d := ev.Decision
	out := requestPreviewOut{Effect: d.Effect, Rules: nonNilStrings(d.Rules), Clauses: nonNilStrings(d.Clauses),
		Reason: mamori.Text{JA: d.Reason.JA, EN: d.Reason.EN}, PolicyVersion: d.PolicyVersion, PolicyVersionID: versionID,
		Facts: map[string]any(ev.Facts), Route: []requestRouteStep{}}
	if out.Facts == nil {
		out.Facts = map[string]any{}
	}
	if ev.RecordType != nil {
		out.RecordType, out.Retention = ev.RecordType.ID, ev.RecordType.RetentionPeriod().String()
	}
	for i, st := range ev.Steps {
		rs := requestRouteStep{Step: st.Index, Role: st.Role, Scope: st.Scope, UnitID: st.UnitID, EscalatedFrom: st.EscalatedFrom, Approvers: []requestApproverOut{}}
		if i < len(ev.Approvers) {
			for _, a := range ev.Approvers[i] {
				rs.Approvers = append(rs.Approvers, approverOut(a))
			}
		}
		out.Route = append(out.Route, rs)
	}
	return out
}
