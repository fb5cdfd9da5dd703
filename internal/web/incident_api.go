package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/store"
)

// The JSON API of incidents (docs/openapi.yaml). Every change goes through
// the same service as the pages; a change answers with the incident as it
// now stands.

type incidentJSON struct {
	ID              int64      `json:"id"`
	ReceiptNo       string     `json:"receipt_no"`
	Source          string     `json:"source"`
	Category        string     `json:"category"`
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	Status          string     `json:"status"`
	Triage          string     `json:"triage"`
	Severity        string     `json:"severity"`
	PersonalInfo    bool       `json:"personal_info"`
	Malicious       bool       `json:"malicious"`
	UnitID          int64      `json:"unit_id"`
	ReporterID      int64      `json:"reporter_id"`
	ReporterName    string     `json:"reporter_name,omitempty"`
	ReporterContact string     `json:"reporter_contact,omitempty"`
	OccurredAt      *time.Time `json:"occurred_at,omitempty"`
	DiscoveredAt    time.Time  `json:"discovered_at"`
	ReportedAt      time.Time  `json:"reported_at"`
	TriagedAt       *time.Time `json:"triaged_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	ChainStep       int        `json:"chain_step"`
	Investigation   struct {
		What   string `json:"what"`
		Cause  string `json:"cause"`
		Damage string `json:"damage"`
		Scope  string `json:"scope"`
	} `json:"investigation"`
}

type incidentEntryJSON struct {
	ID           int64             `json:"id"`
	At           time.Time         `json:"at"`
	Kind         string            `json:"kind"`
	Step         string            `json:"step,omitempty"`
	Body         string            `json:"body"`
	Data         map[string]string `json:"data"`
	ActorID      int64             `json:"actor_id"`
	Actor        string            `json:"actor"`
	Corrects     int64             `json:"corrects,omitempty"`
	AttachmentID int64             `json:"attachment_id,omitempty"`
}

type incidentNoticeJSON struct {
	Step           int        `json:"step"`
	Role           string     `json:"role"`
	AsRole         string     `json:"as_role"`
	PersonID       int64      `json:"person_id"`
	Person         string     `json:"person"`
	ForPersonID    int64      `json:"for_person_id,omitempty"`
	Clause         string     `json:"clause"`
	NotifiedAt     time.Time  `json:"notified_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
}

type incidentReportJSON struct {
	ID          int64       `json:"id"`
	Kind        string      `json:"kind"`
	Target      mamori.Text `json:"target"`
	DueAt       *time.Time  `json:"due_at,omitempty"`
	Status      string      `json:"status"`
	SubmittedAt *time.Time  `json:"submitted_at,omitempty"`
	Reference   string      `json:"reference"`
	Note        string      `json:"note"`
	Clause      string      `json:"clause"`
	Overdue     bool        `json:"overdue"`
}

type incidentOpenJSON struct {
	ID     string      `json:"id"`
	Name   mamori.Text `json:"name"`
	Clause string      `json:"clause"`
}

type incidentDetailJSON struct {
	Incident    incidentJSON         `json:"incident"`
	Timeline    []incidentEntryJSON  `json:"timeline"`
	Chain       []incidentNoticeJSON `json:"chain"`
	Reports     []incidentReportJSON `json:"reports"`
	Outstanding []incidentOpenJSON   `json:"outstanding"`
}

func toIncidentJSON(inc *incident.Incident) incidentJSON {
	j := incidentJSON{ID: inc.ID, ReceiptNo: inc.ReceiptNo, Source: string(inc.Source), Category: string(inc.Category), Title: inc.Title,
		Description: inc.Description, Status: string(inc.Status), Triage: string(inc.Triage), Severity: string(inc.Severity),
		PersonalInfo: inc.PersonalInfo, Malicious: inc.Malicious, UnitID: inc.UnitID, ReporterID: inc.ReporterID,
		ReporterName: inc.ReporterName, ReporterContact: inc.ReporterContact, OccurredAt: inc.OccurredAt, DiscoveredAt: inc.DiscoveredAt,
		ReportedAt: inc.ReportedAt, TriagedAt: inc.TriagedAt, ClosedAt: inc.ClosedAt, ChainStep: inc.ChainStep}
	j.Investigation.What, j.Investigation.Cause, j.Investigation.Damage, j.Investigation.Scope = inc.What, inc.Cause, inc.Damage, inc.Scope
	return j
}

func (s *Server) incidentDetailJSON(r *http.Request, rec *incident.Record) (incidentDetailJSON, error) {
	pol, err := s.activePolicy(r)
	if err != nil {
		return incidentDetailJSON{}, err
	}
	svc := s.incidentService()
	now := s.store.Now()
	d := incidentDetailJSON{Incident: toIncidentJSON(&rec.Incident), Timeline: []incidentEntryJSON{}, Chain: []incidentNoticeJSON{},
		Reports: []incidentReportJSON{}, Outstanding: []incidentOpenJSON{}}
	for _, e := range rec.Entries {
		d.Timeline = append(d.Timeline, incidentEntryJSON{ID: e.ID, At: e.At, Kind: string(e.Kind), Step: e.Step, Body: e.Body, Data: e.Data,
			ActorID: e.ActorID, Actor: e.ActorLabel, Corrects: e.Corrects, AttachmentID: e.AttachmentID})
	}
	for _, n := range rec.Notices {
		d.Chain = append(d.Chain, incidentNoticeJSON{Step: n.Step, Role: n.Role, AsRole: n.AsRole, PersonID: n.PersonID, Person: n.PersonName,
			ForPersonID: n.ForPersonID, Clause: n.Clause, NotifiedAt: n.NotifiedAt, AcknowledgedAt: n.AcknowledgedAt})
	}
	for _, rp := range rec.Reports {
		d.Reports = append(d.Reports, incidentReportJSON{ID: rp.ID, Kind: string(rp.Kind), Target: svc.ReportName(rp), DueAt: rp.DueAt, Status: string(rp.Status),
			SubmittedAt: rp.SubmittedAt, Reference: rp.Reference, Note: rp.Note, Clause: rp.Clause, Overdue: rp.Overdue(now)})
	}
	for _, o := range svc.Outstanding(pol, rec) {
		d.Outstanding = append(d.Outstanding, incidentOpenJSON(o))
	}
	return d, nil
}

// apiIncidentList lists incidents: ?show=open (default), all or mine, and
// ?q= part of the receipt number or title.
func (s *Server) apiIncidentList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.IncidentFilter{Query: strings.TrimSpace(q.Get("q")), Limit: int(atoi64(q.Get("limit"))), Offset: int(atoi64(q.Get("offset")))}
	switch q.Get("show") {
	case "all":
	case "mine":
		f.NoticeFor = principalFrom(r).PersonID
	case "", "open":
		f.Open = true
	default:
		return mamori.FieldError("show", "incident.show_invalid", nil)
	}
	list, total, err := s.store.Incidents(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Incidents []incidentJSON `json:"incidents"`
		Total     int            `json:"total"`
	}{Incidents: []incidentJSON{}, Total: total}
	for i := range list {
		out.Incidents = append(out.Incidents, toIncidentJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// incidentCreateJSON is a staff report sent through the API.
type incidentCreateJSON struct {
	Category     string `json:"category"`
	Title        string `json:"title"`
	Description  string `json:"description"`
	UnitID       int64  `json:"unit_id"`
	OccurredAt   string `json:"occurred_at"`
	DiscoveredAt string `json:"discovered_at"`
	PersonalInfo bool   `json:"personal_info"`
}

func (in incidentCreateJSON) values() url.Values {
	v := url.Values{"category": {in.Category}, "title": {in.Title}, "description": {in.Description},
		"unit_id": {strconv.FormatInt(in.UnitID, 10)}, "occurred_at": {in.OccurredAt}, "discovered_at": {in.DiscoveredAt}}
	if in.PersonalInfo {
		v.Set("personal_info", "1")
	}
	return v
}

// apiIncidentCreate records a staff report.
func (s *Server) apiIncidentCreate(w http.ResponseWriter, r *http.Request) error {
	var in incidentCreateJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	inc, err := s.reportStaff(r, in.values())
	if err != nil {
		return err
	}
	rec, err := s.loadIncidentFor(r, inc.ID)
	if err != nil {
		// A reporter who may not read incidents gets the receipt only.
		return writeJSON(w, http.StatusCreated, map[string]any{"id": inc.ID, "receipt_no": inc.ReceiptNo})
	}
	d, err := s.incidentDetailJSON(r, rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

// apiIncidentShow answers one incident with its timeline, chain, reports
// and what is still to do before closing.
func (s *Server) apiIncidentShow(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	return s.apiIncidentAnswer(w, r, id)
}

func (s *Server) apiIncidentAnswer(w http.ResponseWriter, r *http.Request, id int64) error {
	rec, err := s.loadIncidentFor(r, id)
	if err != nil {
		return err
	}
	d, err := s.incidentDetailJSON(r, rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// apiIncidentOp decodes a JSON body into T, builds the operation and runs
// it; the answer is the incident as it now stands.
func apiIncidentOp[T any](s *Server, build func(T, *http.Request) (incidentOp, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if err := readJSON(w, r, &in); err != nil {
			return err
		}
		op, err := build(in, r)
		if err != nil {
			return err
		}
		id, err := s.runIncidentOp(r, op)
		if err != nil {
			return err
		}
		return s.apiIncidentAnswer(w, r, id)
	}
}

func (s *Server) apiIncidentAck() handlerFunc {
	return apiIncidentOp(s, func(in incAckInput, _ *http.Request) (incidentOp, error) { return in.op(), nil })
}

func (s *Server) apiIncidentTriage() handlerFunc {
	return apiIncidentOp(s, func(in incTriageInput, _ *http.Request) (incidentOp, error) { return in.op(), nil })
}

func (s *Server) apiIncidentUnit() handlerFunc {
	return apiIncidentOp(s, func(in incUnitInput, _ *http.Request) (incidentOp, error) { return in.op(), nil })
}

func (s *Server) apiIncidentEscalate() handlerFunc {
	return apiIncidentOp(s, func(in incEscalateInput, _ *http.Request) (incidentOp, error) { return in.op(), nil })
}

func (s *Server) apiIncidentEntry() handlerFunc {
	return apiIncidentOp(s, func(in incEntryInput, _ *http.Request) (incidentOp, error) { return in.op(nil) })
}

func (s *Server) apiIncidentStep() handlerFunc {
	return apiIncidentOp(s, func(in incStepInput, _ *http.Request) (incidentOp, error) { return in.op() })
}

func (s *Server) apiIncidentReportAdd() handlerFunc {
	return apiIncidentOp(s, func(in incReportAddInput, _ *http.Request) (incidentOp, error) { return in.op() })
}

func (s *Server) apiIncidentReportResolve() handlerFunc {
	return apiIncidentOp(s, func(in incReportResolveInput, r *http.Request) (incidentOp, error) {
		rid, err := incID(r, "rid")
		if err != nil {
			return nil, err
		}
		return in.op(rid)
	})
}

func (s *Server) apiIncidentClose() handlerFunc {
	return apiIncidentOp(s, func(in incCloseInput, _ *http.Request) (incidentOp, error) { return in.op(), nil })
}
