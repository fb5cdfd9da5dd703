package auth

import (
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/policy"
)

func TestRulesFromPolicies(t *testing.T) {
	for _, name := range policy.BuiltinNames() {
		pol, err := policy.Builtin(name)
		if err != nil {
			t.Skipf("profile %s does not load (being written): %v", name, err)
		}
		r := RulesFrom(pol)
		pw := pol.Auth().Password
		if r.MinLength < DefaultMinLength || (pw.MinLength.Value > DefaultMinLength && r.MinLength != pw.MinLength.Value) {
			t.Errorf("%s: min length %d from %d", name, r.MinLength, pw.MinLength.Value)
		}
		if r.History <= 0 || (pw.History.Value > 0 && r.History != pw.History.Value) {
			t.Errorf("%s: history %d from %d", name, r.History, pw.History.Value)
		}
		if r.MaxAgeDays != max(pw.MaxAgeDays.Value, 0) {
			t.Errorf("%s: max age %d from %d", name, r.MaxAgeDays, pw.MaxAgeDays.Value)
		}
	}
	if r := RulesFrom(nil); r.MinLength != DefaultMinLength || r.History != DefaultHistory || r.MaxAgeDays != 0 {
		t.Errorf("without a policy: %+v", r)
	}
}

func TestPasswordRulesCheck(t *testing.T) {
	r := PasswordRules{MinLength: 12, History: 3}
	for _, test := range []struct {
		next, confirm, current string
		field, msg             string
	}{
		{"長いパスワードです-2026", "長いパスワードです-2026", "old", "", ""},
		{"short", "short", "old", "new", "password.too_short"},
		{"１２３４５６７８９０１２", "１２３４５６７８９０１２", "old", "", ""}, // runes, not bytes
		{strings.Repeat("x", MaxLength+1), strings.Repeat("x", MaxLength+1), "old", "new", "password.too_long"},
		{"a-long-password-1", "a-long-password-2", "old", "confirm", "password.mismatch"},
		{"the-same-password", "the-same-password", "the-same-password", "new", "password.same_as_current"},
	} {
		err := r.Check(test.next, test.confirm, test.current)
		if test.msg == "" {
			if err != nil {
				t.Errorf("%q: %v", test.next, err)
			}
			continue
		}
		e, ok := mamori.AsError(err)
		if !ok || e.Field != test.field || e.Message != test.msg {
			t.Errorf("%q: %v, want %s on %s", test.next, err, test.msg, test.field)
		}
	}
}

func TestReusedAndExpired(t *testing.T) {
	old1, _ := HashPassword("spring-2025-pass")
	old2, _ := HashPassword("summer-2025-pass")
	for _, test := range []struct {
		pw   string
		want bool
	}{
		{"spring-2025-pass", true}, {"summer-2025-pass", true}, {"autumn-2025-pass", false},
	} {
		got, err := Reused(test.pw, []string{old1, old2})
		if err != nil || got != test.want {
			t.Errorf("Reused(%q) = %v, %v", test.pw, got, err)
		}
	}
	changed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, test := range []struct {
		days int
		now  time.Time
		want bool
	}{
		{0, changed.AddDate(10, 0, 0), false},
		{90, changed.AddDate(0, 0, 89), false},
		{90, changed.AddDate(0, 0, 91), true},
	} {
		if got := (PasswordRules{MaxAgeDays: test.days}).Expired(changed, test.now); got != test.want {
			t.Errorf("Expired(%d days, %v) = %v", test.days, test.now, got)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes()
	if err != nil || len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes = %d, %d, %v", len(codes), len(hashes), err)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if seen[c] || !LooksLikeRecoveryCode(c) || strings.ContainsAny(c, "01ilo") {
			t.Errorf("code %q", c)
		}
		seen[c] = true
		if hashes[i] == c || strings.Contains(hashes[i], strings.ReplaceAll(c, "-", "")) {
			t.Error("a code is stored in the clear")
		}
	}
	// Typed with a Japanese input method on, in capitals, without hyphens.
	wide := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'Ａ'
		}
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, strings.ReplaceAll(codes[2], "-", " "))
	for _, typed := range []string{codes[2], strings.ToUpper(codes[2]), strings.ReplaceAll(codes[2], "-", ""), wide} {
		if i := MatchRecoveryCode(hashes, typed); i != 2 {
			t.Errorf("MatchRecoveryCode(%q) = %d", typed, i)
		}
	}
	if LooksLikeRecoveryCode("123456") || MatchRecoveryCode(hashes, "aaaa-aaaa-aaaa-aaaa") != -1 {
		t.Error("a TOTP code or a wrong code matches")
	}
}
