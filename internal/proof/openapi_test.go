package proof

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// apiDoc is docs/openapi.yaml, which a test in internal/web keeps in step
// with the router: it says which bodies and query parameters each API
// route takes, so that the tests here can fill them without a table per
// route.
type apiDoc struct {
	Paths      map[string]map[string]yaml.Node `yaml:"paths"` // methods, and the path's "parameters"
	Components struct {
		Schemas map[string]*schema `yaml:"schemas"`
	} `yaml:"components"`
}

type apiOp struct {
	Parameters  []apiParam `yaml:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"requestBody"`
}

type apiParam struct {
	Name   string  `yaml:"name"`
	In     string  `yaml:"in"`
	Schema *schema `yaml:"schema"`
}

type schema struct {
	Ref        string             `yaml:"$ref"`
	Type       any                `yaml:"type"` // a string, or a list in OpenAPI 3.1
	Format     string             `yaml:"format"`
	Enum       []any              `yaml:"enum"`
	Properties map[string]*schema `yaml:"properties"`
	Items      *schema            `yaml:"items"`
	Required   []string           `yaml:"required"`
}

var (
	docOnce sync.Once
	doc     *apiDoc
	docErr  error
)

func loadAPIDoc(t testing.TB) *apiDoc {
	t.Helper()
	docOnce.Do(func() {
		b, err := os.ReadFile("../../docs/openapi.yaml")
		if err != nil {
			docErr = err
			return
		}
		doc = &apiDoc{}
		docErr = yaml.Unmarshal(b, doc)
	})
	if docErr != nil {
		t.Fatalf("docs/openapi.yaml: %v", docErr)
	}
	return doc
}

// op finds the operation of a route ("POST", "/api/v1/units/{id}").
func (d *apiDoc) op(method, path string) *apiOp {
	ops := d.Paths[strings.TrimPrefix(path, "/api/v1")]
	n, ok := ops[strings.ToLower(method)]
	if !ok {
		return nil
	}
	var o apiOp
	if err := n.Decode(&o); err != nil {
		return nil
	}
	return &o
}

func (d *apiDoc) resolve(s *schema) *schema {
	for s != nil && s.Ref != "" {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// jsonSchema is the operation's JSON request body, if it takes one.
func (o *apiOp) jsonSchema() *schema {
	if o == nil || o.RequestBody == nil {
		return nil
	}
	c, ok := o.RequestBody.Content["application/json"]
	if !ok {
		return nil
	}
	return c.Schema
}

func (s *schema) typ() string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return fmt.Sprint(x)
			}
		}
	}
	if s.Properties != nil {
		return "object"
	}
	return ""
}

// refField says which object a body field or query parameter names, by its
// name: an id ("unit_id"), or a natural key by which records refer to
// objects (a staff number, a unit code, an asset number). A field of a new
// route that names an object must be added here (or declared not to in
// plainFields): the tests fail until it is, so that no identifier goes
// unsubstituted.
type refField struct {
	kind string                // the fixture kind whose id an integer field takes
	key  func(*fixture) string // the natural key a string field takes
}

func staffNo(f *fixture) string      { return f.staffNo }
func unitCode(f *fixture) string     { return f.unitCode }
func assetNumber(f *fixture) string  { return f.assetNumber }
func holderNumber(f *fixture) string { return f.holderNumber }

var refFields = map[string]refField{
	"unit_id":      {kind: "unit"},
	"parent_id":    {kind: "unit"}, // a unit's parent (UnitInput)
	"person_id":    {kind: "person"},
	"performer_id": {kind: "person"},
	"performer":    {kind: "person"},
	"incident_id":  {kind: "incident"},
	"asset_id":     {kind: "asset"},
	"asset_ids":    {kind: "asset"},
	"request_id":   {kind: "request"},
	"corrects":     {kind: "incident_entry"},
	"object_id":    {kind: "asset"}, // GET /events?object_type=assets&object_id=
	"version":      {kind: "plan_version"},
	"unit":         {kind: "unit", key: unitCode},
	"person":       {kind: "person", key: staffNo}, // an id as a query parameter, a staff number in POST /violations
	"parent":       {kind: "asset", key: holderNumber},
	"staff_no":     {kind: "person", key: staffNo},
	"copy_of":      {kind: "asset", key: assetNumber},
	"to_unit":      {kind: "unit", key: unitCode},
	"role_unit":    {kind: "unit", key: unitCode},
	"default_unit": {kind: "unit", key: unitCode},
}

// value is what the field takes in f's organization.
func (r refField) value(f *fixture, typ string) any {
	switch {
	case typ == "string" && r.key != nil:
		return r.key(f)
	case typ == "string":
		return f.ids[r.kind]
	default:
		return f.id(r.kind)
	}
}

// plainFields are integer fields and query parameters that name no object.
var plainFields = map[string]bool{
	"sort": true, "round": true, "step": true, "limit": true, "offset": true, "header_row": true, "header_rows": true,
	"before": true,
}

// plainParams are query parameters that name no object (strings and flags).
var plainParams = map[string]bool{
	"q": true, "kind": true, "status": true, "review": true, "current": true, "role": true, "at": true, "action": true,
	"object_type": true, "level.AXIS": true, "segment": true, "personal": true, "specific_personal": true,
	"location": true, "control_area": true, "state": true, "to_classify": true, "desc": true, "queue": true,
	"format": true, "view": true, "show": true, "unread": true, "active": true, "matter": true,
}

// selfFields are fields that, in the routes named, give the object's own
// key rather than refer to another object (a new person's staff number).
var selfFields = map[string]map[string]bool{
	"POST /api/v1/people":     {"staff_no": true},
	"PUT /api/v1/people/{id}": {"staff_no": true},
}

var plainSeq atomic.Int64

// bodyFor builds a JSON body from the schema: the required properties
// and every reference, each naming own's object except the field named
// only, which names target's. An optional reference naming the same kind
// of object as only is left out: fields that name one object in two ways
// (person_id or staff_no) are tried one at a time. It returns the reference fields it found
// and the integer fields it could not classify (which the caller turns
// into a test failure asking for a refFields or plainFields entry).
func (d *apiDoc) bodyFor(s *schema, own, target *fixture, only string, self map[string]bool) (body any, refs []string, unknown []string) {
	var gen func(name string, s *schema, required bool, depth int) any
	gen = func(name string, s *schema, required bool, depth int) any {
		s = d.resolve(s)
		if s == nil || depth > 6 {
			return nil
		}
		if ref, ok := refFields[name]; ok && !self[name] {
			refs = append(refs, name)
			if only != "" && name != only && ref.kind == refFields[only].kind && !required {
				return nil
			}
			f := own
			if name == only {
				f = target
			}
			if s.typ() == "array" {
				return []any{ref.value(f, d.resolve(s.Items).typ())}
			}
			return ref.value(f, s.typ())
		}
		var v any
		switch {
		case len(s.Enum) > 0:
			v = s.Enum[0]
		case s.typ() == "object":
			m := map[string]any{}
			keys := make([]string, 0, len(s.Properties))
			for k := range s.Properties {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if x := gen(k, s.Properties[k], slices.Contains(s.Required, k), depth+1); x != nil {
					m[k] = x
				}
			}
			v = m
		case s.typ() == "array":
			if x := gen(name, s.Items, true, depth+1); x != nil {
				v = []any{x}
			} else {
				v = []any{}
			}
		case s.typ() == "integer" || s.typ() == "number":
			if !plainFields[name] && name != "" {
				unknown = append(unknown, name)
			}
			v = 1
		case s.typ() == "boolean":
			v = false
		case s.typ() == "string":
			switch s.Format {
			case "date":
				v = time.Now().AddDate(0, 0, 7).Format("2006-01-02")
			case "date-time":
				v = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			case "binary":
			default:
				v = fmt.Sprintf("proof-%d", plainSeq.Add(1))
			}
		}
		if !required {
			return nil
		}
		return v
	}
	body = gen("", s, true, 0)
	return body, refs, unknown
}
