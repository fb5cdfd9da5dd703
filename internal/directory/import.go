package directory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"mamori"
)

// Encoding names how an imported file was read.
type Encoding string

const (
	EncUTF8    Encoding = "utf-8"
	EncUTF8BOM Encoding = "utf-8-bom"
	EncUTF16   Encoding = "utf-16"
	EncCP932   Encoding = "cp932" // "Shift_JIS" as Windows writes it
	EncXLSX    Encoding = "xlsx"
)

// maxImportSize bounds an uploaded file (a personnel list of a few
// thousand rows is well under a megabyte).
const maxImportSize = 10 << 20

// maxTableRows bounds how many rows are read from a file.
const maxTableRows = maxTransferItems + 50

// ReadTable reads an uploaded personnel list into rows of cells: an Excel
// workbook (.xlsx), or CSV/TSV text in UTF-8 (with or without BOM), UTF-16
// with BOM (Excel's "Unicode text"), or Shift_JIS. The format is detected
// from the content, not the file name. What Windows calls Shift_JIS is
// CP932, with ①, ㈱, 髙 and ～: it is decoded as such.
func ReadTable(data []byte) ([][]string, Encoding, error) {
	if len(data) > maxImportSize {
		return nil, "", mamori.Errorf(mamori.EINVALID, "import.too_large", map[string]any{"Limit": "10 MB"})
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "", mamori.Errorf(mamori.EINVALID, "import.empty", nil)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		rows, err := readXLSX(data)
		return rows, EncXLSX, err
	}
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, "", err
	}
	rows, err := readCSV(text)
	return rows, enc, err
}

func decodeText(data []byte) (string, Encoding, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", mamori.Errorf(mamori.EINVALID, "import.bad_encoding", nil)
		}
		return string(data), EncUTF8BOM, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data), EncUTF16, nil
	case utf8.Valid(data):
		return string(data), EncUTF8, nil
	}
	out, _, err := transform.Bytes(japanese.ShiftJIS.NewDecoder(), data)
	if err != nil {
		return "", "", mamori.Errorf(mamori.EINVALID, "import.bad_encoding", nil)
	}
	return string(out), EncCP932, nil
}

func decodeUTF16(data []byte) string {
	big := data[0] == 0xFE
	data = data[2:]
	u := make([]uint16, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		if big {
			u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			u = append(u, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	return string(utf16.Decode(u))
}

func readCSV(text string) ([][]string, error) {
	// Tab-separated text (Excel's "Unicode text") has more tabs than
	// commas in its first lines; title rows above the header have neither.
	head := text[:min(len(text), 4096)]
	r := csv.NewReader(strings.NewReader(text))
	if strings.Count(head, "\t") > strings.Count(head, ",") {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &mamori.Error{Code: mamori.EINVALID, Message: "import.bad_csv", Args: map[string]any{"Line": line}, Err: err}
		}
		// Blank lines are skipped by the reader; keep the rows where the
		// file has them, so that messages name the row a spreadsheet shows.
		line, _ := r.FieldPos(0)
		for len(rows) < line-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
		if len(rows) > maxTableRows {
			return nil, mamori.Errorf(mamori.EINVALID, "transfer.too_many_rows", map[string]any{"Max": maxTransferItems})
		}
	}
	return rows, nil
}

// readXLSX reads the first visible sheet that has a staff number header,
// or else the first visible sheet.
func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "import.bad_xlsx", Err: err}
	}
	defer f.Close()
	var first [][]string
	for _, sheet := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(sheet); err == nil && !visible {
			continue
		}
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, &mamori.Error{Code: mamori.EINVALID, Message: "import.bad_xlsx", Err: err}
		}
		if len(rows) > maxTableRows {
			return nil, mamori.Errorf(mamori.EINVALID, "transfer.too_many_rows", map[string]any{"Max": maxTransferItems})
		}
		if first == nil {
			first = rows
		}
		if _, _, ok := findHeader(rows); ok {
			return rows, nil
		}
	}
	if first == nil {
		return nil, mamori.Errorf(mamori.EINVALID, "import.empty", nil)
	}
	return first, nil
}

// transferColumns maps the header texts personnel departments use (folded:
// width, spaces and case do not count) onto the fields of a row.
var transferColumns = map[string][]string{
	"staff_no":  {"職員番号", "職員no", "職員no.", "職員コード", "職員cd", "社員番号", "staffno", "staff_no", "staffnumber"},
	"name":      {"氏名", "名前", "職員氏名", "name"},
	"to_unit":   {"異動先", "異動先所属", "新所属", "配属先", "異動後所属", "所属(新)", "新所属コード", "to_unit", "tounit", "newunit"},
	"roles":     {"役割", "付与する役割", "付与役割", "新役割", "新たな役割", "roles", "role", "add_roles"},
	"role_unit": {"役割の所属", "役割所属", "役割の単位", "role_unit", "roleunit"},
	"end_roles": {"解除する役割", "解除役割", "役割の解除", "終了する役割", "end_roles", "endroles"},
	"note":      {"備考", "摘要", "note", "notes", "remarks"},
}

// TransferColumnLabels are the header texts of the import template, in
// order (the first alias of each field).
var TransferColumnLabels = []struct{ Field, JA, EN string }{
	{"staff_no", "職員番号", "staff_no"},
	{"name", "氏名", "name"},
	{"to_unit", "異動先", "to_unit"},
	{"roles", "付与する役割", "roles"},
	{"role_unit", "役割の所属", "role_unit"},
	{"end_roles", "解除する役割", "end_roles"},
	{"note", "備考", "note"},
}

func columnField(header string) string {
	h := fold(header)
	for field, aliases := range transferColumns {
		for _, a := range aliases {
			if fold(a) == h {
				return field
			}
		}
	}
	return ""
}

// findHeader finds the header row among the first rows (title rows and
// blank rows above it are common) and maps its columns to fields.
func findHeader(rows [][]string) (int, map[string]int, bool) {
	for i, row := range rows {
		if i >= 20 {
			break
		}
		cols := map[string]int{}
		for j, cell := range row {
			if f := columnField(cell); f != "" {
				if _, dup := cols[f]; !dup {
					cols[f] = j
				}
			}
		}
		if _, ok := cols["staff_no"]; ok {
			return i, cols, true
		}
	}
	return 0, nil, false
}

// ParseTransferTable reads the rows of a personnel list: it finds the
// header row, keeps the columns it knows (others, such as the unit before
// the move, are ignored), skips blank rows and returns one input per data
// row, with the column label ("C（異動先）") of each field for messages.
func ParseTransferTable(rows [][]string) ([]TransferInput, map[string]string, error) {
	hi, cols, ok := findHeader(rows)
	if !ok {
		return nil, nil, mamori.Errorf(mamori.EINVALID, "import.no_header", nil)
	}
	header := rows[hi]
	for j, cell := range header {
		f := columnField(cell)
		if f != "" && cols[f] != j {
			return nil, nil, mamori.Errorf(mamori.EINVALID, "import.column_twice", map[string]any{"Column": strings.TrimSpace(cell)})
		}
	}
	_, hasUnit := cols["to_unit"]
	_, hasRoles := cols["roles"]
	_, hasEnd := cols["end_roles"]
	if !hasUnit && !hasRoles && !hasEnd {
		return nil, nil, mamori.Errorf(mamori.EINVALID, "import.columns_missing", nil)
	}
	labels := map[string]string{}
	for f, j := range cols {
		name, _ := excelize.ColumnNumberToName(j + 1)
		labels[f] = fmt.Sprintf("%s（%s）", name, strings.TrimSpace(header[j]))
	}
	cell := func(row []string, f string) string {
		j, ok := cols[f]
		if !ok || j >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[j])
	}
	var out []TransferInput
	for i := hi + 1; i < len(rows); i++ {
		in := TransferInput{Row: i + 1,
			StaffNo: cell(rows[i], "staff_no"), Name: cell(rows[i], "name"), ToUnit: cell(rows[i], "to_unit"),
			Roles: cell(rows[i], "roles"), RoleUnit: cell(rows[i], "role_unit"), EndRoles: cell(rows[i], "end_roles"),
			Note: cell(rows[i], "note")}
		if in.Empty() {
			continue
		}
		out = append(out, in)
	}
	if len(out) == 0 {
		return nil, nil, mamori.Errorf(mamori.EINVALID, "import.no_rows", nil)
	}
	return out, labels, nil
}

// LabelColumns fills each error's spreadsheet column from its field.
func LabelColumns(errs RowErrors, labels map[string]string) RowErrors {
	for i := range errs {
		if l, ok := labels[errs[i].Field]; ok {
			errs[i].Column = l
		}
	}
	return errs
}
