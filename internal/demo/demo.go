// Package demo fills an organization with believable demonstration data
// for its policy profile: a town hall's units, staff with Japanese names,
// every role of the profile held by someone, and (as later areas add their
// steps) assets, requests and incidents. `mamori serve --demo PROFILE`
// runs it on the first organization.
//
// Each area adds a step in a file of its own (directory.go, …) that
// registers itself with Register; steps run in order and share the Demo,
// which carries what earlier steps made (units, people by key).
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/policy"
	"mamori/internal/store"
)

// Demo is what the steps work with and what they leave for the next.
type Demo struct {
	Store   *store.Store
	Ctx     context.Context // scoped to the organization, acting as "mamori demo"
	Policy  *policy.Policy
	Tenant  mamori.TenantID
	Now     time.Time
	Profile string

	// Password is the one password of every demo account (printed once);
	// PasswordHash its argon2id hash, computed once for all of them.
	Password     string
	PasswordHash string

	Units  map[string]int64 // unit id by the demo's unit code
	People map[string]int64 // person id by staff number
	// Accounts are the accounts worth trying, in the order to print them.
	Accounts []Account
	// Notes are what the steps want the operator to read.
	Notes []string
	// Counts says how much each step made ("units": 23 …).
	Counts map[string]int
}

// Account is a demo account to print: who signs in with what, as which
// role.
type Account struct {
	Login string
	Name  string
	What  string // the role or post, in Japanese
}

// Step fills one area.
type Step struct {
	Name  string
	Order int
	Fill  func(d *Demo) error
}

var steps []Step

// Register adds a step; areas call it from an init function in their file.
func Register(name string, order int, fill func(d *Demo) error) {
	steps = append(steps, Step{Name: name, Order: order, Fill: fill})
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Order < steps[j].Order })
}

// ErrNotEmpty says the organization already has data: the demo fills only
// an empty one, so that running a demo server twice does not double it.
var ErrNotEmpty = errors.New("the organization already has units or people: demo data is filled only into an empty organization")

// Fill fills the organization tenant with demonstration data for its
// active policy, running every registered step in order.
func Fill(ctx context.Context, st *store.Store, tenant mamori.TenantID) (*Demo, error) {
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: tenant, ActorLabel: "mamori demo", RequestID: "demo"})
	pv, err := st.ActivePolicy(tctx)
	if err != nil {
		return nil, fmt.Errorf("demo: active policy: %w", err)
	}
	pol, err := policy.Load(pv.Profile+".yaml", []byte(pv.Source))
	if err != nil {
		return nil, fmt.Errorf("demo: load policy %s: %w", pv.Profile, err)
	}
	units, err := st.Units(tctx)
	if err != nil {
		return nil, err
	}
	_, people, err := st.People(tctx, store.PeopleFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	// The first administrator is there from the start.
	if len(units) > 0 || people > 1 {
		return nil, ErrNotEmpty
	}
	pw, err := auth.OneTimePassword()
	if err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	d := &Demo{Store: st, Ctx: tctx, Policy: pol, Tenant: tenant, Now: st.Now(), Profile: pol.ID(),
		Password: pw, PasswordHash: hash, Units: map[string]int64{}, People: map[string]int64{}, Counts: map[string]int{}}
	for _, s := range steps {
		if err := s.Fill(d); err != nil {
			return d, fmt.Errorf("demo step %s: %w", s.Name, err)
		}
	}
	return d, nil
}

// Summary prints what the demo made and how to sign in, once. The
// password is on a line of its own words, never alone, so that tools
// reading the administrator's one-time password do not take it for that.
func (d *Demo) Summary(w io.Writer) {
	fmt.Fprintf(w, "\nDemo data for the profile %s was filled in (デモデータを作成しました):", d.Profile)
	keys := make([]string, 0, len(d.Counts))
	for k := range d.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, " %s %d;", k, d.Counts[k])
	}
	fmt.Fprintf(w, "\nEvery demo account signs in with its staff number and the password (全デモアカウント共通のパスワード): %s\n", d.Password)
	for _, a := range d.Accounts {
		fmt.Fprintf(w, "  login %-6s  %s  %s\n", a.Login, a.Name, a.What)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintln(w)
}
