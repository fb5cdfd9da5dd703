package eventlog

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"
)

func sampleEvent() *Event {
	return &Event{Tenant: 1, Seq: 12345, At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), ActorID: 42, ActorLabel: "山田 太郎",
		Action: "asset.reclassify", ObjectType: "assets", ObjectID: 981,
		Data:      `{"axis":"confidentiality","from":"2","to":"1","reason":"特定個人情報を含むため"}`,
		StateHash: strings.Repeat("a", 64), RequestID: "0123456789abcdef", ClientAddr: "10.0.0.12", PrevHash: strings.Repeat("b", 64)}
}

// BenchmarkChainHash is the cost of sealing one event: the canonical
// encoding plus SHA-256.
func BenchmarkChainHash(b *testing.B) {
	e := sampleEvent()
	b.SetBytes(int64(len(e.Canonical())))
	b.ReportAllocs()
	for b.Loop() {
		e.Seal(e.PrevHash)
	}
}

// BenchmarkRawSHA256 is the reference: SHA-256 alone over the same bytes.
func BenchmarkRawSHA256(b *testing.B) {
	buf := sampleEvent().Canonical()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		sha256.Sum256(buf)
	}
}

// BenchmarkChainVerify checks events in sequence as `log verify` does.
func BenchmarkChainVerify(b *testing.B) {
	const n = 10000
	evs := make([]*Event, n)
	prev := Genesis
	for i := range evs {
		e := sampleEvent()
		e.Seq = int64(i + 1)
		e.Seal(prev)
		prev = e.Hash
		evs[i] = e
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c := NewChain(1)
		for _, e := range evs {
			if brk := c.Next(e); brk != nil {
				b.Fatal(brk)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
