// Package assettest makes registers for benchmarks and tests: a workbook
// of any size that looks like the ones towns keep (a title row, a header,
// levels written as numbers, flags as ○, dates as Excel serials and 和暦,
// systems holding data).
package assettest

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Spec describes a generated register.
type Spec struct {
	Rows   int
	Units  []string // unit names or codes, used in turn
	Prefix string   // of asset numbers; default "A-"
	// HolderEvery makes every n-th asset a server that holds the assets
	// after it (until the next server); 0 for none.
	HolderEvery int
}

var kinds = []string{"電子データ", "紙", "電子データ", "記録媒体", "パソコン", "電子データ", "紙", "ソフトウェア"}

// Header is the generated register's header row.
var Header = []any{"資産番号", "情報資産名称", "種別", "所管課", "機密性", "完全性", "可用性", "個人情報", "特定個人情報", "保管場所", "管理区域", "所属資産番号", "保存期限", "備考"}

// Row returns the cells of row i (0-based) of a register.
func (s Spec) Row(i int) []any {
	prefix := s.Prefix
	if prefix == "" {
		prefix = "A-"
	}
	number := fmt.Sprintf("%s%06d", prefix, i+1)
	kind := kinds[i%len(kinds)]
	parent := ""
	if s.HolderEvery > 0 {
		if i%s.HolderEvery == 0 {
			kind = "サーバ"
		} else if i%s.HolderEvery < s.HolderEvery/2 {
			parent = fmt.Sprintf("%s%06d", prefix, i-i%s.HolderEvery+1)
		}
	}
	unit := "総務課"
	if len(s.Units) > 0 {
		unit = s.Units[i%len(s.Units)]
	}
	personal, specific := "", ""
	if i%3 == 0 {
		personal = "○"
	}
	if i%30 == 0 {
		specific = "○"
	}
	var keep any = 45017 + i%3650 // an Excel serial date
	if i%5 == 0 {
		keep = fmt.Sprintf("令和%d年3月31日", 7+i%10)
	}
	conf := []any{1, "2", "３"}[i%3]
	if i%97 == 0 {
		conf = "" // waits for its manager
	}
	return []any{number, fmt.Sprintf("業務データ %d（%s）", i+1, unit), kind, unit, conf, []any{"1", "2", "3"}[(i/3)%3], []any{"1", "2"}[i%2],
		personal, specific, fmt.Sprintf("本庁舎%d階", 1+i%4), []any{"", "サーバ室", "書庫"}[i%3], parent, keep, "備考"}
}

// WriteXLSX writes the register as an .xlsx workbook: a title row, a
// blank row, the header, then the rows, through excelize's streaming
// writer.
func (s Spec) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "情報資産台帳"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"情報資産管理台帳"}); err != nil {
		return err
	}
	if err := sw.SetRow("A3", Header); err != nil {
		return err
	}
	for i := 0; i < s.Rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		if err := sw.SetRow(cell, s.Row(i)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
