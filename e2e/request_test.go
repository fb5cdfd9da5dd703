package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
)

// fujiedaSection creates, through the store of the running server's
// database, a department and its section (総務部・総務課), a member of
// staff, the section's 課長 (情報セキュリティ管理者) and the department's
// 部長 (情報セキュリティ責任者), each able to sign in, and a 機密性2 USB
// medium of the section.
func fujiedaSection(t *testing.T, srv *server) (st *store.Store, ctx context.Context, usb *asset.Asset) {
	t.Helper()
	st, err := store.Open(context.Background(), srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn, err := st.TenantBySlug(context.Background(), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	ctx = mamori.WithScope(context.Background(), mamori.Scope{Tenant: tn.ID, ActorLabel: "e2e", RequestID: "e2e"})
	dept := &directory.Unit{Code: "somu", Name: "総務部", Kind: directory.UnitDepartment}
	if err := st.CreateUnit(ctx, dept); err != nil {
		t.Fatal(err)
	}
	sec := &directory.Unit{Code: "somu-ka", Name: "総務課", Kind: directory.UnitSection, ParentID: dept.ID}
	if err := st.CreateUnit(ctx, sec); err != nil {
		t.Fatal(err)
	}
	people := map[string]*directory.Person{}
	for _, p := range []struct {
		login, name, role string
		unit              *directory.Unit
	}{
		{"tanaka", "田中 一郎", "", sec},
		{"suzuki", "鈴木 課長", "security_manager", sec},
		{"sato", "佐藤 部長", "security_officer", dept},
	} {
		person := &directory.Person{StaffNo: p.login, Name: p.name, Kind: directory.KindStaff, UnitID: p.unit.ID}
		hash, _ := auth.HashPassword(p.login + "-password-2026")
		if err := st.CreatePersonWithAccount(ctx, person, p.login, hash); err != nil {
			t.Fatal(err)
		}
		if err := st.SetPassword(ctx, person.ID, hash, false); err != nil {
			t.Fatal(err)
		}
		if p.role != "" {
			if err := st.AssignRole(ctx, &directory.Assignment{PersonID: person.ID, Role: p.role, UnitID: p.unit.ID, ValidFrom: time.Now().AddDate(-1, 0, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		people[p.login] = person
	}
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	usb = &asset.Asset{Number: "M-001", Name: "USBメモリ（説明会資料）", Kind: asset.KindMedium, UnitID: sec.ID, State: asset.StateInUse,
		Levels: asset.Levels{"confidentiality": "2", "integrity": "2", "availability": "2"}}
	if err := st.CreateAsset(ctx, usb, asset.NewClassifier(pol)); err != nil {
		t.Fatal(err)
	}
	return st, ctx, usb
}

// signIn signs a member of staff in (the one organization of the server
// needs no code).
func signIn(t *testing.T, ctx context.Context, srv *server, login string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.WaitVisible(css(`input[name="login"]`)),
		chromedp.SendKeys(css(`input[name="login"]`), login),
		chromedp.SendKeys(css(`input[name="password"]`), login+"-password-2026"),
		chromedp.Click(css(`button.primary`)),
		chromedp.WaitVisible(css(`nav.main`)),
	); err != nil {
		t.Fatalf("sign in as %s: %v", login, err)
	}
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`form.signout button`)),
		chromedp.WaitVisible(css(`input[name="login"]`)),
	); err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// takeOutForm fills the take-out form for the asset and waits for the
// policy's preview of it.
func takeOutForm(t *testing.T, ctx context.Context, srv *server, assetID int64) {
	t.Helper()
	now := time.Now().In(i18n.Tokyo)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/requests/new"),
		chromedp.WaitVisible(css(`a[href="/requests/new?kind=take_out"]`)),
		chromedp.Click(css(`a[href="/requests/new?kind=take_out"]`)),
		chromedp.WaitVisible(css(`input[name="f.purpose"]`)),
		chromedp.SendKeys(css(`input[name="f.purpose"]`), "住民説明会での説明"),
		chromedp.SendKeys(css(`input[name="f.destination"]`), "藤枝市民会館"),
		chromedp.SetValue(css(`input[name="f.start_at"]`), now.Format("2006-01-02")+"T09:00"),
		chromedp.SetValue(css(`input[name="f.return_date"]`), now.AddDate(0, 0, 1).Format("2006-01-02")),
		// Ticking the asset is a change: htmx asks the policy again.
		chromedp.Click(css(fmt.Sprintf(`input[name="f.assets"][value="%d"]`, assetID))),
		chromedp.WaitVisible(css(`#preview .badge.approve`)),
	); err != nil {
		t.Fatalf("fill the take-out form: %v", err)
	}
}

// TestTakeOutApprovedAndReturned: a 藤枝市 member of staff asks to take a
// 機密性2 USB medium out; before submitting they see that their 課長 (the
// section's 情報セキュリティ管理者) must approve, under 第2章 6(1)③ア. The
// 課長 approves from their queue; the taking-out and the return are
// recorded. The 課長's own take-out goes to the 部長, and the 課長 trying
// to approve it themselves is refused (第2章 4(3)).
func TestTakeOutApprovedAndReturned(t *testing.T) {
	eachDB(t, func(t *testing.T, d store.Dialect) {
		srv := startServer(t, d, "fujieda")
		st, sctx, usb := fujiedaSection(t, srv)
		ctx := browser(t)

		signIn(t, ctx, srv, "tanaka")
		takeOutForm(t, ctx, srv, usb.ID)
		preview, err := chromedp.Run(ctx, chromedp.Text(css(`#preview`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"承認が必要", "鈴木 課長", "第2章 6(1)③ア", "情報資産持ち出し記録簿"} {
			if !strings.Contains(preview, w) {
				t.Fatalf("the preview does not show %q: %s", w, preview)
			}
		}
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#request-form button.primary`)),
			chromedp.WaitVisible(css(`#request-status`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "申請しました", "承認待ち", "情報セキュリティ管理者（総務課）")
		signOut(t, ctx)

		signIn(t, ctx, srv, "suzuki")
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/requests/queue"),
			chromedp.WaitVisible(css(`#requests`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "田中 一郎", "USBメモリ（説明会資料）")
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#requests a[href="/requests/1"]`)),
			chromedp.WaitVisible(css(`#decide`)),
			chromedp.Click(css(`#decide button[value="approve"]`)),
			chromedp.WaitVisible(css(`p.flash`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "承認しました", "承認済み", "鈴木 課長")
		signOut(t, ctx)

		// The taking-out, then the return, recorded on the request's page.
		signIn(t, ctx, srv, "tanaka")
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/requests/1"),
			chromedp.WaitVisible(css(`#report-execution`)),
			chromedp.SendKeys(css(`#report-execution textarea[name="content"]`), "USBメモリを施錠した鞄に入れて持ち出した"),
			chromedp.Click(css(`#report-execution button.primary`)),
			chromedp.WaitVisible(css(`#report-return`)),
			chromedp.Click(css(`#report-return button.primary`)),
			// The page before already shows a notice (of the execution
			// report): wait for the one without the return form.
			chromedp.WaitNotPresent(css(`#report-return`)),
			chromedp.WaitVisible(css(`p.flash`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "報告を記録しました", "完了", "USBメモリを施錠した鞄に入れて持ち出した", "第2章 6(1)③イ", "返却を報告しました")
		r, err := st.Request(sctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.StatusCompleted || len(r.Reports) != 2 || r.ReturnedAt == nil || r.KeepUntil == nil || r.KeepUntil.Year() != time.Now().Year()+5 {
			t.Fatalf("stored request: %s, %d reports, returned %v, keep until %v", r.Status, len(r.Reports), r.ReturnedAt, r.KeepUntil)
		}
		signOut(t, ctx)

		// The 課長's own take-out: routed past them, to the 部長.
		signIn(t, ctx, srv, "suzuki")
		takeOutForm(t, ctx, srv, usb.ID)
		mustContain(t, ctx, "佐藤 部長", "兼務の禁止")
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`#request-form button.primary`)),
			chromedp.WaitVisible(css(`#request-status`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "承認待ち", "情報セキュリティ責任者")
		forms, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#decide").length`))
		if err != nil {
			t.Fatal(err)
		}
		if forms != 0 {
			t.Fatal("the applicant is offered the decision on their own request")
		}
		// Trying anyway (a hand-made form post from their own session).
		answer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/requests/2/decision", {method: "POST",
			headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]},
			body: "outcome=approve&round=1&step=1"}).then(r => r.text().then(t => r.status + " " + t))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(answer, "403 ") || !strings.Contains(answer, "申請者自身は承認・許可できません") || !strings.Contains(answer, "第2章 4(3)") {
			t.Fatalf("self-approval answered: %.600s", answer)
		}
		if r, err := st.Request(sctx, 2); err != nil || r.Status != request.StatusPending || r.Steps[0].DecidedBy != 0 {
			t.Fatalf("after the refused self-approval: %+v, %v", r, err)
		}
	})
}
