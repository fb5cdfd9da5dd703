package demo_test

import (
	"context"
	"testing"

	"mamori/internal/demo"
	"mamori/internal/request"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestDemoRequests: the 藤枝市 demo has requests of most kinds, in every
// state a reader wants to see: waiting, approved and carried out with the
// return due, sent back, rejected.
func TestDemoRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		nt, err := setup.CreateTenant(context.Background(), st, "demo-fujieda", "デモ 藤枝市", "fujieda")
		if err != nil {
			t.Fatal(err)
		}
		d, err := demo.Fill(context.Background(), st, nt.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := st.Requests(d.Ctx, request.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) < len(d.Policy.RequestKinds())-3 {
			t.Errorf("%d demo requests for %d kinds; notes: %v", len(rs), len(d.Policy.RequestKinds()), d.Notes)
		}
		seen := map[request.Status]int{}
		for _, r := range rs {
			seen[r.Status]++
		}
		for _, s := range []request.Status{request.StatusPending, request.StatusApproved, request.StatusReturned, request.StatusRejected} {
			if seen[s] == 0 {
				t.Errorf("no demo request is %s (%v); notes: %v", s, seen, d.Notes)
			}
		}
	})
}
