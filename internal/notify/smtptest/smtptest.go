// Package smtptest is a tiny SMTP server on the loopback interface for
// tests: it speaks just enough of RFC 5321 (EHLO, STARTTLS, AUTH PLAIN,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT) to receive what net/smtp sends, and
// keeps every message it accepts. It is written here with net/textproto
// rather than taken from a library so that the product has no SMTP server
// dependency at all.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one accepted mail.
type Message struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the session had switched to TLS
	Auth string // the user that authenticated, if any
}

// Server is a running test server.
type Server struct {
	Addr string // host:port
	Host string
	Port int
	// ClientTLS trusts the server's certificate (when started WithTLS).
	ClientTLS *tls.Config

	ln      net.Listener
	tls     *tls.Config
	mu      sync.Mutex
	msgs    []Message
	failN   int // refuse the next failN DATA commands with 451
	permErr bool
	wg      sync.WaitGroup
}

// Option configures a server.
type Option func(*Server)

// WithTLS offers STARTTLS with a certificate made for the test.
func WithTLS() Option {
	return func(s *Server) { s.tls = newTLS() }
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{ln: ln, Addr: ln.Addr().String()}
	for _, o := range opts {
		o(s)
	}
	s.Host = "127.0.0.1"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	if s.tls != nil {
		pool := x509.NewCertPool()
		pool.AddCert(s.tls.Certificates[0].Leaf)
		s.ClientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// FailNext makes the next n messages be refused at the end of DATA with a
// temporary error (451), or with a permanent one (554) when permanent.
func (s *Server) FailNext(n int, permanent bool) {
	s.mu.Lock()
	s.failN, s.permErr = n, permanent
	s.mu.Unlock()
}

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(line string) { tp.PrintfLine("%s", line) }
	reply("220 smtptest ready")
	var cur Message
	secure := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"250-smtptest"}
			if s.tls != nil && !secure {
				lines = append(lines, "250-STARTTLS")
			}
			if secure {
				lines = append(lines, "250-AUTH PLAIN")
			}
			lines = append(lines, "250 8BITMIME")
			for _, l := range lines {
				reply(l)
			}
		case "STARTTLS":
			if s.tls == nil || secure {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, secure = tc, true
			tp = textproto.NewConn(tc)
			cur = Message{}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !secure || !strings.EqualFold(mech, "PLAIN") {
				reply("504 not here")
				continue
			}
			b, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(b), "\x00")
			if err != nil || len(parts) != 3 {
				reply("501 bad credentials")
				continue
			}
			cur.Auth = parts[1]
			reply("235 ok")
		case "MAIL":
			cur.From = strings.Trim(strings.TrimPrefix(strings.TrimPrefix(arg, "FROM:"), "from:"), "<> ")
			if i := strings.Index(cur.From, " "); i > 0 {
				cur.From = strings.Trim(cur.From[:i], "<>")
			}
			reply("250 ok")
		case "RCPT":
			cur.To = append(cur.To, strings.Trim(strings.TrimPrefix(strings.TrimPrefix(arg, "TO:"), "to:"), "<> "))
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			fail, perm := s.failN > 0, s.permErr
			if fail {
				s.failN--
			} else {
				cur.Data, cur.TLS = data, secure
				s.msgs = append(s.msgs, cur)
			}
			s.mu.Unlock()
			switch {
			case fail && perm:
				reply("554 rejected for the test")
			case fail:
				reply("451 try again later")
			default:
				reply("250 queued")
			}
			auth := cur.Auth
			cur = Message{Auth: auth}
		case "RSET":
			cur = Message{Auth: cur.Auth}
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

// newTLS makes a self-signed certificate for 127.0.0.1.
func newTLS() *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}}, MinVersion: tls.VersionTLS12}
}
