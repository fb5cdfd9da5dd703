// Package auth holds sign-in: password hashing with argon2id, the random
// tokens behind sessions and API tokens, and the CSRF token derived from a
// session. It knows nothing of HTTP routing or SQL.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the second recommended option of RFC 9106 §4 scaled
// to a town hall's server (64 MiB, 3 passes), which takes tens of
// milliseconds — slow for a guesser, unnoticed by a person.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// HashPassword returns an encoded argon2id hash of pw in the PHC string
// format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// hashSlots bounds the argon2id computations running at once to the
// processors there are. Each holds 64 MiB while it runs: without a bound,
// a crowd signing in together (the morning at a town hall) made the
// server hold 64 MiB per person at once (2 GiB for 30 sign-ins, measured
// by the soak in bench/) and finished all of them late instead of each in
// turn; the other requests starved meanwhile.
var hashSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

// idKey is argon2.IDKey within one of hashSlots.
func idKey(pw, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, t, m, p, keyLen)
}

var errBadHash = errors.New("stored password hash is malformed")

// CheckPassword reports whether pw matches the encoded hash. It reads the
// parameters from the hash, so hashes made with older parameters still work.
func CheckPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := idKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is compared against when no account matches, so that a wrong
// login name takes as long as a wrong password. It is made at its first
// use, not when the program starts: an argon2id hash takes 64 MiB and a
// fifth of a second, which every process (even `mamori version`) paid.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("mamori-dummy-password")
	return h
})

// CheckNothing spends the time of one password check.
func CheckNothing(pw string) { CheckPassword(dummyHash(), pw) }

// NewToken returns a random URL-safe token (32 bytes of entropy) and the
// hex SHA-256 under which it is stored. Only the hash is kept.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a session or API token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CSRFToken derives the anti-forgery token of a session from the session's
// secret token: a page from another site can neither read the cookie nor
// compute this, and no server needs to store it.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("mamori-csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckCSRF compares a submitted token with the session's, in constant time.
func CheckCSRF(sessionToken, submitted string) bool {
	want := CSRFToken(sessionToken)
	return len(submitted) == len(want) && subtle.ConstantTimeCompare([]byte(want), []byte(submitted)) == 1
}

// OneTimePassword returns a random temporary password that is easy to read
// aloud and type: no 0/O, 1/l/I.
func OneTimePassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	// Groups of four read better on paper.
	s := string(out)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
}
