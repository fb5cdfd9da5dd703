package harness

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tmamori\nVmPeak:\t 2000000 kB\nVmHWM:\t  393216 kB\nVmRSS:\t  241664 kB\nThreads:\t12\n")
	for key, want := range map[string]int64{"VmRSS:": 241664, "VmHWM:": 393216, "VmSwap:": 0} {
		if got := statusKB(status, key); got != want {
			t.Errorf("statusKB(%s) = %d, want %d", key, got, want)
		}
	}
}

func TestProcField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpuinfo")
	os.WriteFile(path, []byte("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu\nmodel name\t: other\nPRETTY_NAME=\"Debian\"\n"), 0o644)
	for key, want := range map[string]string{"model name": "AMD EPYC", "flags": "fpu", "PRETTY_NAME": `"Debian"`, "missing": ""} {
		if got := procField(path, key); got != want {
			t.Errorf("procField(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestStaffNamesDiffer(t *testing.T) {
	seen := map[string]bool{}
	for i := range 1000 {
		seen[staffName(i)] = true
	}
	if len(seen) < 900 {
		t.Errorf("only %d distinct names among 1,000 people", len(seen))
	}
}
