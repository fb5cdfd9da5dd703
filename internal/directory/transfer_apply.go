package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"mamori"
	"mamori/internal/policy"
)

// TransferStore is what scheduling and applying transfers needs.
// internal/store implements it.
type TransferStore interface {
	Transfer(ctx context.Context, id int64) (*Transfer, error)
	Snapshot(ctx context.Context, at time.Time) (*Snapshot, error)
	SetTransferStatus(ctx context.Context, id int64, from []TransferStatus, to TransferStatus, errText string) error
	// ApplyTransfer applies the changes if the transfer is still scheduled,
	// claiming it in the same transaction; false when another server has.
	ApplyTransfer(ctx context.Context, id int64, changes []TransferChange) (bool, error)
	// Now is the store's clock: a transfer is due when it says so.
	Now() time.Time
}

// Transfers schedules and applies personnel transfers.
type Transfers struct {
	st TransferStore
}

// NewTransfers returns the transfer service over st.
func NewTransfers(st TransferStore) *Transfers { return &Transfers{st: st} }

// Schedule checks every row of a draft (or failed) transfer against the
// directory and the active policy as they stand, and schedules it for its
// date. Nothing is scheduled while any row is wrong.
func (s *Transfers) Schedule(ctx context.Context, pol *policy.Policy, id int64) error {
	t, err := s.st.Transfer(ctx, id)
	if err != nil {
		return err
	}
	if !t.Editable() {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "transfer.wrong_status", Args: map[string]any{"Status": string(t.Status)}}
	}
	if len(t.Items) == 0 {
		return mamori.Errorf(mamori.EINVALID, "transfer.no_items", nil)
	}
	snap, err := s.st.Snapshot(ctx, s.st.Now())
	if err != nil {
		return err
	}
	if errs := ValidateItems(pol, snap, t.Items); len(errs) > 0 {
		return errs
	}
	return s.st.SetTransferStatus(ctx, id, []TransferStatus{TransferDraft, TransferFailed}, TransferScheduled, "")
}

// Apply applies one scheduled transfer whose date has come (ctx scoped to
// its tenant). It checks the rows again against the directory as it is
// now: a row that has become wrong (a person who left, a unit removed, a
// role the new policy version dropped) fails the whole transfer, which
// changes nothing and is marked failed with the reasons. It reports
// whether this call applied it.
func (s *Transfers) Apply(ctx context.Context, pol *policy.Policy, id int64) (bool, error) {
	now := s.st.Now()
	t, err := s.st.Transfer(ctx, id)
	if err != nil {
		return false, err
	}
	if t.Status != TransferScheduled || t.EffectiveAt.After(now) {
		return false, nil
	}
	snap, err := s.st.Snapshot(ctx, now)
	if err != nil {
		return false, err
	}
	if pol == nil {
		err = RowErrors{{Err: mamori.Errorf(mamori.ENOTFOUND, "policy.none_active", nil)}}
	} else if errs := ValidateItems(pol, snap, t.Items); len(errs) > 0 {
		err = errs
	}
	if err != nil {
		if ferr := s.st.SetTransferStatus(ctx, id, []TransferStatus{TransferScheduled}, TransferFailed, EncodeErrors(err.(RowErrors))); ferr != nil {
			return false, fmt.Errorf("mark transfer %d failed: %w", id, ferr)
		}
		return false, err
	}
	return s.st.ApplyTransfer(ctx, id, Changes(pol, snap, t.Items))
}

// Changes works out what applying each item does.
func Changes(pol *policy.Policy, snap *Snapshot, items []TransferItem) []TransferChange {
	out := make([]TransferChange, 0, len(items))
	for _, it := range items {
		c := TransferChange{PersonID: it.PersonID, ToUnitID: it.ToUnitID, Grant: PlanAdds(pol, snap, it)}
		for _, a := range PlanEnds(pol, snap, it) {
			c.End = append(c.End, a.ID)
		}
		out = append(out, c)
	}
	return out
}

type storedError struct {
	Row     int            `json:"row,omitempty"`
	Field   string         `json:"field,omitempty"`
	Message string         `json:"message"`
	Args    map[string]any `json:"args,omitempty"`
}

// EncodeErrors keeps the reasons a transfer failed with it, as message ids
// and arguments, so that they are shown in the reader's language.
func EncodeErrors(errs RowErrors) string {
	out := make([]storedError, 0, len(errs))
	for _, e := range errs {
		out = append(out, storedError{Row: e.Row, Field: e.Field, Message: e.Err.Message, Args: e.Err.Args})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// DecodeErrors reads what EncodeErrors kept.
func DecodeErrors(s string) RowErrors {
	if s == "" {
		return nil
	}
	var in []storedError
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return RowErrors{{Err: &mamori.Error{Code: mamori.EINVALID, Message: "transfer.failed_unreadable"}}}
	}
	out := make(RowErrors, 0, len(in))
	for _, e := range in {
		out = append(out, RowError{Row: e.Row, Field: e.Field, Err: &mamori.Error{Code: mamori.EINVALID, Message: e.Message, Args: e.Args, Field: e.Field}})
	}
	return out
}
