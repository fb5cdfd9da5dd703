package demo_test

import (
	"context"
	"errors"
	"testing"

	"mamori/internal/auth"
	"mamori/internal/demo"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

func TestFillEveryProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for _, profile := range policy.BuiltinNames() {
			t.Run(profile, func(t *testing.T) {
				if _, err := policy.Builtin(profile); err != nil {
					t.Skipf("profile %s does not load (being written): %v", profile, err)
				}
				nt, err := setup.CreateTenant(context.Background(), st, "demo-"+profile, "デモ "+profile, profile)
				if err != nil {
					t.Fatal(err)
				}
				d, err := demo.Fill(context.Background(), st, nt.Tenant.ID)
				if err != nil {
					t.Fatal(err)
				}
				if d.Counts["units"] < 3 || d.Counts["people"] < 5 || len(d.Accounts) == 0 {
					t.Errorf("thin demo: %v, %d accounts", d.Counts, len(d.Accounts))
				}
				now := st.Now()
				as, err := st.Assignments(d.Ctx, store.AssignmentFilter{At: &now})
				if err != nil {
					t.Fatal(err)
				}
				held := map[string]bool{}
				for _, a := range as {
					held[a.Role] = true
				}
				for _, r := range d.Policy.Roles() {
					if r.Kind != policy.RoleBaseline && !held[r.ID] {
						t.Errorf("role %s is held by nobody", r.ID)
					}
				}
				// The printed accounts sign in with the printed password.
				for _, a := range d.Accounts {
					acct, err := st.AccountByLogin(d.Ctx, a.Login)
					if err != nil {
						t.Fatal(err)
					}
					if ok, _ := auth.CheckPassword(acct.PasswordHash, d.Password); !ok || acct.MustChange {
						t.Errorf("%s: the demo password does not sign in (must change %v)", a.Login, acct.MustChange)
					}
				}
				// Who acts for each organization role today: someone, even
				// where the holder is away this week.
				svc := directory.NewService(st)
				for _, r := range d.Policy.Roles() {
					if r.Kind == policy.RoleBaseline || directory.PerUnit(r) {
						continue
					}
					if _, err := svc.Resolve(d.Ctx, d.Policy, policy.MatterApproval, r.ID, 0, now); err != nil && len(r.SubstitutesFor(policy.MatterApproval)) > 0 {
						t.Errorf("%s: %v", r.ID, err)
					}
				}
				if _, err := demo.Fill(context.Background(), st, nt.Tenant.ID); !errors.Is(err, demo.ErrNotEmpty) {
					t.Errorf("second fill: %v", err)
				}
			})
		}
		reps, err := st.Verify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if r.Break != nil {
				t.Errorf("%s: %+v", r.Slug, r.Break)
			}
		}
	})
}
