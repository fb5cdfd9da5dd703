package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestAssetImportCommand imports a register with one bad row from the
// command line: the dry run lists the bad cell by row and column, the
// import refuses, --skip-bad-rows imports the rest with progress, and the
// export writes what was imported.
func TestAssetImportCommand(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			db := storetest.URL(t, d)
			st, err := store.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			nt, err := setup.CreateTenant(context.Background(), st, "town", "テスト町", "fujieda")
			if err != nil {
				t.Fatal(err)
			}
			ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: nt.Tenant.ID, ActorLabel: "test"})
			if err := st.CreateUnit(ctx, &directory.Unit{Code: "shimin-ka", Name: "市民課", Kind: directory.UnitSection}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			file := filepath.Join(dir, "台帳.csv")
			csv := "資産番号,名称,所管課,機密性,完全性,可用性\nA-1,住民票,市民課,1,1,1\nA-2,誤り,市民課,7,1,1\nA-3,広報,市民課,3,3,2\n"
			if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
				t.Fatal(err)
			}
			args := func(extra ...string) []string {
				return append([]string{"--data", dir, "--db", db, "asset"}, extra...)
			}
			out, code := run(t, nil, args("import", file, "--tenant", "town", "--dry-run")...)
			if code != 1 || !strings.Contains(out, "row 3, column D: error") || !strings.Contains(out, "機密性として分からない値です") {
				t.Fatalf("dry run: exit %d\n%s", code, out)
			}
			out, code = run(t, nil, args("import", file, "--tenant", "town")...)
			if code != 1 || !strings.Contains(out, "nothing was imported") {
				t.Fatalf("import of a bad file: exit %d\n%s", code, out)
			}
			out, code = run(t, nil, args("import", file, "--tenant", "town", "--value", "level.confidentiality:7=2")...)
			if code != 0 || !strings.Contains(out, "stored 3 / 3 rows") || !strings.Contains(out, "imported 3 assets") {
				t.Fatalf("import with a value mapped: exit %d\n%s", code, out)
			}
			out, code = run(t, nil, args("export", "--tenant", "town", "--format", "csv")...)
			if code != 0 || !strings.Contains(out, "A-2,誤り") || !strings.Contains(out, "exported 3 assets") {
				t.Fatalf("export: exit %d\n%s", code, out)
			}
			out, code = run(t, nil, args("import", file, "--tenant", "nowhere")...)
			if code == 0 {
				t.Fatalf("unknown tenant accepted:\n%s", out)
			}
			out, code = run(t, nil, args("import", file, "--tenant", "town", "--map", "oops")...)
			if code != 2 {
				t.Fatalf("bad --map: exit %d\n%s", code, out)
			}
		})
	}
}
