package i18n

import (
	"testing"
	"time"
)

func TestWareki(t *testing.T) {
	for _, test := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), "令和8年11月25日"},
		{time.Date(2019, 5, 1, 0, 0, 0, 0, Tokyo), "令和元年5月1日"},
		{time.Date(2019, 4, 30, 23, 0, 0, 0, Tokyo), "平成31年4月30日"},
		{time.Date(1989, 1, 7, 12, 0, 0, 0, Tokyo), "昭和64年1月7日"},
		{time.Date(1989, 1, 8, 0, 0, 0, 0, Tokyo), "平成元年1月8日"},
		// 2026-11-24 20:00 UTC is already the 25th in Japan.
		{time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC), "令和8年11月25日"},
	} {
		if got := Wareki(test.in); got != test.want {
			t.Errorf("Wareki(%v) = %q, want %q", test.in, got, test.want)
		}
	}
}

func TestFormatDateShowsTokyo(t *testing.T) {
	utc := time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC)
	if got := FormatDate("ja", utc); got != "2026年4月1日" {
		t.Errorf("FormatDate ja = %q", got)
	}
	if got := FormatDateTime("en", utc); got != "1 Apr 2026 01:30 JST" {
		t.Errorf("FormatDateTime en = %q", got)
	}
}
