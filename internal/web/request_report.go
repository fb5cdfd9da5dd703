package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/request"
)

// maxReportFile bounds one file filed with a report (a scanned
// certificate), and maxReportBody the whole form.
const (
	maxReportFile = 10 << 20
	maxReportBody = 32 << 20
)

// requestReport files a report on a granted request from its page: the
// execution record (date and time, person, what was done, and the record
// type's further fields and files), the return, or the start or end.
func (s *Server) requestReport(w http.ResponseWriter, r *http.Request) error {
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
	in, err := s.readReportForm(w, r, rp.Policy, req)
	if err == nil {
		_, err = svc.Report(r.Context(), rp, actor, id, in)
	}
	if err != nil {
		if c := mamori.ErrorCode(err); c == mamori.EINTERNAL || c == mamori.ENOTFOUND {
			return err
		}
		return s.renderRequest(w, r, statusOf(mamori.ErrorCode(err)), err)
	}
	s.redirect(w, r, fmt.Sprintf("/requests/%d?flash=request_reported", id))
	return nil
}

// readReportForm reads a report form (urlencoded, or multipart with files
// named "file.FIELD"): kind, at (a datetime-local in Japan), performer,
// content, and the record type's fields named "f.FIELD".
func (s *Server) readReportForm(w http.ResponseWriter, r *http.Request, pol *policy.Policy, req *request.Request) (request.ReportInput, error) {
	var in request.ReportInput
	if err := parseRequestForm(w, r); err != nil {
		return in, err
	}
	in.Kind = policy.ReportKind(strings.TrimSpace(r.FormValue("kind")))
	if at := strings.TrimSpace(r.FormValue("at")); at != "" {
		t, err := request.ParseDateTime(at)
		if err != nil {
			return in, mamori.FieldError("at", "request.report_at_invalid", map[string]any{"Value": at})
		}
		in.At = t
	}
	if p := strings.TrimSpace(r.FormValue("performer")); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n <= 0 {
			return in, &mamori.Error{Code: mamori.EINVALID, Message: "request.person_unknown", Field: "performer", Args: map[string]any{"ID": p, "FieldJA": "実施担当者", "FieldEN": "Person in charge"}}
		}
		in.PerformerID = n
	}
	in.Content = r.FormValue("content")
	if in.Kind != policy.ReportExecution {
		return in, nil
	}
	fields := request.RecordFields(pol, req)
	v, err := request.FormValues(fields, r.PostForm, "record.")
	if err != nil {
		return in, err
	}
	in.Values = v
	in.Files, err = readUploads(r, fields, "record.")
	return in, err
}

// parseRequestForm reads a posted form, urlencoded or multipart (with
// files), within maxReportBody. The guard has already read a browser's
// multipart form to find its CSRF token.
func parseRequestForm(w http.ResponseWriter, r *http.Request) error {
	if r.MultipartForm == nil && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, maxReportBody)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return &mamori.Error{Code: mamori.EINVALID, Message: "error.body_too_large", Args: map[string]any{"Limit": "32 MiB"}}
			}
			return &mamori.Error{Code: mamori.EINVALID, Message: "request.form_unreadable"}
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return &mamori.Error{Code: mamori.EINVALID, Message: "request.form_unreadable"}
	}
	return nil
}

// readUploads reads the files sent for the file fields among fields, each
// as "file.FIELD", at most maxReportFile each. prefix names the field in
// errors ("fields.", "record.").
func readUploads(r *http.Request, fields []*policy.Field, prefix string) ([]request.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []request.Upload
	for _, f := range fields {
		if f.Type != policy.FieldFile {
			continue
		}
		for _, fh := range r.MultipartForm.File["file."+f.ID] {
			if fh.Size > maxReportFile {
				return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.file_too_large", Field: prefix + f.ID, Args: map[string]any{"Name": fh.Filename, "Limit": "10 MiB"}}
			}
			if fh.Size == 0 || fh.Filename == "" {
				continue
			}
			file, err := fh.Open()
			if err != nil {
				return nil, fmt.Errorf("open uploaded %s: %w", fh.Filename, err)
			}
			data, err := io.ReadAll(io.LimitReader(file, maxReportFile+1))
			file.Close()
			if err != nil {
				return nil, fmt.Errorf("read uploaded %s: %w", fh.Filename, err)
			}
			ct := fh.Header.Get("Content-Type")
			if ct == "" {
				ct = "application/octet-stream"
			}
			out = append(out, request.Upload{Field: f.ID, Filename: requestFilename(fh.Filename), ContentType: ct, Data: data})
		}
	}
	return out, nil
}

// requestFilename keeps the last element of an uploaded name, without
// control characters, at most 200 characters.
func requestFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if rs := []rune(name); len(rs) > 200 {
		name = string(rs[:200])
	}
	if name == "" {
		name = "file"
	}
	return name
}
