package web

import (
	"net/http"
	"time"

	"mamori"
	"mamori/internal/directory"
)

type transferItemJSON struct {
	ID       int64                 `json:"id,omitempty"`
	Row      int                   `json:"row,omitempty"`
	StaffNo  string                `json:"staff_no"`
	PersonID int64                 `json:"person_id"`
	FromUnit int64                 `json:"from_unit_id,omitempty"`
	ToUnit   int64                 `json:"to_unit_id,omitempty"`
	AddRoles []directory.RoleGrant `json:"add_roles"`
	EndRoles []string              `json:"end_roles"`
	EndAll   bool                  `json:"end_all,omitempty"`
	Note     string                `json:"note,omitempty"`
}

type transferJSON struct {
	ID          int64              `json:"id"`
	Title       string             `json:"title"`
	EffectiveAt time.Time          `json:"effective_at"`
	Status      string             `json:"status"`
	Source      string             `json:"source,omitempty"`
	AppliedAt   *time.Time         `json:"applied_at,omitempty"`
	Rows        int                `json:"rows"`
	Items       []transferItemJSON `json:"items,omitempty"`
}

func toTransferJSON(t directory.Transfer) transferJSON {
	out := transferJSON{ID: t.ID, Title: t.Title, EffectiveAt: t.EffectiveAt, Status: string(t.Status), Source: t.Source, AppliedAt: t.AppliedAt, Rows: t.Count}
	for _, it := range t.Items {
		out.Items = append(out.Items, toTransferItemJSON(it))
	}
	return out
}

func toTransferItemJSON(it directory.TransferItem) transferItemJSON {
	return transferItemJSON{ID: it.ID, Row: it.Line, StaffNo: it.StaffNo, PersonID: it.PersonID, FromUnit: it.FromUnitID, ToUnit: it.ToUnitID,
		AddRoles: nonNilSlice(it.AddRoles), EndRoles: nonNilSlice(it.EndRoles), EndAll: it.EndAll, Note: it.Note}
}

func nonNilSlice[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

type rowErrorJSON struct {
	Row     int         `json:"row,omitempty"`
	Item    int         `json:"item"`
	Field   string      `json:"field,omitempty"`
	Code    mamori.Code `json:"code"`
	Message mamori.Text `json:"message"`
}

// writeRowErrors answers 422 with every problem of every row.
func (s *Server) writeRowErrors(w http.ResponseWriter, r *http.Request, errs directory.RowErrors) error {
	var body struct {
		apiError
		Rows []rowErrorJSON `json:"rows"`
	}
	body.Error.Code = mamori.EINVALID
	body.Error.Message = s.cat.Both("transfer.rows_invalid", map[string]any{"Count": len(errs)})
	body.Error.RequestID = requestIDFrom(r)
	for _, e := range errs {
		body.Rows = append(body.Rows, rowErrorJSON{Row: e.Row, Item: e.Item, Field: e.Field, Code: e.Err.Code, Message: s.cat.Both(e.Err.Message, e.Err.Args)})
	}
	return writeJSON(w, http.StatusUnprocessableEntity, body)
}

// apiTransfers lists the transfers.
func (s *Server) apiTransfers(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.store.Transfers(r.Context())
	if err != nil {
		return err
	}
	out := []transferJSON{}
	for _, t := range ts {
		out = append(out, toTransferJSON(t))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"transfers": out})
}

// apiTransfer returns a transfer with its rows.
func (s *Server) apiTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.store.Transfer(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTransferJSON(*t))
}

type transferRowInput struct {
	StaffNo  string `json:"staff_no"`
	Name     string `json:"name"`
	ToUnit   string `json:"to_unit"`
	Roles    string `json:"roles"`
	RoleUnit string `json:"role_unit"`
	EndRoles string `json:"end_roles"`
	Note     string `json:"note"`
}

// apiTransferCreate checks the rows of a transfer (units and roles as
// codes, ids or names, as in an imported file) and, unless dry_run, keeps
// them as a draft to schedule. Any bad row: 422 listing every problem,
// and nothing is kept.
func (s *Server) apiTransferCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title       string             `json:"title"`
		EffectiveOn string             `json:"effective_on"`
		Rows        []transferRowInput `json:"rows"`
		DryRun      bool               `json:"dry_run"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	t := directory.Transfer{Title: in.Title, Source: "api"}
	at, err := directory.ParseDate(in.EffectiveOn)
	if err != nil {
		return mamori.FieldError("effective_on", "date.invalid", map[string]any{"Value": in.EffectiveOn})
	}
	t.EffectiveAt = at
	if err := t.Validate(); err != nil {
		return err
	}
	if len(in.Rows) == 0 {
		return mamori.FieldError("rows", "transfer.no_items", nil)
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	snap, err := s.store.Snapshot(r.Context(), s.now())
	if err != nil {
		return err
	}
	inputs := make([]directory.TransferInput, len(in.Rows))
	for i, row := range in.Rows {
		inputs[i] = directory.TransferInput{StaffNo: row.StaffNo, Name: row.Name, ToUnit: row.ToUnit, Roles: row.Roles, RoleUnit: row.RoleUnit, EndRoles: row.EndRoles, Note: row.Note}
	}
	items, errs := directory.ParseInputs(pol, snap, inputs, nil)
	if len(errs) > 0 {
		return s.writeRowErrors(w, r, errs)
	}
	t.Items, t.Count = items, len(items)
	if in.DryRun {
		return writeJSON(w, http.StatusOK, map[string]any{"valid": true, "transfer": toTransferJSON(t)})
	}
	if err := s.store.CreateTransfer(r.Context(), &t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toTransferJSON(t))
}

// apiTransferSchedule checks the rows again and schedules the transfer.
func (s *Server) apiTransferSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	if err := directory.NewTransfers(s.store).Schedule(r.Context(), pol, id); err != nil {
		if errs, ok := err.(directory.RowErrors); ok {
			return s.writeRowErrors(w, r, errs)
		}
		return err
	}
	t, err := s.store.Transfer(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTransferJSON(*t))
}
