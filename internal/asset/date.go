package asset

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// errDate is returned for text that is not a date mamori can read.
var errDate = errors.New("not a date")

// era is a Japanese era with its first day and the names registers use.
type era struct {
	names []string
	start time.Time
}

// eras, newest first. The first year of an era is written 元年.
var eras = []era{
	{[]string{"令和", "R"}, time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)},
	{[]string{"平成", "H"}, time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC)},
	{[]string{"昭和", "S"}, time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC)},
	{[]string{"大正", "T"}, time.Date(1912, 7, 30, 0, 0, 0, 0, time.UTC)},
	{[]string{"明治", "M"}, time.Date(1868, 1, 25, 0, 0, 0, 0, time.UTC)},
}

var (
	// 令和5年4月1日, R5.4.1, R05.04.01, H31/4/30, 令和元年5月1日
	warekiRe = regexp.MustCompile(`^(令和|平成|昭和|大正|明治|[RHSTM])(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$`)
	// 2023-04-01, 2023/4/1, 2023.4.1, 2023年4月1日, optionally with a time
	seirekiRe = regexp.MustCompile(`^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$`)
	compactRe = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// ParseWareki reads a date written in the Japanese era calendar as
// registers write it: 令和5年4月1日, 令和元年5月1日, R5.4.1, R05.04.01,
// H31/4/30 (full-width digits and letters too). A date before its era
// began (令和1年4月1日) is refused; a year past the era's end (平成32年),
// which systems not updated for 令和 still print, is counted on.
func ParseWareki(s string) (time.Time, error) {
	s = foldDate(s)
	m := warekiRe.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return time.Time{}, errDate
	}
	var e *era
	for i := range eras {
		for _, n := range eras[i].names {
			if n == m[1] {
				e = &eras[i]
			}
		}
	}
	if e == nil {
		return time.Time{}, errDate
	}
	year := 1
	if m[2] != "元" {
		year, _ = strconv.Atoi(m[2])
	}
	if year < 1 {
		return time.Time{}, errDate
	}
	month, _ := strconv.Atoi(m[3])
	day, _ := strconv.Atoi(m[4])
	t, ok := makeDate(e.start.Year()+year-1, month, day)
	if !ok || t.Before(e.start) {
		return time.Time{}, errDate
	}
	return t, nil
}

// Excel's day 0 in the 1900 date system is 1899-12-31, but Excel counts a
// 29 February 1900 that never was (kept from Lotus 1-2-3): from day 61 on,
// serial n is 1899-12-30 + n days. In the 1904 date system (old Mac
// workbooks) day 0 is 1904-01-01.
var (
	excelEpoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxExcelSerial is 9999-12-31, the last day Excel shows.
const maxExcelSerial = 2958465

// ParseExcelSerial reads an Excel date serial number ("45017", or
// "45017.5" with a time of day, which is dropped). date1904 selects the
// 1904 date system of the workbook. Day 60 of the 1900 system (the
// 29 February 1900 Excel invents) is refused.
func ParseExcelSerial(s string, date1904 bool) (time.Time, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, errDate
	}
	days := int(math.Floor(f))
	if date1904 {
		if days < 0 || days > maxExcelSerial-1462 {
			return time.Time{}, errDate
		}
		return excelEpoch1904.AddDate(0, 0, days), nil
	}
	switch {
	case days < 1 || days > maxExcelSerial || days == 60:
		return time.Time{}, errDate
	case days < 60:
		return excelEpoch1900.AddDate(0, 0, days+1), nil
	default:
		return excelEpoch1900.AddDate(0, 0, days), nil
	}
}

// ParseDate reads a date cell of a register: ISO and Japanese Gregorian
// dates (2023-04-01, 2023/4/1, 2023年4月1日, 20230401), 和暦 (see
// ParseWareki) and, when serial is true (a cell Excel stored as a number),
// an Excel serial date. The result is the calendar day at UTC midnight.
func ParseDate(s string, serial, date1904 bool) (time.Time, error) {
	if m := seirekiRe.FindStringSubmatch(strings.TrimSpace(norm.NFKC.String(s))); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	s = foldDate(s)
	if s == "" {
		return time.Time{}, errDate
	}
	if m := compactRe.FindStringSubmatch(s); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if t, err := ParseWareki(s); err == nil {
		return t, nil
	}
	if serial || isSerialText(s) {
		return ParseExcelSerial(s, date1904)
	}
	return time.Time{}, errDate
}

// isSerialText reports whether a text cell holds what can only be an Excel
// serial that lost its cell type (a CSV saved from Excel without the date
// format): digits, at most one point, five digits before it.
func isSerialText(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	if len(whole) != 5 {
		return false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func ymd(y, m, d string) (time.Time, error) {
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(m)
	day, _ := strconv.Atoi(d)
	t, ok := makeDate(year, month, day)
	if !ok {
		return time.Time{}, errDate
	}
	return t, nil
}

// makeDate builds a date and refuses one that does not exist (2月30日).
func makeDate(y, m, d int) (time.Time, bool) {
	if y < 1868 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Month() == time.Month(m) && t.Day() == d
}

// foldDate folds widths (Ｒ５．４．１ → R5.4.1) and drops spaces, which
// registers put anywhere (令和 5年 4月 1日).
func foldDate(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}
