package web

import (
	"encoding/json"
	"net/http"

	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/eventlog"
	"mamori/internal/policy"
)

// assetShowData is one asset: its description, its manager, the levels it
// is handled at and why, the handling restrictions they carry, what it
// holds, its copies, its history, and the reclassification form for its
// manager.
type assetShowData struct {
	Page
	assetLookups
	Asset        *asset.Asset
	Levels       []asset.AxisLevel
	Restrictions []asset.Restriction
	ManagerRole  *policy.Role
	Managers     []directory.Acting
	Held         []asset.Asset
	HeldTotal    int
	Copies       []asset.Asset
	History      []assetEvent
	CanEdit      bool
	CanClassify  bool
	Reason       string // a refused reclassification's reason, kept
	Err          error
}

// assetEvent is one entry of an asset's history.
type assetEvent struct {
	eventlog.Event
	Reason string
	Levels asset.Levels
}

// ActionName names an event's action in the reader's language.
func (d assetShowData) ActionName(action string) string {
	if id := "asset.event." + action; d.L.T(id) != id {
		return d.L.T(id)
	}
	return action
}

// RoleName names a role of the policy.
func (d assetShowData) RoleName(id string) string {
	if d.Policy != nil {
		if r, ok := d.Policy.Role(id); ok {
			return d.L.Pick(r.Name.JA, r.Name.EN)
		}
	}
	return id
}

// assetShow shows one asset.
func (s *Server) assetShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.assetShowData(r, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "asset_show", d)
}

func (s *Server) assetShowData(r *http.Request, id int64) (*assetShowData, error) {
	pol, err := s.activePolicy(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	svc := s.assets()
	a, err := svc.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	me := principalFrom(r)
	d := &assetShowData{Page: s.page(r, "asset.show_title", "assets"), Asset: a,
		Levels: asset.Explain(pol, a), Restrictions: asset.Restrictions(pol, a)}
	if d.assetLookups, err = s.assetLookups(ctx, r, pol); err != nil {
		return nil, err
	}
	if d.Managers, d.ManagerRole, err = svc.Managers(ctx, pol, a.UnitID); err != nil {
		return nil, err
	}
	actor := assetActor(me)
	if d.CanEdit, err = svc.CanWrite(ctx, actor, a.UnitID); err != nil {
		return nil, err
	}
	if d.CanClassify, err = svc.CanClassify(ctx, pol, actor, a); err != nil {
		return nil, err
	}
	if d.Held, d.HeldTotal, err = s.store.AssetsHeld(ctx, id, 50); err != nil {
		return nil, err
	}
	if d.Copies, err = s.store.AssetCopies(ctx, id); err != nil {
		return nil, err
	}
	events, err := svc.History(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		ev := assetEvent{Event: e}
		var data struct {
			Reason string       `json:"reason"`
			Levels asset.Levels `json:"levels"`
		}
		if json.Unmarshal([]byte(e.Data), &data) == nil {
			ev.Reason = data.Reason
			if e.Action == "asset.reclassify" {
				ev.Levels = data.Levels
			}
		}
		d.History = append(d.History, ev)
	}
	return d, nil
}
