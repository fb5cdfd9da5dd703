package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Build compiles the mamori command of the repository at root into dir
// and returns the binary's path.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "mamori")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/mamori")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/mamori: %w\n%s", err, out)
	}
	return bin, nil
}

// Server is a process serving HTTP on loopback: `mamori serve`, or the
// bare reference handler.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	LogPath string // its standard error
	cmd     *exec.Cmd
	done    chan error
	logFile *os.File
}

var servingLine = regexp.MustCompile(`serving (http://[0-9.:\[\]]+)/`)

// StartServer runs name with args, reads the address it serves from its
// first lines of output ("… serving http://ADDR/ …"), and waits until
// probe answers 200. Its standard error goes to logPath.
func StartServer(ctx context.Context, logPath, probe, name string, args ...string) (*Server, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Stderr = lf
	out, err := cmd.StdoutPipe()
	if err != nil {
		lf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{LogPath: logPath, cmd: cmd, done: make(chan error, 1), logFile: lf}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.URL = <-addr:
	case err := <-s.done:
		s.done <- err
		lf.Close()
		return nil, fmt.Errorf("%s exited before serving: %v; its log: %s", filepath.Base(name), err, tail(logPath))
	case <-time.After(2 * time.Minute):
		s.Stop()
		return nil, fmt.Errorf("%s did not start serving within 2 minutes; its log: %s", filepath.Base(name), tail(logPath))
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(s.URL + probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s%s did not answer 200 within a minute", s.URL, probe)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// RSS is the resident memory of the process now (VmRSS) and at its
// highest so far (VmHWM), in bytes, from /proc/PID/status.
func (s *Server) RSS() (now, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		return 0, 0, fmt.Errorf("read the server's memory: %w", err)
	}
	return statusKB(b, "VmRSS:") * 1024, statusKB(b, "VmHWM:") * 1024, nil
}

func statusKB(status []byte, key string) int64 {
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte(key)); ok {
			f := strings.Fields(string(rest))
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// Stop asks the server to shut down (SIGTERM) and waits; after 20 seconds
// it kills it.
func (s *Server) Stop() error {
	defer s.logFile.Close()
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == -1 {
			return nil // ended by the signal
		}
		return err
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("the server did not stop within 20 seconds of SIGTERM and was killed")
	}
}

// Exited reports whether the server has ended on its own.
func (s *Server) Exited() bool {
	select {
	case err := <-s.done:
		s.done <- err
		return true
	default:
		return false
	}
}

// Run is a finished command: its output, how long it took and the most
// memory it held.
type Run struct {
	Stdout, Stderr string
	Wall           time.Duration
	MaxRSS         int64 // bytes (getrusage ru_maxrss)
	Err            error
}

// Command runs name with args and measures it.
func Command(ctx context.Context, name string, args ...string) Run {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := Run{Stdout: out.String(), Stderr: errOut.String(), Wall: time.Since(start), Err: err}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		r.Err = fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, lastLines(r.Stdout+r.Stderr, 20))
	}
	return r
}

// tail is the end of a log file, for an error message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	return lastLines(string(b), 15)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// CountLogErrors counts the lines of a server log at level ERROR (mamori
// logs JSON, one object a line).
func CountLogErrors(path string) (int, []string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil
	}
	n := 0
	var first []string
	for line := range strings.Lines(string(b)) {
		if strings.Contains(line, `"level":"ERROR"`) {
			n++
			if len(first) < 3 {
				first = append(first, strings.TrimSpace(line))
			}
		}
	}
	return n, first
}
