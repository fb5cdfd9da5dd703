package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mamori/internal/auth"
	"mamori/internal/store"
)

// TestFirstSignIn: the administrator signs in with the one-time password,
// is made to change it and to enrol a second factor, signs out, and signs
// in again with password and code.
func TestFirstSignIn(t *testing.T) {
	eachDB(t, func(t *testing.T, d store.Dialect) {
		srv := startServer(t, d, "fujieda")
		ctx := browser(t)
		const newPassword = "kawaru-pasuwado-2026"
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(css(`input[name="login"]`)),
			chromedp.SendKeys(css(`input[name="login"]`), "admin"),
			chromedp.SendKeys(css(`input[name="password"]`), srv.AdminPassword),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`input[name="current"]`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "仮パスワードでサインインしました")
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`input[name="current"]`), srv.AdminPassword),
			chromedp.SendKeys(css(`input[name="new"]`), newPassword),
			chromedp.SendKeys(css(`input[name="confirm"]`), newPassword),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`#totp-secret`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "二要素認証が必要です")
		secret, err := chromedp.Run(ctx, chromedp.Text(css(`#totp-secret`)))
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(secret, time.Now())
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`input[name="code"]`), code),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`p.flash`)),
		); err != nil {
			t.Fatal(err)
		}
		// Enrolment answers with the recovery codes, shown once.
		mustContain(t, ctx, "二要素認証を設定しました", "回復コード")
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`main a[href="/"]`)),
			chromedp.WaitVisible(css(`nav.main`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "システム管理者")
		// Sign out, then in again: the code is asked for.
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`form.signout button`)),
			chromedp.WaitVisible(css(`input[name="login"]`)),
			chromedp.SendKeys(css(`input[name="login"]`), "admin"),
			chromedp.SendKeys(css(`input[name="password"]`), newPassword),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`input[name="code"]`)),
		); err != nil {
			t.Fatal(err)
		}
		code, _ = auth.TOTPCode(secret, time.Now())
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`input[name="code"]`), code),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`nav.main`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "ようこそ")
	})
}
