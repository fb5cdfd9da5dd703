package web

import (
	"context"
	"net/http"
	"time"
)

// healthz says the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// readyz says the database answers and its schema is this binary's.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	applied, known, err := s.store.SchemaVersion(ctx)
	if err != nil || applied != known {
		return writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "schema not current", "applied": applied, "known": known})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "database": string(s.store.Dialect()), "schema": applied})
}

// metricsPage serves Prometheus metrics.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler().ServeHTTP(w, r)
	return nil
}
