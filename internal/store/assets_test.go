package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// The store implements what the register needs.
var _ asset.Store = (*store.Store)(nil)

// TestImportAssetsChain imports a batch whose rows are written many to a
// statement and whose events are chained outside Tx.Record: the chain and
// every row must verify, the row hashes must have been predicted (not
// read back), and the holders already in the register are raised.
func TestImportAssetsChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		nt, err := setup.CreateTenant(context.Background(), st, "town", "町", "fujieda")
		if err != nil {
			t.Fatal(err)
		}
		ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: nt.Tenant.ID, ActorID: 1, ActorLabel: "テスト", RequestID: "r1", ClientAddr: "192.0.2.1"})
		u := &directory.Unit{Code: "u1", Name: "課", Kind: directory.UnitSection}
		if err := st.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		pol, _ := policy.Builtin("fujieda")
		d := asset.NewClassifier(pol)
		holder := &asset.Asset{Number: "H-1", Name: "サーバ", Kind: asset.KindServer, UnitID: u.ID, State: asset.StateInUse, Levels: asset.Levels{"confidentiality": "3"}}
		if err := st.CreateAsset(ctx, holder, d); err != nil {
			t.Fatal(err)
		}
		before := store.PredictFallbacks()
		keep := time.Date(2031, 3, 31, 0, 0, 0, 0, time.UTC)
		b := &asset.Batch{FileName: "x.xlsx", SHA256: "00", Originals: map[int64]asset.Levels{}}
		const n = 1234 // more than two chunks
		for i := 0; i < n; i++ {
			a := &asset.Asset{Number: fmt.Sprintf("N-%04d", i), Name: "名前 " + strings.Repeat("あ", i%7), Kind: asset.KindInformation, UnitID: u.ID,
				Levels: asset.Levels{"confidentiality": []string{"1", "2", "3"}[i%3]}, Personal: i%2 == 0, State: asset.StateInUse, Notes: "備考"}
			if i%5 == 0 {
				a.KeepUntil = &keep
			}
			if i%10 == 1 {
				a.ParentID = holder.ID
			}
			item := asset.BatchItem{Asset: a, Row: i + 2, Parent: -1, Original: -1}
			if i%50 == 3 {
				item.Original = i - 1
			}
			a.Effective = d.Effective(a.Levels, nil, false, nil)
			a.Unclassified = d.Unclassified(a.Effective)
			b.Items = append(b.Items, item)
		}
		var last int
		if err := st.ImportAssets(ctx, b, d, func(done, total int) { last = done }); err != nil {
			t.Fatal(err)
		}
		if last != n {
			t.Errorf("progress ended at %d", last)
		}
		if got := store.PredictFallbacks() - before; got != 0 {
			t.Errorf("%d imports read rows back: the predicted row hash differs from the stored row", got)
		}
		h, _ := st.Asset(ctx, holder.ID)
		if h.Effective["confidentiality"] != "1" {
			t.Errorf("the holder is handled as %v after the import", h.Effective)
		}
		reps, err := st.Verify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if r.Break != nil {
				t.Fatalf("verify %s: %+v", r.Slug, r.Break)
			}
		}
		evs, _ := st.Events(ctx, store.EventFilter{Action: "asset.import", Limit: 1000})
		if len(evs) != 1000 || evs[0].ActorLabel != "テスト" || evs[0].ClientAddr != "192.0.2.1" {
			t.Errorf("%d events; newest %+v", len(evs), evs[0])
		}
		// A number taken since the check refuses the whole batch.
		b2 := &asset.Batch{Items: []asset.BatchItem{{Asset: &asset.Asset{Number: "N-0001", Name: "x", Kind: asset.KindPaper, UnitID: u.ID, State: asset.StateInUse}, Parent: -1, Original: -1}}}
		if err := st.ImportAssets(ctx, b2, d, nil); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("duplicate number: %v", err)
		}
	})
}
