package auth

import (
	"time"

	"mamori"
	"mamori/internal/policy"
)

// mamori's own floor where the policy asks only for "a sufficient length"
// (藤枝市 第2章6(1)⑦ア, 下條村 第2章7(7)3) without a number, and for no
// reuse (下條村 第2章7(7)5) without saying of how many.
const (
	DefaultMinLength = 10
	DefaultHistory   = 5
	// MaxLength bounds what is hashed: argon2id of megabytes would be a
	// cheap way to load the server.
	MaxLength = 256
)

// PasswordRules are what a password must satisfy under the active policy.
type PasswordRules struct {
	MinLength int
	// History is how many of the person's previous passwords may not be
	// chosen again.
	History int
	// MaxAgeDays, when positive, is how old a password may grow before it
	// must be changed (periodic change where the policy requires it and
	// names a period: 下條村 第2章7(7)5 asks for it without a number).
	MaxAgeDays int
	Clause     string
}

// RulesFrom reads the password rules of a policy, with mamori's floor
// where the policy names no number.
func RulesFrom(pol *policy.Policy) PasswordRules {
	r := PasswordRules{MinLength: DefaultMinLength, History: DefaultHistory}
	if pol == nil {
		return r
	}
	pw := pol.Auth().Password
	r.Clause = pol.Auth().Clause
	if pw.MinLength.Value > r.MinLength {
		r.MinLength = pw.MinLength.Value
	}
	if pw.History.Value > 0 {
		r.History = pw.History.Value
	}
	if pw.MaxAgeDays.Value > 0 {
		r.MaxAgeDays = pw.MaxAgeDays.Value
	}
	return r
}

// Check checks a new password typed twice against the rules that need no
// stored data: length, confirmation, and difference from the current one.
// Each failure names its field.
func (r PasswordRules) Check(next, confirm, current string) error {
	n := len([]rune(next))
	switch {
	case n < r.MinLength:
		return mamori.FieldError("new", "password.too_short", map[string]any{"Min": r.MinLength})
	case n > MaxLength:
		return mamori.FieldError("new", "password.too_long", map[string]any{"Max": MaxLength})
	case next != confirm:
		return mamori.FieldError("confirm", "password.mismatch", nil)
	case current != "" && next == current:
		return mamori.FieldError("new", "password.same_as_current", nil)
	}
	return nil
}

// Reused reports whether pw matches one of the hashes of earlier
// passwords.
func Reused(pw string, hashes []string) (bool, error) {
	for _, h := range hashes {
		ok, err := CheckPassword(h, pw)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// Expired reports whether a password changed at changedAt must be changed
// by now under the rules.
func (r PasswordRules) Expired(changedAt, now time.Time) bool {
	if r.MaxAgeDays <= 0 || changedAt.IsZero() {
		return false
	}
	return now.Sub(changedAt) > time.Duration(r.MaxAgeDays)*24*time.Hour
}
