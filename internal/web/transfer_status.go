package web

import (
	"net/http"
	"strconv"

	"mamori"
	"mamori/internal/directory"
)

// transferSchedule checks every row again and schedules the transfer for
// its date; the server applies it then, all rows at once.
func (s *Server) transferSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	if err := directory.NewTransfers(s.store).Schedule(r.Context(), pol, id); err != nil {
		if isUserError(err) {
			return s.renderTransfer(w, r, statusOf(codeOf(err)), id, directory.TransferInput{}, nil, summaryError(err))
		}
		return err
	}
	s.redirect(w, r, "/transfers/"+strconv.FormatInt(id, 10)+"?flash=transfer_scheduled")
	return nil
}

// summaryError turns a list of row problems (already shown row by row on
// the page) into one message for the top of the page.
func summaryError(err error) error {
	if errs, ok := err.(directory.RowErrors); ok {
		return &mamori.Error{Code: mamori.EINVALID, Message: "transfer.rows_invalid", Args: map[string]any{"Count": len(errs)}}
	}
	return err
}

// transferSetStatus handles the status changes that need no check:
// back to draft (to edit a scheduled transfer), cancel.
func (s *Server) transferSetStatus(from []directory.TransferStatus, to directory.TransferStatus, flash string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := s.store.SetTransferStatus(r.Context(), id, from, to, ""); err != nil {
			if isUserError(err) {
				return s.renderTransfer(w, r, statusOf(codeOf(err)), id, directory.TransferInput{}, nil, err)
			}
			return err
		}
		s.redirect(w, r, "/transfers/"+strconv.FormatInt(id, 10)+"?flash="+flash)
		return nil
	}
}

// transferDelete removes a draft transfer.
func (s *Server) transferDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeleteTransfer(r.Context(), id); err != nil {
		if isUserError(err) {
			return s.renderTransfer(w, r, statusOf(codeOf(err)), id, directory.TransferInput{}, nil, err)
		}
		return err
	}
	s.redirect(w, r, "/transfers?flash=transfer_deleted")
	return nil
}

// transferApply applies a scheduled transfer whose date has come now,
// rather than at the server's next round.
func (s *Server) transferApply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	done, err := directory.NewTransfers(s.store).Apply(r.Context(), pol, id)
	if err != nil {
		if isUserError(err) {
			return s.renderTransfer(w, r, statusOf(codeOf(err)), id, directory.TransferInput{}, nil, summaryError(err))
		}
		return err
	}
	if !done {
		return s.renderTransfer(w, r, http.StatusConflict, id, directory.TransferInput{}, nil, &mamori.Error{Code: mamori.ECONFLICT, Message: "transfer.not_due"})
	}
	s.redirect(w, r, "/transfers/"+strconv.FormatInt(id, 10)+"?flash=transfer_applied")
	return nil
}
