package request_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/request"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestOneDecisionWhenTwoApproversPressAtOnce: the section has two people
// acting as its 情報セキュリティ管理者, each on their own server (two
// stores, two connection pools, one database). Both approve the same
// request at the same moment, and also one approves while the other
// rejects: exactly one decision wins; the other gets a conflict, and the
// step is decided once.
func TestOneDecisionWhenTwoApproversPressAtOnce(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			var stores []*store.Store
			for range 2 {
				s, err := store.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			tw := newTown(t, stores[0])
			stores[1].SetClock(func() time.Time { return tw.now })
			tw.role(tw.deputy, "security_manager", tw.section.ID)
			servers := []*request.Service{tw.svc, request.NewService(stores[1], directory.NewService(stores[1]), nil)}
			approvers := []*directory.Person{tw.manager, tw.deputy}
			for round := range 6 {
				r := tw.submit(tw.staff, "take_out", tw.takeOut())
				outcomes := []request.Outcome{request.Approve, request.Approve}
				if round%2 == 1 {
					outcomes[1] = request.Reject
				}
				var wg sync.WaitGroup
				start := make(chan struct{})
				errs := make([]error, 2)
				for i := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						p := approvers[i]
						_, errs[i] = servers[i].Decide(tw.as(p), tw.pol, tw.actor(p), r.ID, request.DecisionInput{Outcome: outcomes[i], Comment: "同時に判断"})
					}()
				}
				close(start)
				wg.Wait()
				won := 0
				for i, err := range errs {
					switch {
					case err == nil:
						won++
					case mamori.ErrorCode(err) == mamori.ECONFLICT:
						if e, _ := mamori.AsError(err); e.Message != "request.already_decided" && e.Message != "request.not_pending" {
							t.Errorf("loser %d: %v", i, err)
						}
					default:
						t.Errorf("approver %d: %v, want success or a conflict", i, err)
					}
				}
				if won != 1 {
					t.Fatalf("round %d: %d decisions won (errors %v), want exactly one", round, won, errs)
				}
				got, err := stores[1].Request(tw.sys(), r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Steps) != 1 || got.Steps[0].DecidedBy == 0 || got.Status == request.StatusPending {
					t.Fatalf("round %d: request after the race: %s %+v", round, got.Status, got.Steps)
				}
				evs, err := stores[0].Events(tw.sys(), store.EventFilter{ObjectType: "requests", ObjectID: r.ID})
				if err != nil {
					t.Fatal(err)
				}
				decisions := 0
				for _, e := range evs {
					if e.Action == "request.approve" || e.Action == "request.reject" {
						decisions++
					}
				}
				if decisions != 1 {
					t.Errorf("round %d: %d decisions in the log", round, decisions)
				}
			}
			verifyClean(t, stores[0])
		})
	}
}

// TestRemindersOnceAcrossServers: a step waiting longer than the reminder
// time is reminded once, even with two servers running the job at once;
// again only after the time has passed once more.
func TestRemindersOnceAcrossServers(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			var stores []*store.Store
			for range 2 {
				s, err := store.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			tw := newTown(t, stores[0])
			stores[1].SetClock(func() time.Time { return tw.now })
			servers := []*request.Service{tw.svc, request.NewService(stores[1], directory.NewService(stores[1]), nil)}
			r := tw.submit(tw.staff, "take_out", tw.takeOut())
			after := 72 * time.Hour
			remind := func() int {
				var wg sync.WaitGroup
				ns := make([]int, 2)
				for i := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						n, err := servers[i].Remind(tw.sys(), tw.pol, after)
						if err != nil {
							t.Error(err)
						}
						ns[i] = n
					}()
				}
				wg.Wait()
				return ns[0] + ns[1]
			}
			tw.now = tw.now.Add(48 * time.Hour)
			if n := remind(); n != 0 {
				t.Fatalf("reminded after two days: %d", n)
			}
			tw.now = tw.now.Add(25 * time.Hour)
			if n := remind(); n != 1 {
				t.Fatalf("reminders after three days = %d, want 1", n)
			}
			if n := remind(); n != 0 {
				t.Fatalf("reminded twice: %d", n)
			}
			in := tw.inbox(tw.manager)
			if len(in) != 2 || !containsAll(in[0], "督促", "3日間") {
				t.Fatalf("manager's inbox = %q", in)
			}
			tw.now = tw.now.Add(73 * time.Hour)
			if n := remind(); n != 1 {
				t.Fatalf("second reminder = %d, want 1", n)
			}
			// A decided request is not reminded.
			tw.decide(tw.manager, r.ID, request.Approve, "")
			tw.now = tw.now.Add(100 * time.Hour)
			if n := remind(); n != 0 {
				t.Fatalf("reminded a decided request: %d", n)
			}
			verifyClean(t, stores[0])
		})
	}
}
