package notify_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/notify"
	"mamori/internal/notify/smtptest"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMessageValidate(t *testing.T) {
	ok := notify.Message{Kind: "incident.notice", Subject: mamori.Text{JA: "件名"}, Link: "/incidents/1"}
	for _, test := range []struct {
		name  string
		edit  func(*notify.Message)
		field string
	}{
		{"valid", func(*notify.Message) {}, ""},
		{"no kind", func(m *notify.Message) { m.Kind = "" }, "kind"},
		{"no subject", func(m *notify.Message) { m.Subject.JA = " " }, "subject"},
		{"long body", func(m *notify.Message) { m.Body.JA = strings.Repeat("あ", 8001) }, "body"},
		{"other site", func(m *notify.Message) { m.Link = "https://evil.example/" }, "link"},
		{"protocol-relative", func(m *notify.Message) { m.Link = "//evil.example/" }, "link"},
		{"script", func(m *notify.Message) { m.Link = "javascript:alert(1)" }, "link"},
		{"header injection", func(m *notify.Message) { m.Link = "/x\r\nBcc: a@b" }, "link"},
	} {
		t.Run(test.name, func(t *testing.T) {
			m := ok
			test.edit(&m)
			err := m.Validate()
			e, isErr := mamori.AsError(err)
			switch {
			case test.field == "" && err != nil:
				t.Errorf("err = %v", err)
			case test.field != "" && (!isErr || e.Field != test.field):
				t.Errorf("err = %v, want field %s", err, test.field)
			}
		})
	}
}

func TestToDeduplicates(t *testing.T) {
	ds := notify.To(notify.Message{Kind: "k"}, notify.Recipient{PersonID: 2}, notify.Recipient{PersonID: 0}, notify.Recipient{PersonID: 2}, notify.Recipient{PersonID: 3})
	if len(ds) != 2 || ds[0].To.PersonID != 2 || ds[1].To.PersonID != 3 {
		t.Errorf("To = %+v", ds)
	}
}

func TestBackoff(t *testing.T) {
	for _, test := range []struct {
		attempt int
		want    time.Duration
	}{{1, time.Minute}, {2, 4 * time.Minute}, {3, 16 * time.Minute}, {5, 256 * time.Minute}, {6, 6 * time.Hour}, {20, 6 * time.Hour}} {
		if got := notify.Backoff(test.attempt); got != test.want {
			t.Errorf("Backoff(%d) = %v, want %v", test.attempt, got, test.want)
		}
	}
}

// TestComposeIsSafe: a subject with line breaks cannot add headers, and
// the Japanese text survives the trip.
func TestComposeIsSafe(t *testing.T) {
	cfg := notify.MailConfig{From: "mamori@town.example.jp", BaseURL: "https://mamori.town.example.jp"}
	m := notify.Mail{Tenant: 1, ID: 7, To: "kacho@town.example.jp",
		Subject: mamori.Text{JA: "報告\r\nBcc: victim@example.com", EN: "Report"},
		Body:    mamori.Text{JA: "インシデントの報告があります。", EN: "An incident was reported."}, Link: "/incidents/3"}
	raw := notify.Compose(cfg, m, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Fatal("a header was injected through the subject")
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != "報告 Bcc: victim@example.com / Report" {
		t.Errorf("subject = %q", subj)
	}
	b, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	body := string(b)
	for _, want := range []string{"インシデントの報告があります。", "https://mamori.town.example.jp/incidents/3", "An incident was reported."} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestSendSTARTTLSAndAuth(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithTLS())
	cfg := notify.MailConfig{Host: srv.Host, Port: srv.Port, From: "mamori@town.example.jp", Username: "mamori", Password: "secret", TLS: srv.ClientTLS, RequireTLS: true}
	if err := cfg.Send(context.Background(), "kacho@town.example.jp", []byte("Subject: x\r\n\r\nhello\r\n")); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].Auth != "mamori" || msgs[0].To[0] != "kacho@town.example.jp" {
		t.Fatalf("received %+v", msgs)
	}
	// A server without STARTTLS is refused when TLS is required, and no
	// password is ever sent in the clear.
	plain := smtptest.Start(t)
	cfg.Host, cfg.Port = plain.Host, plain.Port
	if err := cfg.Send(context.Background(), "kacho@town.example.jp", []byte("x")); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("plain server with RequireTLS: %v", err)
	}
	cfg.RequireTLS, cfg.Username = false, ""
	if err := cfg.Send(context.Background(), "kacho@town.example.jp", []byte("Subject: y\r\n\r\nplain\r\n")); err != nil {
		t.Errorf("plain server: %v", err)
	}
	if err := cfg.Send(context.Background(), "not an address\r\nRCPT TO:<x@y>", []byte("x")); err == nil {
		t.Error("a malformed recipient was accepted")
	}
}

func TestMailConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if c, err := notify.MailConfigFromEnv(env(nil)); err != nil || c.Enabled() {
		t.Errorf("no host: %+v %v", c, err)
	}
	if _, err := notify.MailConfigFromEnv(env(map[string]string{"MAMORI_SMTP_HOST": "mail", "MAMORI_SMTP_FROM": ""})); err == nil {
		t.Error("no sender accepted")
	}
	if _, err := notify.MailConfigFromEnv(env(map[string]string{"MAMORI_SMTP_HOST": "mail", "MAMORI_SMTP_FROM": "a@b.jp", "MAMORI_SMTP_PORT": "x"})); err == nil {
		t.Error("bad port accepted")
	}
	c, err := notify.MailConfigFromEnv(env(map[string]string{"MAMORI_SMTP_HOST": "mail", "MAMORI_SMTP_FROM": "a@b.jp", "MAMORI_SMTP_PORT": "587", "MAMORI_BASE_URL": "https://m.jp/"}))
	if err != nil || c.Port != 587 || c.BaseURL != "https://m.jp" {
		t.Errorf("config = %+v, %v", c, err)
	}
}

// TestOutboxDeliversOnceWithRetries runs two senders against the same
// database (as two servers would): every mail arrives exactly once, a
// temporary refusal is retried after the backoff, and a permanent one
// gives up.
func TestOutboxDeliversOnceWithRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "town")
		var people []int64
		for i, email := range []string{"a@town.example.jp", "b@town.example.jp", "c@town.example.jp", ""} {
			p := &directory.Person{StaffNo: string(rune('1' + i)), Name: "職員", Email: email, Kind: directory.KindStaff}
			if err := s.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			people = append(people, p.ID)
		}
		svc := notify.NewService(s)
		msg := notify.Message{Kind: "test.hello", Subject: mamori.Text{JA: "お知らせ", EN: "Notice"}, Body: mamori.Text{JA: "本文", EN: "Body"}, Link: "/inbox"}
		for range 5 {
			var rs []notify.Recipient
			for _, id := range people {
				rs = append(rs, notify.Recipient{PersonID: id})
			}
			if err := svc.Send(ctx, msg, rs...); err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := svc.UnreadCount(ctx, people[3]); n != 5 {
			t.Errorf("the person without an address has %d unread, want 5 (the inbox does not need mail)", n)
		}
		srv := smtptest.Start(t)
		cfg := notify.MailConfig{Host: srv.Host, Port: srv.Port, From: "mamori@town.example.jp"}
		srv.FailNext(1, false)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := notify.NewSender(cfg, s, quiet).SendDue(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := len(srv.Messages()); got != 14 {
			t.Errorf("first round delivered %d mails, want 14 (15 queued, 1 refused for now)", got)
		}
		// The refused one is retried only after its backoff.
		sender := notify.NewSender(cfg, s, quiet)
		if sent, _, _ := sender.SendDue(context.Background()); sent != 0 {
			t.Errorf("retried %d before the backoff", sent)
		}
		later := time.Now().Add(2 * time.Minute)
		s.SetClock(func() time.Time { return later })
		if sent, _, _ := sender.SendDue(context.Background()); sent != 1 {
			t.Errorf("retry sent %d, want 1", sent)
		}
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[string(m.Data)]++
		}
		for body, n := range seen {
			if n > 1 {
				t.Errorf("a mail was delivered %d times: %.80s", n, body)
			}
		}
		// A permanent refusal is not retried.
		if err := svc.Send(ctx, msg, notify.Recipient{PersonID: people[0]}); err != nil {
			t.Fatal(err)
		}
		srv.FailNext(1, true)
		if _, failed, _ := sender.SendDue(context.Background()); failed != 1 {
			t.Errorf("permanent failure counted %d", failed)
		}
		s.SetClock(func() time.Time { return later.Add(24 * time.Hour) })
		if sent, failed, _ := sender.SendDue(context.Background()); sent+failed != 0 {
			t.Errorf("a permanently refused mail was tried again (%d sent, %d failed)", sent, failed)
		}
		st, err := s.MailOf(ctx, people[0])
		if err != nil || len(st) != 6 || st[0].Status != "failed" || st[1].Status != "sent" {
			t.Errorf("mail of person 1 = %+v %v", st, err)
		}
	})
}

func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "town")
		a := &directory.Person{StaffNo: "1", Name: "A", Kind: directory.KindStaff}
		b := &directory.Person{StaffNo: "2", Name: "B", Kind: directory.KindStaff}
		for _, p := range []*directory.Person{a, b} {
			if err := s.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		svc := notify.NewService(s)
		for _, subj := range []string{"一", "二", "三"} {
			if err := svc.Send(ctx, notify.Message{Kind: "k", Subject: mamori.Text{JA: subj}}, notify.Recipient{PersonID: a.ID}); err != nil {
				t.Fatal(err)
			}
		}
		items, err := svc.Inbox(ctx, a.ID, notify.InboxFilter{})
		if err != nil || len(items) != 3 || items[0].Subject.JA != "三" || !items[0].Unread() {
			t.Fatalf("inbox = %+v %v", items, err)
		}
		// Nobody reads or marks another person's notification.
		if err := svc.MarkRead(ctx, b.ID, items[0].ID); mamori.ErrorCode(err) != mamori.ENOTFOUND {
			t.Errorf("B marked A's notification: %v", err)
		}
		if err := svc.MarkRead(ctx, a.ID, items[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.UnreadCount(ctx, a.ID); n != 2 {
			t.Errorf("unread = %d, want 2", n)
		}
		if n, _ := svc.MarkAllRead(ctx, a.ID); n != 2 {
			t.Errorf("mark all read = %d", n)
		}
		unread, _ := svc.Inbox(ctx, a.ID, notify.InboxFilter{UnreadOnly: true})
		if len(unread) != 0 {
			t.Errorf("unread after all read: %d", len(unread))
		}
		if err := svc.Send(ctx, notify.Message{Kind: "k", Subject: mamori.Text{JA: "x"}}, notify.Recipient{PersonID: 999}); mamori.ErrorCode(err) != mamori.ENOTFOUND {
			t.Errorf("unknown recipient: %v", err)
		}
	})
}
