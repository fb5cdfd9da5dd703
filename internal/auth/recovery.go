package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// RecoveryCodeCount is how many recovery codes a person gets at once.
const RecoveryCodeCount = 10

// recoveryAlphabet has no letters easily confused (0/o, 1/l/i) and no
// capitals: a code is typed in any case. 16 characters of 31 carry about
// 79 bits, beyond guessing and beyond a brute-force search of a stolen
// hash, so a plain SHA-256 is a sufficient way to store them.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewRecoveryCodes returns fresh recovery codes for the second factor, to
// be shown once, and their hashes, to be stored.
func NewRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodeCount {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("recovery code: %w", err)
		}
		out := make([]byte, len(b))
		for i, c := range b {
			// 256 % 31 leaves a bias of under 1% on a few letters; the
			// entropy lost is a fraction of a bit.
			out[i] = recoveryAlphabet[int(c)%len(recoveryAlphabet)]
		}
		s := string(out)
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// NormalizeRecoveryCode folds what a person typed: full-width characters
// (a Japanese input method left on), case, spaces and hyphens do not count.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// LooksLikeRecoveryCode tells a recovery code from a six-digit TOTP code.
func LooksLikeRecoveryCode(s string) bool { return len(NormalizeRecoveryCode(s)) == 16 }

// HashRecoveryCode is the stored form of a recovery code.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("mamori-recovery\x00" + NormalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index of the hash the code matches, or -1.
// It compares against every hash, so that the time taken does not tell
// which one matched.
func MatchRecoveryCode(hashes []string, code string) int {
	h := []byte(HashRecoveryCode(code))
	found := -1
	for i, want := range hashes {
		if subtle.ConstantTimeCompare(h, []byte(want)) == 1 {
			found = i
		}
	}
	return found
}
