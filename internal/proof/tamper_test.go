package proof

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"mamori/internal/demo"
	"mamori/internal/eventlog"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// tamperCase is a change made directly in the database, past mamori, by
// someone with access to it; `mamori log verify` must name the event that
// broke.
type tamperCase struct {
	name string
	// pick returns the id of the row to tamper with ($1 is the tenant).
	pick string
	// do returns the statements that tamper (tenant t, row id, and the
	// facts looked up before).
	do func(d store.Dialect, f tamperFacts) []string
	// want is what verify must report after "BROKEN tamper: tenant N: ".
	want func(f tamperFacts) string
	// reseal, when set, re-computes the hash of event f.seq after do, as
	// an intruder who knows the algorithm would.
	reseal bool
}

// tamperFacts are looked up before tampering: the row, the last event
// that recorded it, the first (its creation), and the chain's head.
type tamperFacts struct {
	tenant, id, last, first, head int64
	table                         string
}

func (f tamperFacts) row() string {
	return fmt.Sprintf("tenant_id = %d AND id = %d", f.tenant, f.id)
}

func edited(f tamperFacts) string {
	return fmt.Sprintf("event %d: %s %d no longer matches the state this event recorded", f.last, f.table, f.id)
}

func deleted(f tamperFacts) string {
	return fmt.Sprintf("event %d: %s %d recorded by this event is missing", f.last, f.table, f.id)
}

func forged(id int64) func(f tamperFacts) string {
	return func(f tamperFacts) string {
		return fmt.Sprintf("%s %d: row exists but no event records it", f.table, id)
	}
}

// appendOnly lifts the timeline's append-only guard, as the database's
// owner can.
func appendOnly(d store.Dialect) []string {
	if d == store.Postgres {
		return []string{`ALTER TABLE incident_entries DISABLE TRIGGER incident_entries_append_only`}
	}
	return []string{`DROP TRIGGER incident_entries_no_update`, `DROP TRIGGER incident_entries_no_delete`}
}

// tamperCases cover the records the policies require to be kept
// unchanged (assets and their classification, requests and their steps,
// the incident timeline, people, role assignments, deviations,
// violations) and the event log itself.
var tamperCases = map[string][]tamperCase{
	"assets": {
		{name: "rename an asset", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE assets SET name = name || ' 改' WHERE ` + f.row()}
			},
			want: edited},
		{name: "lower an asset's classification", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1 AND effective <> '{}'`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE assets SET levels = '{}', effective = '{}', unclassified = TRUE WHERE ` + f.row(),
					fmt.Sprintf(`DELETE FROM asset_levels WHERE tenant_id = %d AND asset_id = %d`, f.tenant, f.id)}
			},
			want: edited},
		{name: "delete an asset", pick: `SELECT MIN(id) FROM assets a WHERE tenant_id = $1 AND NOT EXISTS
				(SELECT 1 FROM assets c WHERE c.tenant_id = a.tenant_id AND (c.parent_id = a.id OR c.copy_of = a.id))`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`DELETE FROM asset_levels WHERE tenant_id = %d AND asset_id = %d`, f.tenant, f.id),
					`DELETE FROM assets WHERE ` + f.row()}
			},
			want: deleted},
		{name: "forge an asset", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`INSERT INTO assets (tenant_id, id, number, name, kind, unit_id, levels, effective, unclassified, personal, specific_personal,
						segment, location, control_area, state, notes, created_at, created_by, updated_at)
					SELECT tenant_id, 9999, 'FORGED-1', name, kind, unit_id, levels, effective, unclassified, personal, specific_personal,
						segment, location, control_area, state, notes, created_at, created_by, updated_at FROM assets WHERE %s`, f.row())}
			},
			want: forged(9999)},
	},
	"requests": {
		{name: "approve a pending request", pick: `SELECT MIN(id) FROM requests WHERE tenant_id = $1 AND status = 'pending'`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE requests SET status = 'approved' WHERE ` + f.row()}
			},
			want: edited},
	},
	"request_steps": {
		{name: "remove a request's first step", pick: `SELECT MIN(id) FROM request_steps WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`DELETE FROM request_steps WHERE ` + f.row()}
			},
			want: deleted},
	},
	"incident_entries": {
		{name: "rewrite an incident timeline entry", pick: `SELECT MIN(id) FROM incident_entries WHERE tenant_id = $1`,
			do: func(d store.Dialect, f tamperFacts) []string {
				return append(appendOnly(d), `UPDATE incident_entries SET body = '異常なし' WHERE `+f.row())
			},
			want: edited},
		{name: "delete an incident timeline entry", pick: `SELECT MAX(id) FROM incident_entries e WHERE tenant_id = $1 AND NOT EXISTS
				(SELECT 1 FROM incident_entries c WHERE c.tenant_id = e.tenant_id AND c.corrects = e.id)`,
			do: func(d store.Dialect, f tamperFacts) []string {
				return append(appendOnly(d), `DELETE FROM incident_entries WHERE `+f.row())
			},
			want: deleted},
		{name: "slip an entry into an incident timeline", pick: `SELECT MIN(id) FROM incident_entries WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`INSERT INTO incident_entries (tenant_id, id, incident_id, at, kind, step, body, data, actor_id, actor_label)
					SELECT tenant_id, 9999, incident_id, at, kind, step, '対応済み', data, actor_id, actor_label FROM incident_entries WHERE %s`, f.row())}
			},
			want: forged(9999)},
	},
	"people": {
		{name: "rename a person", pick: `SELECT MAX(id) FROM people WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE people SET name = '改ざん 太郎' WHERE ` + f.row()}
			},
			want: edited},
		{name: "reinstate or suspend a person", pick: `SELECT MAX(id) FROM people WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE people SET status = CASE status WHEN 'active' THEN 'suspended' ELSE 'active' END WHERE ` + f.row()}
			},
			want: edited},
	},
	"role_assignments": {
		{name: "change a role", pick: `SELECT MIN(id) FROM role_assignments WHERE tenant_id = $1 AND role_id <> 'ciso'`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE role_assignments SET role_id = 'ciso' WHERE ` + f.row()}
			},
			want: edited},
		{name: "remove a role assignment", pick: `SELECT MAX(id) FROM role_assignments WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`DELETE FROM role_assignments WHERE ` + f.row()}
			},
			want: deleted},
		{name: "grant oneself a role", pick: `SELECT MIN(id) FROM role_assignments WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`INSERT INTO role_assignments (tenant_id, id, person_id, role_id, unit_id, valid_from, valid_until, created_at, created_by)
					SELECT tenant_id, 9999, person_id, 'ciso', NULL, valid_from, NULL, created_at, created_by FROM role_assignments WHERE %s`, f.row())}
			},
			want: forged(9999)},
	},
	"deviations": {
		{name: "overturn a deviation's decision", pick: `SELECT MIN(id) FROM deviations WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`UPDATE deviations SET status = CASE status WHEN 'approved' THEN 'rejected' ELSE 'approved' END WHERE ` + f.row()}
			},
			want: edited},
	},
	"violations": {
		{name: "erase a violation", pick: `SELECT MIN(id) FROM violations WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{`DELETE FROM violations WHERE ` + f.row()}
			},
			want: deleted},
	},
	// The log itself, around the event that created an asset (seq first).
	"events": {
		{name: "edit an event", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`UPDATE events SET actor_label = '別人' WHERE tenant_id = %d AND seq = %d`, f.tenant, f.first)}
			},
			want: func(f tamperFacts) string {
				return fmt.Sprintf("event %d: content does not match its hash: the event was altered", f.first)
			}},
		{name: "edit an event and re-seal it", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`, reseal: true,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`UPDATE events SET actor_label = '別人' WHERE tenant_id = %d AND seq = %d`, f.tenant, f.first)}
			},
			want: func(f tamperFacts) string {
				return fmt.Sprintf("event %d: does not link to the event before it", f.first+1)
			}},
		{name: "delete an event", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`DELETE FROM events WHERE tenant_id = %d AND seq = %d`, f.tenant, f.first)}
			},
			want: func(f tamperFacts) string {
				return fmt.Sprintf("event %d: sequence jumps from %d to %d: an event is missing or out of order", f.first+1, f.first-1, f.first+1)
			}},
		{name: "reorder two events", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				// Through a free number: the primary key forbids a direct swap.
				w := fmt.Sprintf(`tenant_id = %d AND seq = `, f.tenant)
				return []string{
					fmt.Sprintf(`UPDATE events SET seq = 999999 WHERE %s%d`, w, f.first),
					fmt.Sprintf(`UPDATE events SET seq = %d WHERE %s%d`, f.first, w, f.first+1),
					fmt.Sprintf(`UPDATE events SET seq = %d WHERE %s999999`, f.first+1, w),
				}
			},
			want: func(f tamperFacts) string {
				return fmt.Sprintf("event %d: does not link to the event before it", f.first)
			}},
		{name: "delete the newest event", pick: `SELECT MIN(id) FROM assets WHERE tenant_id = $1`,
			do: func(_ store.Dialect, f tamperFacts) []string {
				return []string{fmt.Sprintf(`DELETE FROM events WHERE tenant_id = %d AND seq = %d`, f.tenant, f.head)}
			},
			want: func(f tamperFacts) string {
				return fmt.Sprintf("event %d: chain ends at event %d but the head records event %d: events were removed", f.head, f.head-1, f.head)
			}},
	},
}

// TestTamperDetection fills an organization with data in every area (the
// demo of 藤枝市), and then, each on a fresh copy of that database, changes
// a stored record or event directly in SQLite or PostgreSQL; the real
// `mamori log verify` must exit 1 and name the event that broke (or the
// row no event records), while a second organization's log stays ok.
func TestTamperDetection(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { tamperOn(t, d) })
	}
}

func tamperOn(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	src := storetest.URL(t, d)
	st, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	nt, err := setup.CreateTenant(ctx, st, "tamper", "改ざん市", "fujieda")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Fill(ctx, st, nt.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.CreateTenant(ctx, st, "bystander", "無関係町", "shimojo"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	tenant := int64(nt.Tenant.ID)
	if out, code := runMamori(t, src, "log", "verify"); code != 0 || !strings.Contains(out, "ok     tamper") || !strings.Contains(out, "ok     bystander") {
		t.Fatalf("verify before tampering: exit %d\n%s", code, out)
	}
	for _, table := range slices.Sorted(maps.Keys(tamperCases)) {
		for _, tc := range tamperCases[table] {
			t.Run(table+"/"+tc.name, func(t *testing.T) {
				u := copyDB(t, d, src)
				db := rawDB(t, d, u)
				f := tamperFacts{tenant: tenant, table: table}
				var id sql.NullInt64
				if err := db.QueryRowContext(ctx, tc.pick, tenant).Scan(&id); err != nil || !id.Valid {
					t.Fatalf("the demo has no row to tamper with (%s): %v", tc.pick, err)
				}
				f.id = id.Int64
				objType := table
				if table == "events" {
					objType = "assets"
				}
				f.last = count(t, db, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE tenant_id = $1 AND object_type = $2 AND object_id = $3`, tenant, objType, f.id)
				f.first = count(t, db, `SELECT COALESCE(MIN(seq), 0) FROM events WHERE tenant_id = $1 AND object_type = $2 AND object_id = $3`, tenant, objType, f.id)
				f.head = count(t, db, `SELECT MAX(seq) FROM events WHERE tenant_id = $1`, tenant)
				if f.last == 0 || f.first <= 1 || f.first >= f.head {
					t.Fatalf("unexpected log around %s %d: %+v", objType, f.id, f)
				}
				for _, q := range tc.do(d, f) {
					if _, err := db.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				if tc.reseal {
					reseal(t, db, tenant, f.first)
				}
				out, code := runMamori(t, u, "log", "verify")
				want := fmt.Sprintf("BROKEN tamper: tenant %d: %s", tenant, tc.want(f))
				if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "ok     bystander") {
					t.Errorf("verify: exit %d\n%s\nwant exit 1 with %q, and the other organization ok", code, out, want)
				}
				t.Logf("%s", strings.TrimSpace(out))
			})
		}
	}
}

// reseal recomputes the hash of event seq after its content was changed.
func reseal(t *testing.T, db *sql.Conn, tenant, seq int64) {
	t.Helper()
	e := eventlog.Event{Tenant: tenant}
	var at any
	if err := db.QueryRowContext(context.Background(), `SELECT seq, at, actor_id, actor_label, action, object_type, object_id, data, state_hash, request_id, client_addr, prev_hash
		FROM events WHERE tenant_id = $1 AND seq = $2`, tenant, seq).Scan(&e.Seq, &at, &e.ActorID, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.Data, &e.StateHash, &e.RequestID, &e.ClientAddr, &e.PrevHash); err != nil {
		t.Fatal(err)
	}
	switch v := at.(type) {
	case time.Time:
		e.At = v
	case string:
		tm, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			tm, err = time.Parse("2006-01-02 15:04:05.999999999-07:00", v)
		}
		if err != nil {
			t.Fatalf("event time %q: %v", v, err)
		}
		e.At = tm
	default:
		t.Fatalf("event time is %T", at)
	}
	e.Seal(e.PrevHash)
	if _, err := db.ExecContext(context.Background(), `UPDATE events SET hash = $1 WHERE tenant_id = $2 AND seq = $3`, e.Hash, tenant, seq); err != nil {
		t.Fatal(err)
	}
}
