package demo

import (
	"fmt"
	"sort"

	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

func init() { Register("assets", 20, fillAssets) }

// demoAsset is an asset of the demo register; levels are given by rank on
// each axis (0 the strictest, -1 the least strict, -2 left open).
type demoAsset struct {
	number, name string
	kind         asset.Kind
	rank         int
	personal     bool
	specific     bool
	parent       string // number of the holder
	copyOf       string // number of the original
	location     string
	area         string
	state        asset.State
	keepYears    int
}

// fillAssets registers a small register in each of the first sections: a
// system on a server holding data of several levels (so the server is
// handled at the strictest, 藤枝市 第2章5(2)④ウ), paper forms, PCs, a backup
// medium that is a copy (①イ), and one asset nobody has classified yet,
// waiting for its manager (下條村 第2章4(2)3-3).
func fillAssets(d *Demo) error {
	units, err := d.Store.Units(d.Ctx)
	if err != nil {
		return err
	}
	hasChild := map[int64]bool{}
	for _, u := range units {
		hasChild[u.ParentID] = true
	}
	var leaves []directory.Unit
	for _, u := range units {
		if !hasChild[u.ID] {
			leaves = append(leaves, u)
		}
	}
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].Code < leaves[j].Code })
	if len(leaves) > 5 {
		leaves = leaves[:5]
	}
	svc := asset.NewService(d.Store, directory.NewService(d.Store))
	all := asset.Actor{Can: func(policy.Permission) bool { return true }}
	n := 0
	for i, u := range leaves {
		p := fmt.Sprintf("%02d-", i+1)
		items := []demoAsset{
			{number: p + "SV01", name: u.Name + " 業務サーバ", kind: asset.KindServer, rank: -2, location: "本庁舎3階 サーバ室", area: "サーバ室", state: asset.StateInUse},
			{number: p + "SY01", name: u.Name + " 業務システム", kind: asset.KindSystem, rank: 1, parent: p + "SV01", state: asset.StateInUse},
			{number: p + "DT01", name: u.Name + " 住民データ", kind: asset.KindInformation, rank: 0, personal: true, specific: i == 0, parent: p + "SY01", state: asset.StateInUse, keepYears: 5},
			{number: p + "DT02", name: u.Name + " 統計データ", kind: asset.KindInformation, rank: -1, parent: p + "SY01", state: asset.StateInUse, keepYears: 10},
			{number: p + "PA01", name: u.Name + " 申請書（入力原票）", kind: asset.KindPaper, rank: 0, personal: true, location: "本庁舎1階 書庫", area: "書庫", state: asset.StateStored, keepYears: 5},
			{number: p + "PC01", name: u.Name + " 職員用パソコン", kind: asset.KindPC, rank: 1, location: "本庁舎2階", state: asset.StateInUse},
			{number: p + "MD01", name: u.Name + " バックアップ媒体", kind: asset.KindMedium, copyOf: p + "DT01", location: "本庁舎1階 金庫", state: asset.StateStored},
			{number: p + "DC01", name: u.Name + " 受け取った資料（分類未定）", kind: asset.KindPaper, rank: -2, state: asset.StateInUse},
		}
		for _, it := range items {
			a := &asset.Asset{Number: it.number, Name: it.name, Kind: it.kind, UnitID: u.ID, Levels: demoLevels(d.Policy, it.rank),
				Personal: it.personal, SpecificPersonal: it.specific, Location: it.location, ControlArea: it.area, State: it.state}
			if it.copyOf != "" {
				a.Levels = asset.Levels{}
			}
			for _, ref := range []struct {
				number string
				dst    *int64
			}{{it.parent, &a.ParentID}, {it.copyOf, &a.CopyOf}} {
				if ref.number == "" {
					continue
				}
				other, err := d.Store.AssetByNumber(d.Ctx, ref.number)
				if err != nil {
					return err
				}
				*ref.dst = other.ID
			}
			if it.keepYears > 0 {
				t := d.Now.AddDate(it.keepYears, 0, 0)
				a.KeepUntil = &t
			}
			if err := svc.Create(d.Ctx, d.Policy, all, a); err != nil {
				return fmt.Errorf("asset %s: %w", it.number, err)
			}
			n++
		}
	}
	d.Counts["assets"] = n
	return nil
}

// demoLevels gives every axis the level of the given rank.
func demoLevels(pol *policy.Policy, rank int) asset.Levels {
	l := asset.Levels{}
	if rank == -2 {
		return l
	}
	for _, ax := range pol.Axes() {
		order := ax.StrictestFirst
		if len(order) == 0 {
			continue
		}
		i := rank
		if i < 0 || i >= len(order) {
			i = len(order) - 1
		}
		l[ax.ID] = order[i]
	}
	return l
}
