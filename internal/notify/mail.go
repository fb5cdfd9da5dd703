package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"mamori"
)

// MailConfig says how to reach the SMTP server (usually the town hall's
// own relay inside LGWAN). mamori talks to exactly one server, with
// STARTTLS whenever the server offers it.
type MailConfig struct {
	Host     string
	Port     int    // default 25
	From     string // the envelope and header sender, e.g. mamori@town.example.lg.jp
	Username string // optional; authentication is only attempted over TLS or to localhost
	Password string
	// RequireTLS refuses to send when the server does not offer STARTTLS.
	RequireTLS bool
	// BaseURL makes links in mails absolute ("https://mamori.town.lg.jp").
	BaseURL string
	// TLS overrides the TLS settings (tests use their own certificate
	// authority); nil verifies the server against the system's roots.
	TLS     *tls.Config
	Timeout time.Duration // per mail; default 1 minute
}

// Enabled reports whether mail is configured at all.
func (c MailConfig) Enabled() bool { return c.Host != "" }

// MailConfigFromEnv reads the mail settings from the environment:
// MAMORI_SMTP_HOST, MAMORI_SMTP_PORT, MAMORI_SMTP_FROM,
// MAMORI_SMTP_USERNAME, MAMORI_SMTP_PASSWORD, MAMORI_SMTP_REQUIRE_TLS=1 and
// MAMORI_BASE_URL. Without MAMORI_SMTP_HOST mail is off (the inbox still
// works) and the zero config is returned.
func MailConfigFromEnv(getenv func(string) string) (MailConfig, error) {
	c := MailConfig{
		Host:       strings.TrimSpace(getenv("MAMORI_SMTP_HOST")),
		From:       strings.TrimSpace(getenv("MAMORI_SMTP_FROM")),
		Username:   getenv("MAMORI_SMTP_USERNAME"),
		Password:   getenv("MAMORI_SMTP_PASSWORD"),
		RequireTLS: getenv("MAMORI_SMTP_REQUIRE_TLS") == "1",
		BaseURL:    strings.TrimRight(strings.TrimSpace(getenv("MAMORI_BASE_URL")), "/"),
	}
	if c.Host == "" {
		return MailConfig{}, nil
	}
	if p := strings.TrimSpace(getenv("MAMORI_SMTP_PORT")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return MailConfig{}, fmt.Errorf("MAMORI_SMTP_PORT %q is not a port number", p)
		}
		c.Port = n
	}
	if _, err := mail.ParseAddress(c.From); err != nil || c.From == "" {
		return MailConfig{}, fmt.Errorf("MAMORI_SMTP_FROM %q is not a mail address (it is required with MAMORI_SMTP_HOST)", c.From)
	}
	return c, nil
}

func (c MailConfig) addr() string {
	port := c.Port
	if port == 0 {
		port = 25
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// Mail is a queued mail, claimed for sending.
type Mail struct {
	Tenant    mamori.TenantID
	ID        int64
	To        string
	Attempts  int // including this one
	Kind      string
	Subject   mamori.Text
	Body      mamori.Text
	Link      string
	CreatedAt time.Time
}

// MailResult is what became of a sending attempt.
type MailResult struct {
	Sent   bool
	Error  string    // why it failed (no secret: the server's reply)
	NextAt time.Time // when to try again, unless Final
	Final  bool      // give up: the mail is marked failed (or expired)
}

// Outbox is the queue the sender works from; internal/store implements it
// across all tenants.
type Outbox interface {
	// ClaimMail takes up to limit due mails for lease: no other sender
	// sees them until the lease ends or a result is recorded.
	ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]Mail, error)
	// MailDone records the result of an attempt.
	MailDone(ctx context.Context, m Mail, res MailResult) error
}

// Retry policy: a failed mail is tried again after 1, 4, 16 … minutes (at
// most 6 hours apart), eight times in all; a mail still unsent after
// three days is no longer news and expires.
const (
	maxAttempts = 8
	maxAge      = 72 * time.Hour
	lease       = 5 * time.Minute
)

// Backoff is how long to wait after the attempt-th failed attempt.
func Backoff(attempt int) time.Duration {
	d := time.Minute
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 4
	}
	return min(d, 6*time.Hour)
}

// Sender delivers the outbox in the background.
type Sender struct {
	cfg      MailConfig
	out      Outbox
	log      *slog.Logger
	now      func() time.Time
	Interval time.Duration // how often to look for due mail; default 15s
}

// NewSender returns a sender of out's mail through cfg.
func NewSender(cfg MailConfig, out Outbox, log *slog.Logger) *Sender {
	return &Sender{cfg: cfg, out: out, log: log, now: time.Now, Interval: 15 * time.Second}
}

// Run sends due mail until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("send queued mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue sends every mail that is due now and returns how many were sent
// and how many failed.
func (s *Sender) SendDue(ctx context.Context) (sent, failed int, err error) {
	for ctx.Err() == nil {
		batch, err := s.out.ClaimMail(ctx, 20, lease)
		if err != nil {
			return sent, failed, fmt.Errorf("claim mail: %w", err)
		}
		if len(batch) == 0 {
			return sent, failed, nil
		}
		for _, m := range batch {
			res := s.attempt(ctx, m)
			if res.Sent {
				sent++
			} else {
				failed++
				s.log.Warn("mail not sent", "tenant", m.Tenant, "mail", m.ID, "attempt", m.Attempts, "final", res.Final, "err", res.Error)
			}
			if err := s.out.MailDone(ctx, m, res); err != nil {
				return sent, failed, fmt.Errorf("record mail %d: %w", m.ID, err)
			}
		}
	}
	return sent, failed, ctx.Err()
}

func (s *Sender) attempt(ctx context.Context, m Mail) MailResult {
	now := s.now()
	if now.Sub(m.CreatedAt) > maxAge {
		return MailResult{Error: "expired: not sent within " + maxAge.String(), Final: true}
	}
	err := s.cfg.Send(ctx, m.To, Compose(s.cfg, m, now))
	if err == nil {
		return MailResult{Sent: true}
	}
	res := MailResult{Error: err.Error(), NextAt: now.Add(Backoff(m.Attempts))}
	// A permanent refusal (5xx) or the last attempt gives up.
	var pe *permanentError
	if errors.As(err, &pe) || m.Attempts >= maxAttempts {
		res.Final = true
	}
	return res
}

// permanentError is an SMTP 5xx reply: trying again will not help.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return &permanentError{err}
	}
	return err
}

// Send delivers one composed message to one address: STARTTLS when the
// server offers it (or refusal when RequireTLS and it does not), then
// authentication if configured.
func (c MailConfig) Send(ctx context.Context, to string, msg []byte) error {
	if !c.Enabled() {
		return errors.New("mail is not configured")
	}
	if _, err := mail.ParseAddress(to); err != nil || strings.ContainsAny(to, "\r\n<>") {
		return &permanentError{fmt.Errorf("recipient %q is not a mail address", to)}
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", c.addr(), err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting of %s: %w", c.addr(), err)
	}
	defer cl.Close()
	if err := cl.Hello(helloName()); err != nil {
		return classify(fmt.Errorf("EHLO: %w", err))
	}
	if ok, _ := cl.Extension("STARTTLS"); ok {
		cfg := c.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
		}
		if err := cl.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS with %s: %w", c.addr(), err)
		}
	} else if c.RequireTLS {
		return fmt.Errorf("%s does not offer STARTTLS and MAMORI_SMTP_REQUIRE_TLS is set", c.addr())
	}
	if c.Username != "" {
		if ok, _ := cl.Extension("AUTH"); ok {
			// PlainAuth itself refuses to send the password over a
			// connection that is neither TLS nor to localhost.
			if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
				return classify(fmt.Errorf("AUTH: %w", err))
			}
		}
	}
	if err := cl.Mail(c.From); err != nil {
		return classify(fmt.Errorf("MAIL FROM: %w", err))
	}
	if err := cl.Rcpt(to); err != nil {
		return classify(fmt.Errorf("RCPT TO: %w", err))
	}
	w, err := cl.Data()
	if err != nil {
		return classify(fmt.Errorf("DATA: %w", err))
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return classify(fmt.Errorf("end of data: %w", err))
	}
	return cl.Quit()
}

func helloName() string {
	// The HELO name is ours, not the server's; "localhost" is what
	// net/smtp would send, and relays inside LGWAN accept it.
	return "localhost"
}

// Compose builds the message of m: Japanese first, then English, the link
// made absolute with the base URL, as UTF-8 text in base64 so that no
// line is too long and no header can be injected from a subject.
func Compose(c MailConfig, m Mail, now time.Time) []byte {
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	subject := oneLine(m.Subject.JA)
	if m.Subject.EN != "" && m.Subject.EN != m.Subject.JA {
		subject += " / " + oneLine(m.Subject.EN)
	}
	var body strings.Builder
	body.WriteString(m.Body.JA)
	if m.Link != "" {
		body.WriteString("\n\n" + c.BaseURL + m.Link)
	}
	if m.Body.EN != "" {
		body.WriteString("\n\n----\n" + m.Body.EN)
	}
	body.WriteString("\n\n-- \nmamori\n")
	text := strings.ReplaceAll(strings.ReplaceAll(body.String(), "\r\n", "\n"), "\n", "\r\n")
	var b bytes.Buffer
	host := "mamori.invalid"
	if _, dom, ok := strings.Cut(c.From, "@"); ok && dom != "" {
		host = strings.Trim(dom, "> ")
	}
	nonce := make([]byte, 6)
	rand.Read(nonce)
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", (&mail.Address{Name: "mamori", Address: c.From}).String())
	hdr("To", (&mail.Address{Address: m.To}).String())
	hdr("Subject", mime.BEncoding.Encode("UTF-8", subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", fmt.Sprintf("<%d.%d.%s@%s>", m.Tenant, m.ID, hex.EncodeToString(nonce), host))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	hdr("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
