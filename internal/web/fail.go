package web

import (
	"errors"
	"net/http"
	"strings"

	"mamori"
)

// statusOf maps an error code to an HTTP status.
func statusOf(code mamori.Code) int {
	switch code {
	case mamori.EINVALID:
		return http.StatusUnprocessableEntity
	case mamori.ENOTFOUND:
		return http.StatusNotFound
	case mamori.ECONFLICT:
		return http.StatusConflict
	case mamori.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case mamori.EFORBIDDEN, mamori.EDENIED:
		return http.StatusForbidden
	case mamori.ERETAINED:
		return http.StatusConflict
	case mamori.ETOOMANY:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// wantsJSON tells API calls from page requests.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// fail answers a request that went wrong: a JSON error for API calls; for
// pages a redirect to where the person must go next (sign-in, password
// change, second factor) or an error page. Internal errors are logged with
// the request id and shown only as that id.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := mamori.ErrorCode(err)
	if code == mamori.EINTERNAL {
		s.log.Error("request failed", "id", requestIDFrom(r), "route", r.Pattern, "err", err)
		err = &mamori.Error{Code: mamori.EINTERNAL, Message: "error.internal", Args: map[string]any{"RequestID": requestIDFrom(r)}}
	}
	if wantsJSON(r) {
		s.writeJSONError(w, r, err)
		return
	}
	switch {
	case code == mamori.EUNAUTHORIZED && r.URL.Path != "/signin":
		s.redirect(w, r, signinURL(r))
		return
	case errors.Is(err, errPasswordChange):
		s.redirect(w, r, "/account/password")
		return
	case errors.Is(err, errMFARequired):
		if p := principalFrom(r); p != nil && p.MustEnrol {
			s.redirect(w, r, "/account/totp")
		} else {
			s.redirect(w, r, "/signin/totp")
		}
		return
	}
	data := struct {
		Page
		Err    error
		Status int
	}{s.page(r, "error.title", ""), err, statusOf(code)}
	if rerr := s.render(w, r, statusOf(code), "error", data); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(statusOf(code)), statusOf(code))
	}
}

// redirect sends the browser elsewhere after a form post (303) or, for
// htmx requests, tells htmx to navigate.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

var errPageNotFound = &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.page_not_found"}
