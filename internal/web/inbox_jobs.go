package web

import (
	"context"
	"os"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/incident"
	"mamori/internal/notify"
	"mamori/internal/store"
)

// runIncidentJobs runs the background work of notifications and the
// incident area until ctx ends: the mail sender (when SMTP is configured
// with MAMORI_SMTP_*), and every few minutes, for every organization, the
// expiry of deviations and the reminders before it, reminders of report
// deadlines, and the clean-up of old rate-limit counters. Several servers
// may run it at once: mails are claimed with a lock, and every change
// checks that the record did not change meanwhile.
func (s *Server) runIncidentJobs(ctx context.Context) {
	cfg, err := notify.MailConfigFromEnv(os.Getenv)
	if err != nil {
		s.log.Error("mail is not configured correctly; notifications stay in the inbox", "err", err)
	} else if cfg.Enabled() {
		go notify.NewSender(cfg, s.store, s.log).Run(ctx)
	}
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		s.incidentHousekeeping(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// incidentHousekeeping is one round of the area's periodic work.
func (s *Server) incidentHousekeeping(ctx context.Context) {
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("incident housekeeping: list tenants", "err", err)
		}
		return
	}
	for _, t := range tenants {
		tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.ID, ActorLabel: "system", RequestID: "housekeeping"})
		if err := s.tenantHousekeeping(tctx); err != nil && ctx.Err() == nil {
			s.log.Warn("incident housekeeping", "tenant", t.ID, "err", err)
		}
	}
	if _, err := s.store.DeleteOldRateBuckets(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
		s.log.Warn("delete old rate buckets", "err", err)
	}
}

func (s *Server) tenantHousekeeping(ctx context.Context) error {
	pol, err := s.tenantPolicy(ctx)
	if err != nil || pol == nil {
		return err
	}
	dir := directory.NewService(s.store)
	if n, err := incident.NewDeviations(s.store, dir, s.store.Now).Housekeep(ctx, pol); err != nil {
		return err
	} else if n > 0 {
		s.log.Info("deviations expired or reminded", "count", n)
	}
	svc := incident.NewService(s.store, dir, s.store.Now)
	open, _, err := s.store.Incidents(ctx, store.IncidentFilter{Open: true, DueReports: true, Limit: 1000})
	if err != nil {
		return err
	}
	for _, inc := range open {
		rec, err := svc.Load(ctx, inc.ID)
		if err != nil {
			return err
		}
		u, err := svc.DeadlineAlerts(ctx, pol, rec)
		if err != nil || u == nil {
			continue
		}
		if err := svc.Apply(ctx, u); err != nil && mamori.ErrorCode(err) != mamori.ECONFLICT {
			return err
		}
	}
	return nil
}
