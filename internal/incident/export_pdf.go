package incident

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/signintech/gopdf"

	"mamori"
)

// FontCandidates are where Debian and Ubuntu put the IPAex Gothic
// TrueType font (package fonts-ipaexfont). MAMORI_PDF_FONT overrides them.
// Noto CJK is OpenType/TTC, which gopdf cannot embed; IPAex lacks a few
// rare kanji (𠮷), which print as blanks.
var FontCandidates = []string{
	"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
	"/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
	"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
	"/usr/share/fonts/OTF/ipaexg.ttf",
	"/usr/local/share/fonts/ipaexg.ttf",
	`C:\Windows\Fonts\ipaexg.ttf`,
}

// ErrNoFont says that no Japanese font was found for PDF reports: the
// message tells the operator what to install (the Excel report needs no
// font and still works).
var ErrNoFont = &mamori.Error{Code: mamori.ENOTFOUND, Message: "incident.pdf_no_font"}

// FindFont returns the path of the Japanese TrueType font for PDFs.
func FindFont() (string, error) {
	cands := FontCandidates
	if p := os.Getenv("MAMORI_PDF_FONT"); p != "" {
		cands = []string{p}
	}
	for _, p := range cands {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", ErrNoFont
}

// pdfWriter lays text out on A4 pages, breaking lines by width (Japanese
// has no spaces to break at) and pages by height.
type pdfWriter struct {
	pdf    *gopdf.GoPdf
	y      float64
	left   float64
	width  float64
	bottom float64
	err    error
}

const (
	pdfFont   = "ipaexg"
	pdfMargin = 40.0
)

func (w *pdfWriter) font(size float64) {
	if w.err == nil {
		w.err = w.pdf.SetFont(pdfFont, "", size)
	}
}

func (w *pdfWriter) newPage() {
	w.pdf.AddPage()
	w.y = pdfMargin
}

// line writes text at x, wrapping to width; returns the height used.
func (w *pdfWriter) text(x, width float64, text string, size float64) float64 {
	if w.err != nil {
		return 0
	}
	w.font(size)
	lh := size * 1.45
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\t", "    "), "\n") {
		if para == "" {
			lines = append(lines, "")
			continue
		}
		ls, err := w.pdf.SplitText(para, width)
		if err != nil {
			w.err = err
			return 0
		}
		lines = append(lines, ls...)
	}
	for _, ln := range lines {
		if w.y+lh > w.bottom {
			w.newPage()
			w.font(size)
		}
		w.pdf.SetXY(x, w.y)
		if ln != "" {
			if err := w.pdf.Cell(nil, ln); err != nil {
				w.err = err
				return 0
			}
		}
		w.y += lh
	}
	return float64(len(lines)) * lh
}

func (w *pdfWriter) heading(s string) {
	if w.y+40 > w.bottom {
		w.newPage()
	}
	w.y += 8
	w.text(w.left, w.width, s, 12)
	w.pdf.SetLineWidth(0.5)
	w.pdf.Line(w.left, w.y, w.left+w.width, w.y)
	w.y += 4
}

// pair writes a label and its value side by side.
func (w *pdfWriter) pair(label, value string) {
	start := w.y
	w.text(w.left, 110, label, 9)
	end := w.y
	w.y = start
	w.text(w.left+115, w.width-115, value, 9)
	w.y = max(w.y, end) + 2
}

// WritePDF writes the incident report as a PDF with Japanese text, using
// the IPAex Gothic font found by FindFont (embedded as a subset, with a
// Unicode map so that the text can be searched and copied).
func (s *Service) WritePDF(out io.Writer, rec *Record, l Labels, n Names) error {
	fontPath, err := FindFont()
	if err != nil {
		return err
	}
	rep := s.buildReport(rec, l, n)
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetInfo(gopdf.PdfInfo{Title: rep.title + " " + rec.Incident.ReceiptNo, Creator: "mamori", Producer: "mamori"})
	if err := pdf.AddTTFFont(pdfFont, fontPath); err != nil {
		return fmt.Errorf("load font %s: %w", fontPath, err)
	}
	w := &pdfWriter{pdf: pdf, left: pdfMargin, width: gopdf.PageSizeA4.W - 2*pdfMargin, bottom: gopdf.PageSizeA4.H - pdfMargin}
	w.newPage()
	w.text(w.left, w.width, rep.title, 16)
	w.y += 6
	for _, kv := range rep.summary {
		w.pair(kv[0], kv[1])
	}
	w.heading(l.T("incident.export.investigation"))
	for _, kv := range rep.invest {
		w.pair(kv[0], kv[1])
	}
	table := func(title string, head []string, rows [][]string) {
		w.heading(title)
		if len(rows) == 0 {
			w.text(w.left, w.width, l.T("common.none"), 9)
			return
		}
		for _, r := range rows {
			var parts []string
			for i, v := range r {
				if v != "" && i < len(head) {
					parts = append(parts, head[i]+": "+v)
				}
			}
			w.text(w.left, w.width, "・"+strings.Join(parts, "　"), 9)
			w.y += 2
		}
	}
	table(l.T("incident.export.sheet_chain"), rep.heads["chain"], rep.chain)
	table(l.T("incident.export.sheet_reports"), rep.heads["reports"], rep.reports)
	table(l.T("incident.export.sheet_steps"), rep.heads["steps"], rep.steps)
	w.heading(l.T("incident.export.sheet_timeline"))
	for _, ln := range rep.lines {
		w.text(w.left, w.width, ln[0]+"　"+ln[1]+"　"+ln[2], 9)
		if strings.TrimSpace(ln[3]) != "" {
			w.text(w.left+12, w.width-12, ln[3], 9)
		}
		w.y += 3
	}
	if w.err != nil {
		return fmt.Errorf("lay out PDF: %w", w.err)
	}
	if _, err := pdf.WriteTo(out); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

// CheckPDFText checks that a PDF written by WritePDF carries want as
// text a reader can extract: the Unicode map of the embedded font must
// name every character of want. (The content streams show glyph ids, not
// characters; the map is what makes the Japanese searchable and
// copyable.) Tests use it in place of a PDF text extractor.
func CheckPDFText(pdf []byte, want string) error {
	if !bytes.Contains(pdf, []byte("IPAex")) && !bytes.Contains(pdf, []byte("ipaex")) {
		return fmt.Errorf("the PDF does not embed the IPAex font")
	}
	var maps []byte
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			i = bytes.Index(rest, []byte("stream\r\n"))
			if i < 0 {
				break
			}
		}
		start := i + bytes.IndexByte(rest[i:], '\n') + 1
		end := bytes.Index(rest[start:], []byte("endstream"))
		if end < 0 {
			break
		}
		data := rest[start : start+end]
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				data = b
			}
		}
		if bytes.Contains(data, []byte("beginbfchar")) || bytes.Contains(data, []byte("beginbfrange")) {
			maps = append(maps, data...)
		}
		rest = rest[start+end:]
	}
	if len(maps) == 0 {
		return fmt.Errorf("the PDF has no Unicode map: its text cannot be extracted")
	}
	upper := bytes.ToUpper(maps)
	for _, r := range want {
		code := fmt.Sprintf("<%04X>", r)
		if !bytes.Contains(upper, []byte(code)) {
			return fmt.Errorf("the PDF's Unicode map lacks %q (%s)", r, code)
		}
	}
	return nil
}
