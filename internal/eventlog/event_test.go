package eventlog

import (
	"strings"
	"testing"
	"time"
)

func chain(n int) []*Event {
	var evs []*Event
	prev := Genesis
	for i := range n {
		e := sampleEvent()
		e.Seq = int64(i + 1)
		e.ObjectID = int64(i%3 + 1)
		e.StateHash = strings.Repeat(string(rune('a'+i%3)), 64)
		e.Seal(prev)
		prev = e.Hash
		evs = append(evs, e)
	}
	return evs
}

func TestChainDetectsEveryChange(t *testing.T) {
	for _, test := range []struct {
		name    string
		tamper  func([]*Event) []*Event
		wantSeq int64
		want    string
	}{
		{"untouched", func(e []*Event) []*Event { return e }, 0, ""},
		{"edited data", func(e []*Event) []*Event { e[2].Data = `{}`; return e }, 3, "altered"},
		{"edited time", func(e []*Event) []*Event { e[1].At = e[1].At.Add(time.Second); return e }, 2, "altered"},
		{"edited actor", func(e []*Event) []*Event { e[4].ActorID = 7; return e }, 5, "altered"},
		{"removed", func(e []*Event) []*Event { return append(e[:2], e[3:]...) }, 4, "missing or out of order"},
		{"swapped", func(e []*Event) []*Event { e[1], e[2] = e[2], e[1]; return e }, 3, "out of order"},
		{"resealed after an edit", func(e []*Event) []*Event { e[2].Data = `{}`; e[2].Seal(e[2].PrevHash); return e }, 4, "does not link"},
		{"other tenant", func(e []*Event) []*Event { e[0].Tenant = 2; return e }, 1, "tenant"},
	} {
		t.Run(test.name, func(t *testing.T) {
			c := NewChain(1)
			var brk *Break
			for _, e := range test.tamper(chain(6)) {
				if brk = c.Next(e); brk != nil {
					break
				}
			}
			if test.wantSeq == 0 {
				if brk != nil {
					t.Fatalf("untouched chain broke: %v", brk)
				}
				return
			}
			if brk == nil || brk.Seq != test.wantSeq || !strings.Contains(brk.Error(), test.want) {
				t.Fatalf("break = %v, want event %d mentioning %q", brk, test.wantSeq, test.want)
			}
		})
	}
}

func TestRowHashIsCanonical(t *testing.T) {
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	h1, err := RowHash([]string{"b", "a", "c"}, []any{int64(1), "x", at})
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := RowHash([]string{"a", "c", "b"}, []any{"x", at.In(time.FixedZone("JST", 9*3600)), true})
	if h1 != h2 {
		t.Error("column order, time zone or bool-as-int changed the hash")
	}
	for _, vals := range [][]any{
		{int64(2), "x", at}, {int64(1), "y", at}, {int64(1), "x", at.Add(time.Microsecond)}, {nil, "x", at}, {int64(1), []byte("x"), at},
	} {
		h, _ := RowHash([]string{"b", "a", "c"}, vals)
		if h == h1 {
			t.Errorf("values %v hash like the original", vals)
		}
	}
	if _, err := RowHash([]string{"a"}, []any{struct{}{}}); err == nil {
		t.Error("unsupported type accepted")
	}
}

func TestHeadCatchesTruncation(t *testing.T) {
	evs := chain(5)
	c := NewChain(1)
	for _, e := range evs[:4] {
		c.Next(e)
	}
	if brk := c.CheckHead(5, evs[4].Hash); brk == nil || brk.Seq != 5 {
		t.Fatalf("truncated chain not caught: %v", brk)
	}
	c.Next(evs[4])
	if brk := c.CheckHead(5, evs[4].Hash); brk != nil {
		t.Fatal(brk)
	}
}
