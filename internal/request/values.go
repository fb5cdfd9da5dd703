package request

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mamori"
	"mamori/internal/i18n"
	"mamori/internal/policy"
)

// Values are the answers of a request form or a record, keyed by the
// profile's field id, in a canonical form that survives a JSON round trip:
// string (text, longtext, enum; a date as 2006-01-02; a date-time as
// RFC 3339 in UTC), bool, int64 (int, person), or []int64 (asset_list,
// file: asset or attachment ids).
type Values map[string]any

// Limits on what staff type, so that a form cannot carry a novel.
const (
	maxText     = 200
	maxLongText = 4000
	maxList     = 100
)

const (
	dateLayout      = "2006-01-02"
	localTimeLayout = "2006-01-02T15:04" // what <input type="datetime-local"> sends
)

// String returns the text of field id.
func (v Values) String(id string) string {
	s, _ := v[id].(string)
	return s
}

// Bool returns the yes/no of field id.
func (v Values) Bool(id string) bool {
	b, _ := v[id].(bool)
	return b
}

// Int returns the number (or person id) of field id.
func (v Values) Int(id string) int64 {
	n, _ := v[id].(int64)
	return n
}

// IDs returns the ids of an asset_list or file field.
func (v Values) IDs(id string) []int64 {
	ids, _ := v[id].([]int64)
	return ids
}

// Time returns a date field as the start of that day in Japan, or a
// date-time field as the instant.
func (v Values) Time(id string) (time.Time, bool) {
	s, ok := v[id].(string)
	if !ok {
		return time.Time{}, false
	}
	if t, err := time.ParseInLocation(dateLayout, s, i18n.Tokyo); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// Has reports whether field id was answered.
func (v Values) Has(id string) bool {
	_, ok := v[id]
	return ok
}

// Encode returns the values as JSON for storage.
func (v Values) Encode() (string, error) {
	if v == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]any(v))
	if err != nil {
		return "", fmt.Errorf("encode field values: %w", err)
	}
	return string(b), nil
}

// DecodeValues reads values stored by Encode. Numbers come back as int64
// and lists as []int64, whatever the kind says today.
func DecodeValues(s string) (Values, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("decode field values: %w", err)
	}
	out := Values{}
	for k, x := range raw {
		switch t := x.(type) {
		case json.Number:
			n, err := t.Int64()
			if err != nil {
				return nil, fmt.Errorf("decode field %s: %w", k, err)
			}
			out[k] = n
		case []any:
			ids := make([]int64, 0, len(t))
			for _, e := range t {
				num, ok := e.(json.Number)
				if !ok {
					return nil, fmt.Errorf("decode field %s: list element is %T", k, e)
				}
				n, err := num.Int64()
				if err != nil {
					return nil, fmt.Errorf("decode field %s: %w", k, err)
				}
				ids = append(ids, n)
			}
			out[k] = ids
		case string, bool:
			out[k] = t
		case nil:
		default:
			return nil, fmt.Errorf("decode field %s: unexpected %T", k, x)
		}
	}
	return out, nil
}

// fieldErr is a validation error of one field, naming it in both
// languages (the field's name comes from the profile).
func fieldErr(prefix string, f *policy.Field, message string, args map[string]any) *mamori.Error {
	if args == nil {
		args = map[string]any{}
	}
	args["FieldJA"] = f.Name.JA
	args["FieldEN"] = orText(f.Name.EN, f.Name.JA)
	return &mamori.Error{Code: mamori.EINVALID, Message: message, Args: args, Field: prefix + f.ID}
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// FormValues reads a kind's fields from a submitted HTML form, where each
// field's input is named "f.ID" (a list repeats the name; an unticked
// checkbox sends nothing). prefix names the fields in errors ("fields.").
func FormValues(fields []*policy.Field, form map[string][]string, prefix string) (Values, error) {
	out := Values{}
	for _, f := range fields {
		in := form["f."+f.ID]
		var first string
		if len(in) > 0 {
			first = strings.TrimSpace(in[0])
		}
		switch f.Type {
		case policy.FieldBool:
			// A checkbox is absent when unticked; a select sends true/false.
			if len(in) == 0 {
				out[f.ID] = false
				continue
			}
			b, ok := parseBool(first)
			if !ok {
				return nil, fieldErr(prefix, f, "request.field_bool", nil)
			}
			out[f.ID] = b
		case policy.FieldAssetList, policy.FieldFile:
			var ids []int64
			for _, s := range in {
				for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '、' }) {
					n, err := strconv.ParseInt(part, 10, 64)
					if err != nil || n <= 0 {
						return nil, fieldErr(prefix, f, "request.field_ids", map[string]any{"Value": clip(part)})
					}
					if !slices.Contains(ids, n) {
						ids = append(ids, n)
					}
				}
			}
			if len(ids) > 0 {
				out[f.ID] = ids
			}
		default:
			if first == "" {
				continue
			}
			v, err := parseText(f, first, prefix)
			if err != nil {
				return nil, err
			}
			out[f.ID] = v
		}
	}
	return out, nil
}

// JSONValues reads a kind's fields from an API call: each value in its
// JSON type (text, date "2006-01-02", date-time RFC 3339 or
// "2006-01-02T15:04" in Japan, number, true/false, option id, a list of
// ids, a person id). A field the kind does not have is an error.
func JSONValues(fields []*policy.Field, raw map[string]json.RawMessage, prefix string) (Values, error) {
	byID := map[string]*policy.Field{}
	for _, f := range fields {
		byID[f.ID] = f
	}
	for id := range raw {
		if _, ok := byID[id]; !ok {
			return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.field_unknown", Args: map[string]any{"ID": clip(id)}, Field: prefix + clip(id)}
		}
	}
	out := Values{}
	for _, f := range fields {
		b, ok := raw[f.ID]
		if !ok || bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
			continue
		}
		switch f.Type {
		case policy.FieldBool:
			var x bool
			if err := json.Unmarshal(b, &x); err != nil {
				return nil, fieldErr(prefix, f, "request.field_bool", nil)
			}
			out[f.ID] = x
		case policy.FieldInt, policy.FieldPerson:
			n, err := jsonInt(b)
			if err != nil {
				return nil, fieldErr(prefix, f, "request.field_int", nil)
			}
			if f.Type == policy.FieldPerson && n <= 0 {
				return nil, fieldErr(prefix, f, "request.field_person", nil)
			}
			out[f.ID] = n
		case policy.FieldAssetList, policy.FieldFile:
			var xs []json.RawMessage
			if err := json.Unmarshal(b, &xs); err != nil {
				return nil, fieldErr(prefix, f, "request.field_ids", map[string]any{"Value": clip(string(b))})
			}
			if len(xs) > maxList {
				return nil, fieldErr(prefix, f, "request.field_too_many", map[string]any{"Max": maxList})
			}
			var ids []int64
			for _, x := range xs {
				n, err := jsonInt(x)
				if err != nil || n <= 0 {
					return nil, fieldErr(prefix, f, "request.field_ids", map[string]any{"Value": clip(string(x))})
				}
				if !slices.Contains(ids, n) {
					ids = append(ids, n)
				}
			}
			if len(ids) > 0 {
				out[f.ID] = ids
			}
		default:
			var s string
			if err := json.Unmarshal(b, &s); err != nil {
				return nil, fieldErr(prefix, f, "request.field_text", nil)
			}
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			v, err := parseText(f, s, prefix)
			if err != nil {
				return nil, err
			}
			out[f.ID] = v
		}
	}
	return out, nil
}

// jsonInt reads a JSON integer exactly (no fraction, no exponent, within
// int64): an id read through a float could silently name another one.
func jsonInt(b []byte) (int64, error) {
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(n), 10, 64)
}

// parseText reads a value typed as text: text itself, a date, a date-time,
// a number, an option or a person id.
func parseText(f *policy.Field, s, prefix string) (any, error) {
	switch f.Type {
	case policy.FieldText, policy.FieldLongText:
		max := maxText
		if f.Type == policy.FieldLongText {
			max = maxLongText
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return nil, fieldErr(prefix, f, "request.field_text", nil)
		}
		if n := utf8.RuneCountInString(s); n > max {
			return nil, fieldErr(prefix, f, "request.field_too_long", map[string]any{"Max": max})
		}
		return s, nil
	case policy.FieldDate:
		t, err := time.ParseInLocation(dateLayout, s, i18n.Tokyo)
		if err != nil || t.Year() < 1900 || t.Year() > 2999 {
			return nil, fieldErr(prefix, f, "request.field_date", map[string]any{"Value": clip(s)})
		}
		return t.Format(dateLayout), nil
	case policy.FieldDateTime:
		t, err := ParseDateTime(s)
		if err != nil {
			return nil, fieldErr(prefix, f, "request.field_datetime", map[string]any{"Value": clip(s)})
		}
		return t.UTC().Format(time.RFC3339), nil
	case policy.FieldInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fieldErr(prefix, f, "request.field_int", nil)
		}
		return n, nil
	case policy.FieldPerson:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, fieldErr(prefix, f, "request.field_person", nil)
		}
		return n, nil
	case policy.FieldEnum:
		for _, o := range f.Options {
			if o.ID == s {
				return s, nil
			}
		}
		return nil, fieldErr(prefix, f, "request.field_option", map[string]any{"Value": clip(s)})
	}
	return nil, fieldErr(prefix, f, "request.field_text", nil)
}

// ParseDateTime reads a date and time typed in Japan ("2026-11-25T09:30",
// as a datetime-local input sends it) or an RFC 3339 instant.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.ParseInLocation(localTimeLayout, s, i18n.Tokyo)
	}
	if err != nil {
		return time.Time{}, err
	}
	if t.Year() < 1900 || t.Year() > 2999 {
		return time.Time{}, fmt.Errorf("year %d out of range", t.Year())
	}
	return t.UTC(), nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "on", "true", "1", "yes":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}

// clip bounds a piece of input quoted back in an error.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// checkRequired refuses a form whose required fields are not answered. A
// required yes/no is answered by an unticked box on a page (FormValues
// reads it as false); an API call must state it.
// A required file field is answered by a file sent with the form.
func checkRequired(fields []*policy.Field, v Values, files []Upload, prefix string) error {
	for _, f := range fields {
		if !f.Required {
			continue
		}
		if f.Type == policy.FieldFile && slices.ContainsFunc(files, func(u Upload) bool { return u.Field == f.ID }) {
			continue
		}
		if !v.Has(f.ID) {
			return fieldErr(prefix, f, "request.field_required", nil)
		}
	}
	return nil
}

// checkValues holds values given directly (not read by FormValues or
// JSONValues) to the same rules: every answer is a field of the form, of
// the field's type, an offered option, within the length limits. It
// returns the values in canonical form.
func checkValues(fields []*policy.Field, v Values, prefix string) (Values, error) {
	byID := map[string]*policy.Field{}
	for _, f := range fields {
		byID[f.ID] = f
	}
	out := Values{}
	for id, x := range v {
		f, ok := byID[id]
		if !ok {
			return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.field_unknown", Args: map[string]any{"ID": clip(id)}, Field: prefix + clip(id)}
		}
		switch f.Type {
		case policy.FieldBool:
			b, ok := x.(bool)
			if !ok {
				return nil, fieldErr(prefix, f, "request.field_bool", nil)
			}
			out[id] = b
		case policy.FieldInt, policy.FieldPerson:
			n, ok := x.(int64)
			if !ok || (f.Type == policy.FieldPerson && n <= 0) {
				return nil, fieldErr(prefix, f, map[bool]string{true: "request.field_person", false: "request.field_int"}[f.Type == policy.FieldPerson], nil)
			}
			out[id] = n
		case policy.FieldAssetList, policy.FieldFile:
			ids, ok := x.([]int64)
			if !ok {
				return nil, fieldErr(prefix, f, "request.field_ids", map[string]any{"Value": clip(fmt.Sprint(x))})
			}
			if len(ids) > maxList {
				return nil, fieldErr(prefix, f, "request.field_too_many", map[string]any{"Max": maxList})
			}
			var clean []int64
			for _, n := range ids {
				if n <= 0 {
					return nil, fieldErr(prefix, f, "request.field_ids", map[string]any{"Value": n})
				}
				if !slices.Contains(clean, n) {
					clean = append(clean, n)
				}
			}
			if len(clean) > 0 {
				out[id] = clean
			}
		default:
			str, ok := x.(string)
			if !ok {
				return nil, fieldErr(prefix, f, "request.field_text", nil)
			}
			if str = strings.TrimSpace(str); str == "" {
				continue
			}
			c, err := parseText(f, str, prefix)
			if err != nil {
				return nil, err
			}
			out[id] = c
		}
	}
	return out, nil
}
