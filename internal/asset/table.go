package asset

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"

	"mamori"
)

// Encoding names how a text file was read.
type Encoding string

const (
	EncAuto    Encoding = ""          // detect: UTF-8 when the bytes are valid UTF-8, else Shift_JIS
	EncUTF8    Encoding = "utf-8"     // with or without a byte order mark
	EncUTF8BOM Encoding = "utf-8-bom" // as found: UTF-8 with a byte order mark
	EncUTF16   Encoding = "utf-16"    // Excel's "Unicode text" (tab-separated, with BOM)
	EncSJIS    Encoding = "shift_jis" // what Windows calls Shift_JIS: CP932 (Windows-31J)
	EncXLSX    Encoding = "xlsx"
)

// Limits of what an import reads.
const (
	MaxImportSize = 64 << 20 // bytes of an uploaded file
	MaxRows       = 200_000  // rows of a sheet
	MaxColumns    = 256      // columns; cells further right are ignored
	maxCellBytes  = 32767 * 4
)

// Table is a sheet or CSV file as read: its rows of text cells, numbered
// as the spreadsheet shows them, blank rows included only as gaps.
type Table struct {
	Format   string   // "xlsx" or "csv"
	Encoding Encoding // of a CSV file
	Sheets   []SheetInfo
	Sheet    string // the sheet read
	Date1904 bool   // the workbook counts dates from 1904
	Rows     []Row
	Width    int          // number of columns
	Hidden   map[int]bool // hidden columns (0-based)
}

// SheetInfo names a sheet of a workbook.
type SheetInfo struct {
	Name   string
	Hidden bool
}

// Row is one non-blank row.
type Row struct {
	N      int      // 1-based row number in the sheet (or record number in a CSV file)
	Cells  []string // 0-based by column
	Num    []bool   // Num[j]: the cell was stored as a number (an Excel serial date, a level 1)
	BadEnc []int    // columns whose bytes are not valid in the file's encoding
}

// Cell returns the text of column j ("" beyond the row's end).
func (r *Row) Cell(j int) string {
	if j < 0 || j >= len(r.Cells) {
		return ""
	}
	return r.Cells[j]
}

// Numeric reports whether column j was stored as a number.
func (r *Row) Numeric(j int) bool { return j >= 0 && j < len(r.Num) && r.Num[j] }

// BadEncoding reports whether column j held bytes the encoding cannot read.
func (r *Row) BadEncoding(j int) bool {
	for _, b := range r.BadEnc {
		if b == j {
			return true
		}
	}
	return false
}

// blank reports whether every cell is empty or white space.
func (r *Row) blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(strings.ReplaceAll(c, "\u3000", "")) != "" {
			return false
		}
	}
	return true
}

// ColumnName returns the spreadsheet name of a 0-based column: A, B, … Z,
// AA, AB …
func ColumnName(j int) string {
	if j < 0 {
		return ""
	}
	var b []byte
	for n := j + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// ColumnIndex parses a column name (A, AB; lower case too) into its 0-based
// index; -1 when it is not one.
func ColumnIndex(name string) int {
	name = strings.ToUpper(strings.TrimSpace(name))
	if name == "" || len(name) > 3 {
		return -1
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 'A' || c > 'Z' {
			return -1
		}
		n = n*26 + int(c-'A') + 1
	}
	return n - 1
}

// ReadOptions choose what to read of a file.
type ReadOptions struct {
	Sheet    string   // a workbook's sheet; default: the first visible one that looks like a register
	Encoding Encoding // of a CSV file; default: detect
}

// ReadTable reads an uploaded register: an Excel workbook (.xlsx) or CSV
// (or tab-separated) text in UTF-8 with or without a byte order mark,
// UTF-16 with one, or Shift_JIS. The format is told from the content, not
// the name. A file in the old binary .xls format is refused with the advice
// to save it as .xlsx.
func ReadTable(data []byte, opts ReadOptions) (*Table, error) {
	if len(data) > MaxImportSize {
		return nil, mamori.Errorf(mamori.EINVALID, "asset.import.too_large", map[string]any{"Limit": "64 MB"})
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, mamori.Errorf(mamori.EINVALID, "asset.import.empty", nil)
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, opts.Sheet)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, mamori.Errorf(mamori.EINVALID, "asset.import.xls", nil)
	}
	return readCSV(data, opts.Encoding)
}

// readCSV splits the bytes into records first and decodes each cell after:
// the delimiters are ASCII, and no byte of a Shift_JIS character is one, so
// a cell the encoding cannot read is reported as that cell, not as the
// whole file.
func readCSV(data []byte, enc Encoding) (*Table, error) {
	t := &Table{Format: "csv"}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = []byte(decodeUTF16(data))
		t.Encoding = EncUTF16
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		t.Encoding = EncUTF8BOM
		if enc == EncSJIS {
			return nil, mamori.Errorf(mamori.EINVALID, "asset.import.bom_not_sjis", nil)
		}
	case enc == EncUTF8, enc == EncUTF8BOM:
		t.Encoding = EncUTF8
	case enc == EncSJIS:
		t.Encoding = EncSJIS
	case enc == EncAuto:
		if utf8.Valid(data) {
			t.Encoding = EncUTF8
		} else {
			t.Encoding = EncSJIS
		}
	default:
		return nil, mamori.FieldError("encoding", "asset.import.encoding_unknown", map[string]any{"Encoding": string(enc)})
	}
	var dec *encoding.Decoder
	if t.Encoding == EncSJIS {
		dec = japanese.ShiftJIS.NewDecoder()
	}
	comma := sniffDelimiter(data)
	n := 0
	err := splitCSV(data, comma, func(fields [][]byte) error {
		n++
		if n > MaxRows {
			return mamori.Errorf(mamori.EINVALID, "asset.import.too_many_rows", map[string]any{"Max": MaxRows})
		}
		if len(fields) > MaxColumns {
			fields = fields[:MaxColumns]
		}
		row := Row{N: n, Cells: make([]string, len(fields))}
		for j, f := range fields {
			s, ok := decodeCell(f, dec)
			if !ok {
				row.BadEnc = append(row.BadEnc, j)
			}
			row.Cells[j] = s
		}
		if row.blank() && row.BadEnc == nil {
			return nil
		}
		t.Rows = append(t.Rows, row)
		t.Width = max(t.Width, len(row.Cells))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(t.Rows) == 0 {
		return nil, mamori.Errorf(mamori.EINVALID, "asset.import.empty", nil)
	}
	return t, nil
}

// decodeCell decodes one cell's bytes; ok is false when they are not valid
// in the encoding (the cell then shows U+FFFD where they were).
func decodeCell(b []byte, dec *encoding.Decoder) (string, bool) {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), true
	}
	if dec == nil {
		if utf8.Valid(b) {
			return string(b), true
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	out, err := dec.Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	// The decoder writes U+FFFD for a byte sequence CP932 does not define;
	// CP932 itself has no character that decodes to it.
	return string(out), !bytes.Contains(out, []byte("\uFFFD"))
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

// sniffDelimiter chooses tab when the first line has more tabs than commas.
func sniffDelimiter(data []byte) byte {
	line := data
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		line = data[:i]
	}
	if bytes.Count(line, []byte{'\t'}) > bytes.Count(line, []byte{','}) {
		return '\t'
	}
	return ','
}

// splitCSV calls fn for each record of data (RFC 4180, as Excel writes it):
// fields separated by comma, records by CRLF, LF or CR; a quoted field may
// hold delimiters, line breaks and doubled quotes. A quote inside an
// unquoted field is taken literally and text after a closing quote is kept,
// as Excel does. Each record, blank ones included, is one row, so that row
// numbers match what Excel shows. fields are valid only during fn.
func splitCSV(data []byte, comma byte, fn func(fields [][]byte) error) error {
	var fields [][]byte
	var field []byte
	var store []byte // backing array for the record's fields
	var starts []int
	for i := 0; i < len(data); {
		fields, store, starts = fields[:0], store[:0], starts[:0]
		for {
			field = field[:0]
			if i < len(data) && data[i] == '"' {
				i++
				for i < len(data) {
					c := data[i]
					if c == '"' {
						if i+1 < len(data) && data[i+1] == '"' {
							field = append(field, '"')
							i += 2
							continue
						}
						i++
						break
					}
					field = append(field, c)
					i++
				}
			}
			for i < len(data) && data[i] != comma && data[i] != '\n' && data[i] != '\r' {
				field = append(field, data[i])
				i++
			}
			starts = append(starts, len(store))
			store = append(store, field...)
			if i < len(data) && data[i] == comma {
				i++
				continue
			}
			break
		}
		if i < len(data) && data[i] == '\r' {
			i++
		}
		if i < len(data) && data[i] == '\n' {
			i++
		}
		for k, s := range starts {
			e := len(store)
			if k+1 < len(starts) {
				e = starts[k+1]
			}
			fields = append(fields, store[s:e:e])
		}
		if err := fn(fields); err != nil {
			return err
		}
	}
	return nil
}
