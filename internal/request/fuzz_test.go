package request_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/request"
)

// FuzzJSONValues feeds arbitrary JSON objects to the API's field reader
// for several kinds of the 藤枝市 profile (every field type but file): it
// must never panic, must refuse with an error naming a field, and what it
// accepts must survive storage unchanged.
func FuzzJSONValues(f *testing.F) {
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		f.Fatal(err)
	}
	var kinds []*policy.RequestKind
	for _, id := range []string{"take_out", "transport", "disposal", "serverroom_carry", "account_register"} {
		k, ok := pol.RequestKind(id)
		if !ok {
			f.Fatalf("no kind %s", id)
		}
		kinds = append(kinds, k)
	}
	for _, seed := range []string{
		`{"assets": [1, 2], "purpose": "説明会", "destination": "会館", "start_at": "2026-04-02T09:00", "return_date": "2026-04-03"}`,
		`{"assets": [1.5], "within_building": "yes"}`,
		`{"carrier": "staff", "protected": true, "date": "2026-02-30"}`,
		`{"attendant": 3, "planned_at": "2026-04-02T09:00:00+09:00", "direction": "in"}`,
		`{"user": -1, "common_system": null, "rights": "\u0000"}`,
		`{"assets": [9007199254740993], "purpose": ""}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]json.RawMessage
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		for _, k := range kinds {
			v, err := request.JSONValues(k.Fields, raw, "fields.")
			if err != nil {
				e, ok := mamori.AsError(err)
				if !ok || e.Code != mamori.EINVALID || !strings.HasPrefix(e.Field, "fields.") {
					t.Fatalf("%s: error %v does not name a field", k.ID, err)
				}
				continue
			}
			enc, err := v.Encode()
			if err != nil {
				t.Fatalf("%s: encode %#v: %v", k.ID, v, err)
			}
			back, err := request.DecodeValues(enc)
			if err != nil {
				t.Fatalf("%s: decode %s: %v", k.ID, enc, err)
			}
			if len(v) == 0 && len(back) == 0 {
				continue
			}
			if !reflect.DeepEqual(map[string]any(v), map[string]any(back)) {
				t.Fatalf("%s: round trip changed %#v into %#v", k.ID, v, back)
			}
		}
	})
}

// FuzzFormValues does the same for the HTML form reader.
func FuzzFormValues(f *testing.F) {
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		f.Fatal(err)
	}
	k, _ := pol.RequestKind("take_out")
	f.Add("1,2", "説明会", "2026-04-02T09:00", "2026-04-03", "on")
	f.Add("x", "", "2026-13-01T25:00", "令和8年4月3日", "maybe")
	f.Fuzz(func(t *testing.T, assets, purpose, start, ret, within string) {
		form := map[string][]string{"f.assets": {assets}, "f.purpose": {purpose}, "f.start_at": {start}, "f.return_date": {ret}, "f.within_building": {within}}
		v, err := request.FormValues(k.Fields, form, "fields.")
		if err != nil {
			if e, ok := mamori.AsError(err); !ok || !strings.HasPrefix(e.Field, "fields.") {
				t.Fatalf("error %v does not name a field", err)
			}
			return
		}
		enc, err := v.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := request.DecodeValues(enc)
		if err != nil || !reflect.DeepEqual(map[string]any(v), map[string]any(back)) {
			t.Fatalf("round trip changed %#v into %#v (%v)", v, back, err)
		}
	})
}
