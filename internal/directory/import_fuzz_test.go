package directory_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// FuzzTransferImport feeds arbitrary files to the personnel-list import
// (人事異動の一覧): reading (xlsx, CSV or TSV in UTF-8, UTF-16 or CP932),
// finding the header, and checking every row against a small directory
// and the 藤枝市 policy. It must never panic; every refusal is a user
// error with a message; every row it reports is a row of the file, every
// column one of its headers; and every row is either an item or has an
// error.
func FuzzTransferImport(f *testing.F) {
	f.Add([]byte("職員番号,氏名,異動先,付与する役割,役割の所属,解除する役割,備考\n1001,総務 一郎,shimin,security_manager,shimin,全て,４月１日付\n1002,,総務課,,,,\n"))
	f.Add([]byte("令和8年4月1日付 人事異動\n\n職員No.\t新所属\t役割\n1001\t市民部/市民課\t情報セキュリティ管理者\n\n1003\tnowhere\t\n"))
	f.Add(append([]byte{0xFF, 0xFE}, utf16le("職員番号\t異動先\r\n1001\tsoumu\r\n")...))
	f.Add(append([]byte{0xEF, 0xBB, 0xBF}, "staff_no,to_unit,end_roles\n1001,,all\n1001,soumu,\n"...))
	if b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte("職員番号,異動先,備考\n1001,市民課,髙橋①㈱～\n")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("\"unterminated,\n職員番号,異動先\n"))
	f.Add(transferXLSX(f))
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		f.Fatal(err)
	}
	snap := &directory.Snapshot{At: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Units: []directory.Unit{{ID: 1, Code: "soumu", Name: "総務課", Kind: directory.UnitSection, ParentID: 3},
			{ID: 2, Code: "shimin", Name: "市民課", Kind: directory.UnitSection, ParentID: 4},
			{ID: 3, Code: "somubu", Name: "総務部", Kind: directory.UnitDepartment}, {ID: 4, Code: "shiminbu", Name: "市民部", Kind: directory.UnitDepartment}},
		People: []directory.Person{{ID: 1, StaffNo: "1001", Name: "総務 一郎", UnitID: 1, Status: directory.StatusActive},
			{ID: 2, StaffNo: "1002", Name: "市民 花子", UnitID: 2, Status: directory.StatusActive}},
		Assignments: []directory.Assignment{{ID: 1, PersonID: 1, Role: "security_manager", UnitID: 1, ValidFrom: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}},
	}
	userErr := func(t *testing.T, what string, err error) {
		if _, ok := mamori.AsError(err); !ok || mamori.ErrorCode(err) == mamori.EINTERNAL {
			t.Fatalf("%s: not a user error: %v", what, err)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		rows, _, err := directory.ReadTable(data)
		if err != nil {
			userErr(t, "read", err)
			return
		}
		inputs, labels, err := directory.ParseTransferTable(rows)
		if err != nil {
			userErr(t, "header", err)
			return
		}
		headers := map[string]bool{}
		for _, l := range labels {
			headers[l] = true
		}
		fileRows := map[int]bool{}
		for _, in := range inputs {
			if in.Row < 2 || in.Row > len(rows) {
				t.Fatalf("input from row %d of a file of %d rows", in.Row, len(rows))
			}
			if in.Empty() {
				t.Fatalf("blank row %d taken as an input", in.Row)
			}
			fileRows[in.Row] = true
		}
		items, errs := directory.ParseInputs(pol, snap, inputs, nil)
		errs = directory.LabelColumns(errs, labels)
		bad := map[int]bool{}
		for _, e := range errs {
			if e.Err == nil || e.Err.Message == "" {
				t.Fatalf("row %d: an error without a message: %+v", e.Row, e)
			}
			if e.Row != 0 && !fileRows[e.Row] {
				t.Fatalf("an error on row %d, which is no input row", e.Row)
			}
			if e.Column != "" && !headers[e.Column] {
				t.Fatalf("an error in column %q, which is no header (%v)", e.Column, labels)
			}
			bad[e.Row] = true
		}
		if len(errs) == 0 && len(items) != len(inputs) {
			t.Fatalf("%d inputs without errors gave %d items", len(inputs), len(items))
		}
		for _, it := range items {
			if !utf8.ValidString(it.Note) || snap.PersonByStaffNo(it.StaffNo) == nil && !bad[it.Line] {
				t.Fatalf("item %+v: unknown staff number or bad text, and no error", it)
			}
		}
	})
}

func utf16le(s string) []byte {
	var b bytes.Buffer
	for _, r := range s {
		if r >= 0x10000 {
			r = '?'
		}
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.Bytes()
}

// transferXLSX is a workbook as a personnel department sends it: a title,
// a hidden sheet, the list on the second sheet.
func transferXLSX(f *testing.F) []byte {
	x := excelize.NewFile()
	x.SetCellValue("Sheet1", "A1", "説明")
	x.NewSheet("異動")
	for i, row := range [][]any{{"令和8年度 人事異動"}, {}, {"職員番号", "氏名", "異動先", "役割"}, {1001, "総務 一郎", "市民課", "情報セキュリティ管理者"}, {"1002", strings.Repeat("長", 50), "", ""}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			x.SetCellValue("異動", cell, v)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}
