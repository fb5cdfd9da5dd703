package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/store"
)

// csirtMember adds to the server's database a section and a person who
// holds its 情報セキュリティ管理者 role — the triage role of 藤枝市's
// profile (第2章4(2)②ウ) — with a password already set.
func csirtMember(t *testing.T, srv *server, login, password string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.TenantBySlug(ctx, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	ctx = mamori.WithScope(ctx, mamori.Scope{Tenant: tn.ID, ActorLabel: "e2e setup", RequestID: "e2e"})
	u := &directory.Unit{Code: "johoseisaku", Name: "情報政策課", Kind: directory.UnitSection}
	if err := st.CreateUnit(ctx, u); err != nil {
		t.Fatal(err)
	}
	p := &directory.Person{StaffNo: login, Name: "情報 守", Kind: directory.KindStaff, UnitID: u.ID}
	hash, _ := auth.HashPassword(password)
	if err := st.CreatePersonWithAccount(ctx, p, login, hash); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, p.ID, hash, false); err != nil {
		t.Fatal(err)
	}
	if err := st.AssignRole(ctx, &directory.Assignment{PersonID: p.ID, Role: "security_manager", UnitID: u.ID, ValidFrom: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

var receiptRe = regexp.MustCompile(`^[0-9]{8}-[0-9A-Z]{4}-[0-9A-Z]{4}$`)

// TestIncidentFromResidentToClose: a resident reports through the public
// form and keeps the receipt number; a member of the CSIRT (the person
// holding the triage role) finds the report, judges it a breach, records
// the containment and the investigation, is told what remains when trying
// to close too early, completes the policy's steps and closes it; the
// timeline shows every step with its time.
func TestIncidentFromResidentToClose(t *testing.T) {
	eachDB(t, func(t *testing.T, d store.Dialect) {
		srv := startServer(t, d, "fujieda")
		const login, password = "csirt1", "csirt-password-2026"
		csirtMember(t, srv, login, password)
		ctx := browser(t)

		// The resident: no sign-in.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/report"),
			chromedp.WaitVisible(css(`textarea[name="description"]`)),
			chromedp.SetValue(css(`select[name="category"]`), "suspected"),
			chromedp.SendKeys(css(`textarea[name="description"]`), "<script>alert(1)</script> 市のサイトに他人の住所が表示されています"),
			chromedp.SendKeys(css(`input[name="name"]`), "住民 太郎"),
			chromedp.SendKeys(css(`input[name="contact"]`), "090-0000-0000"),
			chromedp.Sleep(3500*time.Millisecond), // a person takes longer than the form's minimum
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`#receipt`)),
		); err != nil {
			t.Fatal(err)
		}
		receipt, err := chromedp.Run(ctx, chromedp.Text(css(`#receipt`)))
		if err != nil || !receiptRe.MatchString(receipt) {
			t.Fatalf("receipt %q: %v", receipt, err)
		}
		mustContain(t, ctx, "受け付けました", "この番号を控えてください")

		// The CSIRT member signs in and finds the report.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/signin"),
			chromedp.WaitVisible(css(`input[name="login"]`)),
			chromedp.SendKeys(css(`input[name="login"]`), login),
			chromedp.SendKeys(css(`input[name="password"]`), password),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`nav.main`)),
			chromedp.Navigate(srv.URL+"/incidents?q="+receipt),
			chromedp.WaitVisible(css(`table.list`)),
			chromedp.Click(`//a[text()="`+receipt+`"]`),
			chromedp.WaitVisible(css(`#triage`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "<script>alert(1)</script>", "住民等からの報告", "住民 太郎")
		if n := count(t, ctx, `script:not([src])`); n != 0 {
			t.Fatalf("the resident's script became %d script elements", n)
		}

		// Triage: a breach.
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`input[name="triage"][value="breach"]`)),
			chromedp.SetValue(css(`#triage select[name="severity"]`), "high"),
			chromedp.SendKeys(css(`#triage textarea[name="note"]`), "第三者の住所が閲覧可能"),
			clearFlash(),
			chromedp.Click(css(`#triage-submit`)),
			chromedp.WaitVisible(css(`p.flash`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "情報セキュリティ上の侵害")

		// Containment and investigation.
		record := func(kind string, acts ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			sel := "#entry-" + kind
			all := append([]chromedp.Action[chromedp.Void]{chromedp.Click(css(sel + " summary")), chromedp.WaitVisible(css(sel + " button.primary"))}, acts...)
			all = append(all, clearFlash(), chromedp.Click(css(sel+" button.primary")), chromedp.WaitVisible(css(`p.flash`)))
			if err := chromedp.Do(ctx, all...); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
		record("containment",
			chromedp.SetValue(css(`#entry-containment select[name="containment"]`), "stop_system"),
			chromedp.SendKeys(css(`#entry-containment textarea[name="body"]`), "公開サーバを停止した"))
		record("investigation",
			chromedp.SendKeys(css(`#entry-investigation textarea[name="what"]`), "住所の誤表示"),
			chromedp.SendKeys(css(`#entry-investigation textarea[name="cause"]`), "CMS の公開設定の誤り"),
			chromedp.SendKeys(css(`#entry-investigation textarea[name="damage"]`), "3名の住所"),
			chromedp.SendKeys(css(`#entry-investigation textarea[name="scope"]`), "公開ページ1件"),
			chromedp.SetValue(css(`#entry-investigation select[name="step"]`), "investigate"))
		mustContain(t, ctx, "CMS の公開設定の誤り")

		// Closing too early is refused, naming what remains.
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`#close textarea[name="review"]`), "まだ早い"),
			clearFlash(),
			chromedp.Click(css(`#close-submit`)),
			chromedp.WaitVisible(css(`#close-error`)),
		); err != nil {
			t.Fatal(err)
		}
		msg, _ := chromedp.Run(ctx, chromedp.Text(css(`#close-error`)))
		if !strings.Contains(msg, "終了できません") || !strings.Contains(msg, "調査の記録を保存する") {
			t.Fatalf("early close said %q", msg)
		}

		// The policy's remaining steps, one by one.
		for n := count(t, ctx, `button.step-done`); n > 0; n = count(t, ctx, `button.step-done`) {
			if err := chromedp.Do(ctx, clearFlash(), chromedp.Click(css(`button.step-done`)), chromedp.WaitVisible(css(`p.flash`))); err != nil {
				t.Fatal(err)
			}
			if n > 10 {
				t.Fatal("steps do not get done")
			}
		}
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`#close textarea[name="review"]`), "公開前の確認手順を追加した"),
			clearFlash(),
			chromedp.Click(css(`#close-submit`)),
			chromedp.WaitVisible(css(`p.flash`)),
		); err != nil {
			t.Fatal(err)
		}
		status, _ := chromedp.Run(ctx, chromedp.Text(css(`#status`)))
		if status != "終了" {
			t.Fatalf("status %q after closing", status)
		}

		// The timeline: every step, each with its time.
		classes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#timeline-table tbody tr')).map(r => r.className)`))
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, c := range classes {
			kinds[strings.TrimPrefix(c, "entry-")] = true
		}
		for _, k := range []string{"report", "notice", "triage", "breach_notice", "containment", "investigation", "step", "close"} {
			if !kinds[k] {
				t.Errorf("the timeline has no %s entry (has %v)", k, kinds)
			}
		}
		texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#timeline-table tbody tr')).map(r => { const t = r.querySelector('time'); return t ? t.textContent : '' })`))
		if err != nil {
			t.Fatal(err)
		}
		dateRe := regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$`)
		for i, s := range texts {
			if !dateRe.MatchString(s) {
				t.Errorf("timeline row %d (%s) shows time %q", i, classes[i], s)
			}
		}
		rows := texts
		t.Logf("timeline of %s: %d entries", receipt, len(rows))
	})
}

// count is how many elements match sel.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// clearFlash removes the notice of the last action, so that waiting for
// the next one waits for the next page rather than finding this one.
func clearFlash() chromedp.Action[chromedp.Void] {
	eval := chromedp.Evaluate[bool](`(() => { document.querySelectorAll('p.flash, #close-error').forEach(e => e.remove()); return true })()`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := eval(ctx, t)
		return chromedp.Void{}, err
	}
}
