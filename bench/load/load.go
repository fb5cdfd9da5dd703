// Package load is a small closed-loop HTTP load generator for loopback
// benchmarks: a fixed number of workers each send a request, read the
// whole answer, and send the next, for a fixed time or number of requests.
// It records every latency (not a histogram), so percentiles are exact.
package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Client is an HTTP client for conns concurrent connections to one host.
// It never uses a proxy (the environment's proxy settings would take the
// load off loopback) and never compresses.
func Client(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        conns * 2,
			MaxIdleConnsPerHost: conns * 2,
			MaxConnsPerHost:     0,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
		// Redirects are answers in themselves (a sign-in redirects).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       60 * time.Second,
	}
}

// CheckLoopback refuses a base URL whose host is not a loopback address:
// the generator is for this machine only.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("parse %q: %w", base, err)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address: the load generator only loads this machine", u.Host)
	}
	return nil
}

// Request is one request to send.
type Request struct {
	Op     string // what it is, for the per-operation figures
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Response is what came back.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Latency time.Duration // from sending to the last byte of the body
}

// Do sends r and reads the whole answer.
func Do(ctx context.Context, c *http.Client, r *Request) (*Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL, err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	lat := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", r.Method, r.URL, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Latency: lat}, nil
}

// Config bounds a run: it stops at Duration or after MaxRequests,
// whichever comes first.
type Config struct {
	Workers     int
	Duration    time.Duration
	MaxRequests int64 // 0: no limit
}

// Spec says what to send and what counts as a success.
type Spec struct {
	// Next makes worker w's i-th request (i counts all workers' requests).
	Next func(w int, i int64) *Request
	// Check inspects an answer; an error makes it a failure. nil accepts
	// any 2xx.
	Check func(w int, r *Request, resp *Response) error
}

// Run loads with cfg.Workers closed-loop workers and returns what they saw.
// At the end no new request starts, and those under way are let finish:
// cutting them off would make the server see clients vanish mid-answer.
// Cancelling ctx aborts everything at once.
func Run(ctx context.Context, c *http.Client, cfg Config, spec Spec) *Recorder {
	rec := NewRecorder()
	check := spec.Check
	if check == nil {
		check = func(_ int, _ *Request, resp *Response) error { return Want2xx(resp) }
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	for w := range max(cfg.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := n.Add(1)
				if cfg.MaxRequests > 0 && i > cfg.MaxRequests {
					return
				}
				r := spec.Next(w, i)
				resp, err := Do(ctx, c, r)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					rec.Fail(r.Op, 0, err)
					continue
				}
				if err := check(w, r, resp); err != nil {
					rec.Fail(r.Op, resp.Status, err)
				}
				rec.Observe(r.Op, resp.Status, resp.Latency)
			}
		}()
	}
	wg.Wait()
	rec.Elapsed = time.Since(start)
	return rec
}

// Want2xx accepts any 2xx answer.
func Want2xx(resp *Response) error {
	if resp.Status < 200 || resp.Status > 299 {
		return fmt.Errorf("status %d: %.200s", resp.Status, resp.Body)
	}
	return nil
}

// Recorder collects latencies, statuses and failures, per operation; it
// is safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	lat      map[string][]time.Duration
	status   map[int]int64
	opStatus map[string]map[int]int64
	fails    int64
	firstErr []string
	Elapsed  time.Duration
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{lat: map[string][]time.Duration{}, status: map[int]int64{}, opStatus: map[string]map[int]int64{}}
}

// Observe records an answer.
func (r *Recorder) Observe(op string, status int, d time.Duration) {
	r.mu.Lock()
	r.lat[op] = append(r.lat[op], d)
	r.status[status]++
	if r.opStatus[op] == nil {
		r.opStatus[op] = map[int]int64{}
	}
	r.opStatus[op][status]++
	r.mu.Unlock()
}

// Fail records a failure (status 0: no answer at all); the first few are
// kept to be shown.
func (r *Recorder) Fail(op string, status int, err error) {
	r.mu.Lock()
	r.fails++
	if status == 0 {
		r.status[0]++
	}
	if len(r.firstErr) < 5 {
		r.firstErr = append(r.firstErr, fmt.Sprintf("%s: %v", op, err))
	}
	r.mu.Unlock()
}

// Failures is the number of failed requests.
func (r *Recorder) Failures() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fails
}

// Errors are the first failures, for the report.
func (r *Recorder) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.firstErr...)
}

// Status counts the answers of each status (0: no answer).
func (r *Recorder) Status() map[int]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[int]int64, len(r.status))
	for k, v := range r.status {
		out[k] = v
	}
	return out
}

// StatusOf counts the answers of op by status.
func (r *Recorder) StatusOf(op string) map[int]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int]int64{}
	for k, v := range r.opStatus[op] {
		out[k] = v
	}
	return out
}

// Count5xx is the number of answers with a 5xx status.
func (r *Recorder) Count5xx() int64 {
	var n int64
	for s, c := range r.Status() {
		if s >= 500 {
			n += c
		}
	}
	return n
}

// Ops lists the operations seen, sorted.
func (r *Recorder) Ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.lat))
	for k := range r.lat {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Latencies returns the sorted latencies of op ("" for all operations).
func (r *Recorder) Latencies(op string) []time.Duration {
	r.mu.Lock()
	var out []time.Duration
	for k, v := range r.lat {
		if op == "" || k == op {
			out = append(out, v...)
		}
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Count is the number of answers recorded for op ("" for all).
func (r *Recorder) Count(op string) int { return len(r.Latencies(op)) }

// RPS is answers per second over the run.
func (r *Recorder) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Count("")) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0–100) of sorted latencies, by
// the nearest-rank method.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
