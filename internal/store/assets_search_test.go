package store_test

import (
	"context"
	"testing"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestNameIndexBackFill: a database whose register was filled before
// migration 0045 gets the pairs of every name when it is migrated, so the
// search finds what was registered before the upgrade.
func TestNameIndexBackFill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		nt, err := setup.CreateTenant(context.Background(), st, "town", "町", "fujieda")
		if err != nil {
			t.Fatal(err)
		}
		ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: nt.Tenant.ID, ActorID: 1, ActorLabel: "テスト", RequestID: "r1"})
		u := &directory.Unit{Code: "u1", Name: "課", Kind: directory.UnitSection}
		if err := st.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		pol, _ := policy.Builtin("fujieda")
		d := asset.NewClassifier(pol)
		for _, a := range []*asset.Asset{
			{Number: "A-1", Name: "住民基本台帳システム", Kind: asset.KindSystem, UnitID: u.ID, State: asset.StateInUse},
			{Number: "A-2", Name: "Mail Server メール", Kind: asset.KindServer, UnitID: u.ID, State: asset.StateInUse},
		} {
			if err := st.CreateAsset(ctx, a, d); err != nil {
				t.Fatal(err)
			}
		}
		search := func(q string) int {
			t.Helper()
			got, _, err := st.Assets(ctx, asset.Filter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		}
		if search("台帳") != 1 || search("server") != 1 {
			t.Fatal("the index does not serve assets created after the migration")
		}
		// Back to the schema before 0045, names and all.
		for _, q := range []string{`DROP TABLE asset_name_grams`, `DELETE FROM schema_migrations WHERE version = 45`} {
			if err := store.RawExec(context.Background(), st, q); err != nil {
				t.Fatal(err)
			}
		}
		applied, err := st.Migrate(context.Background())
		if err != nil || len(applied) != 1 {
			t.Fatalf("migrate again: %v %v", applied, err)
		}
		for q, want := range map[string]int{"台帳": 1, "基本台帳シ": 1, "SERVER": 1, "メール": 1, "台帳メ": 0} {
			if got := search(q); got != want {
				t.Errorf("after the back-fill %q finds %d, want %d", q, got, want)
			}
		}
	})
}
