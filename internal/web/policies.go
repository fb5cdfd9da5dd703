package web

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/policy"
	"mamori/internal/store"
)

// policyCache keeps compiled policy versions by the hash of their source.
// A version never changes once stored, so the cache is safe to share
// between requests and needs no invalidation when another server activates
// a new version: the new version has a new hash.
type policyCache struct {
	mu     sync.Mutex
	byHash map[string]*policy.Policy
}

func newPolicyCache() *policyCache {
	return &policyCache{byHash: map[string]*policy.Policy{}}
}

func (c *policyCache) get(ctx context.Context, st *store.Store, versionID int64, hash string) (*policy.Policy, error) {
	if versionID == 0 {
		return nil, nil
	}
	c.mu.Lock()
	p := c.byHash[hash]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	pv, err := st.PolicyVersion(ctx, versionID)
	if err != nil {
		return nil, err
	}
	p, err = policy.Load(pv.Profile+".yaml", []byte(pv.Source))
	if err != nil {
		return nil, fmt.Errorf("compile policy version %d (%s %s): %w", versionID, pv.Profile, pv.Version, err)
	}
	c.mu.Lock()
	c.byHash[hash] = p
	c.mu.Unlock()
	return p, nil
}

// tenantPolicy returns the active policy of the tenant in ctx's scope,
// for requests that have no principal yet (sign-in, the public form).
func (s *Server) tenantPolicy(ctx context.Context) (*policy.Policy, error) {
	pv, err := s.store.ActivePolicy(ctx)
	if err != nil {
		return nil, err
	}
	return s.policies.get(ctx, s.store, pv.ID, pv.SourceHash)
}

// activePolicy returns the policy the request's principal acts under.
func (s *Server) activePolicy(r *http.Request) (*policy.Policy, error) {
	p := principalFrom(r)
	if p == nil {
		return nil, errUnauthorized
	}
	pol, err := s.policies.get(r.Context(), s.store, p.PolicyVersionID, p.PolicyHash)
	if err != nil {
		return nil, err
	}
	if pol == nil {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "policy.none_active"}
	}
	return pol, nil
}

// requiresMFA says whether p must use a second factor: every mamori
// administrator does, and so does anyone holding a role the policy's MFA
// rules name (下條村 第2章5(1)①: 個人番号利用事務系).
func requiresMFA(pol *policy.Policy, p *auth.Principal) bool {
	if p.IsAdmin {
		return true
	}
	for _, rule := range pol.Auth().MFA {
		if rule.Admins && p.IsAdmin {
			return true
		}
		for _, role := range rule.Roles {
			if p.HasRole(role) {
				return true
			}
		}
		// Segments: whoever works in a segment the rule names
		// (個人番号利用事務系, 下條村 第2章5(1)①).
		for _, seg := range rule.Segments {
			if p.InSegment(seg) {
				return true
			}
		}
	}
	return false
}
