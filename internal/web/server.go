// Package web serves mamori's pages and JSON API: routing, sign-in,
// tenant scoping, permissions, CSRF, templates and the message catalogs'
// use. Handlers read like the page they serve; the rules they apply come
// from the area services and the active policy.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"mamori/internal/i18n"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// Config is what the operator chooses.
type Config struct {
	Addr          string
	SecureCookies bool          // set when mamori is reached over TLS (directly or behind a proxy)
	SessionIdle   time.Duration // a session ends after this long without use
	SessionMax    time.Duration // and at the latest this long after sign-in
	Version       string
}

// Server is the HTTP side of mamori. It holds no per-tenant state of its
// own: everything a request needs is read from the database, so that
// several servers can share one PostgreSQL.
type Server struct {
	cfg      Config
	store    *store.Store
	cat      *i18n.Catalog
	log      *slog.Logger
	pages    *pages
	routes   []Route
	mux      *http.ServeMux
	metrics  *metrics
	policies *policyCache
	handler  http.Handler
}

// New builds a server over an opened, migrated store.
func New(cfg Config, st *store.Store, log *slog.Logger) (*Server, error) {
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 8 * time.Hour
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 24 * time.Hour
	}
	s := &Server{
		cfg:      cfg,
		store:    st,
		cat:      i18n.Default(),
		log:      log,
		mux:      http.NewServeMux(),
		metrics:  newMetrics(),
		policies: newPolicyCache(),
	}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, fmt.Errorf("load templates: %w", err)
	}
	s.registerRoutes()
	s.handler = s.middleware(s.mux)
	return s, nil
}

// Handler returns the whole HTTP handler (tests serve it directly).
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists every registered route with the permission it declares.
func (s *Server) Routes() []Route { return s.routes }

// ListenAndServe serves until ctx ends, then shuts down gracefully:
// requests in flight may finish for up to 20 seconds. ready, if not nil,
// receives the bound address once the listener is open.
func (s *Server) ListenAndServe(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			return fmt.Errorf("cannot listen on %s: %v (is another program using the port? choose another with --addr)", s.cfg.Addr, oe.Err)
		}
		return fmt.Errorf("cannot listen on %s: %w", s.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // imports upload large spreadsheets
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	go s.housekeeping(ctx)
	go s.runIncidentJobs(ctx) // mail, deviation expiry, report deadlines (inbox_jobs.go)
	go s.transferJob(ctx)
	go s.requestReminders(ctx) // approvers of requests waiting too long (request_common.go)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// housekeeping removes expired sessions and purges records whose
// retention has ended, now and then. Several servers may do it at once:
// the deletes are idempotent, and purges serialize on each tenant's chain.
func (s *Server) housekeeping(ctx context.Context) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		if n, err := s.store.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			s.log.Info("expired sessions deleted", "count", n)
		}
		if n, err := setup.PurgeExpired(ctx, s.store); err != nil && ctx.Err() == nil {
			s.log.Warn("purge expired records", "err", err)
		} else if n > 0 {
			s.log.Info("expired records purged", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
