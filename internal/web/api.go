package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"mamori"
)

// apiError is the JSON body of every API error: a stable code, the message
// in both languages, and the field at fault.
type apiError struct {
	Error struct {
		Code      mamori.Code `json:"code"`
		Message   mamori.Text `json:"message"`
		Field     string      `json:"field,omitempty"`
		RequestID string      `json:"request_id"`
	} `json:"error"`
}

func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	var body apiError
	body.Error.Code = mamori.ErrorCode(err)
	body.Error.RequestID = requestIDFrom(r)
	if e, ok := mamori.AsError(err); ok {
		body.Error.Message = s.cat.Both(e.Message, e.Args)
		body.Error.Field = e.Field
	} else {
		body.Error.Message = s.cat.Both("error.internal", map[string]any{"RequestID": requestIDFrom(r)})
	}
	writeJSON(w, statusOf(body.Error.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// maxJSONBody bounds what an API call may send.
const maxJSONBody = 1 << 20

// readJSON decodes a request body strictly: unknown fields and trailing
// data are errors, so that a typo in a field name is not silently ignored.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &mamori.Error{Code: mamori.EINVALID, Message: "error.invalid_json", Args: map[string]any{"Detail": "Content-Type must be application/json"}}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &mamori.Error{Code: mamori.EINVALID, Message: "error.body_too_large", Args: map[string]any{"Limit": "1 MiB"}}
		}
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return &mamori.Error{Code: mamori.EINVALID, Message: "error.invalid_json", Field: ute.Field,
				Args: map[string]any{"Detail": fmt.Sprintf("%s must be %s", ute.Field, ute.Type)}}
		}
		return &mamori.Error{Code: mamori.EINVALID, Message: "error.invalid_json", Args: map[string]any{"Detail": err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &mamori.Error{Code: mamori.EINVALID, Message: "error.invalid_json", Args: map[string]any{"Detail": "trailing data after the JSON value"}}
	}
	return nil
}
