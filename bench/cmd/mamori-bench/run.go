package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mamori"
	"mamori/bench"
	"mamori/bench/harness"
	"mamori/bench/load"
	"mamori/internal/asset"
	"mamori/internal/eventlog"
	"mamori/internal/i18n"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// runOptions are the run's flags.
type runOptions struct {
	root, work, postgres, out, bin string
	assets, people, conns          int
	dur                            time.Duration
	decisions                      int
	rounds                         int
	sqlite, keep, short            bool
}

func runCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var o runOptions
	fs.StringVar(&o.root, "root", "", "the mamori repository (default: found above the current directory)")
	fs.StringVar(&o.work, "work", "", "directory for the run's files (default: a temporary one, removed)")
	fs.StringVar(&o.postgres, "postgres", os.Getenv("MAMORI_TEST_POSTGRES"), "administrative PostgreSQL URL of a role that may create databases (env MAMORI_TEST_POSTGRES); empty skips PostgreSQL")
	fs.StringVar(&o.out, "out", "", "also write the markdown to this file")
	fs.StringVar(&o.bin, "bin", "", "a mamori binary to use instead of building one from the repository")
	fs.BoolVar(&o.sqlite, "sqlite", true, "measure on SQLite")
	fs.IntVar(&o.assets, "assets", 100_000, "assets in the register (imported from a generated .xlsx)")
	fs.IntVar(&o.people, "people", 1000, "people in the directory")
	fs.IntVar(&o.conns, "c", 32, "concurrent connections of the HTTP loads")
	fs.DurationVar(&o.dur, "d", 15*time.Second, "duration of each HTTP load")
	fs.IntVar(&o.decisions, "decisions", 200_000, "policy decisions timed for mamori (a tenth of them for OPA)")
	fs.IntVar(&o.rounds, "rounds", 15, "rounds over the list filters for the one-client p95")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.BoolVar(&o.short, "short", false, "a quick check that everything runs (CI): 2,000 assets, 100 people, 2 s loads")
	fs.Parse(args)
	if o.short {
		o.assets, o.people, o.dur, o.decisions, o.rounds, o.conns = 2000, 100, 2*time.Second, 20_000, 2, 8
	}
	return execute(o.root, o.work, o.keep, o.out, "the run measured, but these checks failed", func(root, dir string) (string, []string, error) {
		res, err := benchmark(ctx, root, dir, o)
		if res == nil {
			return "", nil, err
		}
		return res.markdown(o), res.failures(), err
	})
}

// httpFigure is one HTTP load: throughput, latency and how it went.
type httpFigure struct {
	RPS           float64
	P50, P95, P99 time.Duration
	N             int
	Failed        int64
	Errors        []string
}

func figureOf(rec *load.Recorder) httpFigure {
	l := rec.Latencies("")
	return httpFigure{RPS: rec.RPS(), P50: load.Percentile(l, 50), P95: load.Percentile(l, 95), P99: load.Percentile(l, 99),
		N: len(l), Failed: rec.Failures(), Errors: rec.Errors()}
}

// dbResult is everything measured on one database.
type dbResult struct {
	Name        string
	Skipped     string // why, when not run
	Seed        time.Duration
	People      int
	Import      harness.Import
	AppendOne   float64 // per second, one writer
	AppendMany  float64 // per second, appendWriters writers
	List        httpFigure
	Page        httpFigure
	Submit      httpFigure
	Decide      httpFigure
	OneList     httpFigure   // one client, API
	OnePage     httpFigure   // one client, HTML page
	Slowest     []filterTime // the filters slowest for one client (API)
	RSSStart    int64
	RSSAfter    int64
	RSSPeak     int64
	LogErrors   int
	LogFirst    []string
	Verify      harness.Verify
	VerifyError error
}

// results is the whole run.
type results struct {
	Machine    harness.Machine
	Policy     bench.Comparison
	SHA        float64 // raw SHA-256 of one event's canonical bytes, per second
	EventBytes int
	Seal       float64 // canonical encoding + SHA-256 (eventlog Seal), per second
	BareGet    httpFigure
	BarePost   httpFigure
	BareOne    httpFigure
	BareRSS    int64
	ReadRate   float64 // rows/s reading the register alone
	FileBytes  int64
	DBs        []*dbResult
}

const appendWriters = 16

func benchmark(ctx context.Context, root, dir string, o runOptions) (*results, error) {
	res := &results{Machine: harness.Describe(ctx, o.postgres)}
	bin, err := mamoriBinary(ctx, o.bin, root, dir)
	if err != nil {
		return nil, err
	}

	logf("policy: mamori against OPA on %d cases", len(bench.Cases))
	if res.Policy, err = bench.Compare(ctx, o.decisions); err != nil {
		return nil, err
	}
	res.SHA, res.Seal, res.EventBytes = hashRates()

	logf("reference: bare net/http handler")
	if err := bareReference(ctx, dir, o, res); err != nil {
		return res, err
	}

	var dbs []*harness.Database
	if o.sqlite {
		dbs = append(dbs, harness.SQLiteDatabase(filepath.Join(dir, "sqlite")))
	}
	if o.postgres != "" {
		pg, err := harness.PostgresDatabase(ctx, o.postgres)
		if err != nil {
			return res, err
		}
		defer pg.Drop(context.Background())
		dbs = append(dbs, pg)
	}
	for _, db := range dbs {
		r := &dbResult{Name: db.Name()}
		res.DBs = append(res.DBs, r)
		if err := measureDB(ctx, bin, dir, db, o, res, r); err != nil {
			return res, fmt.Errorf("%s: %w", db.Name(), err)
		}
	}
	if o.postgres == "" {
		res.DBs = append(res.DBs, &dbResult{Name: "PostgreSQL", Skipped: "no PostgreSQL: set MAMORI_TEST_POSTGRES (or -postgres) to a role that may create databases"})
	}
	return res, nil
}

// hashRates times raw SHA-256 over a typical event's canonical bytes, and
// the chain's own sealing (canonical encoding + SHA-256), each for about
// a second.
func hashRates() (sha, seal float64, size int) {
	e := &eventlog.Event{Tenant: 1, Seq: 12345, At: time.Now().UTC(), ActorID: 42, ActorLabel: "山田 太郎",
		Action: "request.submit", ObjectType: "requests", ObjectID: 981,
		Data:      `{"kind":"take_out","assets":[1234],"effect":"approve","clauses":["第2章 6(1)③ア"],"route":["security_manager"]}`,
		StateHash: strings.Repeat("a", 64), RequestID: "0123456789abcdef", ClientAddr: "127.0.0.1", PrevHash: strings.Repeat("b", 64)}
	buf := e.Canonical()
	rate := func(f func()) float64 {
		n := 0
		start := time.Now()
		for time.Since(start) < time.Second {
			for range 1000 {
				f()
			}
			n += 1000
		}
		return float64(n) / time.Since(start).Seconds()
	}
	sha = rate(func() { sha256.Sum256(buf) })
	seal = rate(func() { e.Seal(e.PrevHash) })
	return sha, seal, len(buf)
}

// bareReference loads the bare handler, served by a process of its own,
// exactly as the mamori rows load mamori.
func bareReference(ctx context.Context, dir string, o runOptions, res *results) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	srv, err := harness.StartServer(ctx, filepath.Join(dir, "bare.log"), "/readyz", self, "bare")
	if err != nil {
		return err
	}
	defer srv.Stop()
	c := load.Client(o.conns)
	get := &load.Request{Op: "get", Method: http.MethodGet, URL: srv.URL + "/api/v1/assets?kind=paper"}
	post := &load.Request{Op: "post", Method: http.MethodPost, URL: srv.URL + "/api/v1/decisions",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"action":"email.send_external","facts":{"confidentiality":2}}`)}
	load.Run(ctx, c, load.Config{Workers: o.conns, Duration: time.Second}, load.Spec{Next: func(int, int64) *load.Request { return get }})
	res.BareGet = figureOf(load.Run(ctx, c, load.Config{Workers: o.conns, Duration: o.dur}, load.Spec{Next: func(int, int64) *load.Request { return get }}))
	res.BarePost = figureOf(load.Run(ctx, c, load.Config{Workers: o.conns, Duration: o.dur}, load.Spec{Next: func(int, int64) *load.Request { return post }}))
	res.BareOne = figureOf(load.Run(ctx, c, load.Config{Workers: 1, Duration: o.dur / 3}, load.Spec{Next: func(int, int64) *load.Request { return get }}))
	res.BareRSS, _, err = srv.RSS()
	return err
}

func measureDB(ctx context.Context, bin, dir string, db *harness.Database, o runOptions, res *results, r *dbResult) error {
	logf("%s: filling the directory (%d people) through the store", db.Name(), o.people)
	start := time.Now()
	town, err := harness.Seed(ctx, db.URL, harness.SeedOptions{People: o.people, Tokens: min(o.people, 200)})
	if err != nil {
		return err
	}
	r.Seed, r.People = time.Since(start), town.People

	file, err := town.Register(dir, o.assets)
	if err != nil {
		return err
	}
	if res.ReadRate == 0 {
		if res.ReadRate, res.FileBytes, err = readRegister(file); err != nil {
			return err
		}
	}
	logf("%s: mamori asset import of %d rows", db.Name(), o.assets)
	if r.Import, err = harness.ImportRegister(ctx, bin, db.URL, file); err != nil {
		return err
	}
	if err := town.LoadAssets(ctx, db.URL, 200); err != nil {
		return err
	}

	logf("%s: durable appends", db.Name())
	if r.AppendOne, r.AppendMany, err = appends(ctx, db.URL, max(o.dur/3, time.Second)); err != nil {
		return err
	}

	logf("%s: mamori serve", db.Name())
	srv, err := harness.StartServer(ctx, filepath.Join(dir, db.Dialect+"-serve.log"), "/readyz",
		bin, "serve", "--db", db.URL, "--data", filepath.Join(dir, db.Dialect+"-data"), "--addr", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Stop()
	if r.RSSStart, _, err = srv.RSS(); err != nil {
		return err
	}
	if err := httpLoads(ctx, srv, town, o, r); err != nil {
		return err
	}
	if r.RSSAfter, r.RSSPeak, err = srv.RSS(); err != nil {
		return err
	}
	if err := srv.Stop(); err != nil {
		return err
	}
	r.LogErrors, r.LogFirst = harness.CountLogErrors(srv.LogPath)

	logf("%s: mamori log verify", db.Name())
	r.Verify, r.VerifyError = harness.VerifyLog(ctx, bin, db.URL)
	return nil
}

// readRegister reads the workbook with the import's own reader
// (asset.ReadTable: unzip, parse, every cell) and nothing else — no
// mapping, no checks, no storing: the reference for the import's rate.
func readRegister(path string) (float64, int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	t, err := asset.ReadTable(data, asset.ReadOptions{})
	if err != nil {
		return 0, 0, fmt.Errorf("read the register: %w", err)
	}
	return float64(len(t.Rows)) / time.Since(start).Seconds(), int64(len(data)), nil
}

// appends measures committed writes per second through the store, each a
// transaction that inserts a row and appends its event (fsync at commit),
// in an organization of their own: one writer, then appendWriters at once.
func appends(ctx context.Context, dbURL string, d time.Duration) (one, many float64, err error) {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	nt, err := setup.CreateTenant(ctx, st, "append", "追記", "fujieda")
	if err != nil {
		return 0, 0, err
	}
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: nt.Tenant.ID, ActorLabel: "mamori bench", RequestID: "bench"})
	run := func(writers int) (float64, error) {
		var n atomic.Int64
		var first error
		var once sync.Once
		var wg sync.WaitGroup
		start := time.Now()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; time.Since(start) < d; i++ {
					a := &store.Attachment{OwnerType: "bench", OwnerID: 1, Filename: fmt.Sprintf("%d-%d.txt", w, i), ContentType: "text/plain", Data: []byte("x")}
					if err := st.AddAttachment(tctx, a); err != nil {
						once.Do(func() { first = err })
						return
					}
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return float64(n.Load()) / time.Since(start).Seconds(), first
	}
	if one, err = run(1); err != nil {
		return 0, 0, err
	}
	many, err = run(appendWriters)
	return one, many, err
}

// filterTime is how long one filter of the list took, one client.
type filterTime struct {
	Filter   string
	P50, P95 time.Duration
}

// slowest returns the n filters with the highest median.
func slowest(rec *load.Recorder, n int) []filterTime {
	var out []filterTime
	for _, f := range rec.Ops() {
		l := rec.Latencies(f)
		out = append(out, filterTime{Filter: f, P50: load.Percentile(l, 50), P95: load.Percentile(l, 95)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].P50 > out[j].P50 })
	return out[:min(n, len(out))]
}

// bearer is the header of a JSON call with an API token.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
}

// listFilters are the list's filters, as the asset benchmark of the store
// uses them: the first and a deep page, a unit's subtree, kind, levels,
// flags, location, number and name search, sorts.
func listFilters(t *harness.Town, rows int) []string {
	u := t.Units[0]
	return []string{"", fmt.Sprintf("offset=%d", rows/2), fmt.Sprintf("unit=%d", u), "kind=paper", "level.confidentiality=1",
		fmt.Sprintf("unit=%d&level.confidentiality=1&level.availability=2", u), "personal=yes&kind=information", "specific_personal=yes",
		"to_classify=1", "location=" + url.QueryEscape("本庁舎3階"), "q=A-0500", "q=" + url.QueryEscape("業務データ 123"),
		"sort=name&desc=1", "sort=updated&level.integrity=3"}
}

// takeOut is the body of a take-out request (藤枝市 第2章6(1)③) of asset.
func takeOut(assetID int64, i int64) []byte {
	day := time.Now().In(i18n.Tokyo).AddDate(0, 0, 1+int(i%20))
	b, _ := json.Marshal(map[string]any{"kind": "take_out", "fields": map[string]any{
		"assets": []int64{assetID}, "purpose": fmt.Sprintf("住民説明会 %d", i), "destination": "市民会館",
		"start_at": day.Format("2006-01-02") + "T09:00", "return_date": day.AddDate(0, 0, 1).Format("2006-01-02")}})
	return b
}

func httpLoads(ctx context.Context, srv *harness.Server, t *harness.Town, o runOptions, r *dbResult) error {
	c := load.Client(o.conns)
	staff := t.Staff[:min(200, len(t.Staff))]
	filters := listFilters(t, o.assets)
	listReq := func(w int, i int64) *load.Request {
		p := staff[w%len(staff)]
		return &load.Request{Op: "list", Method: http.MethodGet, URL: srv.URL + "/api/v1/assets?" + filters[int(i)%len(filters)], Header: bearer(p.Token)}
	}
	cases := make([][]byte, len(bench.Cases))
	for i, k := range bench.Cases {
		cases[i], _ = json.Marshal(map[string]any{"action": k.Action, "facts": k.Facts})
	}
	decideReq := func(w int, i int64) *load.Request {
		p := staff[w%len(staff)]
		return &load.Request{Op: fmt.Sprint(int(i) % len(cases)), Method: http.MethodPost, URL: srv.URL + "/api/v1/decisions", Header: bearer(p.Token), Body: cases[int(i)%len(cases)]}
	}
	decideCheck := func(_ int, q *load.Request, resp *load.Response) error {
		if err := load.Want2xx(resp); err != nil {
			return err
		}
		var d struct{ Effect string }
		if err := json.Unmarshal(resp.Body, &d); err != nil {
			return err
		}
		var k int
		fmt.Sscan(q.Op, &k)
		if d.Effect != bench.Cases[k].Effect {
			return fmt.Errorf("case %q: effect %s, want %s", bench.Cases[k].Name, d.Effect, bench.Cases[k].Effect)
		}
		return nil
	}
	submitReq := func(w int, i int64) *load.Request {
		p := staff[w%len(staff)]
		as := t.Assets[p.UnitID]
		return &load.Request{Op: "submit", Method: http.MethodPost, URL: srv.URL + "/api/v1/requests", Header: bearer(p.Token), Body: takeOut(as[int(i)%len(as)], i)}
	}
	submitCheck := func(_ int, _ *load.Request, resp *load.Response) error {
		if resp.Status != http.StatusCreated {
			return fmt.Errorf("status %d: %.300s", resp.Status, resp.Body)
		}
		var q struct {
			ID     int64
			Status string
		}
		if err := json.Unmarshal(resp.Body, &q); err != nil {
			return err
		}
		if q.ID == 0 || q.Status != "pending" {
			return fmt.Errorf("request %d is %s, want pending (routed to the manager)", q.ID, q.Status)
		}
		return nil
	}

	logf("  warm-up")
	load.Run(ctx, c, load.Config{Workers: o.conns, Duration: 2 * time.Second}, load.Spec{Next: func(w int, i int64) *load.Request {
		if i%2 == 0 {
			return listReq(w, i)
		}
		return decideReq(w, i)
	}})

	logf("  asset list, one client: %d rounds over %d filters (API and page)", o.rounds, len(filters))
	one := load.Client(1)
	api, page := load.NewRecorder(), load.NewRecorder()
	p := staff[0]
	for range o.rounds {
		for _, f := range filters {
			for _, x := range []struct {
				rec  *load.Recorder
				path string
			}{{api, "/api/v1/assets?"}, {page, "/assets?"}} {
				q := &load.Request{Op: f, Method: http.MethodGet, URL: srv.URL + x.path + f, Header: bearer(p.Token)}
				resp, err := load.Do(ctx, one, q)
				if err != nil {
					return err
				}
				if err := load.Want2xx(resp); err != nil {
					x.rec.Fail(f, resp.Status, fmt.Errorf("%s: %w", q.URL, err))
				}
				x.rec.Observe(f, resp.Status, resp.Latency)
			}
		}
	}
	r.OneList, r.OnePage = figureOf(api), figureOf(page)
	r.Slowest = slowest(api, 3)

	logf("  asset list API, %d connections, %s", o.conns, o.dur)
	r.List = figureOf(load.Run(ctx, c, load.Config{Workers: o.conns, Duration: o.dur}, load.Spec{Next: listReq}))
	logf("  asset list page, %d connections, %s", o.conns, o.dur)
	r.Page = figureOf(load.Run(ctx, c, load.Config{Workers: o.conns, Duration: o.dur}, load.Spec{Next: func(w int, i int64) *load.Request {
		q := listReq(w, i)
		q.URL = strings.Replace(q.URL, "/api/v1/assets?", "/assets?", 1)
		return q
	}}))
	logf("  request submission, %d connections, %s", o.conns, o.dur)
	r.Submit = figureOf(load.Run(ctx, c, load.Config{Workers: o.conns, Duration: o.dur}, load.Spec{Next: submitReq, Check: submitCheck}))
	logf("  decision API, %d connections, %s", o.conns, o.dur)
	r.Decide = figureOf(load.Run(ctx, c, load.Config{Workers: o.conns, Duration: o.dur}, load.Spec{Next: decideReq, Check: decideCheck}))
	if srv.Exited() {
		return errors.New("mamori serve ended during the loads")
	}
	return nil
}
