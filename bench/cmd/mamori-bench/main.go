// Command mamori-bench measures mamori against references taken in the
// same run on the same machine, and soaks it under simulated users.
//
//	mamori-bench run   [flags]   the benchmarks: one markdown table
//	mamori-bench soak  [flags]   many users for a while: no 5xx, no lost write, flat memory
//	mamori-bench load  [flags]   load one URL on loopback (the load generator alone)
//
// It builds the real mamori binary and runs `mamori serve` as a separate
// process on a loopback port; the load comes from this process.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"mamori/bench/harness"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(ctx, os.Args[2:])
	case "soak":
		err = soakCmd(ctx, os.Args[2:])
	case "load":
		err = loadCmd(ctx, os.Args[2:])
	case "bare": // the reference server, started by run as a process of its own
		err = harness.ServeBare()
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mamori-bench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: mamori-bench run|soak|load [flags]   (-h after a command lists its flags)

  run    build mamori, fill SQLite (and PostgreSQL when MAMORI_TEST_POSTGRES is set),
         measure, and print one markdown table with each figure beside its reference
  soak   simulated users against a real server: zero 5xx, no lost write, flat memory,
         mamori log verify at the end
  load   load one loopback URL with N connections for a while (the load generator alone)
`)
}

// repoRoot finds the mamori repository: the nearest directory upward
// whose go.mod declares module mamori.
func repoRoot(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if strings.TrimSpace(first) == "module mamori" {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no mamori repository above the current directory: give -root")
		}
		dir = parent
	}
}

// workDir is a directory for the run's files, removed at the end unless
// kept.
func workDir(flagValue string, keep bool) (string, func(), error) {
	if flagValue != "" {
		if err := os.MkdirAll(flagValue, 0o750); err != nil {
			return "", nil, err
		}
		return flagValue, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "mamori-bench-")
	if err != nil {
		return "", nil, err
	}
	if keep {
		return dir, func() { fmt.Fprintln(os.Stderr, "kept", dir) }, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// mamoriBinary is the binary given with -bin, or one built from the
// repository into dir.
func mamoriBinary(ctx context.Context, given, root, dir string) (string, error) {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("-bin: %w", err)
		}
		return abs, nil
	}
	logf("building mamori")
	return harness.Build(ctx, root, dir)
}

// logf reports progress on standard error; the table goes to standard
// output.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "· "+format+"\n", args...)
}

// execute is what run and soak share: it finds the repository, makes the
// work directory, measures, prints the report (also to out when named)
// even when the measuring failed part way, and fails on any check that
// did not pass.
func execute(rootFlag, workFlag string, keep bool, out, failed string, measure func(root, dir string) (md string, failures []string, err error)) error {
	root, err := repoRoot(rootFlag)
	if err != nil {
		return err
	}
	dir, cleanup, err := workDir(workFlag, keep)
	if err != nil {
		return err
	}
	defer cleanup()
	md, bad, err := measure(root, dir)
	if md != "" {
		fmt.Print(md)
		if out != "" {
			if werr := os.WriteFile(out, []byte(md), 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s:\n  %s", failed, strings.Join(bad, "\n  "))
	}
	return nil
}
