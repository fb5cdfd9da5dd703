package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/tenant"
)

// Rate limits of the public report form. They are counted in the database
// (store.TakeRate), so that they hold however many servers share it. A
// resident who mistypes has room to try again; a script does not get far.
const (
	reportPerAddress       = 10 // posts per client address (an IPv6 /64) …
	reportPerAddressWindow = time.Hour
	reportPerTenant        = 200 // … and per organization, from everyone
	reportPerTenantWindow  = time.Hour
)

// publicActor is how the public form appears in the log and the timeline.
const publicActor = "public form"

type publicReportData struct {
	Page
	TenantSlug string
	TenantName string
	Action     string // where the form posts
	Token      string
	Form       url.Values
	Categories []incident.Category
	Err        error
	NeedTenant bool // a shared deployment: ask which organization
}

// Val is a field's value as the resident typed it (to show the form again).
func (d publicReportData) Val(k string) string { return d.Form.Get(k) }

type publicReportDoneData struct {
	Page
	TenantName string
	ReceiptNo  string
	Again      bool // the same form was sent twice: the first receipt
}

// reportTenant finds the organization a public report is for: the path
// (/t/CODE/report), the query or form (?t=CODE), or, when the database
// serves a single organization, that one.
func (s *Server) reportTenant(r *http.Request) (*tenant.Tenant, string, error) {
	slug := r.PathValue("tenant")
	if slug == "" {
		slug = strings.TrimSpace(r.FormValue(incident.FieldTenant))
	}
	if slug == "" {
		ts, err := s.store.Tenants(r.Context())
		if err != nil {
			return nil, "", err
		}
		if len(ts) == 1 {
			return &ts[0], "/report", nil
		}
		return nil, "", nil
	}
	t, err := s.store.TenantBySlug(r.Context(), slug)
	if err != nil {
		if mamori.ErrorCode(err) == mamori.ENOTFOUND {
			return nil, "", &mamori.Error{Code: mamori.ENOTFOUND, Message: "report.tenant_unknown", Args: map[string]any{"Code": slug}}
		}
		return nil, "", err
	}
	action := "/report?t=" + url.QueryEscape(t.Slug)
	if r.PathValue("tenant") != "" {
		action = "/t/" + url.PathEscape(t.Slug) + "/report"
	}
	return t, action, nil
}

// publicScope acts for the organization as the public form.
func (s *Server) publicScope(r *http.Request, t *tenant.Tenant) context.Context {
	return mamori.WithScope(r.Context(), mamori.Scope{Tenant: t.ID, ActorLabel: publicActor, RequestID: requestIDFrom(r), ClientAddr: clientAddr(r), Lang: langOf(r)})
}

// reportForm shows the public report form (藤枝市 第2章4(2)⑤: the published
// means for residents to report incidents). No sign-in is needed.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	t, action, err := s.reportTenant(r)
	if err != nil {
		return err
	}
	return s.renderReportForm(w, r, http.StatusOK, t, action, url.Values{}, nil)
}

func (s *Server) renderReportForm(w http.ResponseWriter, r *http.Request, status int, t *tenant.Tenant, action string, form url.Values, formErr error) error {
	d := publicReportData{Page: s.page(r, "report.title", ""), Form: form, Categories: incident.Categories, Err: formErr}
	if t == nil {
		d.NeedTenant = true
		return s.render(w, r, status, "report", d)
	}
	ctx := s.publicScope(r, t)
	key, err := s.store.PublicFormKey(ctx)
	if err != nil {
		return err
	}
	d.TenantSlug, d.TenantName, d.Action = t.Slug, t.Name, action
	d.Token = incident.IssueFormToken(key, t.ID, s.store.Now())
	return s.render(w, r, status, "report", d)
}

// reportSubmit receives a public report: rate limits first (every post
// counts), then the size limit, the form's own checks, the honeypot and
// the signed token; then the report is recorded and the contact point
// told, and the resident gets a receipt number to keep. Whatever goes
// wrong, the form comes back with what was typed.
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, incident.MaxPublicBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &mamori.Error{Code: mamori.EINVALID, Message: "report.too_large", Args: map[string]any{"Limit": "64 KiB"}}
		}
		return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
	}
	t, action, err := s.reportTenant(r)
	if err != nil {
		return err
	}
	if t == nil {
		return s.renderReportForm(w, r, http.StatusUnprocessableEntity, nil, "", r.PostForm, mamori.FieldError(incident.FieldTenant, "report.tenant_required", nil))
	}
	ctx := s.publicScope(r, t)
	again := func(status int, err error) error {
		return s.renderReportForm(w, r, status, t, action, r.PostForm, err)
	}
	for _, lim := range []struct {
		bucket string
		n      int
		window time.Duration
	}{
		{"report:addr:" + addressBucket(clientAddr(r)), reportPerAddress, reportPerAddressWindow},
		{"report:all", reportPerTenant, reportPerTenantWindow},
	} {
		ok, retry, err := s.store.TakeRate(ctx, lim.bucket, lim.n, lim.window)
		if err != nil {
			return err
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
			return again(http.StatusTooManyRequests, &mamori.Error{Code: mamori.ETOOMANY, Message: "report.too_many", Args: map[string]any{"Minutes": int(retry.Minutes()) + 1}})
		}
	}
	now := s.store.Now()
	pr, err := incident.DecodePublicForm(r.PostForm, now)
	if err != nil {
		return again(http.StatusUnprocessableEntity, err)
	}
	if pr.Honeypot {
		s.log.Info("public report refused: honeypot filled", "tenant", t.ID, "addr", clientAddr(r))
		return again(http.StatusUnprocessableEntity, &mamori.Error{Code: mamori.EINVALID, Message: "report.refused"})
	}
	key, err := s.store.PublicFormKey(ctx)
	if err != nil {
		return err
	}
	nonce, err := incident.CheckFormToken(key, t.ID, pr.Token, now)
	if err != nil {
		return again(http.StatusUnprocessableEntity, err)
	}
	pol, err := s.tenantPolicy(ctx)
	if err != nil {
		return err
	}
	pv, err := s.store.ActivePolicy(ctx)
	if err != nil {
		return err
	}
	inc, err := s.incidentService().ReportPublic(ctx, pol, pv.ID, pr, nonce)
	dup := errors.Is(err, incident.ErrDuplicate)
	if err != nil && !dup {
		if incUserError(err) {
			return again(statusOf(mamori.ErrorCode(err)), err)
		}
		return err
	}
	return s.render(w, r, http.StatusOK, "report_done", publicReportDoneData{Page: s.page(r, "report.done_title", ""), TenantName: t.Name, ReceiptNo: inc.ReceiptNo, Again: dup})
}

// addressBucket is the part of a client address a limit counts: the whole
// IPv4 address, or the /64 network of an IPv6 one (a single machine
// commonly holds a whole /64).
func addressBucket(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
