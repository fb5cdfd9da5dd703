package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("正しいパスワード-123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	for _, test := range []struct {
		pw   string
		want bool
	}{
		{"正しいパスワード-123", true},
		{"正しいパスワード-124", false},
		{"", false},
	} {
		ok, err := CheckPassword(h, test.pw)
		if err != nil || ok != test.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", test.pw, ok, err, test.want)
		}
	}
	h2, _ := HashPassword("正しいパスワード-123")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=18$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := CheckPassword(h, "x"); err == nil {
			t.Errorf("CheckPassword(%q) accepted a malformed hash", h)
		}
	}
}

func TestCSRF(t *testing.T) {
	tok, _, _ := NewToken()
	other, _, _ := NewToken()
	c := CSRFToken(tok)
	if !CheckCSRF(tok, c) {
		t.Error("own token refused")
	}
	if CheckCSRF(other, c) || CheckCSRF(tok, "") || CheckCSRF(tok, c[:10]) {
		t.Error("foreign or truncated token accepted")
	}
}

func TestOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p, err := OneTimePassword()
		if err != nil || len(p) != 19 || strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("OneTimePassword() = %q, %v", p, err)
		}
		if seen[p] {
			t.Fatal("repeated one-time password")
		}
		seen[p] = true
	}
}

func TestTOTPKeyKeepsPendingSecret(t *testing.T) {
	s1, qr, err := TOTPKey("mamori test", "admin", "")
	if err != nil || !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("TOTPKey = %q, %q, %v", s1, qr, err)
	}
	s2, _, err := TOTPKey("mamori test", "admin", s1)
	if err != nil || s2 != s1 {
		t.Fatalf("pending secret not kept: %q → %q (%v)", s1, s2, err)
	}
	code, _ := TOTPCode(s1, time.Now())
	if !CheckTOTP(s1, code, time.Now()) || CheckTOTP(s1, code, time.Now().Add(5*time.Minute)) {
		t.Error("TOTP check wrong")
	}
}
