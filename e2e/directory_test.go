package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mamori/internal/auth"
	"mamori/internal/store"
)

// signInAdmin takes the administrator through the first sign-in: the
// one-time password, the forced change, the second factor (and its
// recovery codes), to the home page.
func signInAdmin(t *testing.T, ctx context.Context, srv *server, newPassword string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`input[name="login"]`)),
		chromedp.SendKeys(css(`input[name="login"]`), "admin"),
		chromedp.SendKeys(css(`input[name="password"]`), srv.AdminPassword),
		chromedp.Click(css(`button.primary`)),
		chromedp.WaitVisible(css(`input[name="current"]`)),
		chromedp.SendKeys(css(`input[name="current"]`), srv.AdminPassword),
		chromedp.SendKeys(css(`input[name="new"]`), newPassword),
		chromedp.SendKeys(css(`input[name="confirm"]`), newPassword),
		chromedp.Click(css(`button.primary`)),
		chromedp.WaitVisible(css(`#totp-secret`)),
	); err != nil {
		t.Fatal(err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(css(`#totp-secret`)))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, time.Now())
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(css(`input[name="code"]`), code),
		chromedp.Click(css(`button.primary`)),
		chromedp.WaitVisible(css(`ol.recovery-codes`)),
		chromedp.Click(css(`main a[href="/"]`)),
		chromedp.WaitVisible(css(`nav.main`)),
	); err != nil {
		t.Fatal(err)
	}
}

// TestAdminCreatesPersonWhoSignsIn: the administrator registers a member
// of staff with an account; the one-time password shown once lets the
// person sign in, who must change it first.
func TestAdminCreatesPersonWhoSignsIn(t *testing.T) {
	eachDB(t, func(t *testing.T, d store.Dialect) {
		srv := startServer(t, d, "fujieda")
		ctx := browser(t)
		signInAdmin(t, ctx, srv, "kanrisha-pasuwado-2026")
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/people/new"),
			chromedp.WaitVisible(css(`input[name="staff_no"]`)),
			chromedp.SendKeys(css(`input[name="staff_no"]`), "20270401"),
			chromedp.SendKeys(css(`input[name="name"]`), "新井 さくら"),
			chromedp.SendKeys(css(`input[name="kana"]`), "あらい さくら"),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`#one-time-password`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "新井 さくら", "今回しか表示されません")
		otp, err := chromedp.Run(ctx, chromedp.Text(css(`#one-time-password`)))
		if err != nil || len(otp) != 19 {
			t.Fatalf("one-time password %q, %v", otp, err)
		}
		// The list shows the new person.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/people?q=新井"),
			chromedp.WaitVisible(css(`#people-list`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "20270401", "新井 さくら")
		const chosen = "sakura-no-pasuwado"
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`form.signout button`)),
			chromedp.WaitVisible(css(`input[name="login"]`)),
			chromedp.SendKeys(css(`input[name="login"]`), "20270401"),
			chromedp.SendKeys(css(`input[name="password"]`), otp),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`input[name="current"]`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "仮パスワードでサインインしました")
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(css(`input[name="current"]`), otp),
			chromedp.SendKeys(css(`input[name="new"]`), chosen),
			chromedp.SendKeys(css(`input[name="confirm"]`), chosen),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`nav.main`)),
		); err != nil {
			t.Fatal(err)
		}
		mustContain(t, ctx, "新井 さくら さん、ようこそ")
		// The one-time password no longer signs in.
		if err := chromedp.Do(ctx,
			chromedp.Click(css(`form.signout button`)),
			chromedp.WaitVisible(css(`input[name="login"]`)),
			chromedp.SendKeys(css(`input[name="login"]`), "20270401"),
			chromedp.SendKeys(css(`input[name="password"]`), otp),
			chromedp.Click(css(`button.primary`)),
			chromedp.WaitVisible(css(`p.error`)),
		); err != nil {
			t.Fatal(err)
		}
	})
}
