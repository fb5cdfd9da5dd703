package web

import (
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
)

// apiRequestKinds lists the request kinds of the active policy with their
// forms: what the API's fields must answer.
func (s *Server) apiRequestKinds(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	kinds := pol.RequestKinds()
	if kinds == nil {
		kinds = []*policy.RequestKind{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"policy_version": pol.Version(), "kinds": kinds})
}

// apiRequests lists requests: the caller's own (view=mine, the default),
// those they decided (decided), those waiting for them (queue), overdue
// returns (overdue) or all (all; request.read_all).
func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	actor := requestActor(principalFrom(r))
	q := r.URL.Query()
	f := request.Filter{Kind: strings.TrimSpace(q.Get("kind")), Limit: 200}
	if st := q.Get("status"); st != "" {
		if !request.Status(st).Valid() {
			return &mamori.Error{Code: mamori.EINVALID, Message: "request.status_unknown", Field: "status", Args: map[string]any{"Status": st}}
		}
		f.Statuses = []request.Status{request.Status(st)}
	}
	svc := s.requests()
	now := s.store.Now()
	out := []requestJSON{}
	var rs []request.Request
	switch view := q.Get("view"); view {
	case "", "mine":
		rs, err = svc.Mine(r.Context(), actor, f)
	case "decided":
		rs, err = svc.Decided(r.Context(), actor, f)
	case "overdue":
		rs, err = svc.Overdue(r.Context(), actor)
	case "all":
		rs, err = svc.All(r.Context(), actor, f)
	case "queue":
		items, err := svc.Queue(r.Context(), rp, actor)
		if err != nil {
			return err
		}
		for _, it := range items {
			j := requestOut(&it.Request, now)
			a := approverOut(it.Acting)
			j.Acting = &a
			out = append(out, j)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"requests": out})
	default:
		return &mamori.Error{Code: mamori.EINVALID, Message: "request.view_unknown", Field: "view", Args: map[string]any{"View": view}}
	}
	if err != nil {
		return err
	}
	for i := range rs {
		out = append(out, requestOut(&rs[i], now))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

// apiRequest returns one request with its steps, reports and timeline.
func (s *Server) apiRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	req, err := s.requests().Get(r.Context(), rp, requestActor(principalFrom(r)), id)
	if err != nil {
		return err
	}
	return s.writeRequest(w, r, http.StatusOK, req)
}

func (s *Server) writeRequest(w http.ResponseWriter, r *http.Request, status int, req *request.Request) error {
	out := requestOut(req, s.store.Now())
	evs, err := s.store.Events(r.Context(), store.EventFilter{ObjectType: "requests", ObjectID: req.ID, Limit: 500})
	if err != nil {
		return err
	}
	out.Timeline = eventsOut(evs)
	return writeJSON(w, status, out)
}

// apiRequestPreview answers what the policy will do with a request and
// why, and who would decide, without filing it.
func (s *Server) apiRequestPreview(w http.ResponseWriter, r *http.Request) error {
	var in requestSubmitIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	k, err := request.Kind(rp.Policy, in.Kind)
	if err != nil {
		return err
	}
	v, err := request.JSONValues(k.Fields, in.Fields, "fields.")
	if err != nil {
		return err
	}
	ev, err := s.requests().Preview(r.Context(), rp, requestActor(principalFrom(r)), k.ID, v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, previewOut(ev, rp.VersionID))
}

// apiRequestCreate files a request: JSON, or multipart/form-data (the
// page's form, with files named "file.FIELD") when the kind has file
// fields. A request the policy forbids is refused (403, policy_denied)
// with the reason and clause.
func (s *Server) apiRequestCreate(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	var k *policy.RequestKind
	var v request.Values
	var files []request.Upload
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if k, v, files, err = s.requestFormValues(w, r, rp.Policy, ""); err != nil {
			return err
		}
	} else {
		var in requestSubmitIn
		if err := readJSON(w, r, &in); err != nil {
			return err
		}
		if k, err = request.Kind(rp.Policy, in.Kind); err != nil {
			return err
		}
		if v, err = request.JSONValues(k.Fields, in.Fields, "fields."); err != nil {
			return err
		}
	}
	req, err := s.requests().Submit(r.Context(), rp, requestActor(principalFrom(r)), k.ID, v, files...)
	if err != nil {
		return err
	}
	stored, err := s.store.Request(r.Context(), req.ID)
	if err != nil {
		return err
	}
	return s.writeRequest(w, r, http.StatusCreated, stored)
}

// apiRequestDecide takes an approver's decision.
func (s *Server) apiRequestDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in requestDecisionIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	req, err := s.requests().Decide(r.Context(), rp, requestActor(principalFrom(r)), id,
		request.DecisionInput{Outcome: request.Outcome(in.Outcome), Comment: in.Comment, Round: in.Round, Step: in.Step})
	if err != nil {
		return err
	}
	return s.writeRequest(w, r, http.StatusOK, req)
}

// apiRequestResubmit files a sent-back request again with changed fields.
func (s *Server) apiRequestResubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in requestResubmitIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	svc := s.requests()
	actor := requestActor(principalFrom(r))
	cur, err := svc.Get(r.Context(), rp, actor, id)
	if err != nil {
		return err
	}
	k, err := request.Kind(rp.Policy, cur.Kind)
	if err != nil {
		return err
	}
	v, err := request.JSONValues(k.Fields, in.Fields, "fields.")
	if err != nil {
		return err
	}
	if _, err := svc.Resubmit(r.Context(), rp, actor, id, v); err != nil {
		return err
	}
	req, err := s.store.Request(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeRequest(w, r, http.StatusOK, req)
}

// apiRequestWithdraw withdraws the caller's open request.
func (s *Server) apiRequestWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := s.requests().Withdraw(r.Context(), requestActor(principalFrom(r)), id)
	if err != nil {
		return err
	}
	return s.writeRequest(w, r, http.StatusOK, req)
}

// apiRequestReport files a report: JSON, or multipart/form-data (the page's
// form fields, with files named "file.FIELD") when files come with it.
func (s *Server) apiRequestReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	svc := s.requests()
	actor := requestActor(principalFrom(r))
	req, err := svc.Get(r.Context(), rp, actor, id)
	if err != nil {
		return err
	}
	var rin request.ReportInput
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if rin, err = s.readReportForm(w, r, rp.Policy, req); err != nil {
			return err
		}
	} else {
		var in requestReportIn
		if err := readJSON(w, r, &in); err != nil {
			return err
		}
		rin = request.ReportInput{Kind: policy.ReportKind(in.Kind), PerformerID: in.PerformerID, Content: in.Content}
		if strings.TrimSpace(in.At) != "" {
			t, err := request.ParseDateTime(in.At)
			if err != nil {
				return mamori.FieldError("at", "request.report_at_invalid", map[string]any{"Value": in.At})
			}
			rin.At = t
		}
		if len(in.Fields) > 0 {
			if rin.Values, err = request.JSONValues(request.RecordFields(rp.Policy, req), in.Fields, "record."); err != nil {
				return err
			}
		}
	}
	out, err := svc.Report(r.Context(), rp, actor, id, rin)
	if err != nil {
		return err
	}
	return s.writeRequest(w, r, http.StatusCreated, out)
}

// apiRequestDelete deletes a request: the applicant's own once withdrawn
// before any decision, or any for an administrator — never while the
// policy requires it to be kept.
func (s *Server) apiRequestDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principalFrom(r)
	if err := s.requests().Delete(r.Context(), requestActor(p), p.IsAdmin, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
