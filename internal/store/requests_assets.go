package store

import (
	"context"
	"fmt"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/request"
)

// RequestAssets loads the assets a request names, through the register's
// own loader (Asset, assets.go): each as the level it is handled at (its effective levels:
// raised to the strictest of what it holds, 藤枝市 第2章5(2)④ウ). An id of
// another organization, or of no asset, is left out; the caller names it
// in its error. A disposed asset is returned marked so.
func (s *Store) RequestAssets(ctx context.Context, ids []int64) ([]request.AssetRef, error) {
	var out []request.AssetRef
	for _, id := range ids {
		a, err := s.Asset(ctx, id)
		if mamori.ErrorCode(err) == mamori.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load asset %d of a request: %w", id, err)
		}
		levels := map[string]string{}
		for axis, l := range a.Effective {
			levels[axis] = l
		}
		out = append(out, request.AssetRef{ID: a.ID, Name: a.Number + " " + a.Name, OwnerUnitID: a.UnitID, Levels: levels,
			Disposed: a.State == asset.StateDisposed})
	}
	return out, nil
}
