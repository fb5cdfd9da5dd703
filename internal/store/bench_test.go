package store_test

import (
	"context"
	"fmt"
	"testing"

	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// BenchmarkDurableAppend measures committed writes per second, each a
// transaction that inserts a row and appends its event (fsync on commit).
func BenchmarkDurableAppend(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d)
			ctx := storetest.NewTenant(b, s, "bench")
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				a := &store.Attachment{OwnerType: "bench", OwnerID: 1, Filename: fmt.Sprintf("%d.txt", i), ContentType: "text/plain", Data: []byte("x")}
				if err := s.AddAttachment(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

// BenchmarkVerify measures `log verify` over a chain of 2,000 events and
// their rows.
func BenchmarkVerify(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d)
			ctx := storetest.NewTenant(b, s, "bench")
			for i := range 2000 {
				a := &store.Attachment{OwnerType: "bench", OwnerID: 1, Filename: fmt.Sprintf("%d.txt", i), ContentType: "text/plain", Data: []byte("x")}
				if err := s.AddAttachment(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			var events int64
			for b.Loop() {
				reps, err := s.Verify(context.Background())
				if err != nil || reps[0].Break != nil {
					b.Fatal(err, reps)
				}
				events += reps[0].Events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
