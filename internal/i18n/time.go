package i18n

import (
	"fmt"
	"time"
)

// Tokyo is where mamori's users are: times are stored in UTC and shown here.
var Tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		// Japan has kept +9 without daylight saving since 1951.
		return time.FixedZone("JST", 9*60*60)
	}
	return loc
}()

// FormatDate shows t as a date in Japan.
func FormatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Tokyo)
	if lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2006年1月2日")
}

// FormatDateTime shows t as a date and time in Japan.
func FormatDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Tokyo)
	if lang == "en" {
		return t.Format("2 Jan 2006 15:04 JST")
	}
	return t.Format("2006年1月2日 15:04")
}

// eras are the Japanese eras since the Gregorian calendar's adoption, newest
// first, with the day each began.
var eras = []struct {
	name  string
	start time.Time
}{
	{"令和", time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)},
	{"平成", time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC)},
	{"昭和", time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC)},
	{"大正", time.Date(1912, 7, 30, 0, 0, 0, 0, time.UTC)},
	{"明治", time.Date(1873, 1, 1, 0, 0, 0, 0, time.UTC)},
}

// Wareki shows t's date (in Japan) in the era calendar: 令和7年11月25日;
// the first year of an era is 元年.
func Wareki(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Tokyo)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for _, e := range eras {
		if !d.Before(e.start) {
			y := t.Year() - e.start.Year() + 1
			ys := fmt.Sprint(y)
			if y == 1 {
				ys = "元"
			}
			return fmt.Sprintf("%s%s年%d月%d日", e.name, ys, int(t.Month()), t.Day())
		}
	}
	return t.Format("2006年1月2日")
}
