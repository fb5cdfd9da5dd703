package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
)

// requestFormData is the "new request" page: first the kinds the active
// policy defines, then the chosen kind's form with, beside it, what the
// policy will do with it and why.
type requestFormData struct {
	Page
	Kinds     []*policy.RequestKind
	Kind      *policy.RequestKind
	Fields    []requestInput
	Action    string // where the form posts
	RequestID int64  // the request being changed after a send-back
	Preview   *requestPreview
	Err       error
}

// requestInput is one field of the form, ready for its input element.
type requestInput struct {
	ID       string // the field id; the input is named "f."+ID
	Type     string
	Label    string
	Required bool
	Clause   string
	Value    string
	Checked  bool
	Options  []requestOption
}

// requestOption is a choice: an enum option, an asset, a person.
type requestOption struct {
	Value    string
	Label    string
	Selected bool
}

// requestPreview is what the policy will do with the form as it stands.
type requestPreview struct {
	Effect    string
	Reason    string
	Clauses   []string
	Rules     []string
	Version   string
	Steps     []previewStep
	Record    string
	Retention string
	Err       error
}

type previewStep struct {
	Role      string
	Escalated string
	People    []string
}

// requestForm builds the form of kind k filled with v.
func (s *Server) requestForm(ctx context.Context, r *http.Request, k *policy.RequestKind, v request.Values) ([]requestInput, error) {
	return s.requestInputs(ctx, r, k.Fields, v)
}

// requestInputs builds the inputs of fields (of a request kind or a record
// type) filled with v.
func (s *Server) requestInputs(ctx context.Context, r *http.Request, fields []*policy.Field, v request.Values) ([]requestInput, error) {
	l := s.localizer(r)
	p := principalFrom(r)
	var out []requestInput
	for _, f := range fields {
		in := requestInput{ID: f.ID, Type: string(f.Type), Label: l.Pick(f.Name.JA, f.Name.EN), Required: f.Required, Clause: f.Clause}
		switch f.Type {
		case policy.FieldBool:
			in.Checked = v.Bool(f.ID)
		case policy.FieldDate:
			if t, ok := v.Time(f.ID); ok {
				in.Value = requestDateInput(t)
			}
		case policy.FieldDateTime:
			if t, ok := v.Time(f.ID); ok {
				in.Value = requestTimeInput(t)
			}
		case policy.FieldInt:
			if v.Has(f.ID) {
				in.Value = strconv.FormatInt(v.Int(f.ID), 10)
			}
		case policy.FieldEnum:
			for _, o := range f.Options {
				in.Options = append(in.Options, requestOption{Value: o.ID, Label: l.Pick(o.Name.JA, o.Name.EN), Selected: v.String(f.ID) == o.ID})
			}
		case policy.FieldPerson:
			people, _, err := s.store.People(ctx, store.PeopleFilter{Status: directory.StatusActive, Limit: 500})
			if err != nil {
				return nil, err
			}
			for _, pe := range people {
				in.Options = append(in.Options, requestOption{Value: strconv.FormatInt(pe.ID, 10), Label: pe.Name + "（" + pe.StaffNo + "）", Selected: v.Int(f.ID) == pe.ID})
			}
		case policy.FieldAssetList:
			opts, err := s.requestAssetOptions(ctx, r, p.UnitID, p.Can(string(policy.PermAssetManage)), v.IDs(f.ID))
			if err != nil {
				return nil, err
			}
			in.Options = opts
		case policy.FieldFile:
			in.Checked = v.Has(f.ID) // a file was sent before (a resubmission keeps it)
		default:
			in.Value = v.String(f.ID)
		}
		out = append(out, in)
	}
	return out, nil
}

// requestAssetOptions lists the assets a person may name: those of their
// unit and the units below it (every asset for asset.manage), not yet
// disposed of, with the levels they are handled at; the chosen ones are
// ticked, and always listed.
func (s *Server) requestAssetOptions(ctx context.Context, r *http.Request, unitID int64, all bool, chosen []int64) ([]requestOption, error) {
	if unitID == 0 && !all {
		return nil, nil
	}
	f := asset.Filter{Limit: asset.MaxLimit, Sort: asset.SortNumber}
	if !all {
		f.UnitID = unitID
	}
	as, _, err := s.store.Assets(ctx, f)
	if err != nil {
		return nil, err
	}
	l := s.localizer(r)
	pol, _ := s.activePolicy(r)
	var out []requestOption
	for _, a := range as {
		if a.State == asset.StateDisposed {
			continue
		}
		label := a.Number + " " + a.Name
		if pol != nil {
			for _, ax := range pol.Axes() {
				if lv, ok := a.Effective[ax.ID]; ok {
					if level, ok := ax.Level(lv); ok {
						label += "・" + l.Pick(level.Name.JA, level.Name.EN)
					}
				}
			}
		}
		out = append(out, requestOption{Value: strconv.FormatInt(a.ID, 10), Label: label, Selected: slices.Contains(chosen, a.ID)})
	}
	for _, id := range chosen {
		if !slices.ContainsFunc(out, func(o requestOption) bool { return o.Value == strconv.FormatInt(id, 10) }) {
			out = append(out, requestOption{Value: strconv.FormatInt(id, 10), Label: fmt.Sprintf("#%d", id), Selected: true})
		}
	}
	return out, nil
}

// requestFormValues reads the posted form (urlencoded, or multipart with
// files named "file.FIELD") of kindID, or of the kind its "kind" field
// names.
func (s *Server) requestFormValues(w http.ResponseWriter, r *http.Request, pol *policy.Policy, kindID string) (*policy.RequestKind, request.Values, []request.Upload, error) {
	if err := parseRequestForm(w, r); err != nil {
		return nil, nil, nil, err
	}
	if kindID == "" {
		kindID = r.PostFormValue("kind")
	}
	k, err := request.Kind(pol, kindID)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := request.FormValues(k.Fields, r.PostForm, "fields.")
	if err != nil {
		return k, nil, nil, err
	}
	files, err := readUploads(r, k.Fields, "fields.")
	return k, v, files, err
}

// previewOf shows an evaluation: the effect, why, on which clauses, who
// will decide (and in whose place), and what record is kept how long.
func (s *Server) previewOf(r *http.Request, pol *policy.Policy, ev *request.Evaluation, err error) *requestPreview {
	if err != nil {
		return &requestPreview{Err: err}
	}
	l := s.localizer(r)
	d := ev.Decision
	p := &requestPreview{Effect: string(d.Effect), Reason: l.Pick(d.Reason.JA, d.Reason.EN), Clauses: d.Clauses, Rules: d.Rules, Version: d.PolicyVersion}
	for i, st := range ev.Steps {
		ps := previewStep{Role: requestRoleName(l, pol, st.Role)}
		if st.EscalatedFrom != "" {
			ps.Escalated = requestRoleName(l, pol, st.EscalatedFrom)
		}
		if i < len(ev.Approvers) {
			for _, a := range ev.Approvers[i] {
				name := a.Name
				if a.ForPersonID != 0 {
					name += l.T("request.acting_for", "Name", s.requestPersonName(r.Context(), a.ForPersonID))
				} else if a.AsRole != a.Role {
					name += l.T("request.acting_as", "Role", requestRoleName(l, pol, a.AsRole))
				}
				ps.People = append(ps.People, name)
			}
		}
		p.Steps = append(p.Steps, ps)
	}
	if rt := ev.RecordType; rt != nil {
		p.Record = l.Pick(rt.Name.JA, rt.Name.EN)
		if per := rt.RetentionPeriod(); per.Specified {
			p.Retention = l.T("request.retention_period", "Period", per.String(), "Clause", rt.Clause)
		} else {
			p.Retention = l.T("request.retention_unspecified", "Clause", rt.Clause)
		}
	}
	return p
}
