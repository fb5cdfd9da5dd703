package web

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incEntryInput is a handling entry: containment, evidence, investigation,
// recovery, notice to users, prevention, comment or correction.
type incEntryInput struct {
	Kind        string `json:"kind"`
	Body        string `json:"body"`
	Containment string `json:"containment,omitempty"`
	What        string `json:"what,omitempty"`
	Cause       string `json:"cause,omitempty"`
	Damage      string `json:"damage,omitempty"`
	Scope       string `json:"scope,omitempty"`
	DoneAt      string `json:"done_at,omitempty"`
	Due         string `json:"due,omitempty"`
	Step        string `json:"step,omitempty"`
	Corrects    int64  `json:"corrects,omitempty"`
	Void        bool   `json:"void,omitempty"`
}

func incEntryFromForm(v url.Values) incEntryInput {
	corrects, _ := strconv.ParseInt(v.Get("corrects"), 10, 64)
	return incEntryInput{Kind: v.Get("kind"), Body: v.Get("body"), Containment: v.Get("containment"), What: v.Get("what"), Cause: v.Get("cause"),
		Damage: v.Get("damage"), Scope: v.Get("scope"), DoneAt: v.Get("done_at"), Due: v.Get("due"), Step: v.Get("step"), Corrects: corrects, Void: v.Get("void") != ""}
}

func (in incEntryInput) op(file *incident.File) (incidentOp, error) {
	done, err := incParseTime("done_at", in.DoneAt)
	if err != nil {
		return nil, err
	}
	due, err := incParseTime("due", in.Due)
	if err != nil {
		return nil, err
	}
	e := incident.EntryInput{Kind: incident.EntryKind(in.Kind), Body: in.Body, Containment: incident.Containment(in.Containment),
		What: in.What, Cause: in.Cause, Damage: in.Damage, Scope: in.Scope, DoneAt: done, Due: due, Step: in.Step,
		Corrects: in.Corrects, Void: in.Void, File: file}
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.AddEntry(r.Context(), pol, by, id, e)
	}, nil
}

// incidentAddEntry appends a handling entry to the timeline; evidence may
// come with a file (multipart form).
func (s *Server) incidentAddEntry() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, incident.MaxEvidence+1<<20)
		form := "entry-" + r.FormValue("kind")
		var file *incident.File
		if r.MultipartForm != nil {
			if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
				fh := fhs[0]
				if fh.Size > incident.MaxEvidence {
					return s.renderIncident(w, r, http.StatusUnprocessableEntity, atoi64(r.PathValue("id")), form,
						mamori.FieldError("file", "incident.file_size", map[string]any{"Max": "20 MiB"}))
				}
				f, err := fh.Open()
				if err != nil {
					return err
				}
				data, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					return err
				}
				ct := fh.Header.Get("Content-Type")
				if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
					ct = "application/octet-stream"
				}
				// A browser on Windows may send the whole path.
				name := fh.Filename[strings.LastIndexAny(fh.Filename, `/\`)+1:]
				file = &incident.File{Name: name, ContentType: ct, Data: data}
			}
		}
		return s.incidentForm(form, func(v url.Values) (incidentOp, error) { return incEntryFromForm(v).op(file) })(w, r)
	}
}
