// Package harness runs mamori the way a town hall would for the benchmarks
// and the soak: it builds the real binary, fills a database quickly through
// the store and the import command, starts `mamori serve` as a process of
// its own, and watches its memory.
package harness

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "mamori/internal/store" // registers the sqlite and pgx drivers
)

// Machine is what the figures were measured on.
type Machine struct {
	CPU      string
	Cores    int
	RAM      string
	OS       string
	Go       string
	SQLite   string
	Postgres string // "" when no PostgreSQL was given
	Date     string
}

// Describe reads the machine: the CPU model from /proc/cpuinfo, the memory
// from /proc/meminfo, and the versions of Go, SQLite and PostgreSQL.
func Describe(ctx context.Context, pgAdmin string) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Date: time.Now().Format("2006-01-02 15:04 MST")}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseInt(strings.Fields(procField("/proc/meminfo", "MemTotal") + " 0")[0], 10, 64); err == nil && kb > 0 {
		m.RAM = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	if rel := procField("/etc/os-release", "PRETTY_NAME"); rel != "" {
		m.OS = strings.Trim(rel, `"`) + " " + m.OS
	}
	if db, err := sql.Open("sqlite", "file::memory:"); err == nil {
		db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&m.SQLite)
		db.Close()
		m.SQLite += " (modernc.org/sqlite, WAL, synchronous=FULL)"
	}
	if pgAdmin != "" {
		if db, err := sql.Open("pgx", pgAdmin); err == nil {
			db.QueryRowContext(ctx, "SHOW server_version").Scan(&m.Postgres)
			db.Close()
		}
	}
	return m
}

// procField returns the value of the first "key: value" (or key=value)
// line of a file such as /proc/cpuinfo.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			k, v, ok = strings.Cut(line, "=")
		}
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Markdown writes the machine as a list.
func (m Machine) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "- CPU: %s, %d cores (as Go sees them)\n", m.CPU, m.Cores)
	fmt.Fprintf(&b, "- RAM: %s\n", m.RAM)
	fmt.Fprintf(&b, "- OS: %s\n", m.OS)
	fmt.Fprintf(&b, "- Go: %s\n", m.Go)
	fmt.Fprintf(&b, "- SQLite: %s\n", m.SQLite)
	pg := m.Postgres
	if pg == "" {
		pg = "not run (no MAMORI_TEST_POSTGRES / -postgres)"
	} else {
		pg += " (same machine, loopback TCP)"
	}
	fmt.Fprintf(&b, "- PostgreSQL: %s\n", pg)
	fmt.Fprintf(&b, "- Date: %s\n", m.Date)
	return b.String()
}
