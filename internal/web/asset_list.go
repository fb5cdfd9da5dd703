package web

import (
	"net/http"
	"strconv"

	"mamori/internal/asset"
	"mamori/internal/policy"
)

// assetListData is a page of the register with its filter.
type assetListData struct {
	Page
	assetLookups
	Filter   asset.Filter
	Queue    bool // the manager's queue of assets to classify
	Assets   []asset.Asset
	Total    int
	Capped   bool // Total is a bound: more match
	From, To int
	PageNo   int
	Pages    int
	Prev     string
	Next     string
	Query    string // the filter as a query, for export links
	CanWrite bool
	Err      error
}

// Level returns an asset's effective level on an axis, by name.
func (d assetListData) Level(a asset.Asset, ax *policy.Axis) string {
	return d.LevelName(ax.ID, a.Effective[ax.ID])
}

// assetList shows the register, filtered, sorted and a page at a time;
// with queue=1 the assets waiting for the reader to classify them.
func (s *Server) assetList(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	q := r.URL.Query()
	d := assetListData{Page: s.page(r, "asset.list_title", "assets"), Queue: q.Get("queue") == "1", CanWrite: canWriteAssets(me)}
	if d.assetLookups, err = s.assetLookups(r.Context(), r, pol); err != nil {
		return err
	}
	f, ferr := assetFilter(q)
	d.Filter = f
	if ferr != nil {
		d.Err = ferr
		return s.render(w, r, http.StatusUnprocessableEntity, "asset_list", d)
	}
	svc := s.assets()
	if d.Queue {
		d.Title = "asset.queue_title"
		d.Assets, d.Total, err = svc.Queue(r.Context(), pol, assetActor(me), f)
	} else {
		d.Assets, d.Total, err = svc.List(r.Context(), pol, f)
	}
	if err != nil {
		d.Err = err
		return s.render(w, r, http.StatusUnprocessableEntity, "asset_list", d)
	}
	f.Validate(pol) // the defaults the service applied, for the pager
	d.Filter = f
	d.PageNo = f.Offset/f.Limit + 1
	if d.Capped = asset.Capped(d.Total, f); d.Capped {
		d.Total = asset.CountBound(f)
	} else {
		d.Pages = (d.Total + f.Limit - 1) / f.Limit
	}
	if len(d.Assets) > 0 {
		d.From, d.To = f.Offset+1, f.Offset+len(d.Assets)
	}
	link := func(offset int) string {
		lq := filterQuery(f)
		if d.Queue {
			lq.Set("queue", "1")
		}
		if offset > 0 {
			lq.Set("offset", strconv.Itoa(offset))
		}
		if f.Limit != asset.DefaultLimit {
			lq.Set("limit", strconv.Itoa(f.Limit))
		}
		return "/assets?" + lq.Encode()
	}
	if f.Offset > 0 {
		d.Prev = link(max(0, f.Offset-f.Limit))
	}
	if f.Offset+f.Limit < d.Total || d.Capped {
		d.Next = link(f.Offset + f.Limit)
	}
	d.Query = filterQuery(f).Encode()
	return s.render(w, r, http.StatusOK, "asset_list", d)
}
