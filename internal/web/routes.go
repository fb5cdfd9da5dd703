package web

import (
	"net/http"

	"mamori/internal/policy"
)

// registerRoutes lists every route of mamori in one place, each with the
// access it needs. Areas keep their routes in their own block.
func (s *Server) registerRoutes() {
	// Operations and static files.
	static := http.StripPrefix("/static/", serveStatic())
	s.handle("GET /static/", Public, func(w http.ResponseWriter, r *http.Request) error {
		static.ServeHTTP(w, r)
		return nil
	})
	s.handle("GET /healthz", Public, s.healthz)
	s.handle("GET /readyz", Public, s.readyz)
	s.handle("GET /metrics", Public, s.metricsPage)

	// Sign-in and the person's own account.
	s.handle("GET /signin", Public, s.signinForm)
	s.handle("POST /signin", Public, s.signin)
	s.handle("GET /signin/totp", SignedIn, s.signinTOTPForm)
	s.handle("POST /signin/totp", SignedIn, s.signinTOTP)
	s.handle("POST /signout", SignedIn, s.signout)
	s.handle("POST /signout/everywhere", SignedIn, s.signoutEverywhere)
	s.handle("GET /account/password", SignedIn, s.passwordForm)
	s.handle("POST /account/password", SignedIn, s.passwordChange)
	s.handle("GET /account/totp", SignedIn, s.totpEnrolForm)
	s.handle("POST /account/totp", SignedIn, s.totpEnrol)
	s.handle("POST /lang", Public, s.setLang)

	// Home and the log.
	s.handle("GET /{$}", Member, s.home)
	s.handle("GET /log", Perm(policy.PermLogRead), s.logList)

	// The policy: read it, its versions and their differences; adopt a new version.
	s.handle("GET /policy", Perm(policy.PermPolicyRead), s.policyShow)
	s.handle("GET /policy/versions", Perm(policy.PermPolicyRead), s.policyVersions)
	s.handle("POST /policy/versions", Perm(policy.PermPolicyManage), s.policyActivate)
	s.handle("GET /policy/versions/{id}/source", Perm(policy.PermPolicyRead), s.policySource)
	s.handle("GET /policy/diff", Perm(policy.PermPolicyRead), s.policyDiff)
	s.handle("POST /api/v1/decisions", Perm(policy.PermPolicyRead), s.apiDecide)

	// JSON API.
	s.handle("GET /api/v1/me", Member, s.apiMe)
	s.handle("GET /api/v1/events", Perm(policy.PermLogRead), s.apiEvents)
	s.handle("GET /api/v1/openapi.yaml", Public, s.apiOpenAPI)

	// Anything else is not found (a page, or JSON under /api/).
	s.handle("/", Public, s.notFound)
}
