package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/store"
)

var errSigninFailed = &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.failed"}

// signin checks a login and password and starts a session. Every failure
// answers alike — unknown organization, unknown login, wrong password,
// locked or suspended account — and takes as long, so the answer never
// tells which part was wrong.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	slug := strings.TrimSpace(r.PostFormValue("tenant"))
	login := strings.TrimSpace(r.PostFormValue("login"))
	pw := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	again := func(err error) error {
		d := signinData{Page: s.page(r, "signin.title", ""), Tenant: slug, Login: login, Next: next, Err: err}
		if ts, terr := s.store.Tenants(r.Context()); terr == nil && len(ts) == 1 {
			d.OneTenant = true
		}
		return s.render(w, r, http.StatusUnauthorized, "signin", d)
	}
	t, err := s.store.TenantBySlug(r.Context(), slug)
	if err != nil {
		auth.CheckNothing(pw)
		return again(errSigninFailed)
	}
	ctx := mamori.WithScope(r.Context(), mamori.Scope{Tenant: t.ID, ActorLabel: "signin:" + login, RequestID: requestIDFrom(r), ClientAddr: clientAddr(r)})
	acct, err := s.store.AccountByLogin(ctx, login)
	if err != nil {
		auth.CheckNothing(pw)
		return again(errSigninFailed)
	}
	now := s.store.Now()
	if acct.LockedUntil != nil && now.Before(*acct.LockedUntil) {
		auth.CheckNothing(pw)
		return again(errSigninFailed)
	}
	ok, err := auth.CheckPassword(acct.PasswordHash, pw)
	if err != nil {
		return err
	}
	if !ok || acct.Status != "active" {
		if err := s.store.RecordSigninFailure(ctx, acct.PersonID, s.lockFor(ctx, acct.FailedCount+1)); err != nil {
			return err
		}
		return again(errSigninFailed)
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	ctx = mamori.WithScope(r.Context(), mamori.Scope{Tenant: t.ID, ActorID: acct.PersonID, ActorLabel: login, RequestID: requestIDFrom(r), ClientAddr: clientAddr(r)})
	sess := &store.Session{ID: hash, PersonID: acct.PersonID, ExpiresAt: now.Add(s.cfg.SessionIdle), MFADone: !acct.TOTPEnabled}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	switch {
	case acct.MustChange:
		next = "/account/password"
	case acct.TOTPEnabled:
		next = "/signin/totp?next=" + next
	}
	s.redirect(w, r, next)
	return nil
}

// lockFor returns until when to lock an account after its failed-th
// consecutive failure, or nil.
func (s *Server) lockFor(ctx context.Context, failed int) *time.Time {
	d := auth.LockoutFor(failed, s.lockoutThreshold(ctx))
	if d == 0 {
		return nil
	}
	until := s.store.Now().Add(d)
	return &until
}

// lockoutThreshold is the active policy's number of failed attempts
// before a lock, or mamori's default where the policy names none.
func (s *Server) lockoutThreshold(ctx context.Context) int {
	pol, err := s.tenantPolicy(ctx)
	if err != nil || pol == nil || pol.Auth().Password.LockoutThreshold.Value <= 0 {
		return auth.DefaultLockoutThreshold
	}
	return pol.Auth().Password.LockoutThreshold.Value
}

// setSessionCookie sets a cookie without an expiry: it ends when the
// browser closes (shared counter PCs), and the server ends it sooner
// after idleness.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}
