package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/request"
)

// This file holds what the request pages and API share: the engine, the
// acting person and the policy they act under, and the display of a
// request's answers.

// requests is the request engine over this server's store. It holds no
// state of its own, so one per call costs nothing and needs no field on
// the server.
func (s *Server) requests() *request.Service {
	return request.NewService(s.store, directory.NewService(s.store), s.log)
}

// requestActor is the person acting, as the request engine sees them.
func requestActor(p *auth.Principal) request.Actor {
	return request.Actor{PersonID: p.PersonID, Name: p.Name, UnitID: p.UnitID,
		ManageAssets: p.Can(string(policy.PermAssetManage)), ReadAll: p.Can(string(policy.PermRequestReadAll))}
}

// requestPolicy is the policy the request's principal acts under, with
// the id of its stored version (kept on every request decided under it).
func (s *Server) requestPolicy(r *http.Request) (request.Policy, error) {
	pol, err := s.activePolicy(r)
	if err != nil {
		return request.Policy{}, err
	}
	return request.Policy{Policy: pol, VersionID: principalFrom(r).PolicyVersionID}, nil
}

// requestFieldRow is one answer of a request or report as a page shows it.
type requestFieldRow struct {
	Label  string
	Value  string
	Clause string
	Files  []request.Attachment
}

// requestValueRows shows the answers to fields in the reader's language: options
// by name, dates in Japan, people and assets by name.
func (s *Server) requestValueRows(ctx context.Context, l Localizer, fields []*policy.Field, v request.Values, assets []request.AssetRef, files []request.Attachment) []requestFieldRow {
	var out []requestFieldRow
	for _, f := range fields {
		row := requestFieldRow{Label: l.Pick(f.Name.JA, f.Name.EN), Clause: f.Clause}
		switch f.Type {
		case policy.FieldBool:
			row.Value = l.T("common.no")
			if v.Bool(f.ID) {
				row.Value = l.T("common.yes")
			}
		case policy.FieldDate:
			if t, ok := v.Time(f.ID); ok {
				row.Value = l.Date(t)
			}
		case policy.FieldDateTime:
			if t, ok := v.Time(f.ID); ok {
				row.Value = l.DateTime(t)
			}
		case policy.FieldEnum:
			row.Value = v.String(f.ID)
			for _, o := range f.Options {
				if o.ID == row.Value {
					row.Value = l.Pick(o.Name.JA, o.Name.EN)
				}
			}
		case policy.FieldPerson:
			if id := v.Int(f.ID); id != 0 {
				row.Value = s.requestPersonName(ctx, id)
			}
		case policy.FieldInt:
			if v.Has(f.ID) {
				row.Value = strconv.FormatInt(v.Int(f.ID), 10)
			}
		case policy.FieldAssetList:
			var names []string
			for _, id := range v.IDs(f.ID) {
				name := fmt.Sprintf("#%d", id)
				for _, a := range assets {
					if a.ID == id {
						name = a.Name
					}
				}
				names = append(names, name)
			}
			row.Value = strings.Join(names, "、")
		case policy.FieldFile:
			for _, a := range files {
				if a.Field == f.ID {
					row.Files = append(row.Files, a)
				}
			}
		default:
			row.Value = v.String(f.ID)
		}
		if row.Value == "" && len(row.Files) == 0 {
			row.Value = "—"
		}
		out = append(out, row)
	}
	return out
}

func (s *Server) requestPersonName(ctx context.Context, id int64) string {
	if p, err := s.store.Person(ctx, id); err == nil {
		return p.Name
	}
	return fmt.Sprintf("#%d", id)
}

// requestRoleName is a role of the policy in the reader's language.
func requestRoleName(l Localizer, pol *policy.Policy, id string) string {
	if r, ok := pol.Role(id); ok {
		return l.Pick(r.Name.JA, r.Name.EN)
	}
	return id
}

// requestRemindAfter is how long a step may wait before its approvers are
// reminded: MAMORI_REQUEST_REMIND_AFTER, a Go duration ("48h") or a number
// of days ("3d"); "0" or "off" turns reminders off. Three days by default.
func requestRemindAfter(getenv func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(getenv("MAMORI_REQUEST_REMIND_AFTER"))
	switch {
	case v == "":
		return 72 * time.Hour, nil
	case v == "0" || v == "off":
		return 0, nil
	case strings.HasSuffix(v, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || n <= 0 || n > 365 {
			return 0, fmt.Errorf("MAMORI_REQUEST_REMIND_AFTER %q: want a number of days such as 3d, or a duration such as 48h", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("MAMORI_REQUEST_REMIND_AFTER %q: want a number of days such as 3d, or a duration of at least 1m such as 48h", v)
	}
	return d, nil
}

// requestReminders reminds approvers of requests waiting too long, in
// every organization, every few minutes until ctx ends. Several servers
// may run it at once: each reminder is claimed in the database by one.
func (s *Server) requestReminders(ctx context.Context) {
	after, err := requestRemindAfter(os.Getenv)
	if err != nil {
		s.log.Error("request reminders are off", "err", err)
		return
	}
	if after == 0 {
		return
	}
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if n, err := s.remindRequests(ctx, after); err != nil && ctx.Err() == nil {
			s.log.Warn("remind approvers", "err", err)
		} else if n > 0 {
			s.log.Info("approvers reminded", "requests", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// remindRequests runs one round of reminders over every organization.
func (s *Server) remindRequests(ctx context.Context, after time.Duration) (int, error) {
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, t := range tenants {
		tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.ID, ActorLabel: "system", RequestID: "request-reminders", Lang: "ja"})
		pol, err := s.tenantPolicy(tctx)
		if err != nil || pol == nil {
			continue
		}
		pv, err := s.store.ActivePolicy(tctx)
		if err != nil {
			continue
		}
		n, err := s.requests().Remind(tctx, request.Policy{Policy: pol, VersionID: pv.ID}, after)
		total += n
		if err != nil {
			return total, fmt.Errorf("tenant %s: %w", t.Slug, err)
		}
	}
	return total, nil
}

// requestDateInput formats a time as the date input of a form shows it.
func requestDateInput(t time.Time) string { return t.In(i18n.Tokyo).Format("2006-01-02") }

// requestTimeInput formats a time as a datetime-local input shows it.
func requestTimeInput(t time.Time) string { return t.In(i18n.Tokyo).Format("2006-01-02T15:04") }
