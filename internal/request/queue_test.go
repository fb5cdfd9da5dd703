package request_test

import (
	"testing"

	"mamori/internal/request"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestQueueReachesEveryApprover: an approver's queue holds every request
// waiting for them, oldest first, however many newer requests wait for
// others. The queue used to read the organization's 1,000 newest pending
// requests and keep the approver's: the 情報政策課's take-out below, filed
// before 1,000 of 総務課's, never reached its manager (the soak in bench/
// found it with a few thousand requests pending).
//
// The thousand run on SQLite only (a few seconds); both databases run the
// same queue over a handful, which is what checks each dialect's SQL.
func TestQueueReachesEveryApprover(t *testing.T) {
	t.Run("1000 newer/sqlite", func(t *testing.T) { queueCase(t, storetest.Open(t, store.SQLite), 1000) })
	storetest.Each(t, func(t *testing.T, s *store.Store) { queueCase(t, s, 3) })
}

func queueCase(t *testing.T, s *store.Store, many int) {
	tw := newTown(t, s)
	first := tw.submit(tw.outsider, "take_out", tw.takeOut(tw.otherAsset.ID))
	var section []int64
	for range many {
		section = append(section, tw.submit(tw.staff, "take_out", tw.takeOut()).ID)
	}
	for _, test := range []struct {
		who  string
		q    func() ([]request.QueueItem, error)
		want []int64
	}{
		{"情報政策課長 (manager of 情報政策課)", func() ([]request.QueueItem, error) {
			return tw.svc.Queue(tw.sys(), tw.pol, tw.actor(tw.infra))
		}, []int64{first.ID}},
		{"総務課長 (manager of 総務課)", func() ([]request.QueueItem, error) {
			return tw.svc.Queue(tw.sys(), tw.pol, tw.actor(tw.manager))
		}, section},
		{"職員 (no role)", func() ([]request.QueueItem, error) {
			return tw.svc.Queue(tw.sys(), tw.pol, tw.actor(tw.staff))
		}, nil},
	} {
		q, err := test.q()
		if err != nil {
			t.Fatalf("%s: %v", test.who, err)
		}
		var got []int64
		for _, it := range q {
			got = append(got, it.ID)
		}
		if len(got) != len(test.want) {
			t.Fatalf("%s: %d requests in the queue, want %d", test.who, len(got), len(test.want))
		}
		for i := range got {
			if got[i] != test.want[i] {
				t.Fatalf("%s: queue[%d] = request %d, want %d (oldest first)", test.who, i, got[i], test.want[i])
			}
		}
	}
}
