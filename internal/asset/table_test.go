package asset

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"

	"mamori"
)

func sjis(t testing.TB, s string) []byte {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q as Shift_JIS: %v", s, err)
	}
	return b
}

func cells(tb *Table) [][]string {
	var out [][]string
	for _, r := range tb.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func TestReadCSVEncodings(t *testing.T) {
	const text = "番号,名称,機密性\r\nA-1,\"住民記録①（髙橋）～\",2\r\n"
	want := [][]string{{"番号", "名称", "機密性"}, {"A-1", "住民記録①（髙橋）～", "2"}}
	for _, test := range []struct {
		name string
		data []byte
		opt  Encoding
		enc  Encoding
	}{
		{"UTF-8", []byte(text), EncAuto, EncUTF8},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...), EncAuto, EncUTF8BOM},
		// CP932 has ①, 髙 and ～, which a strict Shift_JIS decoder refuses.
		{"Shift_JIS (CP932)", sjis(t, text), EncAuto, EncSJIS},
		{"Shift_JIS chosen", sjis(t, text), EncSJIS, EncSJIS},
		{"UTF-16 text", utf16le(text), EncAuto, EncUTF16},
	} {
		t.Run(test.name, func(t *testing.T) {
			tb, err := ReadTable(test.data, ReadOptions{Encoding: test.opt})
			if err != nil {
				t.Fatal(err)
			}
			if tb.Encoding != test.enc {
				t.Errorf("encoding %s, want %s", tb.Encoding, test.enc)
			}
			if got := cells(tb); !equalRows(got, want) {
				t.Errorf("rows %q, want %q", got, want)
			}
			for _, r := range tb.Rows {
				if r.BadEnc != nil {
					t.Errorf("row %d: bad cells %v", r.N, r.BadEnc)
				}
			}
		})
	}
}

func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// A cell in the wrong encoding is reported as that cell, and the rest of
// the file still reads.
func TestReadCSVBadCell(t *testing.T) {
	good := sjis(t, "番号,名称\r\nA-1,住民記録\r\n")
	// A UTF-8 cell pasted into a Shift_JIS file, and a byte CP932 does
	// not define (0x85 0x40 is unassigned).
	data := append(append([]byte{}, good...), []byte("A-2,")...)
	data = append(data, []byte("戸籍")...)
	data = append(data, []byte("\r\nA-3,")...)
	data = append(data, 0x85, 0x40)
	data = append(data, "\r\n"...)
	tb, err := ReadTable(data, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Encoding != EncSJIS {
		t.Fatalf("encoding %s", tb.Encoding)
	}
	bad := map[int][]int{}
	for _, r := range tb.Rows {
		if r.BadEnc != nil {
			bad[r.N] = r.BadEnc
		}
	}
	if len(bad) != 2 || len(bad[3]) != 1 || bad[3][0] != 1 || len(bad[4]) != 1 {
		t.Errorf("bad cells %v, want row 3 col 1 and row 4 col 1", bad)
	}
	if tb.Rows[1].Cells[1] != "住民記録" {
		t.Errorf("good cell read as %q", tb.Rows[1].Cells[1])
	}
	// Told the file is UTF-8, the Shift_JIS cells are the bad ones.
	tb, err = ReadTable(good, ReadOptions{Encoding: EncUTF8})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Rows[0].BadEnc == nil || tb.Rows[1].BadEnc == nil {
		t.Errorf("Shift_JIS read as UTF-8 not reported: %+v", tb.Rows)
	}
}

func TestSplitCSV(t *testing.T) {
	for _, test := range []struct {
		in   string
		want [][]string
	}{
		{"a,b\nc,d", [][]string{{"a", "b"}, {"c", "d"}}},
		{"a,b\r\n\r\nc,d\r\n", [][]string{{"a", "b"}, {""}, {"c", "d"}}},
		{"\"a,1\",\"say \"\"hi\"\"\"\n", [][]string{{"a,1", `say "hi"`}}},
		{"\"two\nlines\",x\ny,z", [][]string{{"two\nlines", "x"}, {"y", "z"}}},
		{"a\"b,c", [][]string{{`a"b`, "c"}}},
		{"\"a\"b,c", [][]string{{"ab", "c"}}},
		{"a,\n", [][]string{{"a", ""}}},
		{"\"unterminated", [][]string{{"unterminated"}}},
		{"a\rb", [][]string{{"a"}, {"b"}}},
	} {
		var got [][]string
		splitCSV([]byte(test.in), ',', func(fields [][]byte) error {
			var row []string
			for _, f := range fields {
				row = append(row, string(f))
			}
			got = append(got, row)
			return nil
		})
		if !equalRows(got, test.want) {
			t.Errorf("splitCSV(%q) = %q, want %q", test.in, got, test.want)
		}
	}
}

// A blank line counts as a row, so that rows are numbered as Excel shows
// them.
func TestReadCSVRowNumbers(t *testing.T) {
	tb, err := ReadTable([]byte("台帳\n\n番号,名称\n\"1\",\"複数\n行\"\n2,b\n"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, r := range tb.Rows {
		ns = append(ns, r.N)
	}
	if len(ns) != 4 || ns[0] != 1 || ns[1] != 3 || ns[2] != 4 || ns[3] != 5 {
		t.Errorf("row numbers %v, want [1 3 4 5]", ns)
	}
}

func TestReadTableRefuses(t *testing.T) {
	for _, test := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", []byte("  \n"), "asset.import.empty"},
		{"old .xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "asset.import.xls"},
		{"broken zip", []byte("PK\x03\x04garbage"), "asset.import.bad_xlsx"},
	} {
		_, err := ReadTable(test.data, ReadOptions{})
		if e, ok := mamori.AsError(err); !ok || e.Message != test.msg {
			t.Errorf("%s: %v, want %s", test.name, err, test.msg)
		}
	}
}

// registerXLSX builds a register as towns keep it: a title merged across
// the top, a blank row, a two-row header with 重要度 merged over the axes,
// 業務分類 merged down its rows, an Excel date and a 和暦 date, a hidden
// column, a notes sheet before the register and a hidden sheet.
func registerXLSX(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "記入要領")
	f.SetCellValue("記入要領", "A1", "この台帳の書き方")
	f.NewSheet("台帳")
	f.NewSheet("選択肢")
	f.SetSheetVisible("選択肢", false)
	s := "台帳"
	f.SetCellValue(s, "A1", "情報資産管理台帳（令和5年度）")
	f.MergeCell(s, "A1", "I1")
	for col, v := range map[string]string{"A3": "業務分類", "B3": "資産番号", "C3": "情報資産名称", "D3": "所管課", "E3": "重要度", "H3": "保存期限", "I3": "備考"} {
		f.SetCellValue(s, col, v)
	}
	f.MergeCell(s, "E3", "G3")
	for _, c := range []string{"A", "B", "C", "D", "H", "I"} {
		f.MergeCell(s, c+"3", c+"4")
	}
	f.SetCellValue(s, "E4", "機密性")
	f.SetCellValue(s, "F4", "完全性")
	f.SetCellValue(s, "G4", "可用性")
	f.SetSheetRow(s, "A5", &[]any{"住民記録", "R-001", "住民基本台帳データ", "市民課", 1, "1", "１", 45017, "改行を\n含む"})
	f.SetSheetRow(s, "B6", &[]any{"R-002", "住民票写し交付申請書", "市民課", "2", "2", "2", "令和5年4月1日", ""})
	f.MergeCell(s, "A5", "A6")
	f.SetSheetRow(s, "B8", &[]any{"R-003", "広報原稿", "総務部/総務課", "３", "3", "2", "R5.4.1", "B"})
	f.SetColVisible(s, "I", false)
	f.SetActiveSheet(1)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSXRegister(t *testing.T) {
	tb, err := ReadTable(registerXLSX(t), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Sheet != "台帳" {
		t.Fatalf("read sheet %q, want 台帳 (the notes sheet and the hidden sheet are passed over)", tb.Sheet)
	}
	if len(tb.Sheets) != 3 || !tb.Sheets[2].Hidden {
		t.Errorf("sheets %+v", tb.Sheets)
	}
	byN := map[int]*Row{}
	for i := range tb.Rows {
		byN[tb.Rows[i].N] = &tb.Rows[i]
	}
	if _, ok := byN[2]; ok {
		t.Error("blank row 2 read")
	}
	if got := byN[1].Cell(8); got != "情報資産管理台帳（令和5年度）" {
		t.Errorf("title merged across A1:I1 not filled: I1 = %q", got)
	}
	if got := byN[6].Cell(0); got != "住民記録" {
		t.Errorf("業務分類 merged down A5:A6 not filled: A6 = %q", got)
	}
	if got := byN[4].Cell(1); got != "資産番号" {
		t.Errorf("header merged B3:B4 not filled: B4 = %q", got)
	}
	r5 := byN[5]
	if r5.Cell(7) != "45017" || !r5.Numeric(7) {
		t.Errorf("date serial H5 = %q numeric %v", r5.Cell(7), r5.Numeric(7))
	}
	if r5.Cell(4) != "1" || !r5.Numeric(4) || r5.Numeric(5) {
		t.Errorf("levels E5/F5: %q %v / %q %v", r5.Cell(4), r5.Numeric(4), r5.Cell(5), r5.Numeric(5))
	}
	if r5.Cell(8) != "改行を\n含む" {
		t.Errorf("I5 = %q", r5.Cell(8))
	}
	if !tb.Hidden[8] {
		t.Error("hidden column I not reported")
	}
	if tb.Width != 9 {
		t.Errorf("width %d", tb.Width)
	}
	h := DetectHeader(tb, mustPolicy(t, "fujieda"))
	if h.Row != 4 || h.Rows != 2 {
		t.Errorf("header at row %d spanning %d, want row 4 spanning 2", h.Row, h.Rows)
	}
	if h.Labels[4] != "重要度 / 機密性" || h.Labels[1] != "資産番号" {
		t.Errorf("labels %q", h.Labels)
	}
	// A sheet chosen by name; an unknown one is an error on "sheet".
	if tb, err := ReadTable(registerXLSX(t), ReadOptions{Sheet: "記入要領"}); err != nil || tb.Rows[0].Cell(0) != "この台帳の書き方" {
		t.Errorf("chosen sheet: %v", err)
	}
	if _, err := ReadTable(registerXLSX(t), ReadOptions{Sheet: "なし"}); mamori.ErrorCode(err) != mamori.EINVALID {
		t.Errorf("unknown sheet: %v", err)
	}
}

// handmadeXLSX writes a workbook by hand with what Excel itself writes and
// excelize does not: rich text runs, phonetic guides (furigana), _x000D_
// escapes, entities, namespace prefixes, rows without numbers, booleans
// and errors.
func handmadeXLSX(t testing.TB, sheet string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr date1904="1"/><sheets><sheet name="台帳 &amp; 一覧" sheetId="1" r:id="rId7"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/></Relationships>`,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<si><t>資産番号</t></si>
<si><r><rPr><b/></rPr><t>情報資産</t></r><r><t xml:space="preserve">名称</t></r><rPh sb="0" eb="4"><t>ジョウホウシサン</t></rPh><phoneticPr fontId="1"/></si>
<si><t>行1_x000D_
行2 &lt;&amp;&gt; &#x2460;</t></si>
<si/>
</sst>`,
		"xl/worksheets/data.xml": sheet,
	}
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

const handmadeSheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:cols><x:col min="3" max="3" width="0" hidden="1"/></x:cols>
<x:sheetData>
<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2" t="s"><x:v>1</x:v></x:c><x:c r="C2" t="s"><x:v>3</x:v></x:c></x:row>
<x:row><x:c t="inlineStr"><x:is><x:t>A-1</x:t></x:is></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="str"><x:f>A3&amp;"x"</x:f><x:v>A-1x</x:v></x:c><x:c r="F3" s="2"><x:v>43555</x:v></x:c></x:row>
<x:row r="5" spans="1:2"><x:c r="A5"/><x:c r="B5" t="inlineStr"><x:is><x:r><x:t>ab</x:t></x:r><x:r><x:t>c</x:t></x:r><x:rPh><x:t>ルビ</x:t></x:rPh></x:is></x:c></x:row>
</x:sheetData>
<x:mergeCells count="1"><x:mergeCell ref="B5:C5"/></x:mergeCells>
</x:worksheet>`

func TestReadXLSXHandmade(t *testing.T) {
	tb, err := ReadTable(handmadeXLSX(t, handmadeSheet), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Sheet != "台帳 & 一覧" || !tb.Date1904 {
		t.Errorf("sheet %q, 1904 %v", tb.Sheet, tb.Date1904)
	}
	want := [][]string{
		{"資産番号", "情報資産名称"},
		{"A-1", "行1\r\n行2 <&> ①", "TRUE", "#N/A", "A-1x", "43555"},
		{"", "abc", "abc"},
	}
	got := cells(tb)
	// _x000D_ followed by a line break is CR LF, folded to LF.
	want[1][1] = "行1\n行2 <&> ①"
	if !equalRows(got, want) {
		t.Errorf("cells %q, want %q", got, want)
	}
	if tb.Rows[0].N != 2 || tb.Rows[1].N != 3 || tb.Rows[2].N != 5 {
		t.Errorf("row numbers %d %d %d", tb.Rows[0].N, tb.Rows[1].N, tb.Rows[2].N)
	}
	if !tb.Rows[1].Numeric(5) || tb.Rows[1].Numeric(0) {
		t.Error("numeric flags wrong")
	}
	if !tb.Hidden[2] {
		t.Error("hidden column C not reported")
	}
	if d, err := ParseDate(tb.Rows[1].Cell(5), true, tb.Date1904); err != nil || !d.Equal(day(2023, 4, 1)) {
		t.Errorf("1904 serial 43555 = %v, %v", d, err)
	}
	// A closing tag without its opening one is passed over.
	if tb, err := ReadTable(handmadeXLSX(t, `<worksheet><sheetData><row r="1"></c><c r="A1"><v>7</v></c></row></sheetData></worksheet>`), ReadOptions{}); err != nil || tb.Rows[0].Cell(0) != "7" {
		t.Errorf("stray </c>: %v", err)
	}
	// Broken sheets are refused with the workbook error, never a panic.
	for _, bad := range []string{
		`<worksheet><sheetData><row r="x"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1"><c r="A2"><v>1</v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&bogus;</t></is></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="1"><c r="A1"`,
	} {
		if _, err := ReadTable(handmadeXLSX(t, bad), ReadOptions{}); mamori.ErrorCode(err) != mamori.EINVALID {
			t.Errorf("broken sheet %q: %v", bad, err)
		}
	}
}

func TestColumnNames(t *testing.T) {
	for _, test := range []struct {
		j    int
		name string
	}{{0, "A"}, {25, "Z"}, {26, "AA"}, {27, "AB"}, {701, "ZZ"}, {702, "AAA"}} {
		if got := ColumnName(test.j); got != test.name {
			t.Errorf("ColumnName(%d) = %s", test.j, got)
		}
		if got := ColumnIndex(test.name); got != test.j {
			t.Errorf("ColumnIndex(%s) = %d", test.name, got)
		}
	}
	for _, bad := range []string{"", "1", "A1", "ABCD"} {
		if ColumnIndex(bad) != -1 {
			t.Errorf("ColumnIndex(%q) accepted", bad)
		}
	}
}
