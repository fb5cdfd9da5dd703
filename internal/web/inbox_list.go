package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"mamori/internal/notify"
)

type inboxData struct {
	Page
	Items  []notify.Item
	Unread int
	All    bool
}

// inboxList shows the person's notifications, newest first; ?all=1 shows
// the ones read as well.
func (s *Server) inboxList(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	d := inboxData{Page: s.page(r, "inbox.title", "inbox"), All: r.URL.Query().Get("all") == "1"}
	var err error
	if d.Items, err = s.notifier().Inbox(r.Context(), p.PersonID, notify.InboxFilter{UnreadOnly: !d.All, Limit: 200}); err != nil {
		return err
	}
	if d.Unread, err = s.notifier().UnreadCount(r.Context(), p.PersonID); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "inbox", d)
}

// inboxCount answers the unread count as a small fragment for the layout
// (htmx loads it; without JavaScript the link alone shows).
func (s *Server) inboxCount(w http.ResponseWriter, r *http.Request) error {
	n, err := s.notifier().UnreadCount(r.Context(), principalFrom(r).PersonID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	l := s.localizer(r)
	if n == 0 {
		_, err = w.Write([]byte(template.HTMLEscapeString(l.T("inbox.nav"))))
		return err
	}
	_, err = w.Write([]byte(template.HTMLEscapeString(l.T("inbox.nav")) + ` <span class="badge deny" aria-label="` + template.HTMLEscapeString(l.T("inbox.unread_count", "Count", n)) + `">` + strconv.Itoa(n) + `</span>`))
	return err
}

// inboxRead marks one notification read and follows its link.
func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	p := principalFrom(r)
	if err := s.notifier().MarkRead(r.Context(), p.PersonID, id); err != nil {
		return err
	}
	to := "/inbox"
	if items, err := s.notifier().Inbox(r.Context(), p.PersonID, notify.InboxFilter{Limit: 500}); err == nil {
		for _, it := range items {
			if it.ID == id && it.Link != "" {
				to = safeNext(it.Link)
			}
		}
	}
	s.redirect(w, r, to)
	return nil
}

// inboxReadAll marks every notification read.
func (s *Server) inboxReadAll(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.notifier().MarkAllRead(r.Context(), principalFrom(r).PersonID); err != nil {
		return err
	}
	s.redirect(w, r, "/inbox?flash=inbox_read")
	return nil
}

type inboxItemJSON struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Subject   any        `json:"subject"`
	Body      any        `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// apiInbox lists the caller's notifications; ?unread=1 only unread ones.
func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	items, err := s.notifier().Inbox(r.Context(), p.PersonID, notify.InboxFilter{UnreadOnly: r.URL.Query().Get("unread") == "1", Limit: int(atoi64(r.URL.Query().Get("limit")))})
	if err != nil {
		return err
	}
	n, err := s.notifier().UnreadCount(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	out := struct {
		Unread int             `json:"unread"`
		Items  []inboxItemJSON `json:"items"`
	}{Unread: n, Items: []inboxItemJSON{}}
	for _, it := range items {
		out.Items = append(out.Items, inboxItemJSON{ID: it.ID, Kind: it.Kind, Subject: it.Subject, Body: it.Body, Link: it.Link, CreatedAt: it.CreatedAt, ReadAt: it.ReadAt})
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiInboxRead marks a notification read.
func (s *Server) apiInboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	if err := s.notifier().MarkRead(r.Context(), principalFrom(r).PersonID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
