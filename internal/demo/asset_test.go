package demo_test

import (
	"context"
	"testing"

	"mamori/internal/asset"
	"mamori/internal/demo"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// The demo register shows what the register does: a server handled at the
// strictest level of what it holds, a copy at its original's, and assets
// waiting for their manager.
func TestDemoAssets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		nt, err := setup.CreateTenant(context.Background(), st, "demo-assets", "デモ", "fujieda")
		if err != nil {
			t.Fatal(err)
		}
		d, err := demo.Fill(context.Background(), st, nt.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Counts["assets"] < 20 {
			t.Fatalf("%d demo assets", d.Counts["assets"])
		}
		srv, err := st.AssetByNumber(d.Ctx, "01-SV01")
		if err != nil {
			t.Fatal(err)
		}
		if srv.Effective["confidentiality"] != "1" || srv.Unclassified {
			t.Errorf("the demo server is handled as %v (unclassified %v)", srv.Effective, srv.Unclassified)
		}
		bak, _ := st.AssetByNumber(d.Ctx, "01-MD01")
		if bak == nil || !bak.Effective.Equal(asset.Levels{"confidentiality": "1", "integrity": "1", "availability": "1"}) {
			t.Errorf("the demo backup: %+v", bak)
		}
		if _, n, err := st.Assets(d.Ctx, asset.Filter{ToClassify: true}); err != nil || n < 5 {
			t.Errorf("%d demo assets wait for classification (%v)", n, err)
		}
	})
}
