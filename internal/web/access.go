package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/store"
)

// Access is what a route requires. Besides the policy's permissions
// (policy.Permission values such as "asset.read") there are three levels
// that need no permission.
type Access string

const (
	Public   Access = "public"    // anyone: sign-in, the public report form, health checks
	SignedIn Access = "signed_in" // a signed-in person, even one who must still change a temporary password
	Member   Access = "member"    // a signed-in person who has completed sign-in (password changed, second factor done)
)

// Perm requires a permission of the active policy.
func Perm(p policy.Permission) Access { return Access(p) }

// AnyPerm requires one of several permissions (registering an asset needs
// asset.write for one's own units or asset.manage for all).
func AnyPerm(ps ...policy.Permission) Access {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = string(p)
	}
	return Access(strings.Join(parts, "|"))
}

// Permissions returns the permissions an access level names, any one of
// which admits; none for Public, SignedIn and Member.
func (a Access) Permissions() []policy.Permission {
	switch a {
	case Public, SignedIn, Member, "":
		return nil
	}
	var out []policy.Permission
	for _, p := range strings.Split(string(a), "|") {
		out = append(out, policy.Permission(p))
	}
	return out
}

// Route is a registered route and what it declares it needs. Every route
// declares one: deny is the default, and a test walks Routes() to hold
// every route to it.
type Route struct {
	Method  string
	Path    string
	Access  Access
	API     bool
	Summary string // for the OpenAPI check: what the operation does
}

// handlerFunc is a handler that returns its error for s.fail to show.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers pattern ("METHOD /path") guarded by access.
func (s *Server) handle(pattern string, access Access, h handlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern // any method
	}
	if access == "" {
		panic("route " + pattern + " declares no access")
	}
	rt := Route{Method: method, Path: path, Access: access, API: strings.HasPrefix(path, "/api/")}
	s.routes = append(s.routes, rt)
	s.mux.Handle(pattern, s.guard(rt, h))
}

const sessionCookie = "mamori_session"

var (
	errCSRF           = &mamori.Error{Code: mamori.EFORBIDDEN, Message: "error.csrf"}
	errUnauthorized   = &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "error.unauthorized"}
	errForbidden      = &mamori.Error{Code: mamori.EFORBIDDEN, Message: "error.forbidden"}
	errPasswordChange = &mamori.Error{Code: mamori.EFORBIDDEN, Message: "auth.password_change_required"}
	errMFARequired    = &mamori.Error{Code: mamori.EFORBIDDEN, Message: "auth.mfa_required"}
)

// guard authenticates, checks CSRF and the route's access, and scopes the
// request to the principal's tenant before the handler runs.
func (s *Server) guard(rt Route, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, token, err := s.authenticate(r)
		if err != nil && rt.Access != Public {
			s.fail(w, r, err)
			return
		}
		if p != nil {
			r = r.WithContext(withValue(r.Context(), keyPrincipal, p))
			r = r.WithContext(mamori.WithScope(r.Context(), s.scopeFor(r, p)))
			if token != "" && !isSafe(r.Method) && !auth.CheckCSRF(token, csrfFrom(r)) {
				s.fail(w, r, errCSRF)
				return
			}
		}
		if err := checkAccess(rt, p); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func checkAccess(rt Route, p *auth.Principal) error {
	if rt.Access == Public {
		return nil
	}
	if p == nil {
		return errUnauthorized
	}
	if rt.Access == SignedIn {
		return nil
	}
	if p.MustChange {
		return errPasswordChange
	}
	if p.NeedsMFA || p.MustEnrol {
		return errMFARequired
	}
	if rt.Access == Member {
		return nil
	}
	var needs i18n.IDs
	for _, perm := range rt.Access.Permissions() {
		if p.Can(string(perm)) {
			return nil
		}
		needs = append(needs, "perm."+string(perm))
	}
	return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "error.forbidden_needs", Args: map[string]any{"Perms": needs}}
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// csrfFrom reads the submitted anti-forgery token: a form field for pages,
// a header for htmx and JSON calls.
func csrfFrom(r *http.Request) string {
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.ParseMultipartForm(32 << 20)
	}
	return r.PostFormValue("csrf")
}

// authenticate finds the principal of a request: an API token in the
// Authorization header, or a session cookie. It returns the session token
// (for the CSRF check; "" for API tokens, which a browser never sends on
// its own). No credentials at all is not an error for public routes.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, string, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		bearer, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, "", errUnauthorized
		}
		t, err := s.store.APITokenByHash(ctx, auth.HashToken(strings.TrimSpace(bearer)))
		if err != nil {
			return nil, "", err
		}
		p, err := s.loadPrincipal(ctx, t.Tenant, t.PersonID)
		if err != nil {
			return nil, "", err
		}
		// A token acts with at most the permissions it was given, and never
		// more than its person holds now.
		scoped := map[string]bool{}
		for _, perm := range t.Permissions {
			if p.Perms[perm] {
				scoped[perm] = true
			}
		}
		p.Perms, p.TokenID = scoped, t.ID
		p.MustChange, p.NeedsMFA, p.MustEnrol = false, false, false
		return p, "", nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, "", errUnauthorized
	}
	sess, err := s.store.SessionByToken(ctx, auth.HashToken(c.Value))
	if err != nil {
		return nil, "", err
	}
	p, err := s.loadPrincipal(ctx, sess.Tenant, sess.PersonID)
	if err != nil {
		return nil, "", err
	}
	p.SessionID = sess.ID
	if p.MFAEnabled && !sess.MFADone {
		p.NeedsMFA = true
	}
	s.touch(ctx, sess)
	return p, c.Value, nil
}

// touch extends an idle session, at most once a minute per session so that
// reading pages does not turn into a stream of writes.
func (s *Server) touch(ctx context.Context, sess *store.Session) {
	now := s.store.Now()
	if now.Sub(sess.SeenAt) < time.Minute {
		return
	}
	expires := now.Add(s.cfg.SessionIdle)
	if latest := sess.CreatedAt.Add(s.cfg.SessionMax); expires.After(latest) {
		expires = latest
	}
	sctx := mamori.WithScope(ctx, mamori.Scope{Tenant: sess.Tenant, ActorID: sess.PersonID})
	if err := s.store.TouchSession(sctx, sess.ID, expires); err != nil {
		s.log.Warn("touch session", "err", err)
	}
}

// loadPrincipal builds the principal of a person in a tenant: their roles
// today and the permissions the active policy grants those roles. A person
// whose rights are suspended, or who has left, is refused here, on every
// request, so suspension takes effect at once.
func (s *Server) loadPrincipal(ctx context.Context, tenant mamori.TenantID, personID int64) (*auth.Principal, error) {
	sctx := mamori.WithScope(ctx, mamori.Scope{Tenant: tenant, ActorID: personID})
	who, err := s.store.Who(sctx, personID)
	if err != nil {
		return nil, err
	}
	if who.Person.Status != "active" {
		return nil, &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "auth.suspended"}
	}
	p := &auth.Principal{
		Tenant:          int64(tenant),
		TenantSlug:      who.TenantSlug,
		TenantName:      who.TenantName,
		PersonID:        personID,
		Name:            who.Person.Name,
		UnitID:          who.Person.UnitID,
		IsAdmin:         who.Person.IsAdmin,
		MustChange:      who.MustChange,
		MFAEnabled:      who.TOTPEnabled,
		PolicyVersionID: who.PolicyVersionID,
		PolicyHash:      who.PolicyHash,
		Perms:           map[string]bool{},
	}
	p.Segments = who.Segments
	roleIDs := make([]string, 0, len(who.Roles))
	for _, h := range who.Roles {
		p.Roles = append(p.Roles, auth.RoleHolding{Role: h.Role, UnitID: h.UnitID})
		roleIDs = append(roleIDs, h.Role)
	}
	pol, err := s.policies.get(sctx, s.store, who.PolicyVersionID, who.PolicyHash)
	if err != nil {
		return nil, err
	}
	if p.IsAdmin {
		for _, perm := range policy.Permissions {
			p.Perms[string(perm)] = true
		}
	} else if pol != nil {
		for _, perm := range pol.Grants(append(pol.BaselineRoles(), roleIDs...)...) {
			p.Perms[string(perm)] = true
		}
	}
	if pol != nil && !p.MFAEnabled && requiresMFA(pol, p) {
		p.MustEnrol = true
	}
	// A password older than the policy allows must be changed before
	// anything else, as a temporary one is (下條村 第2章7(7)5).
	if auth.RulesFrom(pol).Expired(who.PasswordChangedAt, s.store.Now()) && !p.MustChange {
		p.MustChange, p.PasswordExpired = true, true
	}
	return p, nil
}

func (s *Server) scopeFor(r *http.Request, p *auth.Principal) mamori.Scope {
	return mamori.Scope{
		Tenant:     mamori.TenantID(p.Tenant),
		ActorID:    p.PersonID,
		ActorLabel: p.Name,
		RequestID:  requestIDFrom(r),
		ClientAddr: clientAddr(r),
		Lang:       langOf(r),
	}
}

// principalFrom returns the principal of an authenticated request.
func principalFrom(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(keyPrincipal).(*auth.Principal)
	return p
}

func requestIDFrom(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

func withValue(ctx context.Context, k ctxKey, v any) context.Context {
	return context.WithValue(ctx, k, v)
}

// signinURL sends a person to sign in and then back where they were.
func signinURL(r *http.Request) string {
	if r.Method != http.MethodGet || r.URL.Path == "/" {
		return "/signin"
	}
	return "/signin?next=" + url.QueryEscape(r.URL.RequestURI())
}
