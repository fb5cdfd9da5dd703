package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, test := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four (nearest rank)", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100", ms(1, 2, 3), 100, 3 * time.Millisecond},
		{"p0 is the least", ms(1, 2, 3), 0, 1 * time.Millisecond},
	} {
		if got := Percentile(test.sorted, test.p); got != test.want {
			t.Errorf("%s: Percentile(p%v) = %v, want %v", test.name, test.p, got, test.want)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, test := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080/", true},
		{"http://127.0.0.2/", true},
		{"http://[::1]:9000/x", true},
		{"http://localhost:8080/", false}, // a name could resolve anywhere
		{"http://10.0.0.1/", false},
		{"https://example.lg.jp/", false},
		{"::not a url", false},
	} {
		if err := CheckLoopback(test.url); (err == nil) != test.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok %v", test.url, err, test.ok)
		}
	}
}

// TestRunBounds: a run stops at its request limit, counts every answer by
// status, and treats what Check refuses (here every 5xx) as failures.
func TestRunBounds(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	req := &Request{Op: "get", Method: http.MethodGet, URL: srv.URL}
	rec := Run(context.Background(), Client(4), Config{Workers: 4, Duration: time.Minute, MaxRequests: 100},
		Spec{Next: func(int, int64) *Request { return req }})
	if got := rec.Count(""); got != 100 {
		t.Fatalf("%d answers, want the limit of 100", got)
	}
	if got := rec.Count5xx(); got != 50 {
		t.Errorf("%d 5xx answers, want 50", got)
	}
	if got := rec.Failures(); got != 50 {
		t.Errorf("%d failures, want 50 (every 5xx)", got)
	}
	if st := rec.StatusOf("get"); st[200] != 50 || st[500] != 50 {
		t.Errorf("statuses of get: %v", st)
	}
	if rec.Elapsed >= time.Minute || rec.RPS() <= 0 {
		t.Errorf("elapsed %v, %v req/s", rec.Elapsed, rec.RPS())
	}

	// And at its duration, letting requests under way finish.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
	}))
	defer slow.Close()
	req = &Request{Op: "slow", Method: http.MethodGet, URL: slow.URL}
	rec = Run(context.Background(), Client(2), Config{Workers: 2, Duration: 300 * time.Millisecond},
		Spec{Next: func(int, int64) *Request { return req }})
	if rec.Failures() != 0 || rec.Count("slow") < 4 || rec.Elapsed > 2*time.Second {
		t.Errorf("timed run: %d answers, %d failures (%v) in %v", rec.Count("slow"), rec.Failures(), rec.Errors(), rec.Elapsed)
	}
}
