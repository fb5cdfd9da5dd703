package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mamori"
	"mamori/bench"
	"mamori/bench/harness"
	"mamori/bench/load"
	"mamori/internal/notify"
	"mamori/internal/request"
	"mamori/internal/store"
)

type soakOptions struct {
	root, work, postgres, dbName, out, bin string
	users, assets, people                  int
	dur, think, sample                     time.Duration
	maxRequests                            int64
	keep, short                            bool
}

// soakCmd runs simulated users against a real server for a bounded time
// and number of requests, then checks that nothing was lost and that the
// log verifies.
func soakCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("soak", flag.ExitOnError)
	var o soakOptions
	fs.StringVar(&o.root, "root", "", "the mamori repository (default: found above the current directory)")
	fs.StringVar(&o.work, "work", "", "directory for the run's files (default: a temporary one, removed)")
	fs.StringVar(&o.dbName, "db", "sqlite", "database: sqlite or postgres")
	fs.StringVar(&o.postgres, "postgres", os.Getenv("MAMORI_TEST_POSTGRES"), "administrative PostgreSQL URL (env MAMORI_TEST_POSTGRES), for -db postgres")
	fs.StringVar(&o.out, "out", "", "also write the report (markdown) to this file")
	fs.StringVar(&o.bin, "bin", "", "a mamori binary to use instead of building one from the repository")
	fs.IntVar(&o.users, "users", 200, "simulated users at once (the units' managers among them)")
	fs.DurationVar(&o.dur, "d", 10*time.Minute, "how long to run")
	fs.Int64Var(&o.maxRequests, "max-requests", 2_000_000, "stop after this many requests in all")
	fs.DurationVar(&o.think, "think", time.Second, "mean pause of a user between two actions")
	fs.DurationVar(&o.sample, "sample", 5*time.Second, "how often to read the server's memory")
	fs.IntVar(&o.assets, "assets", 100_000, "assets in the register")
	fs.IntVar(&o.people, "people", 1000, "people in the directory")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.BoolVar(&o.short, "short", false, "the CI form: 30 s, 50 users, 2,000 assets, 200 people, memory read every second")
	fs.Parse(args)
	if o.short {
		o.dur, o.users, o.assets, o.people, o.sample = 30*time.Second, 50, 2000, 200, time.Second
	}
	if o.people < o.users+20 {
		o.people = o.users + 20
	}
	return execute(o.root, o.work, o.keep, o.out, "the soak failed", func(root, dir string) (string, []string, error) {
		rep, err := soak(ctx, root, dir, o)
		if rep == nil {
			return "", nil, err
		}
		return rep.markdown(o), rep.failures(), err
	})
}

// sample is the server's resident memory at a moment of the run.
type sample struct {
	At  time.Duration
	RSS int64
}

// soakReport is what the soak saw.
type soakReport struct {
	Machine   harness.Machine
	DB        string
	Elapsed   time.Duration
	Rec       *load.Recorder
	Unexpect  map[string]int // answers the user did not expect, by operation
	Acked     map[string]int // acknowledged writes, by kind
	Lost      []string       // acknowledged writes not found afterwards
	Unchecked int            // read marks too old to look up
	Samples   []sample
	LogErrors int
	LogFirst  []string
	Verify    harness.Verify
	VerifyErr error
	Stopped   string // why the users stopped
}

// ack is an acknowledged write to look for afterwards.
type ack struct {
	kind    string // request, decision, incident, read
	id      int64
	person  int64
	round   int
	step    int
	outcome string
	receipt string
}

// soakRun is the shared state of the users.
type soakRun struct {
	base     string
	client   *http.Client
	rec      *load.Recorder
	town     *harness.Town
	filters  []string
	cases    [][]byte
	deadline time.Time
	maxReq   int64
	sent     atomic.Int64
	think    time.Duration

	mu       sync.Mutex
	acks     []ack
	unexpect map[string]int
	seen     []int64 // asset ids users have come across
}

func soak(ctx context.Context, root, dir string, o soakOptions) (*soakReport, error) {
	pg := ""
	if o.dbName == "postgres" {
		pg = o.postgres
	}
	rep := &soakReport{Machine: harness.Describe(ctx, pg), Unexpect: map[string]int{}, Acked: map[string]int{}}
	bin, err := mamoriBinary(ctx, o.bin, root, dir)
	if err != nil {
		return nil, err
	}
	var db *harness.Database
	switch o.dbName {
	case "sqlite":
		db = harness.SQLiteDatabase(filepath.Join(dir, "sqlite"))
	case "postgres":
		if o.postgres == "" {
			return nil, errors.New("-db postgres needs MAMORI_TEST_POSTGRES or -postgres")
		}
		if db, err = harness.PostgresDatabase(ctx, o.postgres); err != nil {
			return nil, err
		}
		defer db.Drop(context.Background())
	default:
		return nil, fmt.Errorf("-db %q: want sqlite or postgres", o.dbName)
	}
	rep.DB = db.Name()
	logf("%s: %d people, %d assets", db.Name(), o.people, o.assets)
	town, err := harness.Seed(ctx, db.URL, harness.SeedOptions{People: o.people, Tokens: o.users})
	if err != nil {
		return nil, err
	}
	file, err := town.Register(dir, o.assets)
	if err != nil {
		return nil, err
	}
	if _, err := harness.ImportRegister(ctx, bin, db.URL, file); err != nil {
		return nil, err
	}
	if err := town.LoadAssets(ctx, db.URL, 200); err != nil {
		return nil, err
	}
	srv, err := harness.StartServer(ctx, filepath.Join(dir, "serve.log"), "/readyz",
		bin, "serve", "--db", db.URL, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	if err := load.CheckLoopback(srv.URL); err != nil {
		return nil, err
	}

	run := &soakRun{base: srv.URL, client: load.Client(o.users), rec: load.NewRecorder(), town: town,
		filters: listFilters(town, o.assets), maxReq: o.maxRequests, think: o.think, unexpect: map[string]int{}}
	for _, k := range bench.Cases {
		b, _ := json.Marshal(map[string]any{"action": k.Action, "facts": k.Facts})
		run.cases = append(run.cases, b)
	}
	for _, as := range town.Assets {
		run.seen = append(run.seen, as...)
	}

	// Memory, every o.sample from the start.
	start := time.Now()
	run.deadline = start.Add(o.dur)
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	sampling.Add(1)
	go func() {
		defer sampling.Done()
		t := time.NewTicker(o.sample)
		defer t.Stop()
		for {
			if rss, _, err := srv.RSS(); err == nil {
				rep.Samples = append(rep.Samples, sample{At: time.Since(start), RSS: rss})
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()

	// The users: every unit's manager decides; the rest are staff, half
	// of them signed in with a password (a session, pages, CSRF), half
	// with an API token. They arrive over the first tenth of the run.
	var users []*simUser
	for _, u := range town.Units {
		users = append(users, &simUser{run: run, p: town.Approvers[u], approver: true})
	}
	for i := 0; len(users) < o.users && i < len(town.Staff); i++ {
		if town.Staff[i].Token == "" {
			break
		}
		users = append(users, &simUser{run: run, p: town.Staff[i]})
	}
	for i, u := range users {
		u.session = i%2 == 1
		u.rng = rand.New(rand.NewPCG(uint64(i), 42))
	}
	ramp := min(o.dur/10, 30*time.Second)
	logf("%d users for %s (ramp-up %s), think time %s", len(users), o.dur, ramp, o.think)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(ramp * time.Duration(i) / time.Duration(len(users))):
			case <-ctx.Done():
				return
			}
			u.live(ctx)
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	close(stopSampling)
	sampling.Wait()
	rep.Stopped = fmt.Sprintf("time limit %s", o.dur)
	if n := run.sent.Load(); n >= o.maxRequests {
		rep.Stopped = fmt.Sprintf("request limit %d", o.maxRequests)
	}
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	rep.Rec, rep.Unexpect = run.rec, run.unexpect
	rep.Rec.Elapsed = rep.Elapsed
	if srv.Exited() {
		return rep, errors.New("mamori serve ended during the soak")
	}
	if err := srv.Stop(); err != nil {
		return rep, err
	}
	rep.LogErrors, rep.LogFirst = harness.CountLogErrors(srv.LogPath)

	logf("looking for every acknowledged write")
	for _, a := range run.acks {
		rep.Acked[a.kind]++
	}
	if rep.Lost, rep.Unchecked, err = findAcks(ctx, db.URL, town, run.acks); err != nil {
		return rep, err
	}
	logf("mamori log verify")
	rep.Verify, rep.VerifyErr = harness.VerifyLog(ctx, bin, db.URL)
	return rep, nil
}

// findAcks looks in the database, with the server stopped, for every
// write the server acknowledged: each request, each decision on its step,
// each incident with its receipt number, each notification marked read.
func findAcks(ctx context.Context, dbURL string, t *harness.Town, acks []ack) (lost []string, unchecked int, err error) {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, 0, err
	}
	defer st.Close()
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.Tenant, ActorLabel: "mamori soak", RequestID: "soak"})
	want := map[string]request.StepStatus{"approve": request.StepApproved, "reject": request.StepRejected, "return": request.StepReturned}
	reads := map[int64][]int64{}
	for _, a := range acks {
		switch a.kind {
		case "request":
			r, err := st.Request(tctx, a.id)
			if err != nil || r.ApplicantID != a.person {
				lost = append(lost, fmt.Sprintf("request %d of person %d: %v", a.id, a.person, err))
			}
		case "decision":
			r, err := st.Request(tctx, a.id)
			ok := err == nil && slices.ContainsFunc(r.Steps, func(s request.Step) bool {
				return s.Round == a.round && s.Index == a.step && s.Status == want[a.outcome] && s.DecidedBy == a.person
			})
			if !ok {
				lost = append(lost, fmt.Sprintf("decision %s on request %d round %d step %d by person %d: %v", a.outcome, a.id, a.round, a.step, a.person, err))
			}
		case "incident":
			rec, err := st.IncidentRecord(tctx, a.id)
			if err != nil || rec.Incident.ReceiptNo != a.receipt {
				lost = append(lost, fmt.Sprintf("incident %d (%s): %v", a.id, a.receipt, err))
			}
		case "read":
			reads[a.person] = append(reads[a.person], a.id)
		}
	}
	for person, ids := range reads {
		items, err := st.Inbox(tctx, person, notify.InboxFilter{Limit: 500})
		if err != nil {
			return lost, unchecked, err
		}
		byID := map[int64]notify.Item{}
		for _, it := range items {
			byID[it.ID] = it
		}
		for _, id := range ids {
			it, ok := byID[id]
			switch {
			case !ok && len(items) == 500:
				unchecked++ // older than the 500 newest
			case !ok || it.ReadAt == nil:
				lost = append(lost, fmt.Sprintf("notification %d of person %d marked read", id, person))
			}
		}
	}
	return lost, unchecked, nil
}

// simUser is one simulated person.
type simUser struct {
	run      *soakRun
	p        harness.Person
	approver bool
	session  bool
	cookie   string // the session token, when signed in with a password
	csrf     string
	rng      *rand.Rand
	mine     []int64 // requests this user filed
	unread   []int64 // notifications seen unread
}

var errStop = errors.New("stop")

// live is the user's day: sign in, then act and pause until the run ends.
func (u *simUser) live(ctx context.Context) {
	if u.session {
		if err := u.signIn(ctx); err != nil {
			return
		}
	}
	for ctx.Err() == nil && time.Now().Before(u.run.deadline) {
		var err error
		if u.approver {
			err = u.decideQueue(ctx)
		} else {
			err = u.act(ctx)
		}
		if errors.Is(err, errStop) {
			return
		}
		pause := time.Duration(float64(u.run.think) * (0.5 + u.rng.Float64()))
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return
		}
	}
}

// call sends one request as the user and records it; want lists the
// statuses the user expects (anything else is an unexpected answer).
func (u *simUser) call(ctx context.Context, op, method, path string, body []byte, form bool, want ...int) (*load.Response, error) {
	if u.run.sent.Add(1) > u.run.maxReq || !time.Now().Before(u.run.deadline) {
		return nil, errStop
	}
	h := http.Header{}
	switch {
	case u.cookie != "":
		h.Set("Cookie", "mamori_session="+u.cookie)
		if method != http.MethodGet {
			h.Set("X-CSRF-Token", u.csrf)
		}
	case u.p.Token != "" && !u.session:
		h.Set("Authorization", "Bearer "+u.p.Token)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
		if form {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	r := &load.Request{Op: op, Method: method, URL: u.run.base + path, Header: h, Body: body}
	resp, err := load.Do(ctx, u.run.client, r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, errStop
		}
		u.run.rec.Fail(op, 0, err)
		return nil, err
	}
	u.run.rec.Observe(op, resp.Status, resp.Latency)
	if !slices.Contains(want, resp.Status) {
		u.run.mu.Lock()
		u.run.unexpect[op]++
		u.run.mu.Unlock()
		u.run.rec.Fail(op, resp.Status, fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.Status, resp.Body))
		return resp, fmt.Errorf("%s: status %d", op, resp.Status)
	}
	return resp, nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in with the password, as the sign-in page does, and reads
// the page's anti-forgery token.
func (u *simUser) signIn(ctx context.Context) error {
	form := url.Values{"tenant": {harness.Slug}, "login": {u.p.Login}, "password": {u.run.town.Password}, "next": {"/"}}
	u.cookie = ""
	resp, err := u.call(ctx, "sign in", http.MethodPost, "/signin", []byte(form.Encode()), true, http.StatusSeeOther, http.StatusFound)
	if err != nil {
		return err
	}
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if c.Name == "mamori_session" {
			u.cookie = c.Value
		}
	}
	if u.cookie == "" {
		u.run.rec.Fail("sign in", resp.Status, errors.New("no session cookie"))
		return errors.New("no session cookie")
	}
	page, err := u.call(ctx, "page: home", http.MethodGet, "/", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(page.Body)
	if m == nil {
		u.run.rec.Fail("page: home", page.Status, errors.New("no CSRF token on the page"))
		return errors.New("no CSRF token")
	}
	u.csrf = string(m[1])
	return nil
}

func (u *simUser) signOut(ctx context.Context) error {
	form := url.Values{"csrf": {u.csrf}}
	if _, err := u.call(ctx, "sign out", http.MethodPost, "/signout", []byte(form.Encode()), true, http.StatusSeeOther, http.StatusFound); err != nil {
		return err
	}
	u.cookie = ""
	return u.signIn(ctx)
}

// act is one thing a member of staff does, picked by weight.
func (u *simUser) act(ctx context.Context) error {
	type action struct {
		weight int
		do     func(context.Context) error
	}
	actions := []action{
		{25, u.listAssets}, {15, u.viewAsset}, {10, u.inbox}, {8, u.policyDecision}, {5, u.preview},
		{10, u.submit}, {8, u.myRequests}, {5, u.viewMine}, {3, u.reportIncident}, {5, u.home}, {5, u.markRead},
	}
	if u.session {
		actions = append(actions, action{1, u.signOut})
	}
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	n := u.rng.IntN(total)
	for _, a := range actions {
		if n < a.weight {
			return a.do(ctx)
		}
		n -= a.weight
	}
	return nil
}

func (u *simUser) listAssets(ctx context.Context) error {
	f := u.run.filters[u.rng.IntN(len(u.run.filters))]
	if u.session {
		_, err := u.call(ctx, "page: asset list", http.MethodGet, "/assets?"+f, nil, false, http.StatusOK)
		return err
	}
	resp, err := u.call(ctx, "api: asset list", http.MethodGet, "/api/v1/assets?"+f, nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	var page struct{ Assets []struct{ ID int64 } }
	if json.Unmarshal(resp.Body, &page) == nil && len(page.Assets) > 0 {
		u.run.mu.Lock()
		if len(u.run.seen) < 50_000 {
			u.run.seen = append(u.run.seen, page.Assets[u.rng.IntN(len(page.Assets))].ID)
		}
		u.run.mu.Unlock()
	}
	return nil
}

func (u *simUser) viewAsset(ctx context.Context) error {
	u.run.mu.Lock()
	id := u.run.seen[u.rng.IntN(len(u.run.seen))]
	u.run.mu.Unlock()
	if u.session {
		_, err := u.call(ctx, "page: asset", http.MethodGet, fmt.Sprintf("/assets/%d", id), nil, false, http.StatusOK)
		return err
	}
	_, err := u.call(ctx, "api: asset", http.MethodGet, fmt.Sprintf("/api/v1/assets/%d", id), nil, false, http.StatusOK)
	return err
}

func (u *simUser) inbox(ctx context.Context) error {
	if u.session {
		_, err := u.call(ctx, "page: inbox", http.MethodGet, "/inbox", nil, false, http.StatusOK)
		return err
	}
	return u.readInbox(ctx)
}

// readInbox reads the inbox through the API and remembers unread items.
func (u *simUser) readInbox(ctx context.Context) error {
	resp, err := u.call(ctx, "api: inbox", http.MethodGet, "/api/v1/inbox?unread=1", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	var in struct {
		Items []struct{ ID int64 }
	}
	if err := json.Unmarshal(resp.Body, &in); err != nil {
		return err
	}
	u.unread = u.unread[:0]
	for _, it := range in.Items {
		u.unread = append(u.unread, it.ID)
	}
	return nil
}

// markRead marks a notification read: a write the soak checks afterwards.
func (u *simUser) markRead(ctx context.Context) error {
	if len(u.unread) == 0 {
		return u.readInbox(ctx)
	}
	id := u.unread[0]
	u.unread = u.unread[1:]
	if _, err := u.call(ctx, "api: mark read", http.MethodPost, fmt.Sprintf("/api/v1/inbox/%d/read", id), []byte("{}"), false, http.StatusNoContent); err != nil {
		return err
	}
	u.run.addAck(ack{kind: "read", id: id, person: u.p.ID})
	return nil
}

func (u *simUser) policyDecision(ctx context.Context) error {
	k := u.rng.IntN(len(u.run.cases))
	resp, err := u.call(ctx, "api: policy decision", http.MethodPost, "/api/v1/decisions", u.run.cases[k], false, http.StatusOK)
	if err != nil {
		return err
	}
	var d struct{ Effect string }
	if err := json.Unmarshal(resp.Body, &d); err != nil || d.Effect != bench.Cases[k].Effect {
		u.run.mu.Lock()
		u.run.unexpect["api: policy decision"]++
		u.run.mu.Unlock()
		u.run.rec.Fail("api: policy decision", resp.Status, fmt.Errorf("case %q: effect %q, want %q", bench.Cases[k].Name, d.Effect, bench.Cases[k].Effect))
	}
	return nil
}

func (u *simUser) takeOutBody() []byte {
	as := u.run.town.Assets[u.p.UnitID]
	return takeOut(as[u.rng.IntN(len(as))], int64(u.rng.IntN(1000)))
}

func (u *simUser) preview(ctx context.Context) error {
	_, err := u.call(ctx, "api: request preview", http.MethodPost, "/api/v1/requests/preview", u.takeOutBody(), false, http.StatusOK)
	return err
}

// submit files a take-out: a write the soak checks afterwards.
func (u *simUser) submit(ctx context.Context) error {
	resp, err := u.call(ctx, "api: submit request", http.MethodPost, "/api/v1/requests", u.takeOutBody(), false, http.StatusCreated)
	if err != nil {
		return err
	}
	var r struct{ ID int64 }
	if err := json.Unmarshal(resp.Body, &r); err != nil || r.ID == 0 {
		return fmt.Errorf("submitted request without id: %.200s", resp.Body)
	}
	u.mine = append(u.mine, r.ID)
	u.run.addAck(ack{kind: "request", id: r.ID, person: u.p.ID})
	return nil
}

func (u *simUser) myRequests(ctx context.Context) error {
	if u.session {
		_, err := u.call(ctx, "page: my requests", http.MethodGet, "/requests", nil, false, http.StatusOK)
		return err
	}
	_, err := u.call(ctx, "api: my requests", http.MethodGet, "/api/v1/requests", nil, false, http.StatusOK)
	return err
}

func (u *simUser) viewMine(ctx context.Context) error {
	if len(u.mine) == 0 {
		return u.myRequests(ctx)
	}
	id := u.mine[u.rng.IntN(len(u.mine))]
	if u.session {
		_, err := u.call(ctx, "page: request", http.MethodGet, fmt.Sprintf("/requests/%d", id), nil, false, http.StatusOK)
		return err
	}
	_, err := u.call(ctx, "api: request", http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", id), nil, false, http.StatusOK)
	return err
}

// reportIncident reports a suspected incident: a write the soak checks
// afterwards by its receipt number.
func (u *simUser) reportIncident(ctx context.Context) error {
	body, _ := json.Marshal(map[string]any{"category": "suspected", "title": fmt.Sprintf("不審なメールを受信（%s）", u.p.Login),
		"description": "差出人不明のメールに添付ファイルがありました。開いていません。", "personal_info": false})
	resp, err := u.call(ctx, "api: report incident", http.MethodPost, "/api/v1/incidents", body, false, http.StatusCreated)
	if err != nil {
		return err
	}
	var inc struct {
		ID        int64  `json:"id"`
		ReceiptNo string `json:"receipt_no"`
	}
	if err := json.Unmarshal(resp.Body, &inc); err != nil || inc.ID == 0 {
		return fmt.Errorf("incident without id: %.200s", resp.Body)
	}
	u.run.addAck(ack{kind: "incident", id: inc.ID, person: u.p.ID, receipt: inc.ReceiptNo})
	return nil
}

func (u *simUser) home(ctx context.Context) error {
	if u.session {
		_, err := u.call(ctx, "page: home", http.MethodGet, "/", nil, false, http.StatusOK)
		return err
	}
	_, err := u.call(ctx, "api: me", http.MethodGet, "/api/v1/me", nil, false, http.StatusOK)
	return err
}

// decideQueue is a manager's turn: open the queue (page or API) and
// decide up to five requests, oldest first — mostly approving, sometimes
// sending back or rejecting with a reason.
func (u *simUser) decideQueue(ctx context.Context) error {
	if u.session && u.rng.IntN(3) == 0 {
		if _, err := u.call(ctx, "page: queue", http.MethodGet, "/requests/queue", nil, false, http.StatusOK); err != nil {
			return err
		}
	}
	resp, err := u.call(ctx, "api: queue", http.MethodGet, "/api/v1/requests?view=queue", nil, false, http.StatusOK)
	if err != nil {
		return err
	}
	var q struct {
		Requests []struct {
			ID    int64
			Round int
			Step  int
		}
	}
	if err := json.Unmarshal(resp.Body, &q); err != nil {
		return err
	}
	for _, r := range q.Requests[:min(5, len(q.Requests))] {
		outcome, comment := "approve", ""
		switch n := u.rng.IntN(10); {
		case n == 0:
			outcome, comment = "reject", "今回は認められません（ソーク試験）"
		case n == 1:
			outcome, comment = "return", "返却予定日を見直してください（ソーク試験）"
		}
		body, _ := json.Marshal(map[string]any{"outcome": outcome, "comment": comment, "round": r.Round, "step": r.Step})
		if _, err := u.call(ctx, "api: decide request", http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/decision", r.ID), body, false, http.StatusOK); err != nil {
			return err
		}
		u.run.addAck(ack{kind: "decision", id: r.ID, person: u.p.ID, round: r.Round, step: r.Step, outcome: outcome})
	}
	return nil
}

func (run *soakRun) addAck(a ack) {
	run.mu.Lock()
	run.acks = append(run.acks, a)
	run.mu.Unlock()
}

// memory summarises the samples: the first, the last, the highest, and
// the least-squares slope over the second half of the run.
func (rep *soakReport) memory() (first, last, peak int64, slopeMiBPerMin, meanHalf float64) {
	if len(rep.Samples) == 0 {
		return
	}
	first, last = rep.Samples[0].RSS, rep.Samples[len(rep.Samples)-1].RSS
	half := rep.Samples[len(rep.Samples)/2:]
	var sx, sy, sxx, sxy float64
	for _, s := range rep.Samples {
		peak = max(peak, s.RSS)
	}
	for _, s := range half {
		x, y := s.At.Minutes(), float64(s.RSS)/(1<<20)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	n := float64(len(half))
	meanHalf = sy / n
	if d := n*sxx - sx*sx; n > 1 && d != 0 {
		slopeMiBPerMin = (n*sxy - sx*sy) / d
	}
	return
}

// minJudgedHalf is the shortest second half over which memory is judged.
// Over less, one sign-in's argon2id hash (64 MiB) or one garbage-collector
// cycle moves the server's RSS more than any leak could in that time: the
// 30-second CI soak shows the trend, and the 10-minute soak judges it.
const minJudgedHalf = 2 * time.Minute

// flat says whether memory held steady over the second half: the growth
// the slope gives over that half stays under 5 % of the mean there (and
// under 8 MiB). judged is false when the run is too short to tell.
func (rep *soakReport) flat() (ok, judged bool, growth float64) {
	_, _, _, slope, mean := rep.memory()
	half := rep.Elapsed / 2
	growth = slope * half.Minutes()
	return growth <= math.Max(0.05*mean, 8), half >= minJudgedHalf, growth
}

func (rep *soakReport) failures() []string {
	var out []string
	if rep.Rec == nil {
		return []string{"the users did not run"}
	}
	if n := rep.Rec.Count5xx(); n > 0 {
		out = append(out, fmt.Sprintf("%d answers with a 5xx status", n))
	}
	if n := rep.Rec.Status()[0]; n > 0 {
		out = append(out, fmt.Sprintf("%d requests got no answer", n))
	}
	if n := sum(rep.Unexpect); n > 0 {
		out = append(out, fmt.Sprintf("%d unexpected answers: %v; first: %s", n, rep.Unexpect, strings.Join(rep.Rec.Errors(), " / ")))
	}
	if len(rep.Lost) > 0 {
		out = append(out, fmt.Sprintf("%d acknowledged writes not found, first: %s", len(rep.Lost), strings.Join(rep.Lost[:min(5, len(rep.Lost))], "; ")))
	}
	if ok, judged, growth := rep.flat(); judged && !ok {
		out = append(out, fmt.Sprintf("memory grew %.1f MiB over the second half", growth))
	}
	if rep.VerifyErr != nil {
		out = append(out, fmt.Sprintf("mamori log verify: %v", rep.VerifyErr))
	}
	if rep.LogErrors > 0 {
		out = append(out, fmt.Sprintf("the server logged %d errors, first: %s", rep.LogErrors, strings.Join(rep.LogFirst, " / ")))
	}
	return out
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (rep *soakReport) markdown(o soakOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Soak on %s: %d users, %s\n\n%s\n", rep.DB, o.users, o.dur, rep.Machine.Markdown())
	if rep.Rec == nil {
		b.WriteString("The users did not run.\n")
		return b.String()
	}
	n := rep.Rec.Count("")
	fmt.Fprintf(&b, "Ran %s (stopped by the %s); %s assets, %s people; think time %s (±50 %%); loopback only.\n\n",
		rep.Elapsed.Round(time.Second), rep.Stopped, count(o.assets), count(o.people), o.think)
	first, last, peak, slope, mean := rep.memory()
	ok, judged, growth := rep.flat()
	verdict := "yes"
	switch {
	case !judged:
		verdict = "not judged (the run is too short to tell a leak from a collector cycle)"
	case !ok:
		verdict = "**no**"
	}
	lost := len(rep.Lost)
	b.WriteString("| check | result |\n|---|---|\n")
	fmt.Fprintf(&b, "| requests | %s (%.0f/s), %d with no answer |\n", count(n), float64(n)/rep.Elapsed.Seconds(), rep.Rec.Status()[0])
	fmt.Fprintf(&b, "| 5xx answers | %d |\n", rep.Rec.Count5xx())
	fmt.Fprintf(&b, "| unexpected answers (any status the user did not expect) | %d |\n", sum(rep.Unexpect))
	var acked []string
	for _, k := range []string{"request", "decision", "incident", "read"} {
		acked = append(acked, fmt.Sprintf("%s %s", count(rep.Acked[k]), map[string]string{"request": "requests filed", "decision": "decisions", "incident": "incidents reported", "read": "notifications marked read"}[k]))
	}
	fmt.Fprintf(&b, "| acknowledged writes found afterwards | %s of %s (%s)%s |\n", count(sum(rep.Acked)-lost-rep.Unchecked), count(sum(rep.Acked)), strings.Join(acked, ", "),
		map[bool]string{true: fmt.Sprintf("; %d read marks too old to look up", rep.Unchecked), false: ""}[rep.Unchecked > 0])
	fmt.Fprintf(&b, "| server memory (VmRSS, every %s) | start %s, end %s, max %s; second half: %+.2f MiB/min (%+.1f MiB over the half, mean %.0f MiB) — flat: %s |\n",
		o.sample, mib(first), mib(last), mib(peak), slope, growth, mean, verdict)
	v := "passed: " + fmt.Sprintf("%s events, %s records", count(int(rep.Verify.Events)), count(int(rep.Verify.Rows)))
	if rep.VerifyErr != nil {
		v = "**failed**: " + rep.VerifyErr.Error()
	}
	fmt.Fprintf(&b, "| `mamori log verify` at the end | %s |\n", v)
	fmt.Fprintf(&b, "| errors in the server's log | %d |\n", rep.LogErrors)
	b.WriteString("\n| operation | count | p50 | p99 | statuses |\n|---|---|---|---|---|\n")
	for _, op := range rep.Rec.Ops() {
		l := rep.Rec.Latencies(op)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", op, count(len(l)), ms(load.Percentile(l, 50)), ms(load.Percentile(l, 99)), statusText(rep.Rec.StatusOf(op), rep.Unexpect[op]))
	}
	b.WriteString("\n")
	if bad := rep.failures(); len(bad) > 0 {
		b.WriteString("**Failed:**\n\n")
		for _, f := range bad {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	} else {
		memory := "memory flat"
		if !judged {
			memory = "memory not judged (too short)"
		}
		b.WriteString("**Passed**: zero 5xx, no lost write, " + memory + ", the log verifies.\n")
	}
	b.WriteString("\nMemory samples (minute: MiB): ")
	step := max(1, len(rep.Samples)/20)
	var parts []string
	for i := 0; i < len(rep.Samples); i += step {
		s := rep.Samples[i]
		parts = append(parts, fmt.Sprintf("%.1f: %.0f", s.At.Minutes(), float64(s.RSS)/(1<<20)))
	}
	b.WriteString(strings.Join(parts, ", ") + "\n")
	return b.String()
}

func statusText(st map[int]int64, unexpected int) string {
	codes := make([]int, 0, len(st))
	for c := range st {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%s", c, count(int(st[c]))))
	}
	out := strings.Join(parts, ", ")
	if unexpected > 0 {
		out += fmt.Sprintf(" — **%d unexpected**", unexpected)
	}
	return out
}
