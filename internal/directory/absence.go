package directory

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"mamori"
)

// Absence marks a person as absent for a period: while it lasts, the roles
// they hold are acted in by the substitutes the policy names (下條村
// 第2章3(2)イ, 天草 第6条2).
type Absence struct {
	ID        int64
	PersonID  int64
	Starts    time.Time // inclusive
	Ends      time.Time // exclusive
	Reason    string
	CreatedAt time.Time
	CreatedBy int64

	PersonName string // shown with the absence
}

// maxAbsence bounds one absence: a longer leave is a change of post, which
// is a transfer.
const maxAbsence = 2 * 366 * 24 * time.Hour

// Validate checks an absence's period and reason.
func (a *Absence) Validate() error {
	a.Reason = strings.TrimSpace(a.Reason)
	if a.PersonID == 0 {
		return mamori.FieldError("person_id", "absence.person_required", nil)
	}
	if a.Starts.IsZero() {
		return mamori.FieldError("from", "absence.from_required", nil)
	}
	if a.Ends.IsZero() || !a.Ends.After(a.Starts) {
		return mamori.FieldError("until", "absence.period_invalid", nil)
	}
	if a.Ends.Sub(a.Starts) > maxAbsence {
		return mamori.FieldError("until", "absence.too_long", nil)
	}
	if len([]rune(a.Reason)) > 200 {
		return mamori.FieldError("reason", "absence.reason_too_long", nil)
	}
	return nil
}

// Current reports whether the absence covers time at.
func (a Absence) Current(at time.Time) bool { return !a.Starts.After(at) && a.Ends.After(at) }

// LastDay is the last day of the absence (its end is the start of the
// following day), in Japan.
func (a Absence) LastDay() time.Time { return a.Ends.Add(-time.Nanosecond) }

// Japan keeps +9 without daylight saving: dates people type are days there.
var tokyo = time.FixedZone("JST", 9*60*60)

// ParseDate reads a date as people type it — 2026-04-01, 2026/4/1, with
// full-width digits — and returns the start of that day in Japan, in UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	if s == "" {
		return time.Time{}, errDate
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		return time.Time{}, errDate
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, errDate
		}
		n[i] = v
	}
	if n[0] < 1900 || n[0] > 2200 || n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 {
		return time.Time{}, errDate
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, tokyo)
	if t.Day() != n[2] {
		return time.Time{}, errDate // 2月30日
	}
	return t.UTC(), nil
}

var errDate = mamori.Errorf(mamori.EINVALID, "date.invalid", nil)

// DayAfter returns the start of the day after the day (in Japan) that t
// falls on: the exclusive end of a period whose last day is t's day.
func DayAfter(t time.Time) time.Time {
	j := t.In(tokyo)
	return time.Date(j.Year(), j.Month(), j.Day()+1, 0, 0, 0, 0, tokyo).UTC()
}

// StartOfDay returns the start (in Japan) of the day t falls on, in UTC.
func StartOfDay(t time.Time) time.Time {
	j := t.In(tokyo)
	return time.Date(j.Year(), j.Month(), j.Day(), 0, 0, 0, 0, tokyo).UTC()
}

// FormatDate writes t's day in Japan as 2006-01-02 (form values).
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tokyo).Format("2006-01-02")
}
