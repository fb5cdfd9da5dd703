package incident

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"mamori"
	"mamori/internal/i18n"
)

// The public report form (藤枝市 第2章4(2)⑤: the contact means residents
// use must be published; 下條村 第2章7(6)1 and 天草 第37条 count reports
// from residents). It needs no sign-in, so it defends itself without any
// outside service:
//
//   - a signed, time-stamped form token: a post must come from a form this
//     deployment issued, at least FormMinAge and at most FormMaxAge ago
//     (bots post at once; an old token is not reused), and each token is
//     accepted once (its nonce is kept with the incident);
//   - a honeypot field that people never see and bots fill in;
//   - size limits on every field and on the body;
//   - rate limits per client address and per organization, counted in the
//     database so that they hold across servers (internal/web).
//
// All of it works without JavaScript.

// Form token ages.
const (
	FormMinAge = 3 * time.Second
	FormMaxAge = 2 * time.Hour
)

// MaxPublicBody bounds the whole posted form.
const MaxPublicBody = 64 << 10

// Limits of the public form's fields (characters).
const (
	MaxPublicDescription = 4000
)

// Public form field names. The honeypot has a name no browser autofills.
const (
	FieldTenant      = "t"
	FieldCategory    = "category"
	FieldDescription = "description"
	FieldOccurred    = "occurred_on"
	FieldName        = "name"
	FieldContact     = "contact"
	FieldToken       = "token"
	FieldHoneypot    = "hp_confirm"
)

var publicFields = map[string]bool{
	FieldTenant: true, FieldCategory: true, FieldDescription: true, FieldOccurred: true,
	FieldName: true, FieldContact: true, FieldToken: true, FieldHoneypot: true, "lang": true, "csrf": true,
}

// PublicReport is a report as the public form sends it, decoded and
// checked.
type PublicReport struct {
	Tenant      string
	Category    Category
	Description string
	OccurredOn  *time.Time // a day (midnight in Japan), if given
	Occurred    string     // as typed, to show the form again
	Name        string
	Contact     string
	Token       string
	Honeypot    bool // the hidden field was filled in: a bot
}

// DecodePublicForm reads and checks the public form. Every problem is a
// *mamori.Error naming the field; the report keeps what could be read so
// that the form can be shown again with it (nothing the resident typed is
// lost).
func DecodePublicForm(v url.Values, now time.Time) (*PublicReport, error) {
	pr := &PublicReport{}
	one := func(k string) (string, error) {
		vs := v[k]
		switch len(vs) {
		case 0:
			return "", nil
		case 1:
			return vs[0], nil
		}
		return "", mamori.FieldError(k, "report.field_repeated", nil)
	}
	var firstErr error
	keep := func(err error) {
		if firstErr == nil && err != nil {
			firstErr = err
		}
	}
	for k := range v {
		if !publicFields[k] {
			keep(mamori.FieldError(k, "report.field_unknown", nil))
		}
	}
	get := func(k string) string {
		s, err := one(k)
		keep(err)
		return s
	}
	pr.Tenant = strings.TrimSpace(get(FieldTenant))
	pr.Token = strings.TrimSpace(get(FieldToken))
	pr.Honeypot = strings.TrimSpace(get(FieldHoneypot)) != ""
	var err error
	cat := Category(strings.TrimSpace(get(FieldCategory)))
	if cat == "" {
		cat = CategoryIncident
	}
	if !cat.Valid() {
		keep(mamori.FieldError(FieldCategory, "incident.category_invalid", nil))
		cat = CategoryOther
	}
	pr.Category = cat
	desc := get(FieldDescription)
	if pr.Description, err = cleanText(FieldDescription, desc, MaxPublicDescription, true); err != nil {
		keep(err)
		pr.Description = clip(desc, MaxPublicDescription)
	}
	name := get(FieldName)
	if pr.Name, err = cleanText(FieldName, name, MaxName, false); err == nil && strings.Contains(pr.Name, "\n") {
		err = mamori.FieldError(FieldName, "incident.text_invalid", nil)
	}
	if err != nil {
		keep(err)
		pr.Name = clip(oneLine(name), MaxName)
	}
	contact := get(FieldContact)
	if pr.Contact, err = cleanText(FieldContact, contact, MaxContact, false); err == nil && strings.Contains(pr.Contact, "\n") {
		err = mamori.FieldError(FieldContact, "incident.text_invalid", nil)
	}
	if err != nil {
		keep(err)
		pr.Contact = clip(oneLine(contact), MaxContact)
	}
	pr.Occurred = clip(strings.TrimSpace(get(FieldOccurred)), 20)
	if pr.Occurred != "" {
		d, err := time.ParseInLocation("2006-01-02", pr.Occurred, i18n.Tokyo)
		switch {
		case err != nil:
			keep(mamori.FieldError(FieldOccurred, "incident.date_invalid", nil))
		case d.After(now):
			keep(mamori.FieldError(FieldOccurred, "incident.time_in_future", nil))
		default:
			u := d.UTC()
			pr.OccurredOn = &u
		}
	}
	return pr, firstErr
}

// Title is the incident's title made from the report: its first line,
// shortened.
func (pr *PublicReport) Title() string {
	first, _, _ := strings.Cut(pr.Description, "\n")
	return clip(strings.TrimSpace(first), 60)
}

// Incident turns the report into an incident received now.
func (pr *PublicReport) Incident(now time.Time, nonce string) *Incident {
	return &Incident{
		Source: SourcePublic, Category: pr.Category, Title: pr.Title(), Description: pr.Description,
		ReporterName: pr.Name, ReporterContact: pr.Contact, FormNonce: nonce,
		OccurredAt: pr.OccurredOn, DiscoveredAt: now, ReportedAt: now,
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// IssueFormToken signs a token for a public form shown now to a client of
// tenant, with key (a per-tenant secret every server shares).
func IssueFormToken(key []byte, tenant mamori.TenantID, now time.Time) string {
	var nonce [12]byte
	rand.Read(nonce[:])
	var b [8 + 12 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.Unix()))
	copy(b[8:20], nonce[:])
	copy(b[20:], tokenMAC(key, tenant, b[:20]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenMAC(key []byte, tenant mamori.TenantID, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("mamori public report v1\x00"))
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], uint64(tenant))
	m.Write(t[:])
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// CheckFormToken verifies a form token and returns its nonce: the token
// must be one this deployment signed for tenant, issued at least
// FormMinAge and at most FormMaxAge before now.
func CheckFormToken(key []byte, tenant mamori.TenantID, token string, now time.Time) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 36 || !hmac.Equal(b[20:], tokenMAC(key, tenant, b[:20])) {
		return "", mamori.FieldError(FieldToken, "report.token_invalid", nil)
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := now.Sub(issued)
	switch {
	case age < FormMinAge:
		return "", mamori.FieldError(FieldToken, "report.too_fast", map[string]any{"Seconds": int(FormMinAge.Seconds())})
	case age > FormMaxAge:
		return "", mamori.FieldError(FieldToken, "report.token_expired", nil)
	}
	return hex.EncodeToString(b[8:20]), nil
}

// receiptAlphabet is Crockford's base32: no I, L, O or U, so that a number
// read over the telephone is not misheard.
const receiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewReceiptNo makes a receipt number a reporter can keep and quote:
// the date in Japan and eight random characters (40 bits), e.g.
// 20261125-7K3M-QW2D. It reveals nothing of how many reports there are.
func NewReceiptNo(now time.Time) string {
	var b [8]byte
	rand.Read(b[:])
	var s strings.Builder
	s.WriteString(now.In(i18n.Tokyo).Format("20060102"))
	s.WriteByte('-')
	for i, c := range b {
		if i == 4 {
			s.WriteByte('-')
		}
		s.WriteByte(receiptAlphabet[int(c)%32])
	}
	return s.String()
}

// NormalizeReceiptNo reads a receipt number as a person might type it:
// full-width, lower case, with or without hyphens, O for 0, I or L for 1.
func NormalizeReceiptNo(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if strings.ContainsRune(receiptAlphabet, r) {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) != 16 {
		return strings.TrimSpace(s)
	}
	return d[:8] + "-" + d[8:12] + "-" + d[12:]
}
