package web

import (
	"context"
	"time"

	"mamori"
	"mamori/internal/directory"
)

// transferJob applies personnel transfers on their date: every minute it
// looks for scheduled transfers whose date has come, in every tenant.
// Several servers may run it at once: each transfer is claimed in the
// transaction that applies it, so exactly one server applies it.
func (s *Server) transferJob(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		s.applyDueTransfers(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// applyDueTransfers applies what is due and returns how many it applied.
func (s *Server) applyDueTransfers(ctx context.Context) int {
	due, err := s.store.DueTransfers(ctx, s.store.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("find due transfers", "err", err)
		}
		return 0
	}
	n := 0
	for _, d := range due {
		tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: d.Tenant, ActorLabel: "mamori 人事異動", RequestID: "transfer-job"})
		pol, err := s.tenantPolicy(tctx)
		if err != nil {
			s.log.Warn("apply transfer: load policy", "tenant", d.Tenant, "transfer", d.ID, "err", err)
			continue
		}
		done, err := directory.NewTransfers(s.store).Apply(tctx, pol, d.ID)
		switch {
		case err != nil:
			s.log.Warn("apply transfer", "tenant", d.Tenant, "transfer", d.ID, "err", err)
		case done:
			n++
			s.log.Info("transfer applied", "tenant", d.Tenant, "transfer", d.ID)
		}
	}
	return n
}
