package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// maxImportUpload bounds an uploaded personnel list.
const maxImportUpload = 10 << 20

// transferImport reads the personnel department's list (CSV or TSV in
// UTF-8 or Shift_JIS, or an Excel workbook; detected from the content)
// and checks every row: a dry run. When any row is wrong, the answer lists
// each bad row and column with its reason and nothing is kept. When all
// are right, the rows become a draft transfer to preview and schedule.
func (s *Server) transferImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload+64<<10)
	if err := r.ParseMultipartForm(maxImportUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return s.renderTransfers(w, r, http.StatusUnprocessableEntity, transferListData{Err: &mamori.Error{Code: mamori.EINVALID, Message: "import.too_large", Args: map[string]any{"Limit": "10 MB"}, Field: "file"}})
	}
	t, form, err := transferFromForm(r)
	fail := func(status int, d transferListData) error {
		d.Form = form
		return s.renderTransfers(w, r, status, d)
	}
	if err != nil {
		return fail(statusOf(codeOf(err)), transferListData{Err: err})
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return fail(http.StatusUnprocessableEntity, transferListData{Err: mamori.FieldError("file", "import.no_file", nil)})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportUpload+1))
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	snap, err := s.store.Snapshot(r.Context(), s.now())
	if err != nil {
		return err
	}
	items, enc, n, err := parseTransferFile(pol, snap, data)
	if err != nil {
		var rowErrs directory.RowErrors
		if errors.As(err, &rowErrs) {
			return fail(http.StatusUnprocessableEntity, transferListData{ImportErrors: rowErrs, Encoding: enc, Rows: n})
		}
		if isUserError(err) {
			return fail(statusOf(codeOf(err)), transferListData{Err: err, Encoding: enc})
		}
		return err
	}
	t.Source = filepath.Base(hdr.Filename)
	t.Items = items
	if err := s.store.CreateTransfer(r.Context(), &t); err != nil {
		if isUserError(err) {
			return fail(statusOf(codeOf(err)), transferListData{Err: err})
		}
		return err
	}
	s.redirect(w, r, "/transfers/"+strconv.FormatInt(t.ID, 10)+"?flash=transfer_imported")
	return nil
}

// parseTransferFile reads and checks a personnel list: the items when
// every row is right, else every problem (directory.RowErrors, each with
// its spreadsheet row and column).
func parseTransferFile(pol *policy.Policy, snap *directory.Snapshot, data []byte) ([]directory.TransferItem, directory.Encoding, int, error) {
	table, enc, err := directory.ReadTable(data)
	if err != nil {
		return nil, enc, 0, err
	}
	inputs, labels, err := directory.ParseTransferTable(table)
	if err != nil {
		return nil, enc, 0, err
	}
	items, errs := directory.ParseInputs(pol, snap, inputs, nil)
	if len(errs) > 0 {
		return nil, enc, len(inputs), directory.LabelColumns(errs, labels)
	}
	return items, enc, len(inputs), nil
}

// transferTemplate serves an empty personnel list with the columns the
// import reads, in UTF-8 with a BOM so that Excel opens it as such.
func (s *Server) transferTemplate(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	var head []string
	for _, c := range directory.TransferColumnLabels {
		head = append(head, c.JA)
	}
	cw.Write(head)
	cw.Write([]string{"01234", "山田 太郎", "総務課", "", "", "", ""})
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="transfer-template.csv"`)
	_, err := w.Write(buf.Bytes())
	return err
}
