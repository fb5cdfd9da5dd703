package harness

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// BareHandler is the reference every HTTP figure stands beside: a plain
// net/http handler that reads the request body and answers a small JSON
// document, doing nothing else. What it reaches on this machine, with the
// same load generator, is the ceiling for any Go server here.
func BareHandler() http.Handler {
	body := []byte(`{"ok":true}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})
}

// ServeBare serves BareHandler on a loopback port as a process of its
// own, the way `mamori serve` is run, printing the address it serves as
// mamori does, until SIGTERM.
func ServeBare() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: BareHandler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("bare net/http is serving http://%s/\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
