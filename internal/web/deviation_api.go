package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"mamori/internal/incident"
)

type deviationJSON struct {
	ID            int64      `json:"id"`
	UnitID        int64      `json:"unit_id"`
	SubmittedBy   int64      `json:"submitted_by"`
	Submitter     string     `json:"submitter"`
	Provision     string     `json:"provision"`
	Clause        string     `json:"clause"`
	Reason        string     `json:"reason"`
	Alternatives  string     `json:"alternatives"`
	StartsOn      string     `json:"starts_on"`
	EndsOn        string     `json:"ends_on"`
	Status        string     `json:"status"`
	Active        bool       `json:"active"`
	ReviewOpinion string     `json:"review_opinion,omitempty"`
	ReviewNote    string     `json:"review_note,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	DecisionNote  string     `json:"decision_note,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

func toDeviationJSON(d *incident.Deviation, now time.Time) deviationJSON {
	return deviationJSON{ID: d.ID, UnitID: d.UnitID, SubmittedBy: d.SubmittedBy, Submitter: d.SubmitterName, Provision: d.Provision, Clause: d.Clause,
		Reason: d.Reason, Alternatives: d.Alternatives, StartsOn: incLocal(&d.StartsOn, "2006-01-02"), EndsOn: incLocal(&d.EndsOn, "2006-01-02"),
		Status: string(d.Effective(now)), Active: d.Active(now), ReviewOpinion: string(d.ReviewOpinion), ReviewNote: d.ReviewNote, ReviewedAt: d.ReviewedAt,
		DecisionNote: d.DecisionNote, DecidedAt: d.DecidedAt, CreatedAt: d.CreatedAt}
}

// apiDeviationList lists deviations; ?active=1 only those in force.
func (s *Server) apiDeviationList(w http.ResponseWriter, r *http.Request) error {
	if err := requireDeviations(r); err != nil {
		return err
	}
	now := s.store.Now()
	ds, err := s.store.Deviations(r.Context(), incident.DeviationFilter{Active: r.URL.Query().Get("active") == "1", At: now})
	if err != nil {
		return err
	}
	out := struct {
		Deviations []deviationJSON `json:"deviations"`
	}{Deviations: []deviationJSON{}}
	for i := range ds {
		out.Deviations = append(out.Deviations, toDeviationJSON(&ds[i], now))
	}
	return writeJSON(w, http.StatusOK, out)
}

// deviationCreateJSON is a deviation reported through the API.
type deviationCreateJSON struct {
	UnitID       int64  `json:"unit_id"`
	Provision    string `json:"provision"`
	Clause       string `json:"clause"`
	Reason       string `json:"reason"`
	Alternatives string `json:"alternatives"`
	StartsOn     string `json:"starts_on"`
	EndsOn       string `json:"ends_on"`
}

// incDeviationValues gives the API's fields as the form's.
func incDeviationValues(in deviationCreateJSON) url.Values {
	return url.Values{"unit_id": {strconv.FormatInt(in.UnitID, 10)}, "provision": {in.Provision}, "clause": {in.Clause},
		"reason": {in.Reason}, "alternatives": {in.Alternatives}, "starts_on": {in.StartsOn}, "ends_on": {in.EndsOn}}
}

// apiDeviationCreate records a reported deviation.
func (s *Server) apiDeviationCreate(w http.ResponseWriter, r *http.Request) error {
	var in deviationCreateJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.submitDeviation(r, incDeviationValues(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toDeviationJSON(d, s.store.Now()))
}

// apiDeviationShow answers one deviation.
func (s *Server) apiDeviationShow(w http.ResponseWriter, r *http.Request) error {
	if err := requireDeviations(r); err != nil {
		return err
	}
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.store.Deviation(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDeviationJSON(d, s.store.Now()))
}

func apiDeviationOp[T any](s *Server, build func(T) deviationOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if err := readJSON(w, r, &in); err != nil {
			return err
		}
		id, err := s.runDeviationOp(r, build(in))
		if err != nil {
			return err
		}
		d, err := s.store.Deviation(r.Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, toDeviationJSON(d, s.store.Now()))
	}
}

func (s *Server) apiDeviationReview() handlerFunc {
	return apiDeviationOp(s, func(in deviationReviewInput) deviationOp { return in.op() })
}

func (s *Server) apiDeviationDecide() handlerFunc {
	return apiDeviationOp(s, func(in deviationDecisionInput) deviationOp { return in.op() })
}

func (s *Server) apiDeviationWithdraw() handlerFunc {
	return apiDeviationOp(s, func(in deviationWithdrawInput) deviationOp { return in.op() })
}
