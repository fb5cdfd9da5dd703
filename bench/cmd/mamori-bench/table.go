package main

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
)

// Aims the issue sets; a figure that misses one is marked, not hidden.
const (
	aimImportRows = 20_000 // rows/s at 100,000 rows
	aimListP95    = 50 * time.Millisecond
)

// markdown renders the run: the machine, then one table in which every
// mamori figure stands beside its reference from the same run.
func (res *results) markdown(o runOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Machine\n\n%s\n", res.Machine.Markdown())
	fmt.Fprintf(&b, "Settings: %s assets, %s people, HTTP loads of %s with %d connections from a load generator in a separate process on loopback; policy: %s decisions.\n\n",
		count(o.assets), count(o.people), o.dur, o.conns, count(o.decisions))
	b.WriteString("| measure | mamori | reference (same run, same machine) | mamori vs reference |\n|---|---|---|---|\n")
	row := func(cells ...string) { fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | ")) }

	p := res.Policy
	row(fmt.Sprintf("Policy decision, %d cases of 藤枝市 (identical effects from both engines, checked)", p.Cases),
		fmt.Sprintf("%s/decision", ns(p.MamoriNs)), fmt.Sprintf("OPA: %s/decision", ns(p.OPANs)), fmt.Sprintf("%.0f× faster", p.Ratio()))

	for _, d := range res.DBs {
		if d.Skipped != "" {
			row(d.Name+": all rows", "skipped", d.Skipped, "—")
			continue
		}
		pre := d.Name + " — "
		row(pre+fmt.Sprintf("HTTP asset list `GET /api/v1/assets`, %s assets, 14 filters in turn, %d connections", count(o.assets), o.conns),
			httpCell(d.List), "bare net/http GET: "+httpCell(res.BareGet), pct(d.List.RPS, res.BareGet.RPS)+" of the ceiling")
		row(pre+fmt.Sprintf("HTTP asset list page `GET /assets` (HTML), the same filters, %d connections", o.conns),
			httpCell(d.Page), "bare net/http GET: "+httpCell(res.BareGet), pct(d.Page.RPS, res.BareGet.RPS)+" of the ceiling")
		row(pre+fmt.Sprintf("HTTP request submission `POST /api/v1/requests` (take-out, routed to the unit's manager, who is notified), %d connections", o.conns),
			httpCell(d.Submit), "bare net/http POST: "+httpCell(res.BarePost), pct(d.Submit.RPS, res.BarePost.RPS)+" of the ceiling")
		row(pre+fmt.Sprintf("HTTP decision API `POST /api/v1/decisions` (the %d cases in turn, effects checked), %d connections", p.Cases, o.conns),
			httpCell(d.Decide), "bare net/http POST: "+httpCell(res.BarePost), pct(d.Decide.RPS, res.BarePost.RPS)+" of the ceiling")
		row(pre+fmt.Sprintf("Asset list p95, one client, %s assets, 14 filters × %d rounds", count(o.assets), o.rounds),
			fmt.Sprintf("API p50 %s, **p95 %s**; page `/assets` p50 %s, p95 %s; slowest: %s", ms(d.OneList.P50), ms(d.OneList.P95), ms(d.OnePage.P50), ms(d.OnePage.P95), slowText(d.Slowest)),
			fmt.Sprintf("aim ≤ %s; bare net/http, one client: p95 %s", ms(aimListP95), ms(res.BareOne.P95)),
			aim(d.OneList.P95 <= aimListP95 && d.OnePage.P95 <= aimListP95))
		row(pre+"Event log: durable appends (insert + event, committed with fsync), 1 writer",
			rate(d.AppendOne, "appends"), fmt.Sprintf("raw SHA-256 of an event (%d bytes): %s", res.EventBytes, rate(res.SHA, "events")),
			pct(d.AppendOne, res.SHA))
		row(pre+fmt.Sprintf("Event log: durable appends, %d writers", appendWriters),
			rate(d.AppendMany, "appends"), "raw SHA-256: "+rate(res.SHA, "events"), pct(d.AppendMany, res.SHA))
		verify := "failed: " + fmt.Sprint(d.VerifyError)
		vRate := 0.0
		if d.VerifyError == nil {
			vRate = float64(d.Verify.Events) / d.Verify.Wall.Seconds()
			verify = fmt.Sprintf("%s (%s events and %s records in %s, the whole command)", rate(vRate, "events"), count(int(d.Verify.Events)), count(int(d.Verify.Rows)), secs(d.Verify.Wall))
		}
		row(pre+"`mamori log verify` (chain and every record)", verify,
			fmt.Sprintf("raw SHA-256: %s; canonical encoding + SHA-256 (Seal): %s", rate(res.SHA, "events"), rate(res.Seal, "events")), pct(vRate, res.SHA))
		row(pre+fmt.Sprintf("xlsx import `mamori asset import`, %s rows (read, map, check every row, store with events)", count(d.Import.Rows)),
			fmt.Sprintf("%s, peak RSS %s (%s in all)", rate(d.Import.RowsPerSecond(), "rows"), mib(d.Import.MaxRSS), secs(d.Import.Wall)),
			fmt.Sprintf("aim ≥ %s rows/s; reading the same %s workbook alone (the import's reader, in process): %s", count(aimImportRows), mib(res.FileBytes), rate(res.ReadRate, "rows")),
			aim(d.Import.RowsPerSecond() >= aimImportRows))
		row(pre+fmt.Sprintf("Server memory (VmRSS of `mamori serve`), %s assets, %s people", count(o.assets), count(d.People)),
			fmt.Sprintf("%s after the loads; peak %s; %s at start", mib(d.RSSAfter), mib(d.RSSPeak), mib(d.RSSStart)),
			"bare net/http after its loads: "+mib(res.BareRSS), fmt.Sprintf("%.0f×", float64(d.RSSAfter)/float64(max(res.BareRSS, 1))))
	}
	b.WriteString("\n")
	if bad := res.failures(); len(bad) > 0 {
		b.WriteString("**Checks that failed:**\n\n")
		for _, f := range bad {
			fmt.Fprintf(&b, "- %s\n", f)
		}
		b.WriteString("\n")
	} else {
		b.WriteString("Checks: every HTTP answer was as expected (no error, no 5xx), both engines agreed on every case, `mamori log verify` passed on every database, and the server logged no error.\n\n")
	}
	return b.String()
}

// failures lists what went wrong besides missed aims: failed requests,
// a broken log, errors in the server's log.
func (res *results) failures() []string {
	var out []string
	for _, d := range res.DBs {
		if d.Skipped != "" {
			continue
		}
		for _, f := range []struct {
			name string
			fig  httpFigure
		}{{"asset list", d.List}, {"asset list page", d.Page}, {"submission", d.Submit}, {"decision API", d.Decide}, {"one-client list (API)", d.OneList}, {"one-client list (page)", d.OnePage}} {
			if f.fig.Failed > 0 {
				out = append(out, fmt.Sprintf("%s %s: %d of %d requests failed: %s", d.Name, f.name, f.fig.Failed, f.fig.N, strings.Join(f.fig.Errors, "; ")))
			}
		}
		if d.VerifyError != nil {
			out = append(out, fmt.Sprintf("%s: mamori log verify: %v", d.Name, d.VerifyError))
		}
		if d.LogErrors > 0 {
			out = append(out, fmt.Sprintf("%s: the server logged %d errors, first: %s", d.Name, d.LogErrors, strings.Join(d.LogFirst, " / ")))
		}
	}
	for _, f := range []struct {
		name string
		fig  httpFigure
	}{{"bare GET", res.BareGet}, {"bare POST", res.BarePost}} {
		if f.fig.Failed > 0 {
			out = append(out, fmt.Sprintf("%s: %d requests failed: %s", f.name, f.fig.Failed, strings.Join(f.fig.Errors, "; ")))
		}
	}
	return out
}

func slowText(fs []filterTime) string {
	var parts []string
	for _, f := range fs {
		q, err := url.QueryUnescape(f.Filter)
		if err != nil || q == "" {
			q = f.Filter
		}
		if q == "" {
			q = "(none)"
		}
		parts = append(parts, fmt.Sprintf("`%s` p50 %s", q, ms(f.P50)))
	}
	return strings.Join(parts, ", ")
}

func httpCell(f httpFigure) string {
	return fmt.Sprintf("%s req/s, p50 %s, p99 %s", count(int(math.Round(f.RPS))), ms(f.P50), ms(f.P99))
}

func aim(met bool) string {
	if met {
		return "aim met"
	}
	return "**aim missed** (see below)"
}

func pct(a, b float64) string {
	if b == 0 {
		return "—"
	}
	v := 100 * a / b
	switch {
	case v >= 10:
		return fmt.Sprintf("%.0f %%", v)
	case v >= 1:
		return fmt.Sprintf("%.1f %%", v)
	default:
		return fmt.Sprintf("%.2f %%", v)
	}
}

func rate(v float64, unit string) string {
	return fmt.Sprintf("%s %s/s", count(int(math.Round(v))), unit)
}

// count writes n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func ns(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1f µs", v/1000)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
