package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
	"mamori/internal/tenant"
)

func TestMigrateTwiceAppliesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second migrate applied %v", applied)
		}
		got, known, err := s.SchemaVersion(context.Background())
		if err != nil || got != known || got == 0 {
			t.Errorf("schema version = %d/%d, %v", got, known, err)
		}
	})
}

func TestNoScopeReachesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		storetest.NewTenant(t, s, "a")
		_, err := s.ActivePolicy(context.Background())
		if mamori.ErrorCode(err) != mamori.EUNAUTHORIZED {
			t.Fatalf("without scope: err = %v, want unauthorized", err)
		}
	})
}

func TestTenantsAndPolicyVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctxA := storetest.NewTenant(t, s, "shimojo")
		ctxB := storetest.NewTenant(t, s, "fujieda")
		ts, err := s.Tenants(context.Background())
		if err != nil || len(ts) != 2 {
			t.Fatalf("tenants = %v, %v", ts, err)
		}
		if _, err := s.ActivatePolicy(ctxA, store.PolicySource{Profile: "shimojo", Version: "2", SourceHash: "h2", Source: "x"}); err != nil {
			t.Fatal(err)
		}
		pa, err := s.ActivePolicy(ctxA)
		if err != nil || pa.Version != "2" || pa.Profile != "shimojo" {
			t.Fatalf("tenant A active policy = %+v, %v", pa, err)
		}
		pb, err := s.ActivePolicy(ctxB)
		if err != nil || pb.Version != "1" {
			t.Fatalf("tenant B active policy = %+v, %v", pb, err)
		}
		vs, err := s.PolicyVersions(ctxA)
		if err != nil || len(vs) != 2 || vs[1].Active {
			t.Fatalf("versions of A = %+v, %v", vs, err)
		}
		err = s.CreateTenant(context.Background(), &tenant.Tenant{Slug: "shimojo", Name: "x"}, store.PolicySource{}, nil)
		if mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("duplicate slug: err = %v, want conflict", err)
		}
		verifyClean(t, s)
	})
}

func verifyClean(t *testing.T, s *store.Store) {
	t.Helper()
	reps, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.Break != nil {
			t.Fatalf("tenant %s: unexpected break: %v", r.Slug, r.Break)
		}
	}
}

func TestRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "fujieda")
		now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		keep := now.AddDate(5, 0, 0)
		a := &store.Attachment{OwnerType: "requests", OwnerID: 1, Filename: "廃棄証明書.pdf", ContentType: "application/pdf",
			Data: []byte("%PDF"), KeepUntil: &keep, RetentionClause: "第2章 5(2)⑪ウ"}
		if err := s.AddAttachment(ctx, a); err != nil {
			t.Fatal(err)
		}
		err := s.DeleteAttachment(ctx, a.ID)
		e, ok := mamori.AsError(err)
		if !ok || e.Code != mamori.ERETAINED || e.Args["Clause"] != "第2章 5(2)⑪ウ" {
			t.Fatalf("delete before keep-until: err = %v, want retained citing the clause", err)
		}
		if n, err := s.PurgeExpired(ctx); err != nil || n != 0 {
			t.Fatalf("purge before expiry = %d, %v", n, err)
		}
		now = keep.Add(time.Hour)
		if n, err := s.PurgeExpired(ctx); err != nil || n != 1 {
			t.Fatalf("purge after expiry = %d, %v", n, err)
		}
		if _, err := s.Attachment(ctx, a.ID); mamori.ErrorCode(err) != mamori.ENOTFOUND {
			t.Errorf("purged attachment still loads: %v", err)
		}
		evs, err := s.Events(ctx, store.EventFilter{Action: "record.purge"})
		if err != nil || len(evs) != 1 || evs[0].ObjectID != a.ID {
			t.Errorf("purge events = %+v, %v", evs, err)
		}
		verifyClean(t, s)
	})
}

// TestConcurrentWritersKeepOneChain runs writers on two separate stores (as
// two servers would) against one database: the chain must not fork.
func TestConcurrentWritersKeepOneChain(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			var stores []*store.Store
			for range 2 {
				s, err := store.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if _, err := s.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			ctx := storetest.NewTenant(t, stores[0], "kawamata")
			const per = 15
			var wg sync.WaitGroup
			errs := make(chan error, 4*per)
			for w := range 4 {
				wg.Add(1)
				go func(s *store.Store) {
					defer wg.Done()
					for i := range per {
						a := &store.Attachment{OwnerType: "test", OwnerID: int64(i), Filename: fmt.Sprintf("f%d.txt", i), ContentType: "text/plain", Data: []byte("x")}
						if err := s.AddAttachment(ctx, a); err != nil {
							errs <- err
						}
					}
				}(stores[w%2])
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			evs, err := stores[1].Events(ctx, store.EventFilter{Action: "attachment.add"})
			if err != nil || len(evs) != 4*per {
				t.Fatalf("events = %d, %v; want %d", len(evs), err, 4*per)
			}
			verifyClean(t, stores[1])
		})
	}
}

// rawExec edits the database behind mamori's back, as an intruder with
// database access would.
func rawExec(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	if err := store.RawExec(context.Background(), s, q, args...); err != nil {
		t.Fatalf("raw %q: %v", q, err)
	}
}

func TestVerifyCatchesTampering(t *testing.T) {
	for _, test := range []struct {
		name    string
		tamper  string
		wantSeq int64 // 0: a row no event records
		want    string
	}{
		{"edit a row", `UPDATE attachments SET filename = 'edited.txt' WHERE id = 2`, 4, "altered"},
		{"delete a row", `DELETE FROM attachments WHERE id = 1`, 3, "missing"},
		{"insert a row", `INSERT INTO attachments (tenant_id, id, owner_type, owner_id, filename, content_type, size, sha256, data, retention_clause, created_at, created_by)
			SELECT tenant_id, 99, owner_type, owner_id, filename, content_type, size, sha256, data, retention_clause, created_at, created_by FROM attachments WHERE id = 1`, 0, "no event"},
		{"edit an event", `UPDATE events SET actor_label = 'someone else' WHERE seq = 4`, 4, "altered"},
		{"delete an event", `DELETE FROM events WHERE seq = 3`, 4, "missing or out of order"},
		{"delete the newest event", `DELETE FROM events WHERE seq = 7`, 7, "removed"},
		{"reorder events", `UPDATE events SET seq = CASE seq WHEN 4 THEN 5 ELSE 4 END WHERE seq IN (4, 5)`, 4, ""},
	} {
		storetest.Each(t, func(t *testing.T, s *store.Store) {
			t.Run(test.name, func(t *testing.T) {
				// Events: 1 tenant.create, 2 policy.activate, 3-5 attachments 1-3,
				// 6 policy.deactivate, 7 policy.activate.
				ctx := storetest.NewTenant(t, s, "amakusa")
				for i := range 3 {
					if err := s.AddAttachment(ctx, &store.Attachment{OwnerType: "t", OwnerID: 1, Filename: fmt.Sprintf("%d.txt", i), ContentType: "text/plain", Data: []byte{byte(i)}}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := s.ActivatePolicy(ctx, store.PolicySource{Profile: "amakusa", Version: "2", SourceHash: "x", Source: "y"}); err != nil {
					t.Fatal(err)
				}
				verifyClean(t, s)
				if test.name == "reorder events" {
					// Swap through a free number: the primary key forbids a direct swap.
					rawExec(t, s, `UPDATE events SET seq = 1000 WHERE seq = 4`)
					rawExec(t, s, `UPDATE events SET seq = 4 WHERE seq = 5`)
					rawExec(t, s, `UPDATE events SET seq = 5 WHERE seq = 1000`)
				} else {
					rawExec(t, s, test.tamper)
				}
				reps, err := s.Verify(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				b := reps[0].Break
				if b == nil {
					t.Fatal("verify found nothing")
				}
				if b.Seq != test.wantSeq || !strings.Contains(b.Error(), test.want) {
					t.Errorf("break = %v (seq %d), want seq %d mentioning %q", b, b.Seq, test.wantSeq, test.want)
				}
			})
		})
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres {
				t.Skip("the PostgreSQL template is already migrated; covered by the SQLite run and by transactional DDL")
			}
			s, err := store.Open(context.Background(), storetest.URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			restore := store.SetMigrationsForTest(d, map[string]string{
				"0001_ok.sql":     `CREATE TABLE first_table (tenant_id INTEGER, id INTEGER);`,
				"0002_broken.sql": `CREATE TABLE second_table (tenant_id INTEGER); THIS IS NOT SQL;`,
			})
			defer restore()
			if _, err := s.Migrate(context.Background()); err == nil || !strings.Contains(err.Error(), "0002_broken.sql") {
				t.Fatalf("migrate error = %v, want one naming 0002_broken.sql", err)
			}
			for _, table := range []string{"first_table", "second_table", "schema_migrations"} {
				if err := store.RawExec(context.Background(), s, `SELECT COUNT(*) FROM `+table); err == nil {
					t.Errorf("table %s exists after a failed migration", table)
				}
			}
		})
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rawExec(t, s, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')`)
		_, err := s.Migrate(context.Background())
		if err == nil || !strings.Contains(err.Error(), "newer mamori") {
			t.Fatalf("err = %v, want a newer-mamori error", err)
		}
	})
}

// TestEveryTenantTableIsAccountedFor holds new migrations to the rules:
// every table has tenant_id, is tracked or explicitly untracked, and on
// PostgreSQL has forced row-level security.
func TestEveryTenantTableIsAccountedFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tables, err := store.TableInfo(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if len(tables) < 5 {
			t.Fatalf("found only %d tables", len(tables))
		}
		for _, ti := range tables {
			if ti.Name == "schema_migrations" {
				continue
			}
			if !ti.HasTenantID {
				t.Errorf("table %s has no tenant_id column", ti.Name)
			}
			if !ti.Accounted {
				t.Errorf("table %s is neither tracked nor untracked in tracked.go", ti.Name)
			}
			if s.Dialect() == store.Postgres && !ti.RLSForced {
				t.Errorf("table %s lacks forced row-level security", ti.Name)
			}
		}
	})
}

func TestRowLevelSecurityHidesOtherTenants(t *testing.T) {
	if !strings.Contains(strings.Join(dialectNames(), ","), "postgres") {
		t.Skip("PostgreSQL not configured")
	}
	s := storetest.Open(t, store.Postgres)
	storetest.NewTenant(t, s, "a")
	n, err := store.RawCountUnscoped(context.Background(), s, "tenants")
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a connection without tenant scope sees %d tenants, want 0", n)
	}
}

func dialectNames() []string {
	var out []string
	for _, d := range storetest.Dialects() {
		out = append(out, string(d))
	}
	return out
}
