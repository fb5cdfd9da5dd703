package web

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mamori/internal/asset"
	"mamori/internal/directory"
)

// assetTown is an organization with two sections, a manager (情報セキュリ
// ティ管理者) of 市民課 and a clerk there who may register assets.
type assetTown struct {
	*env
	shimin, soumu int64
	manager       *client
	clerk         *client
}

func newAssetTown(t *testing.T, e *env) *assetTown {
	at := &assetTown{env: e}
	dept := e.unit("shimin", "市民部", 0, directory.UnitDepartment)
	at.shimin = e.unit("shimin-ka", "市民課", dept, directory.UnitSection)
	at.soumu = e.unit("soumu-ka", "総務課", 0, directory.UnitSection)
	m := e.person("3001", "市民 課長", at.shimin, "manager-password-1")
	e.assign(m.ID, "security_manager", at.shimin)
	c := e.person("3002", "市民 係員", at.shimin, "clerk-password-1")
	e.assign(c.ID, "security_staff", at.shimin)
	at.manager = e.signedIn("3001", "manager-password-1")
	at.clerk = e.signedIn("3002", "clerk-password-1")
	return at
}

// api calls the JSON API as c.
func (c *client) api(method, path string, body any) resp {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, c.e.ts.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// uploadForm posts a file with other form fields.
func (c *client) uploadForm(path, filename string, content []byte, fields map[string]string) resp {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

func mustHave(t *testing.T, what string, r resp, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: status %d, want %d: %.600s", what, r.code, code, errorText(r.body))
	}
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s: the answer lacks %q: %.1500s", what, w, errorText(r.body))
		}
	}
}

var (
	assetIDRe    = regexp.MustCompile(`^/assets/(\d+)`)
	assetRawIDRe = regexp.MustCompile(`>[^<]*\basset\.[a-z_]+(\.[a-z_]+)*[^<]*<`)
)

// noRawText fails when a page shows a message id instead of its text, or
// a template value that is missing.
func noRawText(t *testing.T, what string, r resp) {
	t.Helper()
	if m := assetRawIDRe.FindString(r.body); m != "" {
		t.Errorf("%s shows a message id: %s", what, m)
	}
	if strings.Contains(r.body, "<no value>") {
		t.Errorf("%s shows <no value>", what)
	}
}

func TestAssetPages(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		at := newAssetTown(t, e)
		shimin := itoa64t(at.shimin)
		// The clerk registers a server and data held by it.
		at.clerk.get("/assets/new")
		r := at.clerk.post("/assets", url.Values{"number": {"S-1"}, "name": {"住基サーバ"}, "kind": {"server"}, "unit_id": {shimin}, "state": {"in_use"},
			"location": {"本庁舎3階"}, "control_area": {"サーバ室"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("create server: %d %s", r.code, errorText(r.body))
		}
		at.clerk.get("/assets/new")
		r = at.clerk.post("/assets", url.Values{"number": {"D-1"}, "name": {"住民票データ"}, "kind": {"information"}, "unit_id": {shimin},
			"level.confidentiality": {"1"}, "level.integrity": {"2"}, "level.availability": {"-"}, "personal": {"1"}, "parent": {"S-1"},
			"state": {"in_use"}, "keep_until": {"令和12年3月31日"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("create data: %d %s", r.code, errorText(r.body))
		}
		m := assetIDRe.FindStringSubmatch(r.location)
		if m == nil {
			t.Fatalf("redirected to %q", r.location)
		}
		// The asset page shows the manager, the levels and the restrictions
		// with their clauses; the server is handled at 機密性1 because of
		// what it holds.
		mustHave(t, "data page", at.clerk.get("/assets/"+m[1]), 200, "市民 課長", "機密性分類1", "第2章 6(1)⑤ウ", "電子メール等による送付の禁止", "令和12年3月31日", "分類待ち")
		mustHave(t, "server page", at.clerk.get("/assets/1"), 200, "保存している情報資産の最も厳しい分類（第2章 5(2)④ウ）", "D-1")
		// The clerk may not classify; the form is not offered and a post is refused.
		if strings.Contains(at.clerk.get("/assets/"+m[1]).body, `id="reclassify"`) {
			t.Error("the reclassification form is offered to the clerk")
		}
		at.clerk.get("/assets/" + m[1])
		mustHave(t, "clerk reclassifies", at.clerk.post("/assets/"+m[1]+"/reclassify", url.Values{"level.availability": {"1"}}), 403, "情報資産の分類の決定")
		// The manager decides the open axis; changing a decided one needs a reason.
		at.manager.get("/assets/" + m[1])
		if r := at.manager.post("/assets/"+m[1]+"/reclassify", url.Values{"level.availability": {"1"}}); r.code != http.StatusSeeOther {
			t.Fatalf("manager decides: %d %s", r.code, errorText(r.body))
		}
		at.manager.get("/assets/" + m[1])
		mustHave(t, "no reason", at.manager.post("/assets/"+m[1]+"/reclassify", url.Values{"level.confidentiality": {"2"}}), 422, "理由")
		at.manager.get("/assets/" + m[1])
		if r := at.manager.post("/assets/"+m[1]+"/reclassify", url.Values{"level.confidentiality": {"2"}, "reason": {"氏名を削除したため"}}); r.code != http.StatusSeeOther {
			t.Fatalf("manager reclassifies: %d", r.code)
		}
		mustHave(t, "history", at.manager.get("/assets/"+m[1]), 200, "分類の決定・変更", "氏名を削除したため")
		// The clerk cannot register in another unit.
		at.clerk.get("/assets/new")
		mustHave(t, "other unit", at.clerk.post("/assets", url.Values{"number": {"X-1"}, "name": {"x"}, "kind": {"paper"}, "unit_id": {itoa64t(at.soumu)}, "state": {"in_use"}}),
			403, "権限がありません")
		// A bad level and a duplicate number are shown on the form.
		at.clerk.get("/assets/new")
		mustHave(t, "duplicate", at.clerk.post("/assets", url.Values{"number": {"D-1"}, "name": {"x"}, "kind": {"paper"}, "unit_id": {shimin}, "state": {"in_use"}}),
			409, "すでに使われています", `aria-invalid="true"`)
		// Edit: move the data out of the server; the server is unclassified again.
		at.clerk.get("/assets/" + m[1] + "/edit")
		if r := at.clerk.post("/assets/"+m[1], url.Values{"number": {"D-1"}, "name": {"住民票データ"}, "kind": {"information"}, "unit_id": {shimin}, "state": {"in_use"}, "personal": {"1"}}); r.code != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.code, errorText(r.body))
		}
		// The list filters, and the manager's queue holds the server.
		mustHave(t, "list", at.clerk.get("/assets?level.confidentiality=2"), 200, "D-1", "1件中 1〜1件")
		if strings.Contains(at.clerk.get("/assets?level.confidentiality=2").body, "S-1") {
			t.Error("filter on 機密性2 lists the server")
		}
		mustHave(t, "queue", at.manager.get("/assets?queue=1"), 200, "S-1")
		mustHave(t, "bad filter", at.clerk.get("/assets?level.confidentiality=9"), 422, "機密性")
		mustHave(t, "english", at.clerk.get("/assets?lang=en"), 200, "Information asset register")
		for _, path := range []string{"/assets", "/assets?queue=1", "/assets/new", "/assets/1", "/assets/" + m[1], "/assets/" + m[1] + "/edit", "/assets/import"} {
			noRawText(t, path, at.clerk.get(path))
			noRawText(t, path+" (manager)", at.manager.get(path))
		}
	})
}

func itoa64t(n int64) string { return strconv.FormatInt(n, 10) }

func TestAssetAPI(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		at := newAssetTown(t, e)
		c := at.clerk
		c.get("/assets")
		r := c.api("POST", "/api/v1/assets", map[string]any{"number": "A-1", "name": "税データ", "kind": "information", "unit_id": at.shimin,
			"levels": map[string]string{"confidentiality": "1", "integrity": "1", "availability": "2"}, "keep_until": "2030-03-31", "specific_personal": true})
		mustHave(t, "create", r, 201, `"number": "A-1"`, `"personal": true`, `"source": "own"`, `"clause": "第2章 6(1)⑤ウ"`, `"name": "市民 課長"`)
		var a struct {
			ID int64 `json:"id"`
		}
		json.Unmarshal([]byte(r.body), &a)
		id := itoa64t(a.ID)
		mustHave(t, "copy", c.api("POST", "/api/v1/assets", map[string]any{"number": "A-2", "name": "写し", "kind": "paper", "unit_id": at.shimin, "copy_of": "A-1"}),
			201, `"source": "original"`, `"confidentiality": "1"`)
		for _, bad := range []struct {
			name  string
			body  any
			code  int
			field string
		}{
			{"unknown level", map[string]any{"number": "B-1", "name": "x", "kind": "paper", "unit_id": at.shimin, "levels": map[string]string{"confidentiality": "4"}}, 422, "levels.confidentiality"},
			{"unknown field", map[string]any{"number": "B-2", "name": "x", "kind": "paper", "unit_id": at.shimin, "colour": "red"}, 422, ""},
			{"unknown holder", map[string]any{"number": "B-3", "name": "x", "kind": "paper", "unit_id": at.shimin, "parent": "Z-9"}, 422, "parent"},
			{"bad date", map[string]any{"number": "B-4", "name": "x", "kind": "paper", "unit_id": at.shimin, "keep_until": "いつか"}, 422, "keep_until"},
			{"other unit", map[string]any{"number": "B-5", "name": "x", "kind": "paper", "unit_id": at.soumu}, 403, "unit_id"},
		} {
			r := c.api("POST", "/api/v1/assets", bad.body)
			want := []string{}
			if bad.field != "" {
				want = append(want, `"field": "`+bad.field+`"`)
			}
			mustHave(t, bad.name, r, bad.code, want...)
		}
		mustHave(t, "list", c.api("GET", "/api/v1/assets?level.confidentiality=1&sort=name", nil), 200, `"total": 2`)
		mustHave(t, "get", c.api("GET", "/api/v1/assets/"+id, nil), 200, `"restrictions"`, `"managers"`)
		mustHave(t, "levels on PUT", c.api("PUT", "/api/v1/assets/"+id, map[string]any{"number": "A-1", "name": "税データ", "kind": "information", "unit_id": at.shimin,
			"levels": map[string]string{"confidentiality": "3"}}), 422, `"field": "levels"`)
		mustHave(t, "update", c.api("PUT", "/api/v1/assets/"+id, map[string]any{"number": "A-1", "name": "税データ（本番）", "kind": "information", "unit_id": at.shimin}),
			200, `税データ（本番）`)
		mustHave(t, "clerk reclassifies", c.api("POST", "/api/v1/assets/"+id+"/reclassify", map[string]any{"levels": map[string]string{"confidentiality": "2"}, "reason": "x"}), 403)
		at.manager.get("/assets")
		mustHave(t, "manager reclassifies", at.manager.api("POST", "/api/v1/assets/"+id+"/reclassify", map[string]any{"levels": map[string]string{"confidentiality": "2"}, "reason": "匿名化した"}),
			200, `"confidentiality": "2"`)
		mustHave(t, "history", c.api("GET", "/api/v1/assets/"+id+"/history", nil), 200, `"action": "asset.reclassify"`, `匿名化した`)
		mustHave(t, "not found", c.api("GET", "/api/v1/assets/999", nil), 404)
		// A reader without asset.write may read but not register.
		e.person("3003", "読む 人", at.soumu, "reader-password-1")
		reader := e.signedIn("3003", "reader-password-1")
		reader.get("/assets")
		mustHave(t, "reader lists", reader.api("GET", "/api/v1/assets", nil), 200, `"total": 2`)
		mustHave(t, "reader creates", reader.api("POST", "/api/v1/assets", map[string]any{"number": "R-1", "name": "x", "kind": "paper", "unit_id": at.soumu}), 403)
	})
}

// registerCSV is a small register with one bad row (a level the policy
// does not have).
const registerCSV = "資産番号,情報資産名称,種別,所管課,機密性,完全性,可用性,個人情報,保存期限\r\n" +
	"I-1,住民票,紙,市民課,1,1,1,○,令和10年3月31日\r\n" +
	"I-2,統計,電子データ,市民課,4,3,2,,2030/3/31\r\n" +
	"I-3,広報,紙,市民課,3,3,2,,\r\n"

func TestAssetImportAndExport(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		at := newAssetTown(t, e)
		c := at.clerk
		c.get("/assets/import")
		r := c.uploadForm("/assets/import", "台帳.csv", []byte(registerCSV), nil)
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/asset-imports/") {
			t.Fatalf("upload: %d %q %s", r.code, r.location, errorText(r.body))
		}
		page := r.location
		r = c.get(page)
		// The bad cell: row 3, column E (機密性), with why.
		mustHave(t, "check", r, 200, "1行に誤りがあります", "<td>3</td><td>E", "機密性として分からない値です")
		noRawText(t, "import check", r)
		// Committing everything is refused; nothing is stored.
		mustHave(t, "commit all", c.post(page+"/commit", nil), 422, "取り込んでいません")
		if _, n, _ := e.st.Assets(e.ctx(), asset.Filter{}); n != 0 {
			t.Fatalf("%d assets stored from a bad file", n)
		}
		// Map "4" onto a level in the value step: the file is clean.
		c.get(page)
		form := url.Values{"mapped": {"1"}, "header_row": {"1"}, "header_rows": {"1"}, "default_kind": {"information"},
			"shown_header_row": {"1"}, "shown_header_rows": {"1"},
			"col:number": {"A"}, "col:name": {"B"}, "col:kind": {"C"}, "col:unit": {"D"}, "col:level.confidentiality": {"E"},
			"col:level.integrity": {"F"}, "col:level.availability": {"G"}, "col:personal": {"H"}, "col:keep_until": {"I"},
			"v:level.confidentiality:4": {"3"}}
		if r := c.post(page, form); r.code != http.StatusSeeOther {
			t.Fatalf("choose: %d %s", r.code, errorText(r.body))
		}
		mustHave(t, "clean", c.get(page), 200, "3行すべて取り込めます")
		if r := c.post(page+"/commit", nil); r.code != http.StatusSeeOther {
			t.Fatalf("commit: %d %s", r.code, errorText(r.body))
		}
		mustHave(t, "imported", c.get("/assets"), 200, "I-1", "I-2", "I-3")
		// The upload is gone after the import.
		mustHave(t, "upload gone", c.get(page), 404)

		// The API's dry run and commit.
		r = c.uploadForm("/api/v1/assets/import", "b.csv", []byte(strings.ReplaceAll(registerCSV, "I-", "J-")), nil)
		mustHave(t, "api dry run", r, 200, `"bad_rows": 1`, `"row": 3`, `"column": "E"`, `"committed": false`)
		r = c.uploadForm("/api/v1/assets/import/commit", "b.csv", []byte(strings.ReplaceAll(registerCSV, "I-", "J-")), nil)
		mustHave(t, "api commit refused", r, 422, `"bad_rows": 1`, `"code": "invalid"`)
		r = c.uploadForm("/api/v1/assets/import/commit", "b.csv", []byte(strings.ReplaceAll(registerCSV, "I-", "J-")), map[string]string{"options": `{"skip_bad_rows": true}`})
		mustHave(t, "api commit skipping", r, 200, `"committed": true`, `"imported": 2`)
		mustHave(t, "api bad options", c.uploadForm("/api/v1/assets/import", "b.csv", []byte(registerCSV), map[string]string{"options": `{"colour": 1}`}), 422, `"field": "options"`)

		// Export: xlsx, UTF-8 CSV with BOM, Shift_JIS CSV.
		r = c.get("/assets/export?format=xlsx")
		if r.code != 200 || r.header.Get("X-Asset-Count") != "5" {
			t.Fatalf("xlsx export: %d %s", r.code, r.header.Get("X-Asset-Count"))
		}
		x, err := excelize.OpenReader(strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) != 6 || rows[0][0] != "資産番号" || rows[1][0] != "I-1" {
			t.Errorf("xlsx rows %q", rows)
		}
		r = c.get("/assets/export?format=csv&level.confidentiality=1")
		if !strings.HasPrefix(r.body, "\uFEFF資産番号") || strings.Count(r.body, "\r\n") != 3 {
			t.Errorf("csv export: %q", r.body)
		}
		r = c.get("/assets/export?format=csv-sjis")
		if r.header.Get("Content-Type") != "text/csv; charset=Shift_JIS" || strings.Contains(r.body, "資産番号") {
			t.Errorf("sjis export: %s", r.header.Get("Content-Type"))
		}
		mustHave(t, "bad format", c.get("/assets/export?format=pdf"), 422)
	})
}
