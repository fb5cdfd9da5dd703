package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/incident"
	"mamori/internal/notify"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

func newIncidentTenant(t *testing.T, s *store.Store) (context.Context, *directory.Person) {
	t.Helper()
	ctx := storetest.NewTenant(t, s, "town")
	p := &directory.Person{StaffNo: "100", Name: "山田 太郎", Email: "yamada@example.jp", Kind: directory.KindStaff}
	if err := s.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	return ctx, p
}

func TestIncidentCreateAndUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, p := newIncidentTenant(t, s)
		now := s.Now()
		inc := &incident.Incident{ReceiptNo: "20261125-AAAA-BBBB", Source: incident.SourcePublic, Category: incident.CategoryIncident,
			Title: "<script>alert(1)</script>", Description: "説明", FormNonce: "n1", DiscoveredAt: now, ReportedAt: now, Status: incident.StatusReported}
		c := &incident.Creation{Incident: inc,
			Entries:    []incident.Entry{{Kind: incident.EntryReport, Body: "説明", Data: map[string]string{"source": "public"}}},
			Notices:    []incident.Notice{{Step: 0, Role: "csirt", AsRole: "csirt", PersonID: p.ID, Clause: "第2章 3(6)"}},
			Deliveries: notify.To(notify.Message{Kind: "incident.notice", Subject: mamori.Text{JA: "件名", EN: "Subject"}, Body: mamori.Text{JA: "本文"}}, notify.Recipient{PersonID: p.ID})}
		if err := s.CreateIncident(ctx, c); err != nil {
			t.Fatal(err)
		}
		// The same receipt number or form token again is a conflict.
		dup := *inc
		dup.FormNonce = "n2"
		if err := s.CreateIncident(ctx, &incident.Creation{Incident: &dup}); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("same receipt: %v", err)
		}
		dup.ReceiptNo, dup.FormNonce = "20261125-CCCC-DDDD", "n1"
		if err := s.CreateIncident(ctx, &incident.Creation{Incident: &dup}); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("same nonce: %v", err)
		}
		got, err := s.IncidentByNonce(ctx, "n1")
		if err != nil || got.ID != inc.ID || got.Title != inc.Title {
			t.Fatalf("by nonce: %+v %v", got, err)
		}
		rec, err := s.IncidentRecord(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Entries) != 1 || rec.Entries[0].Data["source"] != "public" || len(rec.Notices) != 1 || rec.Notices[0].PersonName != "山田 太郎" {
			t.Fatalf("record = %+v", rec)
		}
		if n, _ := s.UnreadCount(ctx, p.ID); n != 1 {
			t.Errorf("unread = %d, want 1", n)
		}
		// An update with the acknowledgement; then the same stale read is a conflict.
		stale := rec.Incident
		upd := rec.Incident
		upd.Status = incident.StatusTriaged
		due := now.Add(72 * time.Hour)
		if err := s.UpdateIncident(ctx, &incident.Update{Action: "incident.ack", Incident: &upd, Acks: []int64{rec.Notices[0].ID},
			Entries:    []incident.Entry{{Kind: incident.EntryAck}, {Kind: incident.EntryExternal, Data: map[string]string{"kind": "ppc_preliminary"}}},
			AddReports: []incident.ExternalReport{{Kind: incident.ReportPPCPreliminary, Status: incident.ReportPending, DueAt: &due}},
			File:       nil}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateIncident(ctx, &incident.Update{Incident: &stale}); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("stale update: %v, want conflict", err)
		}
		rec, _ = s.IncidentRecord(ctx, inc.ID)
		if rec.Notices[0].AcknowledgedAt == nil || len(rec.Reports) != 1 || rec.Reports[0].DueAt == nil || !rec.Reports[0].DueAt.Equal(due.Truncate(time.Microsecond)) {
			t.Errorf("after update: notices %+v reports %+v", rec.Notices, rec.Reports)
		}
		if rec.Entries[2].Data["report"] == "" {
			t.Errorf("external entry does not name its report: %+v", rec.Entries[2])
		}
		list, total, err := s.Incidents(ctx, store.IncidentFilter{Open: true, Query: "script"})
		if err != nil || total != 1 || len(list) != 1 {
			t.Errorf("list = %d %v", total, err)
		}
		reps, err := s.Verify(context.Background())
		if err != nil || len(reps) != 1 || reps[0].Break != nil {
			t.Errorf("log verify: %+v %v", reps, err)
		}
	})
}

// TestIncidentTimelineAppendOnly: the database itself refuses to change
// or remove a timeline entry, whoever asks.
func TestIncidentTimelineAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, _ := newIncidentTenant(t, s)
		inc := &incident.Incident{ReceiptNo: "R1", Source: incident.SourceStaff, Category: incident.CategoryDefect, Title: "t", Description: "d",
			DiscoveredAt: s.Now(), ReportedAt: s.Now(), Status: incident.StatusReported}
		if err := s.CreateIncident(ctx, &incident.Creation{Incident: inc, Entries: []incident.Entry{{Kind: incident.EntryReport, Body: "d"}}}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE incident_entries SET body = 'rewritten' WHERE tenant_id = $1`,
			`DELETE FROM incident_entries WHERE tenant_id = $1`,
		} {
			err := store.RawExec(ctx, s, strings.Replace(q, "$1", "1", 1))
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refusal", q, err)
			}
		}
	})
}

func TestRateBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, _ := newIncidentTenant(t, s)
		base := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return base })
		for i := 1; i <= 4; i++ {
			ok, retry, err := s.TakeRate(ctx, "addr:192.0.2.1", 3, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if want := i <= 3; ok != want {
				t.Errorf("hit %d: ok = %v, want %v", i, ok, want)
			}
			if !ok && (retry <= 0 || retry > time.Hour) {
				t.Errorf("retry after %v", retry)
			}
		}
		// Another bucket is counted apart; a new window starts afresh.
		if ok, _, _ := s.TakeRate(ctx, "addr:192.0.2.2", 3, time.Hour); !ok {
			t.Error("other address refused")
		}
		s.SetClock(func() time.Time { return base.Add(61 * time.Minute) })
		if ok, _, _ := s.TakeRate(ctx, "addr:192.0.2.1", 3, time.Hour); !ok {
			t.Error("refused in a new window")
		}
		// Concurrent hits from several goroutines (servers) never exceed the limit.
		var wg sync.WaitGroup
		var mu sync.Mutex
		granted := 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := s.TakeRate(ctx, "global", 7, time.Hour)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if granted != 7 {
			t.Errorf("granted %d of 20 concurrent hits, want exactly 7", granted)
		}
		k1, err := s.PublicFormKey(ctx)
		if err != nil || len(k1) != 32 {
			t.Fatalf("form key: %x %v", k1, err)
		}
		if k2, _ := s.PublicFormKey(ctx); string(k1) != string(k2) {
			t.Error("form key changed between calls")
		}
	})
}
