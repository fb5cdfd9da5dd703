package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/store"
)

// assetClerk creates, through the store of the running server's
// database, 市民部・市民課 and a member of staff of 市民課 who may register
// assets there (情報セキュリティ担当者), able to sign in.
func assetClerk(t *testing.T, srv *server) {
	t.Helper()
	st, err := store.Open(context.Background(), srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.TenantBySlug(context.Background(), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: tn.ID, ActorLabel: "e2e", RequestID: "e2e"})
	dept := &directory.Unit{Code: "shimin", Name: "市民部", Kind: directory.UnitDepartment}
	if err := st.CreateUnit(ctx, dept); err != nil {
		t.Fatal(err)
	}
	sec := &directory.Unit{Code: "shimin-ka", Name: "市民課", Kind: directory.UnitSection, ParentID: dept.ID}
	if err := st.CreateUnit(ctx, sec); err != nil {
		t.Fatal(err)
	}
	p := &directory.Person{StaffNo: "kakari", Name: "市民 係員", Kind: directory.KindStaff, UnitID: sec.ID}
	hash, _ := auth.HashPassword("kakari-password-2026")
	if err := st.CreatePersonWithAccount(ctx, p, "kakari", hash); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, p.ID, hash, false); err != nil {
		t.Fatal(err)
	}
	if err := st.AssignRole(ctx, &directory.Assignment{PersonID: p.ID, Role: "security_staff", UnitID: sec.ID, ValidFrom: time.Now().AddDate(-1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
}

// registerFile writes a small register as towns keep it: a title row, the
// header, and the given level of the second row's confidentiality.
func registerFile(t *testing.T, dir, name, level string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s := "Sheet1"
	f.SetCellValue(s, "A1", "情報資産管理台帳")
	f.SetSheetRow(s, "A3", &[]any{"資産番号", "情報資産名称", "種別", "所管課", "機密性", "完全性", "可用性", "保存期限"})
	f.SetSheetRow(s, "A4", &[]any{"X-001", "住民票の写し", "書類", "市民課", 1, 2, 2, "令和10年3月31日"})
	f.SetSheetRow(s, "A5", &[]any{"X-002", "窓口統計", "電子データ", "市民課", level, 3, 2, 46000})
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAssetRegisterImportExport: a member of staff registers an asset and
// sees the handling restrictions its levels carry, with their clauses;
// imports a small workbook with one bad row and sees the error with its
// row and column; imports the corrected file; and exports the register.
func TestAssetRegisterImportExport(t *testing.T) {
	eachDB(t, func(t *testing.T, d store.Dialect) {
		srv := startServer(t, d, "fujieda")
		assetClerk(t, srv)
		ctx := browser(t)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.WaitVisible(css(`input[name="login"]`)),
			chromedp.SendKeys(css(`input[name="login"]`), "kakari"),
			chromedp.SendKeys(css(`input[name="password"]`), "kakari-password-2026"),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`nav.main`)),
		); err != nil {
			t.Fatal(err)
		}
		// Register an asset of 機密性1.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/assets/new"),
			chromedp.WaitVisible(css(`#asset-form`)),
			chromedp.SendKeys(css(`input[name="number"]`), "R-001"),
			chromedp.SendKeys(css(`input[name="name"]`), "住民基本台帳データ"),
			chromedp.SetValue(css(`select[name="kind"]`), "information"),
			chromedp.SetValue(css(`select[name="level.confidentiality"]`), "1"),
			chromedp.SetValue(css(`select[name="level.integrity"]`), "1"),
			chromedp.SetValue(css(`select[name="level.availability"]`), "2"),
			chromedp.Click(css(`input[name="personal"]`)),
			chromedp.Click(css(`#asset-form button.primary`)),
			chromedp.WaitVisible(css(`#asset-restrictions`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "R-001 住民基本台帳データ", "情報資産を登録しました", "機密性分類1",
			"電子メール等による送付の禁止", "第2章 6(1)⑤ウ", "施錠可能な場所への保存", "第2章 5(2)⑤イ")

		// Import a workbook with one bad row: the error names its row and column.
		dir := t.TempDir()
		bad := registerFile(t, dir, "台帳.xlsx", "4")
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/assets/import"),
			chromedp.WaitVisible(css(`#import-upload`)),
			chromedp.SetUploadFiles(css(`input[name="file"]`), []string{bad}),
			chromedp.Click(css(`#import-upload button.primary`)),
			chromedp.WaitVisible(css(`#import-issues`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "1行に誤りがあります", "機密性として分からない値です")
		issue, err := chromedp.Run(ctx, chromedp.Text(css(`#import-issues tbody tr`)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(issue, "5") || !strings.Contains(issue, "E") || !strings.Contains(issue, "4") {
			t.Errorf("the issue reads %q, want row 5, column E, value 4", issue)
		}
		// Fix the file and read it again: clean; import it.
		good := registerFile(t, dir, "台帳（修正）.xlsx", "2")
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`main a[href="/assets/import"]`)),
			chromedp.WaitVisible(css(`#import-upload`)),
			chromedp.SetUploadFiles(css(`input[name="file"]`), []string{good}),
			chromedp.Click(css(`#import-upload button.primary`)),
			chromedp.WaitVisible(css(`#import-commit`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "2行すべて取り込めます")
		// The check page has a notice of its own (p.flash#import-result):
		// wait for the list the commit leads to, not for any notice.
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#import-commit button.primary`)),
			chromedp.WaitVisible(css(`p.flash:not(#import-result)`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "台帳を取り込みました", "X-001", "X-002", "R-001")

		// Export: the Excel workbook and the Shift_JIS CSV download.
		type download struct {
			Status int    `json:"status"`
			Type   string `json:"type"`
			Head   string `json:"head"`
			Size   int    `json:"size"`
		}
		for _, test := range []struct{ format, typ, head string }{
			{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
			{"csv", "text/csv; charset=utf-8", "\ufeff資産番号"},
		} {
			js := `fetch('/assets/export?format=` + test.format + `').then(async r => { const b = await r.arrayBuffer();
				return {status: r.status, type: r.headers.get('Content-Type'), size: b.byteLength,
				        head: new TextDecoder('utf-8', {ignoreBOM: true}).decode(new Uint8Array(b).slice(0, 16))}; })`
			res, err := chromedp.Run(ctx, chromedp.Evaluate[download](js, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != 200 || res.Type != test.typ || !strings.HasPrefix(res.Head, test.head) || res.Size < 100 {
				t.Errorf("%s export: %+v", test.format, res)
			}
		}
		// The export link on the list page carries the filter.
		href, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`main a[href^="/assets/export?format=xlsx"]`), "href"))
		if err != nil || !href.Exists {
			t.Errorf("no export link on the list: %v", err)
		}
	})
}
