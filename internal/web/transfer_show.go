package web

import (
	"net/http"

	"mamori/internal/directory"
	"mamori/internal/policy"
)

// transferRow is one row of a transfer as it will be (or was) applied.
type transferRow struct {
	Item     directory.TransferItem
	Name     string
	FromUnit string
	ToUnit   string
	Adds     []grantView
	Ends     []directory.Assignment
}

type grantView struct {
	Role *policy.Role
	ID   string
	Unit string
}

type transferData struct {
	dirPage
	dirLookups
	Transfer directory.Transfer
	Rows     []transferRow
	// Problems are what is wrong with the rows now (a draft cannot be
	// scheduled while there are any); Failed are the reasons applying
	// failed on the date.
	Problems directory.RowErrors
	Failed   directory.RowErrors
	Due      bool
	Form     directory.TransferInput
	FormErrs directory.RowErrors
	Err      error
}

// transferShow previews a transfer: for each person the unit they leave
// and join, the roles that end (those named, and those held for the unit
// left) and those granted, and anything wrong with a row as things stand.
func (s *Server) transferShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderTransfer(w, r, http.StatusOK, id, directory.TransferInput{}, nil, nil)
}

func (s *Server) renderTransfer(w http.ResponseWriter, r *http.Request, status int, id int64, form directory.TransferInput, formErrs directory.RowErrors, actionErr error) error {
	t, err := s.store.Transfer(r.Context(), id)
	if err != nil {
		return err
	}
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	snap, err := s.store.Snapshot(r.Context(), s.now())
	if err != nil {
		return err
	}
	d := transferData{dirPage: s.dirPage(r, "transfer.show_title", "transfers"), dirLookups: l, Transfer: *t,
		Failed: directory.DecodeErrors(t.Error), Form: form, FormErrs: formErrs, Err: actionErr,
		Due: !t.EffectiveAt.After(s.now())}
	planned := t.Status == directory.TransferDraft || t.Status == directory.TransferScheduled || t.Status == directory.TransferFailed
	if planned && l.Policy != nil {
		d.Problems = directory.ValidateItems(l.Policy, snap, t.Items)
	}
	for _, it := range t.Items {
		row := transferRow{Item: it, FromUnit: snap.UnitPathName(it.FromUnitID), ToUnit: snap.UnitPathName(it.ToUnitID)}
		if p := snap.Person(it.PersonID); p != nil {
			row.Name = p.Name
		}
		grants := it.AddRoles
		if planned && l.Policy != nil {
			grants = directory.PlanAdds(l.Policy, snap, it)
			row.Ends = directory.PlanEnds(l.Policy, snap, it)
		}
		for _, g := range grants {
			row.Adds = append(row.Adds, grantView{Role: l.Role(g.Role), ID: g.Role, Unit: snap.UnitPathName(g.UnitID)})
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, r, status, "transfer", d)
}
