package mamori

import "context"

// TenantID identifies one organization (a municipality or a regional union).
type TenantID int64

// Scope says for which tenant and by whom work is done. The web layer sets
// it once per request; the store reads it to scope every query and to sign
// every event. A context without a scope cannot reach tenant data.
type Scope struct {
	Tenant     TenantID
	ActorID    int64  // person id; 0 for the system or an anonymous reporter
	ActorLabel string // shown in the log: a name, "system", "public form"
	RequestID  string
	ClientAddr string
	Lang       string // "ja" or "en"
}

type scopeKey struct{}

// WithScope returns a context carrying s.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeFrom returns the scope in ctx, if any.
func ScopeFrom(ctx context.Context) (Scope, bool) {
	s, ok := ctx.Value(scopeKey{}).(Scope)
	return s, ok && s.Tenant != 0
}
