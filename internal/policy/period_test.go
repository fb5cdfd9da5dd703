package policy

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	for _, test := range []struct {
		in   string
		want Period
		ok   bool
	}{
		{"5y", Period{Years: 5, Specified: true}, true},
		{"1y6m", Period{Years: 1, Months: 6, Specified: true}, true},
		{"30d", Period{Days: 30, Specified: true}, true},
		{"72h", Period{Hours: 72, Specified: true}, true},
		{"unspecified", Period{}, true},
		{"as_needed", Period{}, true},
		{"", Period{}, false},
		{"5", Period{}, false},
		{"y", Period{}, false},
		{"5w", Period{}, false},
		{"0y", Period{}, false},
		{"99999y", Period{}, false},
	} {
		got, err := ParsePeriod(test.in)
		if (err == nil) != test.ok || got != test.want {
			t.Errorf("ParsePeriod(%q) = %+v, %v", test.in, got, err)
		}
		if test.ok && got.Specified {
			if back, _ := ParsePeriod(got.String()); back != got {
				t.Errorf("%q does not round-trip: %q", test.in, got.String())
			}
		}
	}
	// Five years from a leap day, as the calendar has it.
	p, _ := ParsePeriod("5y")
	if got := p.AddTo(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("5y after 2024-02-29 = %v", got)
	}
}
