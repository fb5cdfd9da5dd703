package asset

import (
	"testing"
	"time"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestParseWareki(t *testing.T) {
	for _, test := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"令和5年4月1日", day(2023, 4, 1), true},
		{"令和元年5月1日", day(2019, 5, 1), true},
		{"令和1年5月1日", day(2019, 5, 1), true},
		{"R5.4.1", day(2023, 4, 1), true},
		{"R05.04.01", day(2023, 4, 1), true},
		{"r5/4/1", day(2023, 4, 1), true},
		{"Ｒ５．４．１", day(2023, 4, 1), true},
		{"令和 5年 4月 1日", day(2023, 4, 1), true},
		{"H31.4.30", day(2019, 4, 30), true},
		{"平成31年4月30日", day(2019, 4, 30), true},
		{"平成元年1月8日", day(1989, 1, 8), true},
		{"平成32年3月31日", day(2020, 3, 31), true}, // printed by systems not updated for 令和
		{"S64.1.7", day(1989, 1, 7), true},
		{"令和元年4月30日", time.Time{}, false}, // before 令和 began
		{"平成元年1月7日", time.Time{}, false},
		{"令和5年2月30日", time.Time{}, false},
		{"令和5年13月1日", time.Time{}, false},
		{"令和0年5月1日", time.Time{}, false},
		{"X5.4.1", time.Time{}, false},
		{"令和5年4月", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := ParseWareki(test.in)
		if (err == nil) != test.ok || !got.Equal(test.want) {
			t.Errorf("ParseWareki(%q) = %v, %v; want %v, ok=%v", test.in, got, err, test.want, test.ok)
		}
	}
}

func TestParseExcelSerial(t *testing.T) {
	for _, test := range []struct {
		in       string
		date1904 bool
		want     time.Time
		ok       bool
	}{
		{"1", false, day(1900, 1, 1), true},
		{"59", false, day(1900, 2, 28), true},
		{"60", false, time.Time{}, false}, // Excel's 29 February 1900
		{"61", false, day(1900, 3, 1), true},
		{"45017", false, day(2023, 4, 1), true},
		{"45017.75", false, day(2023, 4, 1), true},
		{"2958465", false, day(9999, 12, 31), true},
		{"2958466", false, time.Time{}, false},
		{"0", false, time.Time{}, false},
		{"-3", false, time.Time{}, false},
		{"0", true, day(1904, 1, 1), true},
		{"43555", true, day(2023, 4, 1), true},
		{"abc", false, time.Time{}, false},
		{"NaN", false, time.Time{}, false},
		{"1e400", false, time.Time{}, false},
	} {
		got, err := ParseExcelSerial(test.in, test.date1904)
		if (err == nil) != test.ok || !got.Equal(test.want) {
			t.Errorf("ParseExcelSerial(%q, %v) = %v, %v; want %v, ok=%v", test.in, test.date1904, got, err, test.want, test.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, test := range []struct {
		in     string
		serial bool
		want   time.Time
		ok     bool
	}{
		{"2023-04-01", false, day(2023, 4, 1), true},
		{"2023/4/1", false, day(2023, 4, 1), true},
		{"2023.4.1", false, day(2023, 4, 1), true},
		{"2023年4月1日", false, day(2023, 4, 1), true},
		{"２０２３年４月１日", false, day(2023, 4, 1), true},
		{"2023-04-01T09:30:00+09:00", false, day(2023, 4, 1), true},
		{"2023-04-01 09:30", false, day(2023, 4, 1), true},
		{"20230401", false, day(2023, 4, 1), true},
		{"令和5年4月1日", false, day(2023, 4, 1), true},
		{"R5.4.1", false, day(2023, 4, 1), true},
		{"45017", true, day(2023, 4, 1), true},
		{"45017", false, day(2023, 4, 1), true}, // a serial that lost its cell type in a CSV
		{"4501", false, time.Time{}, false},
		{"2023-02-29", false, time.Time{}, false},
		{"2023-13-01", false, time.Time{}, false},
		{"来年度末", false, time.Time{}, false},
		{"1年", false, time.Time{}, false},
		{"", false, time.Time{}, false},
	} {
		got, err := ParseDate(test.in, test.serial, false)
		if (err == nil) != test.ok || !got.Equal(test.want) {
			t.Errorf("ParseDate(%q, %v) = %v, %v; want %v, ok=%v", test.in, test.serial, got, err, test.want, test.ok)
		}
	}
}
