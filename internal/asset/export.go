package asset

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// Format is an export format.
type Format string

const (
	FormatXLSX    Format = "xlsx"
	FormatCSV     Format = "csv"      // UTF-8 with a byte order mark, which Excel reads as UTF-8
	FormatCSVSJIS Format = "csv-sjis" // Shift_JIS (CP932), which Excel in Japan opens by default
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatXLSX || f == FormatCSV || f == FormatCSVSJIS }

// Labels gives the words of an export in the person's language: the
// headers, kinds, states and yes/no. Its T takes a catalog message id.
type Labels interface {
	T(id string) string
}

// exportColumns lays out an export. The headers are the import's own, so
// that an exported register imports again as it is: the unit code comes
// before the unit's name (names may repeat across departments), levels are
// the asset's own, and the levels it is handled at follow under headers
// the import does not read.
type exportColumn struct {
	header string
	value  func(a *Asset) any
	stamp  bool // a time (shown in Japan), not a date
}

func (s *Service) exportColumns(pol *policy.Policy, lb Labels, units map[int64]directory.Unit) []exportColumn {
	yes := func(b bool) any {
		if b {
			return "○"
		}
		return ""
	}
	cols := []exportColumn{
		{header: lb.T("asset.export.number"), value: func(a *Asset) any { return a.Number }},
		{header: lb.T("asset.export.name"), value: func(a *Asset) any { return a.Name }},
		{header: lb.T("asset.export.kind"), value: func(a *Asset) any { return lb.T("asset.kind." + string(a.Kind)) }},
		{header: lb.T("asset.export.unit_code"), value: func(a *Asset) any { return units[a.UnitID].Code }},
		{header: lb.T("asset.export.unit"), value: func(a *Asset) any { return units[a.UnitID].Name }},
	}
	if pol != nil {
		for _, ax := range pol.Axes() {
			ax := ax
			cols = append(cols, exportColumn{header: pickText(lb, ax.Name), value: func(a *Asset) any {
				if a.CopyOf != 0 {
					return ""
				}
				return a.Levels[ax.ID]
			}})
		}
		for _, ax := range pol.Axes() {
			ax := ax
			cols = append(cols, exportColumn{header: pickText(lb, ax.Name) + lb.T("asset.export.effective_suffix"), value: func(a *Asset) any {
				if l, ok := a.Effective[ax.ID]; ok {
					return l
				}
				return lb.T("asset.export.unclassified")
			}})
		}
	}
	cols = append(cols,
		exportColumn{header: lb.T("asset.export.personal"), value: func(a *Asset) any { return yes(a.Personal) }},
		exportColumn{header: lb.T("asset.export.specific"), value: func(a *Asset) any { return yes(a.SpecificPersonal) }},
	)
	if pol != nil && len(pol.Segments()) > 0 {
		names := map[string]string{}
		for _, sg := range pol.Segments() {
			names[sg.ID] = pickText(lb, sg.Name)
		}
		cols = append(cols, exportColumn{header: lb.T("asset.export.segment"), value: func(a *Asset) any { return names[a.Segment] }})
	}
	return append(cols,
		exportColumn{header: lb.T("asset.export.location"), value: func(a *Asset) any { return a.Location }},
		exportColumn{header: lb.T("asset.export.control_area"), value: func(a *Asset) any { return a.ControlArea }},
		exportColumn{header: lb.T("asset.export.parent"), value: func(a *Asset) any { return a.ParentNumber }},
		exportColumn{header: lb.T("asset.export.copy_of"), value: func(a *Asset) any { return a.OriginalNumber }},
		exportColumn{header: lb.T("asset.export.state"), value: func(a *Asset) any { return lb.T("asset.state." + string(a.State)) }},
		exportColumn{header: lb.T("asset.export.keep_until"), value: func(a *Asset) any {
			if a.KeepUntil == nil {
				return nil
			}
			return *a.KeepUntil
		}},
		exportColumn{header: lb.T("asset.export.notes"), value: func(a *Asset) any { return a.Notes }},
		exportColumn{header: lb.T("asset.export.updated"), value: func(a *Asset) any { return a.UpdatedAt }, stamp: true},
	)
}

// pickText chooses the language of a policy text by the labels' language.
func pickText(lb Labels, t policy.Text) string {
	if lb.T("asset.lang") == "en" && t.EN != "" {
		return t.EN
	}
	return t.JA
}

// Export writes the assets matching f (all pages) in format to w.
func (s *Service) Export(ctx context.Context, pol *policy.Policy, f Filter, format Format, lb Labels, w io.Writer) (int, error) {
	if !format.Valid() {
		return 0, mamori.FieldError("format", "asset.export.format_invalid", map[string]any{"Format": string(format)})
	}
	f.Limit, f.Offset = 1, 0
	if err := f.Validate(pol); err != nil {
		return 0, err
	}
	f.Limit = 0
	units, err := s.st.Units(ctx)
	if err != nil {
		return 0, err
	}
	byID := make(map[int64]directory.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	cols := s.exportColumns(pol, lb, byID)
	if format == FormatXLSX {
		return s.exportXLSX(ctx, f, cols, lb, w)
	}
	return s.exportCSV(ctx, f, cols, format == FormatCSVSJIS, w)
}

func (s *Service) exportXLSX(ctx context.Context, f Filter, cols []exportColumn, lb Labels, w io.Writer) (int, error) {
	x := excelize.NewFile()
	defer x.Close()
	sheet := lb.T("asset.export.sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return 0, fmt.Errorf("export: name sheet: %w", err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return 0, err
	}
	dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy/mm/dd")})
	if err != nil {
		return 0, err
	}
	stampStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy/mm/dd hh:mm")})
	if err != nil {
		return 0, err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: bold, Value: c.header}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	if err := sw.SetRow("A1", header); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n := 0
	row := make([]any, len(cols))
	err = s.st.EachAsset(ctx, f, func(a *Asset) error {
		n++
		for i, c := range cols {
			switch v := c.value(a).(type) {
			case time.Time:
				// Dates are days; the updated time is shown as read in Japan.
				if c.stamp {
					row[i] = excelize.Cell{StyleID: stampStyle, Value: wallClock(v.In(tokyo))}
				} else {
					row[i] = excelize.Cell{StyleID: dateStyle, Value: v}
				}
			default:
				row[i] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, n+1)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return 0, err
	}
	if err := sw.Flush(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if _, err := x.WriteTo(w); err != nil {
		return 0, fmt.Errorf("export: write workbook: %w", err)
	}
	return n, nil
}

// wallClock keeps a time's clock reading and drops its zone: Excel has no
// time zones, and the register is read in Japan.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

func ptr[T any](v T) *T { return &v }

func (s *Service) exportCSV(ctx context.Context, f Filter, cols []exportColumn, sjis bool, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var out io.Writer = bw
	if sjis {
		out = &sjisWriter{w: bw}
	} else if _, err := bw.WriteString("\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(out)
	cw.UseCRLF = true // what Excel writes and expects
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.header
	}
	if err := cw.Write(rec); err != nil {
		return 0, err
	}
	n := 0
	err := s.st.EachAsset(ctx, f, func(a *Asset) error {
		n++
		for i, c := range cols {
			switch v := c.value(a).(type) {
			case nil:
				rec[i] = ""
			case string:
				rec[i] = v
			case time.Time:
				if c.stamp {
					rec[i] = v.In(tokyo).Format("2006-01-02 15:04")
				} else {
					rec[i] = v.Format("2006-01-02")
				}
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return 0, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("export: write CSV: %w", err)
	}
	return n, bw.Flush()
}

// sjisWriter encodes UTF-8 text as CP932. A character CP932 lacks becomes
// "?", as Windows itself writes it; the wave dash and minus sign that
// Unicode text has where CP932 text has ～ and － are written as those.
type sjisWriter struct {
	w       io.Writer
	pending []byte
}

var sjisFix = strings.NewReplacer("\u301C", "\uFF5E", "\u2212", "\uFF0D", "\u2016", "\u2225", "\u00A2", "\uFFE0", "\u00A3", "\uFFE1", "\u00AC", "\uFFE2")

func (s *sjisWriter) Write(p []byte) (int, error) {
	n := len(p)
	buf := append(s.pending, p...)
	// Keep an incomplete UTF-8 sequence at the end for the next write.
	cut := len(buf)
	for k := 1; k <= 3 && k <= len(buf); k++ {
		if utf8.RuneStart(buf[len(buf)-k]) {
			if !utf8.FullRune(buf[len(buf)-k:]) {
				cut = len(buf) - k
			}
			break
		}
	}
	s.pending = append(s.pending[:0:0], buf[cut:]...)
	text := sjisFix.Replace(string(buf[:cut]))
	enc := japanese.ShiftJIS.NewEncoder()
	out, err := enc.String(text)
	if err != nil {
		var sb strings.Builder
		for _, r := range text {
			b, err := enc.String(string(r))
			if err != nil {
				b = "?"
			}
			sb.WriteString(b)
		}
		out = sb.String()
	}
	if _, err := io.WriteString(s.w, out); err != nil {
		return 0, err
	}
	return n, nil
}
