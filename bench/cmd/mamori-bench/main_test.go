package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"mamori/bench/load"
)

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -2500: "-2,500"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestMemoryFlat: the soak's verdict on memory reads the trend of the
// second half of the run, not the climb while users arrive.
func TestMemoryFlat(t *testing.T) {
	series := func(minutes int, rss func(m float64) float64) []sample {
		var out []sample
		for s := 0; s <= minutes*60; s += 5 {
			m := float64(s) / 60
			out = append(out, sample{At: time.Duration(s) * time.Second, RSS: int64(rss(m) * (1 << 20))})
		}
		return out
	}
	for _, test := range []struct {
		name      string
		samples   []sample
		flat      bool
		slope     float64 // MiB/min over the second half
		tolerance float64
	}{
		{"steady after a climb", series(10, func(m float64) float64 { return math.Min(300, 40+200*m) }), true, 0, 0.01},
		{"steady with GC swings", series(10, func(m float64) float64 { return 300 + 20*math.Sin(m*12) }), true, 0, 10},
		{"a leak of 10 MiB a minute", series(10, func(m float64) float64 { return 200 + 10*m }), false, 10, 0.01},
		{"falling", series(10, func(m float64) float64 { return 400 - 5*m }), true, -5, 0.01},
	} {
		rep := &soakReport{Samples: test.samples, Elapsed: 10 * time.Minute}
		_, _, _, slope, _ := rep.memory()
		if math.Abs(slope-test.slope) > test.tolerance {
			t.Errorf("%s: slope %.2f MiB/min, want %.2f", test.name, slope, test.slope)
		}
		if ok, judged, growth := rep.flat(); ok != test.flat || !judged {
			t.Errorf("%s: flat %v (growth %.1f MiB, judged %v), want %v", test.name, ok, growth, judged, test.flat)
		}
	}
	// A 30-second run shows its trend but is not judged on it: one sign-in's
	// hash moves memory more than a leak could in 15 seconds.
	short := &soakReport{Elapsed: 30 * time.Second}
	for sec := 0; sec <= 30; sec++ {
		short.Samples = append(short.Samples, sample{At: time.Duration(sec) * time.Second, RSS: int64(200+2*sec) << 20})
	}
	if ok, judged, _ := short.flat(); ok || judged {
		t.Errorf("a 30-second climb: flat %v, judged %v; want not flat and not judged", ok, judged)
	}
	short.Rec = load.NewRecorder()
	for _, f := range short.failures() {
		if strings.Contains(f, "memory") {
			t.Errorf("a 30-second run failed on memory: %s", f)
		}
	}
}

func TestDurationsAndSizes(t *testing.T) {
	for _, test := range []struct{ got, want string }{
		{ms(1500 * time.Microsecond), "1.50 ms"},
		{ms(23456 * time.Microsecond), "23.5 ms"},
		{ms(250 * time.Millisecond), "250 ms"},
		{ns(907), "907 ns"},
		{ns(86069), "86.1 µs"},
		{mib(300 << 20), "300 MiB"},
		{pct(1, 200), "0.50 %"},
		{pct(3, 100), "3.0 %"},
		{pct(50, 100), "50 %"},
		{pct(1, 0), "—"},
	} {
		if test.got != test.want {
			t.Errorf("got %q, want %q", test.got, test.want)
		}
	}
}
