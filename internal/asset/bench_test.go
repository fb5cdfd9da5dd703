package asset_test

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"mamori/internal/asset"
	"mamori/internal/asset/assettest"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// benchRows is the register size of the benchmarks: 100,000 assets in one
// organization. MAMORI_BENCH_ROWS overrides it; with -short (a quick check
// that the benchmarks run, as CI's short form wants) it is 2,000: one op
// of BenchmarkImportXLSX is a whole import.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("MAMORI_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 2_000
	}
	return 100_000
}

var (
	benchFileOnce sync.Once
	benchFile     []byte
)

// benchRegister is a generated workbook of benchRows rows (about 5 MB at
// 100,000), made once per test binary.
func benchRegister(b *testing.B) []byte {
	benchFileOnce.Do(func() {
		var buf bytes.Buffer
		spec := assettest.Spec{Rows: benchRows(), Units: []string{"市民課", "住民記録係", "shimin-ka", "soumu-ka"}, HolderEvery: 100}
		if err := spec.WriteXLSX(&buf); err != nil {
			b.Fatal(err)
		}
		benchFile = buf.Bytes()
	})
	return benchFile
}

// peakHeap samples the heap in use until stop is called and returns the
// highest value seen.
func peakHeap() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkImportXLSX imports a 100,000-row workbook (read, map, check
// every row, store every asset with its event) into a fresh organization
// and reports rows/s and the peak heap. Aim: ≥ 20,000 rows/s.
func BenchmarkImportXLSX(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			data := benchRegister(b)
			st := storetest.Open(b, d)
			rows := 0
			var elapsed time.Duration
			var peak uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				tw := newTownAs(b, st, "fujieda", fmt.Sprintf("bench%d", i))
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				stop := peakHeap()
				p, err := tw.svc.Plan(tw.ctx, tw.pol, tw.admin(), "bench.xlsx", data, asset.ImportOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if p.Errors != 0 {
					b.Fatalf("generated register has errors: %s %+v", p, p.Issues[:min(3, len(p.Issues))])
				}
				if err := tw.svc.Commit(tw.ctx, tw.pol, p, nil); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, stop())
				elapsed += time.Since(start)
				rows += p.Rows
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkAssetList lists pages of a 100,000-asset register with the
// filters the list page offers and reports the p50 and p95 of the server
// time per page (the store's work: count and page). Aim: p95 ≤ 50 ms.
func BenchmarkAssetList(b *testing.B) {
	for _, d := range storetest.Dialects() {
		// Seeded once, outside the sub-benchmark, which runs several times.
		tw := seededTown(b, d)
		b.Run(string(d), func(b *testing.B) {
			unit := tw.units["shimin-ka"]
			filters := []struct {
				name string
				f    asset.Filter
			}{
				{"first page", asset.Filter{}},
				{"deep page", asset.Filter{Offset: benchRows() / 2}},
				{"unit subtree", asset.Filter{UnitID: unit}},
				{"kind", asset.Filter{Kind: asset.KindPaper}},
				{"level", asset.Filter{Levels: map[string]string{"confidentiality": "1"}}},
				{"level and unit", asset.Filter{UnitID: unit, Levels: map[string]string{"confidentiality": "1", "availability": "2"}}},
				{"personal and kind", asset.Filter{Personal: asset.Yes, Kind: asset.KindInformation}},
				{"specific personal", asset.Filter{Specific: asset.Yes}},
				{"to classify", asset.Filter{ToClassify: true}},
				{"location prefix", asset.Filter{Location: "本庁舎3階"}},
				{"number or name", asset.Filter{Query: "A-0500"}},
				{"name part", asset.Filter{Query: "業務データ 123"}},
				{"by name", asset.Filter{Sort: asset.SortName, Desc: true}},
				{"by updated, level", asset.Filter{Sort: asset.SortUpdated, Levels: map[string]string{"integrity": "3"}}},
			}
			times := map[string][]time.Duration{}
			var all []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, f := range filters {
					start := time.Now()
					if _, _, err := tw.svc.List(tw.ctx, tw.pol, f.f); err != nil {
						b.Fatal(err)
					}
					d := time.Since(start)
					times[f.name] = append(times[f.name], d)
					all = append(all, d)
				}
			}
			b.StopTimer()
			b.ReportMetric(ms(percentile(all, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(all, 95)), "p95-ms")
			if testing.Verbose() {
				for _, f := range filters {
					b.Logf("%-20s p50 %6.1f ms  p95 %6.1f ms", f.name, ms(percentile(times[f.name], 50)), ms(percentile(times[f.name], 95)))
				}
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

// seededTown is an organization holding the generated register (the
// import is what fills it), in a database that lasts as long as b.
func seededTown(b *testing.B, d store.Dialect) *town {
	st := storetest.Open(b, d)
	tw := newTownAs(b, st, "fujieda", "seeded")
	p, err := tw.svc.Plan(tw.ctx, tw.pol, tw.admin(), "bench.xlsx", benchRegister(b), asset.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := tw.svc.Commit(tw.ctx, tw.pol, p, nil); err != nil {
		b.Fatal(err)
	}
	return tw
}
