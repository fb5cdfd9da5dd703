package asset

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"mamori"
)

// This file reads .xlsx workbooks. It streams the sheet's XML with a small
// scanner of its own rather than excelize's row iterator, which took over
// ten seconds for a 100,000-row register on the reference machine (the
// target is 20,000 rows a second, database included). It reads only what a
// register needs: the sheet list, shared strings, cell values with their
// types, merged ranges and hidden columns. Export writes with excelize.

var errBadXLSX = errors.New("not a readable workbook")

// badXLSX is the error users see for a broken workbook.
func badXLSX(err error) error {
	return &mamori.Error{Code: mamori.EINVALID, Message: "asset.import.bad_xlsx", Err: err}
}

type workbook struct {
	files    map[string]*zip.File // lower-case path → file
	sheets   []SheetInfo
	targets  map[string]string // sheet name → path of its XML
	date1904 bool
}

func readXLSX(data []byte, sheet string) (*Table, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, badXLSX(err)
	}
	wb := &workbook{files: map[string]*zip.File{}, targets: map[string]string{}}
	for _, f := range zr.File {
		wb.files[strings.ToLower(f.Name)] = f
	}
	if err := wb.readWorkbook(); err != nil {
		return nil, badXLSX(err)
	}
	if len(wb.sheets) == 0 {
		return nil, mamori.Errorf(mamori.EINVALID, "asset.import.empty", nil)
	}
	sst, err := wb.sharedStrings()
	if err != nil {
		return nil, badXLSX(err)
	}
	t := &Table{Format: "xlsx", Encoding: EncXLSX, Sheets: wb.sheets, Date1904: wb.date1904}
	if sheet != "" {
		if _, ok := wb.targets[sheet]; !ok {
			return nil, mamori.FieldError("sheet", "asset.import.sheet_unknown", map[string]any{"Sheet": sheet})
		}
		t.Sheet = sheet
		if err := wb.readSheet(t, sst); err != nil {
			return nil, err
		}
		return t, nil
	}
	// Without a choice: the first visible sheet whose rows look like a
	// register (a header is found), else the first visible sheet with rows.
	// Notes sheets and hidden lists of choices are passed over.
	var first *Table
	for _, s := range wb.sheets {
		if s.Hidden {
			continue
		}
		c := &Table{Format: t.Format, Encoding: t.Encoding, Sheets: t.Sheets, Date1904: t.Date1904, Sheet: s.Name}
		if err := wb.readSheet(c, sst); err != nil {
			if mamori.ErrorCode(err) == mamori.EINVALID && len(c.Rows) == 0 {
				continue
			}
			return nil, err
		}
		if first == nil {
			first = c
		}
		if h := DetectHeader(c, nil); h.Score >= 2 {
			return c, nil
		}
	}
	if first == nil {
		return nil, mamori.Errorf(mamori.EINVALID, "asset.import.empty", nil)
	}
	return first, nil
}

func (wb *workbook) open(name string) (io.ReadCloser, bool, error) {
	f, ok := wb.files[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, false, nil
	}
	rc, err := f.Open()
	return rc, true, err
}

// readWorkbook reads the sheet list and where each sheet's XML is.
func (wb *workbook) readWorkbook() error {
	rels := map[string]string{}
	if rc, ok, err := wb.open("xl/_rels/workbook.xml.rels"); err != nil {
		return err
	} else if ok {
		dec := xml.NewDecoder(io.LimitReader(rc, 8<<20))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return fmt.Errorf("workbook relationships: %w", err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Relationship" {
				rels[attr(se, "Id")] = attr(se, "Target")
			}
		}
		rc.Close()
	}
	rc, ok, err := wb.open("xl/workbook.xml")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: no xl/workbook.xml", errBadXLSX)
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, 8<<20))
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("workbook: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			wb.date1904 = v == "1" || v == "true"
		case "sheet":
			n++
			name := attr(se, "name")
			var rid string
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
			target, ok := rels[rid]
			if !ok {
				// Workbooks without relationships name sheets by position.
				target = fmt.Sprintf("worksheets/sheet%d.xml", n)
			}
			if !strings.HasPrefix(target, "/") {
				target = path.Join("xl", target)
			}
			if _, dup := wb.targets[name]; dup {
				continue
			}
			state := attr(se, "state")
			wb.sheets = append(wb.sheets, SheetInfo{Name: name, Hidden: state == "hidden" || state == "veryHidden"})
			wb.targets[name] = target
		}
	}
	return nil
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// maxSharedBytes bounds the text of the shared strings table.
const maxSharedBytes = 256 << 20

// sharedStrings reads the workbook's shared string table: each <si> is the
// text of its <t> elements, runs concatenated, phonetic guides (<rPh>,
// the furigana Excel keeps for Japanese) left out.
func (wb *workbook) sharedStrings() ([]string, error) {
	rc, ok, err := wb.open("xl/sharedStrings.xml")
	if err != nil || !ok {
		return nil, err
	}
	defer rc.Close()
	sc := newScanner(rc)
	var out []string
	total := 0
	var cur strings.Builder
	inSI, inT, skip := false, false, 0
	for {
		text, err := sc.text()
		if err != nil {
			return nil, err
		}
		if inT && skip == 0 {
			if err := appendText(&cur, text); err != nil {
				return nil, err
			}
		}
		tag, err := sc.tag()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		name, closing, self := tagName(tag)
		switch name {
		case "si":
			switch {
			case self:
				out = append(out, "")
			case closing:
				s := cleanText(cur.String())
				total += len(s)
				if total > maxSharedBytes {
					return nil, fmt.Errorf("%w: shared strings exceed %d bytes", errBadXLSX, maxSharedBytes)
				}
				out = append(out, s)
				cur.Reset()
				inSI = false
			default:
				inSI = true
				cur.Reset()
			}
		case "t":
			inT = inSI && !closing && !self
		case "rPh":
			if !self {
				if closing {
					skip--
				} else {
					skip++
				}
			}
		}
	}
	return out, nil
}

// readSheet reads one sheet's cells into t.
func (wb *workbook) readSheet(t *Table, sst []string) error {
	rc, ok, err := wb.open(wb.targets[t.Sheet])
	if err != nil {
		return badXLSX(err)
	}
	if !ok {
		return badXLSX(fmt.Errorf("%w: sheet %q has no part", errBadXLSX, t.Sheet))
	}
	defer rc.Close()
	t.Hidden = map[int]bool{}
	sc := newScanner(rc)
	var (
		row      Row
		inRow    bool
		rowN     int
		col      int // column of the current cell
		cellType string
		value    strings.Builder
		inValue  bool // inside <v> or an inline string's <t>
		inIS     bool
		inCell   bool
		phonetic int
		merges   []string
	)
	flushRow := func() error {
		if !inRow {
			return nil
		}
		inRow = false
		if row.blank() {
			return nil
		}
		if len(t.Rows) >= MaxRows {
			return mamori.Errorf(mamori.EINVALID, "asset.import.too_many_rows", map[string]any{"Max": MaxRows})
		}
		t.Rows = append(t.Rows, row)
		t.Width = max(t.Width, len(row.Cells))
		return nil
	}
	setCell := func(j int, s string, num bool) {
		if j < 0 || j >= MaxColumns || s == "" || !inRow {
			return
		}
		for len(row.Cells) <= j {
			row.Cells = append(row.Cells, "")
		}
		row.Cells[j] = s
		if num {
			for len(row.Num) <= j {
				row.Num = append(row.Num, false)
			}
			row.Num[j] = true
		}
	}
	for {
		text, err := sc.text()
		if err != nil {
			return badXLSX(err)
		}
		if inValue && phonetic == 0 {
			if err := appendText(&value, text); err != nil {
				return badXLSX(err)
			}
		}
		tag, err := sc.tag()
		if err == io.EOF {
			break
		}
		if err != nil {
			return badXLSX(err)
		}
		name, closing, self := tagName(tag)
		switch name {
		case "row":
			if closing {
				if err := flushRow(); err != nil {
					return err
				}
				continue
			}
			if err := flushRow(); err != nil {
				return err
			}
			if r, ok := rawAttr(tag, "r"); ok {
				n, ok := atoiBytes(r)
				if !ok || n < 1 {
					return badXLSX(fmt.Errorf("%w: row number %q", errBadXLSX, r))
				}
				rowN = n
			} else {
				rowN++
			}
			row = Row{N: rowN}
			inRow = !self
			col = -1
		case "c":
			if closing {
				if !inCell {
					continue
				}
				inCell = false
				s := value.String()
				switch cellType {
				case "s":
					i, err := strconv.Atoi(strings.TrimSpace(s))
					if err != nil || i < 0 || i >= len(sst) {
						return badXLSX(fmt.Errorf("%w: shared string %q at row %d", errBadXLSX, s, rowN))
					}
					setCell(col, sst[i], false)
				case "b":
					if strings.TrimSpace(s) == "1" {
						setCell(col, "TRUE", false)
					} else {
						setCell(col, "FALSE", false)
					}
				case "inlineStr", "str", "e", "d":
					setCell(col, cleanText(s), false)
				default:
					setCell(col, strings.TrimSpace(s), true)
				}
				continue
			}
			if r, ok := rawAttr(tag, "r"); ok {
				j, n := cellRefBytes(r)
				if j < 0 {
					return badXLSX(fmt.Errorf("%w: cell reference %q", errBadXLSX, r))
				}
				if n != 0 && n != rowN {
					return badXLSX(fmt.Errorf("%w: cell %s outside row %d", errBadXLSX, r, rowN))
				}
				col = j
			} else {
				col++
			}
			cellType = ""
			if t, ok := rawAttr(tag, "t"); ok {
				cellType = cellTypeName(t)
			}
			inCell = !self
			value.Reset()
			inIS, inValue, phonetic = false, false, 0
		case "v":
			inValue = !closing && !self && !inIS
		case "is":
			inIS = !closing && !self
		case "t":
			if inIS {
				inValue = !closing && !self
			}
		case "rPh":
			if !self {
				if closing {
					phonetic--
				} else {
					phonetic++
				}
			}
		case "col":
			if h, _ := tagAttr(tag, "hidden"); h == "1" || h == "true" {
				lo, _ := tagAttr(tag, "min")
				hi, _ := tagAttr(tag, "max")
				a, err1 := strconv.Atoi(lo)
				b, err2 := strconv.Atoi(hi)
				if err1 == nil && err2 == nil {
					for j := max(a, 1); j <= min(b, MaxColumns); j++ {
						t.Hidden[j-1] = true
					}
				}
			}
		case "mergeCell":
			if ref, ok := tagAttr(tag, "ref"); ok {
				merges = append(merges, ref)
			}
		}
	}
	if err := flushRow(); err != nil {
		return err
	}
	sort.SliceStable(t.Rows, func(i, j int) bool { return t.Rows[i].N < t.Rows[j].N })
	fillMerges(t, merges)
	if len(t.Rows) == 0 {
		return mamori.Errorf(mamori.EINVALID, "asset.import.empty", nil)
	}
	return nil
}

// fillMerges copies the value of each merged range's top-left cell into
// the range's other cells, in rows that have cells: a header merged over
// 機密性・完全性・可用性, or a 業務分類 merged down the rows it groups,
// then applies to each column and row.
func fillMerges(t *Table, merges []string) {
	if len(merges) == 0 {
		return
	}
	index := make(map[int]int, len(t.Rows))
	for i, r := range t.Rows {
		index[r.N] = i
	}
	// Bounded work: a real sheet has a few hundred merged ranges over the
	// rows it has; a broken or hostile one could name millions.
	budget := 4 * MaxRows * 16
	if len(merges) > 100_000 {
		merges = merges[:100_000]
	}
	for _, ref := range merges {
		if budget <= 0 {
			break
		}
		a, b, ok := strings.Cut(ref, ":")
		if !ok {
			continue
		}
		c1, r1 := cellRef(a)
		c2, r2 := cellRef(b)
		if c1 < 0 || c2 < c1 || r1 < 1 || r2 < r1 || r2-r1 > MaxRows {
			continue
		}
		top, ok := index[r1]
		if !ok {
			continue
		}
		v := t.Rows[top].Cell(c1)
		num := t.Rows[top].Numeric(c1)
		if v == "" {
			continue
		}
		// The rows of the range that exist, found by their numbers.
		first := sort.Search(len(t.Rows), func(i int) bool { return t.Rows[i].N >= r1 })
		for i := first; i < len(t.Rows) && t.Rows[i].N <= r2 && budget > 0; i++ {
			r := &t.Rows[i]
			budget -= min(c2, MaxColumns-1) - c1 + 1
			for j := c1; j <= min(c2, MaxColumns-1); j++ {
				if r.Cell(j) != "" {
					continue
				}
				for len(r.Cells) <= j {
					r.Cells = append(r.Cells, "")
				}
				r.Cells[j] = v
				if num {
					for len(r.Num) <= j {
						r.Num = append(r.Num, false)
					}
					r.Num[j] = true
				}
			}
			t.Width = max(t.Width, len(r.Cells))
		}
	}
}

// atoiBytes parses a positive decimal number.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// cellRefBytes parses a cell reference without allocating.
func cellRefBytes(b []byte) (col, row int) {
	i, col := 0, 0
	for i < len(b) && i < 3 && (b[i] >= 'A' && b[i] <= 'Z') {
		col = col*26 + int(b[i]-'A') + 1
		i++
	}
	if i == 0 || i < len(b) && (b[i] < '0' || b[i] > '9') {
		return cellRef(string(b))
	}
	if i == len(b) {
		return col - 1, 0
	}
	n, ok := atoiBytes(b[i:])
	if !ok || n < 1 {
		return -1, 0
	}
	return col - 1, n
}

// cellTypeName returns the cell types the reader tells apart, without
// allocating.
func cellTypeName(b []byte) string {
	switch string(b) {
	case "s":
		return "s"
	case "b":
		return "b"
	case "inlineStr":
		return "inlineStr"
	case "str":
		return "str"
	case "e":
		return "e"
	case "d":
		return "d"
	case "n":
		return "n"
	}
	return string(b)
}

// cellRef parses "AB12" into column 27 and row 12 (row 0 when absent).
func cellRef(s string) (col, row int) {
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || s[i] == '$') {
		i++
	}
	col = ColumnIndex(strings.ReplaceAll(s[:i], "$", ""))
	if col < 0 {
		return -1, 0
	}
	if i < len(s) {
		n, err := strconv.Atoi(strings.TrimPrefix(s[i:], "$"))
		if err != nil || n < 1 {
			return -1, 0
		}
		row = n
	}
	return col, row
}

// scanner splits XML into text and tags without building tokens: what
// encoding/xml spends most of its time on is not needed to read cells.
type scanner struct {
	r   *bufio.Reader
	buf []byte
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// text returns the raw text up to the next '<' (which it consumes); it is
// valid until the next call. At the end of input it returns what is left.
func (s *scanner) text() ([]byte, error) {
	b, err := s.r.ReadSlice('<')
	if err == nil {
		return b[:len(b)-1], nil
	}
	if errors.Is(err, io.EOF) {
		return b, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	s.buf = append(s.buf[:0], b...)
	for {
		b, err = s.r.ReadSlice('<')
		s.buf = append(s.buf, b...)
		if len(s.buf) > maxCellBytes*2 {
			return nil, fmt.Errorf("%w: text longer than %d bytes", errBadXLSX, maxCellBytes*2)
		}
		switch {
		case err == nil:
			return s.buf[:len(s.buf)-1], nil
		case errors.Is(err, io.EOF):
			return s.buf, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, err
		}
	}
}

// tag returns the inside of the tag the last text call stopped at,
// without its angle brackets ("c r=\"A1\" t=\"s\"", "/row", "v"). A '>'
// inside a quoted attribute value does not end the tag.
func (s *scanner) tag() ([]byte, error) {
	s.buf = s.buf[:0]
	for {
		b, err := s.r.ReadSlice('>')
		s.buf = append(s.buf, b...)
		if len(s.buf) > 1<<20 {
			return nil, fmt.Errorf("%w: tag longer than 1 MiB", errBadXLSX)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(bytes.TrimSpace(s.buf)) == 0 {
				return nil, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: the XML ends inside a tag", errBadXLSX)
			}
			return nil, err
		}
		if quotesBalanced(s.buf) {
			return s.buf[:len(s.buf)-1], nil
		}
	}
}

func quotesBalanced(b []byte) bool {
	var q byte
	for _, c := range b {
		switch {
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case c == q:
			q = 0
		}
	}
	return q == 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// tagName returns a tag's local name (without a namespace prefix) and
// whether it closes an element or closes itself.
func tagName(tag []byte) (name string, closing, self bool) {
	if len(tag) > 0 && tag[0] == '/' {
		closing = true
		tag = tag[1:]
	}
	if len(tag) > 0 && tag[len(tag)-1] == '/' {
		self = true
		tag = tag[:len(tag)-1]
	}
	end := 0
	for end < len(tag) && !isSpace(tag[end]) {
		end++
	}
	n := tag[:end]
	if i := bytes.LastIndexByte(n, ':'); i >= 0 {
		n = n[i+1:]
	}
	// The names this reader looks for, returned without allocating.
	switch string(n) {
	case "c":
		return "c", closing, self
	case "v":
		return "v", closing, self
	case "row":
		return "row", closing, self
	case "t":
		return "t", closing, self
	case "si":
		return "si", closing, self
	case "is":
		return "is", closing, self
	case "rPh":
		return "rPh", closing, self
	case "col":
		return "col", closing, self
	case "mergeCell":
		return "mergeCell", closing, self
	}
	return "", closing, self
}

// rawAttr returns the raw (still escaped) value of attribute name in a
// tag; it is valid as long as the tag.
func rawAttr(tag []byte, name string) ([]byte, bool) {
	i := 0
	for i < len(tag) && !isSpace(tag[i]) {
		i++
	}
	for i < len(tag) {
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		k := i
		for i < len(tag) && tag[i] != '=' && !isSpace(tag[i]) {
			i++
		}
		key := tag[k:i]
		for i < len(tag) && (isSpace(tag[i]) || tag[i] == '=') {
			i++
		}
		if i >= len(tag) || tag[i] != '"' && tag[i] != '\'' {
			return nil, false
		}
		q := tag[i]
		i++
		v := i
		for i < len(tag) && tag[i] != q {
			i++
		}
		if i >= len(tag) {
			return nil, false
		}
		val := tag[v:i]
		i++
		if c := bytes.LastIndexByte(key, ':'); c >= 0 && string(key) != name {
			key = key[c+1:]
		}
		if string(key) == name {
			return val, true
		}
	}
	return nil, false
}

// tagAttr returns the value of attribute name in a tag, unescaped.
func tagAttr(tag []byte, name string) (string, bool) {
	val, ok := rawAttr(tag, name)
	if !ok {
		return "", false
	}
	if bytes.IndexByte(val, '&') < 0 {
		return string(val), true
	}
	var sb strings.Builder
	if err := appendText(&sb, val); err != nil {
		return "", false
	}
	return sb.String(), true
}

// appendText appends XML character data, resolving the five named entities
// and numeric character references.
func appendText(sb *strings.Builder, b []byte) error {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			sb.Write(b)
			return nil
		}
		sb.Write(b[:i])
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			return fmt.Errorf("%w: bad entity", errBadXLSX)
		}
		ent := string(b[1:semi])
		b = b[semi+1:]
		switch ent {
		case "lt":
			sb.WriteByte('<')
		case "gt":
			sb.WriteByte('>')
		case "amp":
			sb.WriteByte('&')
		case "quot":
			sb.WriteByte('"')
		case "apos":
			sb.WriteByte('\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"), strings.HasPrefix(ent, "#X"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = errBadXLSX
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return fmt.Errorf("%w: bad entity &%s;", errBadXLSX, ent)
			}
			sb.WriteRune(rune(n))
		}
	}
	return nil
}

// cleanText undoes the escapes OOXML puts in strings (_x000D_ for a
// carriage return, _x005F_ for an underscore) and turns CRLF into LF.
func cleanText(s string) string {
	if strings.Contains(s, "_x") {
		var sb strings.Builder
		for {
			i := strings.Index(s, "_x")
			if i < 0 || i+7 > len(s) || s[i+6] != '_' {
				if i < 0 {
					sb.WriteString(s)
					break
				}
				sb.WriteString(s[:i+2])
				s = s[i+2:]
				continue
			}
			n, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
			if err != nil {
				sb.WriteString(s[:i+2])
				s = s[i+2:]
				continue
			}
			sb.WriteString(s[:i])
			sb.WriteRune(rune(n))
			s = s[i+7:]
		}
		s = sb.String()
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}
