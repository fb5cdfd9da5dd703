package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"mamori/bench/load"
)

// headerFlags collects repeated -H "Name: value" flags.
type headerFlags http.Header

func (h headerFlags) String() string { return "" }

func (h headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("want -H 'Name: value', got %q", v)
	}
	http.Header(h).Add(strings.TrimSpace(k), strings.TrimSpace(val))
	return nil
}

// loadCmd is the load generator alone: one URL on loopback, N
// connections, for a while or a number of requests.
func loadCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	target := fs.String("url", "", "URL to load (loopback only)")
	method := fs.String("method", http.MethodGet, "HTTP method")
	body := fs.String("body", "", "request body")
	conns := fs.Int("c", 32, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "duration")
	maxReq := fs.Int64("n", 0, "stop after this many requests (0: no limit)")
	h := headerFlags{}
	fs.Var(h, "H", "header 'Name: value' (repeatable)")
	fs.Parse(args)
	if *target == "" {
		return fmt.Errorf("load: -url is required")
	}
	if err := load.CheckLoopback(*target); err != nil {
		return err
	}
	q := &load.Request{Op: "load", Method: *method, URL: *target, Header: http.Header(h)}
	if *body != "" {
		q.Body = []byte(*body)
	}
	rec := load.Run(ctx, load.Client(*conns), load.Config{Workers: *conns, Duration: *dur, MaxRequests: *maxReq},
		load.Spec{Next: func(int, int64) *load.Request { return q }})
	f := figureOf(rec)
	fmt.Printf("%d requests in %s: %s; p95 %s; %d failed\n", f.N, rec.Elapsed.Round(time.Millisecond), httpCell(f), ms(f.P95), f.Failed)
	for s, n := range rec.Status() {
		fmt.Printf("  status %d: %d\n", s, n)
	}
	for _, e := range f.Errors {
		fmt.Println("  error:", e)
	}
	if f.Failed > 0 {
		return fmt.Errorf("%d requests failed", f.Failed)
	}
	return nil
}
