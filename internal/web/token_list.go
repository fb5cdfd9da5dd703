package web

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/store"
)

// maxTokenLife is the longest an API token may live: integrations renew
// their tokens at least yearly.
const maxTokenLife = 366 * 24 * time.Hour

// maxTokensPerPerson bounds the live tokens one person holds.
const maxTokensPerPerson = 20

type tokenForm struct {
	Name    string
	Perms   []string
	Expires string
}

type tokenData struct {
	Page
	Tokens    []store.APIToken
	Choices   []string // the permissions the person holds: a token may have no more
	Form      tokenForm
	NewToken  string // shown once, right after creation
	NewName   string
	MaxExpiry string
	Now       time.Time
	Err       error
}

// Chosen reports whether the form has a permission ticked.
func (d tokenData) Chosen(p string) bool { return slices.Contains(d.Form.Perms, p) }

// Live reports whether a token still works.
func (d tokenData) Live(t store.APIToken) bool {
	return t.RevokedAt == nil && d.Now.Before(t.ExpiresAt)
}

// tokenList shows the person's API tokens and the form to create one.
func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) error {
	if err := noToken(principalFrom(r)); err != nil {
		return err
	}
	exp := directory.FormatDate(s.now().Add(90 * 24 * time.Hour))
	return s.renderTokens(w, r, http.StatusOK, tokenData{Form: tokenForm{Expires: exp}})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokenData) error {
	p := principalFrom(r)
	ts, err := s.store.APITokens(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	d.Page, d.Tokens, d.Now = s.page(r, "token.title", "account"), ts, s.now()
	for perm := range p.Perms {
		d.Choices = append(d.Choices, perm)
	}
	sort.Strings(d.Choices)
	d.MaxExpiry = directory.FormatDate(s.now().Add(maxTokenLife - 24*time.Hour))
	return s.render(w, r, status, "account_tokens", d)
}

// tokenCreate makes an API token: with a name, some of the permissions the
// person holds (never more; and at use it never has more than the person
// holds then), and an expiry within a year. The token is shown once; only
// its hash is kept.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	form := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Perms: r.PostForm["perms"], Expires: r.PostFormValue("expires")}
	t, err := s.tokenFromForm(r, p, form)
	if err != nil {
		return s.renderTokens(w, r, statusOf(codeOf(err)), tokenData{Form: form, Err: err})
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	t.TokenHash = hash
	if err := s.store.CreateAPIToken(r.Context(), t); err != nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusOK, tokenData{Form: tokenForm{Expires: form.Expires}, NewToken: token, NewName: t.Name})
}

func (s *Server) tokenFromForm(r *http.Request, p *auth.Principal, form tokenForm) (*store.APIToken, error) {
	if form.Name == "" || len([]rune(form.Name)) > 100 {
		return nil, mamori.FieldError("name", "token.name_invalid", nil)
	}
	if len(form.Perms) == 0 {
		return nil, mamori.FieldError("perms", "token.perms_required", nil)
	}
	var perms []string
	for _, perm := range form.Perms {
		if !p.Can(perm) {
			return nil, mamori.FieldError("perms", "token.perm_not_held", map[string]any{"Perm": perm})
		}
		if !slices.Contains(perms, perm) {
			perms = append(perms, perm)
		}
	}
	sort.Strings(perms)
	day, err := formDate(r, "expires")
	if err != nil {
		return nil, err
	}
	now := s.now()
	if day.IsZero() {
		return nil, mamori.FieldError("expires", "token.expiry_invalid", nil)
	}
	expires := directory.DayAfter(day)
	if !expires.After(now) || expires.Sub(now) > maxTokenLife {
		return nil, mamori.FieldError("expires", "token.expiry_invalid", nil)
	}
	ts, err := s.store.APITokens(r.Context(), p.PersonID)
	if err != nil {
		return nil, err
	}
	live := 0
	for _, t := range ts {
		if t.RevokedAt == nil && now.Before(t.ExpiresAt) {
			live++
		}
	}
	if live >= maxTokensPerPerson {
		return nil, &mamori.Error{Code: mamori.ECONFLICT, Message: "token.too_many", Args: map[string]any{"Max": maxTokensPerPerson}}
	}
	return &store.APIToken{PersonID: p.PersonID, Name: form.Name, Permissions: perms, ExpiresAt: expires}, nil
}

// tokenRevoke ends one of the person's tokens at once.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIToken(r.Context(), id, p.PersonID); err != nil {
		return err
	}
	s.redirect(w, r, "/account/tokens?flash=token_revoked")
	return nil
}

// personTokenRevoke lets a directory manager end another person's token
// (found in a review, or a leaver's integration).
func (s *Server) personTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	tid, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIToken(r.Context(), tid, p.ID); err != nil {
		if isUserError(err) {
			return s.renderPerson(w, r, statusOf(codeOf(err)), p.ID, err)
		}
		return err
	}
	s.redirect(w, r, "/people/"+strconv.FormatInt(p.ID, 10)+"?flash=token_revoked")
	return nil
}
