package web

import (
	"net/http"
	"strconv"
	"strings"

	"mamori/internal/directory"
)

type transferForm struct {
	Title       string
	EffectiveOn string
}

type transferListData struct {
	dirPage
	Transfers []directory.Transfer
	Form      transferForm
	Err       error
	// An import that was refused: every bad row and column, and how the
	// file was read.
	ImportErrors directory.RowErrors
	Encoding     directory.Encoding
	Rows         int
}

// transferList lists the personnel transfers, newest date first, with the
// forms to start one by hand or from the personnel department's file.
func (s *Server) transferList(w http.ResponseWriter, r *http.Request) error {
	return s.renderTransfers(w, r, http.StatusOK, transferListData{Form: transferForm{EffectiveOn: directory.FormatDate(s.now())}})
}

func (s *Server) renderTransfers(w http.ResponseWriter, r *http.Request, status int, d transferListData) error {
	ts, err := s.store.Transfers(r.Context())
	if err != nil {
		return err
	}
	d.dirPage, d.Transfers = s.dirPage(r, "transfer.title", "transfers"), ts
	return s.render(w, r, status, "transfers", d)
}

// transferFromForm reads a transfer's title and date.
func transferFromForm(r *http.Request) (directory.Transfer, transferForm, error) {
	form := transferForm{Title: strings.TrimSpace(r.FormValue("title")), EffectiveOn: strings.TrimSpace(r.FormValue("effective_on"))}
	t := directory.Transfer{Title: form.Title}
	at, err := formDate(r, "effective_on")
	if err != nil {
		return t, form, err
	}
	t.EffectiveAt = at
	return t, form, t.Validate()
}

// transferCreate starts a transfer to be filled in on screen.
func (s *Server) transferCreate(w http.ResponseWriter, r *http.Request) error {
	t, form, err := transferFromForm(r)
	if err == nil {
		t.Source = "screen"
		err = s.store.CreateTransfer(r.Context(), &t)
	}
	if err != nil {
		if isUserError(err) {
			return s.renderTransfers(w, r, statusOf(codeOf(err)), transferListData{Form: form, Err: err})
		}
		return err
	}
	s.redirect(w, r, "/transfers/"+strconv.FormatInt(t.ID, 10))
	return nil
}
