package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is a calendar period such as a retention time ("5y") or the
// interval of a recurring duty ("1y"). Calendar units are kept apart rather
// than folded into a time.Duration because "5 years" from 29 February is a
// calendar question, not a number of hours.
type Period struct {
	Years, Months, Days int
	// Hours is for short deadlines such as an external report within 72h.
	Hours int
	// Specified is false when the seed gives no period ("unspecified",
	// "as_needed").
	Specified bool
}

// ParsePeriod reads "5y", "6m", "30d", "72h" or combinations like "1y6m".
// "unspecified" and "as_needed" give a zero, unspecified Period.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if s == "unspecified" || s == "as_needed" {
		return Period{}, nil
	}
	if s == "" {
		return Period{}, fmt.Errorf("empty period")
	}
	p := Period{Specified: true}
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return Period{}, fmt.Errorf("period %q: want a number followed by y, m, d or h", s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 1000 {
			return Period{}, fmt.Errorf("period %q: number out of range", s)
		}
		switch rest[i] {
		case 'y':
			p.Years += n
		case 'm':
			p.Months += n
		case 'd':
			p.Days += n
		case 'h':
			p.Hours += n
		default:
			return Period{}, fmt.Errorf("period %q: unknown unit %q", s, rest[i])
		}
		rest = rest[i+1:]
	}
	if p.Years == 0 && p.Months == 0 && p.Days == 0 && p.Hours == 0 {
		return Period{}, fmt.Errorf("period %q is zero", s)
	}
	return p, nil
}

// AddTo returns t moved forward by the period (e.g. the date until which a
// record must be kept).
func (p Period) AddTo(t time.Time) time.Time {
	return t.AddDate(p.Years, p.Months, p.Days).Add(time.Duration(p.Hours) * time.Hour)
}

// String formats the period back in the profile's notation.
func (p Period) String() string {
	if !p.Specified {
		return "unspecified"
	}
	var b strings.Builder
	for _, u := range []struct {
		n    int
		unit string
	}{{p.Years, "y"}, {p.Months, "m"}, {p.Days, "d"}, {p.Hours, "h"}} {
		if u.n != 0 {
			fmt.Fprintf(&b, "%d%s", u.n, u.unit)
		}
	}
	return b.String()
}
