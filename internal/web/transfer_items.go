package web

import (
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/directory"
)

// transferItemAdd adds a row entered on screen to a draft transfer, after
// checking it as an imported row is checked.
func (s *Server) transferItemAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := directory.TransferInput{StaffNo: r.PostFormValue("staff_no"), ToUnit: r.PostFormValue("to_unit"),
		Roles: strings.Join(r.PostForm["roles"], ";"), RoleUnit: r.PostFormValue("role_unit"),
		EndRoles: strings.Join(r.PostForm["end_roles"], ";"), Note: r.PostFormValue("note")}
	if r.PostFormValue("end_all") == "on" {
		in.EndRoles = strings.Trim(in.EndRoles+";all", ";")
	}
	t, err := s.store.Transfer(r.Context(), id)
	if err != nil {
		return err
	}
	if !t.Editable() {
		return s.renderTransfer(w, r, http.StatusConflict, id, in, nil, &mamori.Error{Code: mamori.ECONFLICT, Message: "transfer.not_editable"})
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	snap, err := s.store.Snapshot(r.Context(), s.now())
	if err != nil {
		return err
	}
	items, errs := directory.ParseInputs(pol, snap, []directory.TransferInput{in}, t.Items)
	if len(errs) > 0 {
		return s.renderTransfer(w, r, http.StatusUnprocessableEntity, id, in, errs, nil)
	}
	if err := s.store.AddTransferItems(r.Context(), id, items); err != nil {
		if isUserError(err) {
			return s.renderTransfer(w, r, statusOf(codeOf(err)), id, in, nil, err)
		}
		return err
	}
	s.redirect(w, r, "/transfers/"+strconv.FormatInt(id, 10)+"?flash=transfer_row_added")
	return nil
}

// transferItemDelete removes a row from a draft transfer.
func (s *Server) transferItemDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	item, err := pathID(r, "item")
	if err != nil {
		return err
	}
	if err := s.store.DeleteTransferItem(r.Context(), id, item); err != nil {
		if isUserError(err) {
			return s.renderTransfer(w, r, statusOf(codeOf(err)), id, directory.TransferInput{}, nil, err)
		}
		return err
	}
	s.redirect(w, r, "/transfers/"+strconv.FormatInt(id, 10)+"?flash=transfer_row_deleted")
	return nil
}
