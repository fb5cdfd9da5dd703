package proof

import (
	"encoding/json"
	"hash/fnv"
	"strings"
	"testing"

	"mamori/internal/store"
	"mamori/internal/web"
)

// FuzzAPIDecoders sends arbitrary bodies to every JSON API route that
// takes one, as an administrator acting on objects that exist (so that
// each handler gets as far as decoding and checking what it was sent):
// every route's request type goes through readJSON and the area's own
// checks. Whatever the bytes, the answer is never a server error, and a
// refusal is a well-formed JSON error with a code and a message in both
// languages. The input names its route ("POST /api/v1/units"); an input
// naming no route goes to one picked by its hash, so that the fuzzer can
// wander between routes. Routes added later are fuzzed, and seeded, without
// a change here.
func FuzzAPIDecoders(f *testing.F) {
	s := newSite(f, store.SQLite)
	o := s.newOrg("fuzz", "ファズ町", "fujieda", true)
	fx := fill(f, o, 1, "fuzzmark", "kf")
	doc := loadAPIDoc(f)
	var routes []web.Route
	for _, rt := range s.srv.Routes() {
		if rt.API && rt.Method != "GET" && rt.Method != "" {
			routes = append(routes, rt)
		}
	}
	if len(routes) == 0 {
		f.Fatal("no API route takes a body")
	}
	// Seeds: per route, the body the isolation test would send with the
	// organization's own objects, and a few broken ones.
	for _, rt := range routes {
		name := rt.Method + " " + rt.Path
		ats, _ := attempts(doc, rt, fx, fx)
		for _, at := range ats {
			if at.ctype == "application/json" {
				f.Add(name, at.body)
				break
			}
		}
		f.Add(name, []byte(`{"`))
		f.Add(name, []byte(`{"id": 1e999, "unit_id": -1, "name": "\u0000\ud800"}`))
	}
	f.Add("", []byte(`[]`))
	token := o.api
	f.Fuzz(func(t *testing.T, route string, body []byte) {
		rt, ok := routeNamed(routes, route)
		if !ok {
			h := fnv.New32a()
			h.Write([]byte(route))
			rt = routes[int(h.Sum32()%uint32(len(routes)))]
		}
		target := ownPath(rt, fx)
		r := token.call(rt.Method, target, body, "application/json")
		if r.code == 401 {
			// A call the fuzzer made ended the token (none should):
			// a new one, and the call again.
			token = o.token(o.adminID, "fuzz", allPermissions())
			r = token.call(rt.Method, target, body, "application/json")
		}
		if r.code >= 500 {
			t.Fatalf("%s %s %q: %s", rt.Method, target, body, r)
		}
		if r.code >= 400 {
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message struct{ JA, EN string }
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(r.body), &e); err != nil && !strings.Contains(r.body, `"rows"`) {
				t.Fatalf("%s %s %q: the refusal is not JSON: %s", rt.Method, target, body, r)
			}
			if e.Error.Code == "" || e.Error.Message.JA == "" || e.Error.Message.EN == "" {
				if !strings.Contains(r.body, `"rows"`) { // a transfer's row errors
					t.Fatalf("%s %s %q: a refusal without a code or message: %s", rt.Method, target, body, r)
				}
			}
		}
	})
}

func routeNamed(routes []web.Route, name string) (web.Route, bool) {
	for _, rt := range routes {
		if rt.Method+" "+rt.Path == name {
			return rt, true
		}
	}
	return web.Route{}, false
}

// ownPath fills a route's wildcards with the fixture's objects.
func ownPath(rt web.Route, f *fixture) string {
	path := strings.ReplaceAll(rt.Path, "{$}", "")
	plain := strings.TrimPrefix(path, "/api/v1")
	for _, loc := range wildRe.FindAllStringIndex(plain, -1) {
		w := plain[loc[0]:loc[1]]
		path = strings.Replace(path, w, f.ids[wildcardKinds[plain[:loc[1]]]], 1)
	}
	return path
}
