package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/notify"
)

// Mail statuses of the outbox.
const (
	mailQueued  = "queued"
	mailSent    = "sent"
	mailFailed  = "failed"
	mailExpired = "expired"
)

// AddNotifications tells people something in a transaction of its own
// (notify.Service.Send); the sending is recorded in the event log without
// the message text.
func (s *Store) AddNotifications(ctx context.Context, ds []notify.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := addNotifications(ctx, tx, ds); err != nil {
		return err
	}
	to := make([]int64, len(ds))
	for i, d := range ds {
		to[i] = d.To.PersonID
	}
	if err := tx.Record(ctx, Change{Action: "notify.send", Data: map[string]any{"kind": ds[0].Msg.Kind, "to": to, "link": ds[0].Msg.Link}}); err != nil {
		return err
	}
	return tx.Commit()
}

// addNotifications writes inbox rows, and queues a mail for each person
// who has an address and is active, in the caller's transaction: a store
// method that changes something and must tell people calls it on its own
// Tx, so that the notice commits (or fails) with the change.
func addNotifications(ctx context.Context, tx *Tx, ds []notify.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	nextID := func(table string) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table+` WHERE tenant_id = $1`).Scan(&id); err != nil {
			return 0, fmt.Errorf("next id of %s: %w", table, err)
		}
		return id, nil
	}
	nid, err := nextID("notifications")
	if err != nil {
		return err
	}
	mid, err := nextID("mail_outbox")
	if err != nil {
		return err
	}
	now := tx.Now()
	for _, d := range ds {
		if err := d.Msg.Validate(); err != nil {
			return err
		}
		var email, status string
		err := tx.QueryRow(ctx, `SELECT email, status FROM people WHERE tenant_id = $1 AND id = $2`, d.To.PersonID).Scan(&email, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "person", "ID": d.To.PersonID}}
		}
		if err != nil {
			return fmt.Errorf("find recipient %d: %w", d.To.PersonID, err)
		}
		m := d.Msg
		if _, err := tx.Exec(ctx, `INSERT INTO notifications (tenant_id, id, person_id, kind, subject_ja, subject_en, body_ja, body_en, link, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			nid, d.To.PersonID, m.Kind, m.Subject.JA, m.Subject.EN, m.Body.JA, m.Body.EN, m.Link, now); err != nil {
			return fmt.Errorf("write notification for %d: %w", d.To.PersonID, err)
		}
		if email != "" && status == "active" {
			if _, err := tx.Exec(ctx, `INSERT INTO mail_outbox (tenant_id, id, notification_id, to_addr, status, attempts, next_at, created_at)
				VALUES ($1, $2, $3, $4, $5, 0, $6, $7)`, mid, nid, email, mailQueued, now, now); err != nil {
				return fmt.Errorf("queue mail for %d: %w", d.To.PersonID, err)
			}
			mid++
		}
		nid++
	}
	return nil
}

// Inbox lists a person's notifications, newest first.
func (s *Store) Inbox(ctx context.Context, personID int64, f notify.InboxFilter) ([]notify.Item, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT id, person_id, kind, subject_ja, subject_en, body_ja, body_en, link, created_at, read_at
		FROM notifications WHERE tenant_id = $1 AND person_id = $2`
	if f.UnreadOnly {
		q += ` AND read_at IS NULL`
	}
	q += ` ORDER BY id DESC LIMIT $3`
	rows, err := tx.Query(ctx, q, personID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list inbox of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []notify.Item
	for rows.Next() {
		var it notify.Item
		var read sql.NullTime
		if err := rows.Scan(&it.ID, &it.PersonID, &it.Kind, &it.Subject.JA, &it.Subject.EN, &it.Body.JA, &it.Body.EN, &it.Link, &it.CreatedAt, &read); err != nil {
			return nil, fmt.Errorf("list inbox of %d: %w", personID, err)
		}
		if read.Valid {
			t := read.Time
			it.ReadAt = &t
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// UnreadCount is how many of a person's notifications are unread.
func (s *Store) UnreadCount(ctx context.Context, personID int64) (int, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE tenant_id = $1 AND person_id = $2 AND read_at IS NULL`, personID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count unread of %d: %w", personID, err)
	}
	return n, nil
}

// MarkRead marks one of a person's notifications read. Reading is
// bookkeeping, not a change the log needs.
func (s *Store) MarkRead(ctx context.Context, personID, id int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tx.Untracked()
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE tenant_id = $1 AND id = $2 AND person_id = $3`, id, personID).Scan(&n); err != nil {
		return fmt.Errorf("find notification %d: %w", id, err)
	}
	if n == 0 {
		return &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "notification", "ID": id}}
	}
	if _, err := tx.Exec(ctx, `UPDATE notifications SET read_at = $4 WHERE tenant_id = $1 AND id = $2 AND person_id = $3 AND read_at IS NULL`, id, personID, tx.Now()); err != nil {
		return fmt.Errorf("mark notification %d read: %w", id, err)
	}
	return tx.Commit()
}

// MarkAllRead marks all of a person's notifications read.
func (s *Store) MarkAllRead(ctx context.Context, personID int64) (int, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	tx.Untracked()
	res, err := tx.Exec(ctx, `UPDATE notifications SET read_at = $3 WHERE tenant_id = $1 AND person_id = $2 AND read_at IS NULL`, personID, tx.Now())
	if err != nil {
		return 0, fmt.Errorf("mark inbox of %d read: %w", personID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), tx.Commit()
}

// ClaimMail takes up to limit due mails of every tenant for lease. On
// PostgreSQL the rows are chosen with FOR UPDATE SKIP LOCKED, so that
// servers polling at once take different mails; on SQLite the single
// writer serializes the claims. A claimed row is invisible to other
// senders until its lease ends, so that a sender that dies mid-send is
// retried later (at least once, never twice at the same time).
func (s *Store) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]notify.Mail, error) {
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	now := s.Now()
	pick := `SELECT tenant_id, id FROM mail_outbox WHERE status = $3 AND next_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY next_at, tenant_id, id LIMIT $4`
	if s.dialect == Postgres {
		pick += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := stx.Query(ctx, `UPDATE mail_outbox SET claimed_until = $1, attempts = attempts + 1
		WHERE (tenant_id, id) IN (`+pick+`)
		RETURNING tenant_id, id, notification_id, to_addr, attempts, created_at`, now.Add(lease), now, mailQueued, limit)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	type claimed struct {
		m   notify.Mail
		nid int64
	}
	var cs []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.m.Tenant, &c.m.ID, &c.nid, &c.m.To, &c.m.Attempts, &c.m.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim mail: %w", err)
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]notify.Mail, 0, len(cs))
	for _, c := range cs {
		m := c.m
		if err := stx.QueryRow(ctx, `SELECT kind, subject_ja, subject_en, body_ja, body_en, link FROM notifications WHERE tenant_id = $1 AND id = $2`, int64(m.Tenant), c.nid).
			Scan(&m.Kind, &m.Subject.JA, &m.Subject.EN, &m.Body.JA, &m.Body.EN, &m.Link); err != nil {
			return nil, fmt.Errorf("load notification %d of mail %d: %w", c.nid, m.ID, err)
		}
		out = append(out, m)
	}
	return out, stx.Commit()
}

// MailDone records the result of an attempt to send m.
func (s *Store) MailDone(ctx context.Context, m notify.Mail, res notify.MailResult) error {
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	now := s.Now()
	var q string
	var args []any
	switch {
	case res.Sent:
		q, args = `UPDATE mail_outbox SET status = $3, sent_at = $4, claimed_until = NULL, last_error = '' WHERE tenant_id = $1 AND id = $2`, []any{mailSent, now}
	case res.Final:
		status := mailFailed
		if len(res.Error) >= 7 && res.Error[:7] == "expired" {
			status = mailExpired
		}
		q, args = `UPDATE mail_outbox SET status = $3, claimed_until = NULL, last_error = $4 WHERE tenant_id = $1 AND id = $2`, []any{status, clipText(res.Error, 500)}
	default:
		q, args = `UPDATE mail_outbox SET next_at = $3, claimed_until = NULL, last_error = $4 WHERE tenant_id = $1 AND id = $2`, []any{res.NextAt, clipText(res.Error, 500)}
	}
	if _, err := stx.Exec(ctx, q, append([]any{int64(m.Tenant), m.ID}, args...)...); err != nil {
		return fmt.Errorf("record mail %d: %w", m.ID, err)
	}
	return stx.Commit()
}

// MailStatus is a mail of the outbox as the operator sees it.
type MailStatus struct {
	ID        int64
	To        string
	Status    string
	Attempts  int
	LastError string
	SentAt    *time.Time
}

// MailOf lists the mails queued for a person's notifications, newest
// first (tests and the operator's questions "was it sent?").
func (s *Store) MailOf(ctx context.Context, personID int64) ([]MailStatus, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT o.id, o.to_addr, o.status, o.attempts, o.last_error, o.sent_at FROM mail_outbox o
		JOIN notifications n ON n.tenant_id = o.tenant_id AND n.id = o.notification_id
		WHERE o.tenant_id = $1 AND n.person_id = $2 ORDER BY o.id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("list mail of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []MailStatus
	for rows.Next() {
		var m MailStatus
		var sent sql.NullTime
		if err := rows.Scan(&m.ID, &m.To, &m.Status, &m.Attempts, &m.LastError, &sent); err != nil {
			return nil, err
		}
		if sent.Valid {
			t := sent.Time
			m.SentAt = &t
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
