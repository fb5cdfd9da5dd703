package proof

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// crashKills is how many times each database's server is killed.
const crashKills = 20

// TestCrashSafety runs the real `mamori serve`, has several API clients
// write to it at once — assets (with their classification), units, people
// with sign-in accounts, and requests that the policy routes for approval
// — and kills the server with SIGKILL at a random moment, 20 times on
// each database. After each restart every write whose 2xx answer reached
// its client is there, nothing is half there (an asset without its level
// rows, a person without the account asked for, a request without its
// approval step or its assets), and `mamori log verify` passes.
//
// MAMORI_CRASH_SEED replays a run's kill moments and write mix.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test starts the server 21 times per database")
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { crash(t, d) })
	}
}

// ack is a write whose success reached the client: what to look for.
type ack struct {
	kind string // "asset", "unit", "person", "request"
	key  string // its number, code, staff number, or the unique text in its answers
}

func crash(t *testing.T, d store.Dialect) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("MAMORI_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("MAMORI_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	start := time.Now()

	// The organization, through the real API in process: the demo
	// organization (so that requests find approvers), an administrator's
	// token, and a member of staff's token to file requests with.
	dbURL := storetest.URL(t, d)
	s := newSiteAt(t, d, dbURL)
	o := s.newOrg("crash", "耐障害町", "fujieda", true)
	f := fill(t, o, 1, "crashmark", "kc")
	kind := routedKind(t, f)
	tenant := int64(o.tenant)
	adminToken, staffToken := o.api.bearer, f.person.bearer
	levels := f.levels
	s.st.Close()

	data := t.TempDir()
	var (
		mu    sync.Mutex
		acked []ack
		seq   int
		tried = map[string]int{}
	)
	next := func() int {
		mu.Lock()
		defer mu.Unlock()
		seq++
		return seq
	}
	writes := []struct {
		weight int
		do     func(c *http.Client, base string) (ack, bool)
	}{
		{6, func(c *http.Client, base string) (ack, bool) {
			n := fmt.Sprintf("C-%d", next())
			return ack{"asset", n}, post(c, base+"/api/v1/assets", adminToken, map[string]any{"number": n, "name": "耐障害 " + n,
				"kind": "paper", "unit_id": f.homeUnit, "levels": levels})
		}},
		{1, func(c *http.Client, base string) (ack, bool) {
			n := fmt.Sprintf("cu-%d", next())
			return ack{"unit", n}, post(c, base+"/api/v1/units", adminToken, map[string]any{"code": n, "name": "課 " + n, "kind": "department"})
		}},
		{2, func(c *http.Client, base string) (ack, bool) {
			n := fmt.Sprintf("cp-%d", next())
			return ack{"person", n}, post(c, base+"/api/v1/people", adminToken, map[string]any{"staff_no": n, "name": "職員 " + n, "kind": "staff",
				"unit_id": f.homeUnit, "account": true})
		}},
		{2, func(c *http.Client, base string) (ack, bool) {
			n := fmt.Sprintf("cr-%d", next())
			return ack{"request", n}, post(c, base+"/api/v1/requests", staffToken, map[string]any{"kind": kind.ID,
				"fields": requestFields(kind, f.id("person"), f.id("asset"), n)})
		}},
	}
	var total int
	for _, w := range writes {
		total += w.weight
	}

	srv := startServe(t, dbURL, data)
	for round := 1; round <= crashKills; round++ {
		// Load: clients write until the server dies under them.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range 6 {
			wg.Add(1)
			crng := rand.New(rand.NewPCG(seed+uint64(round*100+c), 7))
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 10 * time.Second}
				for {
					select {
					case <-stop:
						return
					default:
					}
					pick := crng.IntN(total)
					for _, w := range writes {
						if pick -= w.weight; pick < 0 {
							a, ok := w.do(client, srv.url)
							mu.Lock()
							tried[a.kind]++
							if ok {
								acked = append(acked, a)
							}
							mu.Unlock()
							break
						}
					}
				}
			}()
		}
		time.Sleep(time.Duration(20+rng.IntN(1000)) * time.Millisecond)
		srv.kill()
		close(stop)
		wg.Wait()

		// Restart, and check what the clients were told.
		srv = startServe(t, dbURL, data)
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		checkAfterCrash(t, d, dbURL, tenant, acked[:n], levels, assetField(kind) == 1, srv, adminToken)
		refusalsMu.Lock()
		if len(refusals) > 0 {
			t.Errorf("the server refused writes the test meant to succeed:\n%s", strings.Join(refusals, "\n"))
		}
		refusalsMu.Unlock()
		if t.Failed() {
			t.Fatalf("after kill %d of %d (MAMORI_CRASH_SEED=%d)", round, crashKills, seed)
		}
	}
	srv.stop()
	counts := map[string]int{}
	for _, a := range acked {
		counts[a.kind]++
	}
	// Writes the server committed but whose answer the kill cut off: they
	// may be there (and are whole), as the client cannot know.
	db := rawDB(t, d, dbURL)
	unanswered := count(t, db, `SELECT COUNT(*) FROM assets WHERE tenant_id = $1 AND number LIKE 'C-%'`, tenant) - int64(counts["asset"])
	t.Logf("%d kills in %v: writes tried %v, acknowledged %v; %d assets committed without their answer reaching the client",
		crashKills, time.Since(start).Round(time.Second), tried, counts, unanswered)
}

// routedKind is a request kind the policy sends for approval when the
// fixture's member of staff files it: its requests have steps.
func routedKind(t *testing.T, f *fixture) *policy.RequestKind {
	t.Helper()
	// Kinds that name assets first: their requests have more parts.
	kinds := slices.Clone(f.o.pol.RequestKinds())
	slices.SortStableFunc(kinds, func(a, b *policy.RequestKind) int {
		return cmp.Compare(assetField(b), assetField(a))
	})
	for _, k := range kinds {
		fields := requestFields(k, f.id("person"), f.id("asset"), "probe")
		if fields == nil {
			continue
		}
		r := f.person.sendJSON("POST", "/api/v1/requests/preview", map[string]any{"kind": k.ID, "fields": fields})
		if r.code == 200 && r.json()["effect"] == "approve" {
			if r := f.person.sendJSON("POST", "/api/v1/requests", map[string]any{"kind": k.ID, "fields": fields}); r.code == 201 {
				return k
			}
		}
	}
	t.Fatal("no request kind of the profile is routed for approval")
	return nil
}

// assetField: 1 if the kind's form names assets.
func assetField(k *policy.RequestKind) int {
	for _, f := range k.Fields {
		if f.Type == policy.FieldAssetList {
			return 1
		}
	}
	return 0
}

// post sends a write and reports whether its success reached the client.
// A refusal (4xx) means the test's write is wrong: it is kept for the
// test to fail on.
func post(c *http.Client, url, token string, body any) bool {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return false
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 400 && res.StatusCode < 500 {
		refusalsMu.Lock()
		refusals = append(refusals, fmt.Sprintf("%s: %d %.300s", url, res.StatusCode, answer))
		refusalsMu.Unlock()
	}
	return res.StatusCode >= 200 && res.StatusCode < 300
}

var (
	refusalsMu sync.Mutex
	refusals   []string
)

// served is a running `mamori serve`.
type served struct {
	t   *testing.T
	cmd *exec.Cmd
	url string
	log string
}

var servingRe = regexp.MustCompile(`serving (http://[^/ ]+)/`)

func startServe(t *testing.T, dbURL, data string) *served {
	t.Helper()
	s := &served{t: t, log: filepath.Join(data, "server.log")}
	s.cmd = exec.Command(mamoriBinary(t), "serve", "--addr", "127.0.0.1:0", "--data", data, "--db", dbURL, "--log-level", "warn")
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingRe.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
		close(ready)
	}()
	select {
	case u, ok := <-ready:
		if !ok {
			s.cmd.Wait()
			b, _ := os.ReadFile(s.log)
			t.Fatalf("mamori serve exited before serving:\n%s", tail(string(b), 3000))
		}
		s.url = u
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		t.Fatal("mamori serve did not start within 60s")
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

// kill ends the server with SIGKILL: no shutdown, no flushing.
func (s *served) kill() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// stop ends it gracefully.
func (s *served) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.kill()
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// checkAfterCrash holds the restarted server's database to every
// acknowledged write, and to whole writes only.
func checkAfterCrash(t *testing.T, d store.Dialect, dbURL string, tenant int64, acked []ack, levels map[string]string, namesAssets bool, srv *served, token string) {
	t.Helper()
	ctx := context.Background()
	db := rawDB(t, d, dbURL)
	defer db.Close()
	tables := map[string]string{
		"asset":   `SELECT COUNT(*) FROM assets WHERE tenant_id = $1 AND number = $2`,
		"unit":    `SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND code = $2`,
		"person":  `SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND staff_no = $2`,
		"request": `SELECT COUNT(*) FROM requests WHERE tenant_id = $1 AND fields LIKE '%' || $2 || '"%'`,
	}
	for _, a := range acked {
		if n := count(t, db, tables[a.kind], tenant, a.key); n != 1 {
			t.Errorf("acknowledged %s %s: %d rows after the restart, want 1", a.kind, a.key, n)
		}
	}
	// Nothing half there, acknowledged or not.
	halves := []struct{ what, q string }{
		{"assets whose level rows differ from their classification", `SELECT COUNT(*) FROM assets a WHERE a.tenant_id = $1 AND a.number LIKE 'C-%' AND
			(SELECT COUNT(*) FROM asset_levels l WHERE l.tenant_id = a.tenant_id AND l.asset_id = a.id) <> ` + strconv.Itoa(len(levels))},
		{"people created with an account but without one", `SELECT COUNT(*) FROM people p WHERE p.tenant_id = $1 AND p.staff_no LIKE 'cp-%' AND
			NOT EXISTS (SELECT 1 FROM accounts c WHERE c.tenant_id = p.tenant_id AND c.id = p.id)`},
		{"requests routed for approval without a step", `SELECT COUNT(*) FROM requests r WHERE r.tenant_id = $1 AND r.effect = 'approve' AND
			NOT EXISTS (SELECT 1 FROM request_steps s WHERE s.tenant_id = r.tenant_id AND s.request_id = r.id)`},
		{"requests without the asset they name", `SELECT COUNT(*) FROM requests r WHERE r.tenant_id = $1 AND r.fields LIKE '%cr-%' AND
			NOT EXISTS (SELECT 1 FROM request_assets s WHERE s.tenant_id = r.tenant_id AND s.request_id = r.id)`},
	}
	for _, h := range halves {
		if strings.Contains(h.what, "asset they name") && !namesAssets {
			continue
		}
		if n := count(t, db, h.q, tenant); n != 0 {
			t.Errorf("%d %s", n, h.what)
		}
	}
	// Each asset's level rows are its classification.
	var bad sql.NullInt64
	db.QueryRowContext(ctx, `SELECT MIN(a.id) FROM assets a JOIN asset_levels l ON l.tenant_id = a.tenant_id AND l.asset_id = a.id
		WHERE a.tenant_id = $1 AND a.number LIKE 'C-%' AND a.effective NOT LIKE '%"' || l.axis || '":"' || l.level || '"%'`, tenant).Scan(&bad)
	if bad.Valid {
		t.Errorf("asset %d: a level row disagrees with its classification", bad.Int64)
	}
	// The log holds, checked by the real command beside the running server.
	if out, code := runMamori(t, dbURL, "log", "verify"); code != 0 {
		t.Errorf("log verify after the restart: exit %d\n%s", code, out)
	}
	// And the restarted server serves what it acknowledged.
	if len(acked) > 0 {
		a := acked[len(acked)-1]
		req, _ := http.NewRequest("GET", srv.url+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Errorf("the restarted server does not answer (%v, %v); last acknowledged %v", err, res, a)
		}
		if res != nil {
			res.Body.Close()
		}
	}
	if t.Failed() {
		b, _ := os.ReadFile(srv.log)
		t.Logf("server log:\n%s", tail(strings.TrimSpace(string(b)), 3000))
	}
}
