package web

import (
	"bytes"
	"net/http"
	"strconv"

	"mamori/internal/asset"
	"mamori/internal/i18n"
)

// assetExport downloads the register (the assets matching the filter, all
// pages) as an Excel workbook or CSV, in UTF-8 with a byte order mark or
// in Shift_JIS, which Excel in Japan opens by default. The headers are
// those the import reads, so that a register goes out and comes back.
func (s *Server) assetExport(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := assetFilter(q)
	if err != nil {
		return err
	}
	format := asset.Format(q.Get("format"))
	if format == "" {
		format = asset.FormatXLSX
	}
	// Written to memory first, so that a failure is an error response, not
	// a truncated file.
	var buf bytes.Buffer
	n, err := s.assets().Export(r.Context(), pol, f, format, exportLabels{s.localizer(r)}, &buf)
	if err != nil {
		return err
	}
	stamp := s.store.Now().In(i18n.Tokyo).Format("20060102-1504")
	name, ctype := "assets-"+stamp, ""
	switch format {
	case asset.FormatXLSX:
		name, ctype = name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case asset.FormatCSVSJIS:
		name, ctype = name+"-sjis.csv", "text/csv; charset=Shift_JIS"
	default:
		name, ctype = name+".csv", "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Asset-Count", strconv.Itoa(n))
	_, err = w.Write(buf.Bytes())
	return err
}

// exportLabels gives an export the words of the reader's language.
type exportLabels struct{ l Localizer }

func (e exportLabels) T(id string) string { return e.l.T(id) }
