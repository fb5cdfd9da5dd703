package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mamori/internal/eventlog"
)

// TestAnchorsCatchAWholeRewrite: someone with the database edits an event
// and recomputes every hash after it, so that the chain verifies again;
// only the head written down earlier, outside the database, shows it.
func TestAnchorsCatchAWholeRewrite(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "m.db")
	env := []string{"MAMORI_DB=sqlite:" + dbPath}
	if out, code := run(t, env, "tenant", "create", "shimojo", "--profile", "shimojo"); code != 0 {
		t.Fatalf("tenant create: %s", out)
	}
	heads, code := run(t, env, "log", "head")
	if code != 0 || !strings.Contains(heads, "\nshimojo ") {
		t.Fatalf("log head: exit %d\n%s", code, heads)
	}
	anchors := filepath.Join(t.TempDir(), "anchors.txt")
	os.WriteFile(anchors, []byte(heads), 0o600)
	if out, code := run(t, env, "log", "verify", "--anchors", anchors); code != 0 || !strings.Contains(out, "matches the anchor") {
		t.Fatalf("verify with anchors: exit %d\n%s", code, out)
	}

	rewrite(t, dbPath)
	if out, code := run(t, env, "log", "verify"); code != 0 {
		t.Fatalf("the rewrite was not consistent, so this test proves nothing: exit %d\n%s", code, out)
	}
	out, code := run(t, env, "log", "verify", "--anchors", anchors)
	if code != 1 || !strings.Contains(out, "BROKEN shimojo: anchor on line 2") || !strings.Contains(out, "rewritten") {
		t.Fatalf("verify after a whole rewrite: exit %d\n%s", code, out)
	}
	os.WriteFile(anchors, []byte("shimojo x y\n"), 0o600)
	if out, code := run(t, env, "log", "verify", "--anchors", anchors); code == 0 || !strings.Contains(out, "line 1") {
		t.Errorf("malformed anchors accepted: exit %d\n%s", code, out)
	}
}

// rewrite changes the first event of tenant 1 and re-seals every event
// after it, and the head, as a careful intruder would.
func rewrite(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor_id, actor_label, action, object_type, object_id, data, state_hash, request_id, client_addr FROM events WHERE tenant_id = 1 ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var evs []eventlog.Event
	for rows.Next() {
		e := eventlog.Event{Tenant: 1}
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.Data, &e.StateHash, &e.RequestID, &e.ClientAddr); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	rows.Close()
	evs[0].ActorLabel = "someone else"
	prev := eventlog.Genesis
	for i := range evs {
		evs[i].Seal(prev)
		prev = evs[i].Hash
		if _, err := db.ExecContext(ctx, `UPDATE events SET actor_label = ?, prev_hash = ?, hash = ? WHERE tenant_id = 1 AND seq = ?`,
			evs[i].ActorLabel, evs[i].PrevHash, evs[i].Hash, evs[i].Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE event_heads SET hash = ? WHERE tenant_id = 1`, prev); err != nil {
		t.Fatal(err)
	}
}
