package auth

import "time"

// DefaultLockoutThreshold applies where the policy names no number of
// failed attempts.
const DefaultLockoutThreshold = 5

// LockoutFor returns how long to lock an account after its failed-th
// consecutive failure: nothing below the threshold, then one minute,
// doubling with each further failure up to an hour, so that guessing
// becomes slow without locking a person out for a day over a typo.
func LockoutFor(failed, threshold int) time.Duration {
	if threshold <= 0 {
		threshold = DefaultLockoutThreshold
	}
	if failed < threshold {
		return 0
	}
	d := time.Minute << min(failed-threshold, 6)
	return min(d, time.Hour)
}
