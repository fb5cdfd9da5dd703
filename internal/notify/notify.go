// Package notify tells people things: a row in their in-app inbox and,
// when they have an e-mail address, a mail that a background sender
// delivers over SMTP. It is shared by every area (incidents, requests, …).
//
// Using it:
//
//   - Outside any transaction of your own, call Service.Send: it writes
//     the inbox rows (and queues the mails) in a transaction of its own and
//     records a "notify.send" event.
//   - Inside a store method that changes something and must tell people in
//     the same transaction (so that the notice and the change commit or fail
//     together), build the deliveries with To and pass them to the store
//     method, which calls addNotifications(ctx, tx, ds) from
//     internal/store/notify.go on its own *Tx.
//
// Messages carry their text in both languages (mamori.Text); the inbox
// shows the reader's language and mails carry Japanese first, then English.
// Message text is plain text: the inbox escapes it like any other text, and
// mails are text/plain. Never put a password or token in a message.
package notify

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mamori"
)

// Recipient is a person to tell.
type Recipient struct {
	PersonID int64
}

// Message is what to tell.
type Message struct {
	// Kind is a stable id of what happened ("incident.reported",
	// "deviation.expiring"), for filtering and tests.
	Kind    string
	Subject mamori.Text
	Body    mamori.Text
	// Link is a path inside mamori ("/incidents/12"); mails make it
	// absolute with the configured base URL.
	Link string
}

// Limits on a message, so that a caller's bug cannot fill inboxes.
const (
	maxSubject = 200
	maxBody    = 8000
	maxLink    = 500
)

// Validate checks a message before it is written.
func (m Message) Validate() error {
	if m.Kind == "" || len(m.Kind) > 80 {
		return mamori.FieldError("kind", "notify.kind_invalid", nil)
	}
	if strings.TrimSpace(m.Subject.JA) == "" {
		return mamori.FieldError("subject", "notify.subject_required", nil)
	}
	for _, s := range []string{m.Subject.JA, m.Subject.EN} {
		if utf8.RuneCountInString(s) > maxSubject || !utf8.ValidString(s) {
			return mamori.FieldError("subject", "notify.too_long", map[string]any{"Max": maxSubject})
		}
	}
	for _, s := range []string{m.Body.JA, m.Body.EN} {
		if utf8.RuneCountInString(s) > maxBody || !utf8.ValidString(s) {
			return mamori.FieldError("body", "notify.too_long", map[string]any{"Max": maxBody})
		}
	}
	// A link is a path on this site: never another site, never a script.
	if m.Link != "" && (len(m.Link) > maxLink || !strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") || strings.ContainsAny(m.Link, "\\\r\n")) {
		return mamori.FieldError("link", "notify.link_invalid", nil)
	}
	return nil
}

// Delivery is one message for one person.
type Delivery struct {
	To  Recipient
	Msg Message
}

// To addresses msg to each recipient once, in the order given, dropping
// empty recipients.
func To(msg Message, rs ...Recipient) []Delivery {
	seen := map[int64]bool{}
	var out []Delivery
	for _, r := range rs {
		if r.PersonID == 0 || seen[r.PersonID] {
			continue
		}
		seen[r.PersonID] = true
		out = append(out, Delivery{To: r, Msg: msg})
	}
	return out
}

// Item is a notification in a person's inbox.
type Item struct {
	ID        int64
	PersonID  int64
	Kind      string
	Subject   mamori.Text
	Body      mamori.Text
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Unread reports whether the item has not been read.
func (it Item) Unread() bool { return it.ReadAt == nil }

// InboxFilter narrows an inbox listing.
type InboxFilter struct {
	UnreadOnly bool
	Limit      int // default 50, at most 500
}

// Store is what the service needs; internal/store implements it. Every
// method is scoped to the tenant of ctx.
type Store interface {
	// AddNotifications writes the inbox rows of ds and queues a mail for
	// each recipient who has an address, in one transaction that records
	// the sending in the event log.
	AddNotifications(ctx context.Context, ds []Delivery) error
	Inbox(ctx context.Context, personID int64, f InboxFilter) ([]Item, error)
	UnreadCount(ctx context.Context, personID int64) (int, error)
	// MarkRead marks one of the person's notifications read; not_found
	// when it is not theirs.
	MarkRead(ctx context.Context, personID, id int64) error
	MarkAllRead(ctx context.Context, personID int64) (int, error)
}

// Service sends notifications.
type Service struct {
	st Store
}

// NewService returns a service over st.
func NewService(st Store) *Service { return &Service{st: st} }

// Send tells each recipient msg, in a transaction of its own.
func (s *Service) Send(ctx context.Context, msg Message, to ...Recipient) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	ds := To(msg, to...)
	if len(ds) == 0 {
		return nil
	}
	if err := s.st.AddNotifications(ctx, ds); err != nil {
		return fmt.Errorf("send %s: %w", msg.Kind, err)
	}
	return nil
}

// Inbox lists a person's notifications, newest first.
func (s *Service) Inbox(ctx context.Context, personID int64, f InboxFilter) ([]Item, error) {
	return s.st.Inbox(ctx, personID, f)
}

// UnreadCount is how many of a person's notifications are unread.
func (s *Service) UnreadCount(ctx context.Context, personID int64) (int, error) {
	return s.st.UnreadCount(ctx, personID)
}

// MarkRead marks a notification read.
func (s *Service) MarkRead(ctx context.Context, personID, id int64) error {
	return s.st.MarkRead(ctx, personID, id)
}

// MarkAllRead marks all of a person's notifications read.
func (s *Service) MarkAllRead(ctx context.Context, personID int64) (int, error) {
	return s.st.MarkAllRead(ctx, personID)
}
