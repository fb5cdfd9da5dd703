package auth

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPKey returns the TOTP secret (base32) for account at issuer — the
// given pending secret, or a new one when it is empty — and a PNG QR code
// of its otpauth:// URL as a data: URL for the enrolment page.
func TOTPKey(issuer, account, pending string) (secret, qrDataURL string, err error) {
	opts := totp.GenerateOpts{Issuer: issuer, AccountName: account}
	if pending != "" {
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(pending)
		if err != nil {
			return "", "", fmt.Errorf("pending TOTP secret is malformed: %w", err)
		}
		opts.Secret = raw
	}
	key, err := totp.Generate(opts)
	if err != nil {
		return "", "", fmt.Errorf("generate TOTP key: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", "", fmt.Errorf("TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", fmt.Errorf("TOTP QR code: %w", err)
	}
	return key.Secret(), "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// CheckTOTP accepts the code of the current 30-second step or of the step
// on either side, for clocks that drift a little.
func CheckTOTP(secret, code string, now time.Time) bool {
	ok, err := totp.ValidateCustom(code, secret, now, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}

// TOTPCode computes the current code (tests and the browser test drive
// enrolment with it).
func TOTPCode(secret string, now time.Time) (string, error) {
	return totp.GenerateCode(secret, now)
}
