package asset

import (
	"mamori"
	"mamori/internal/policy"
)

// Deriver computes the classification an asset is handled at from what the
// store knows of it. internal/store calls it inside the writing transaction,
// so that the levels stored for a medium always follow what it holds.
type Deriver interface {
	// Effective returns the levels an asset is handled at: for a copy its
	// original's levels, otherwise its own; on each axis raised to the
	// strictest level of the assets it holds.
	Effective(own Levels, original Levels, isCopy bool, held []Levels) Levels
	// Unclassified reports whether some axis of the policy has no level in l.
	Unclassified(l Levels) bool
}

// Classifier is the Deriver of a policy.
type Classifier struct{ pol *policy.Policy }

// NewClassifier returns the classifier of pol (nil: a policy without axes).
func NewClassifier(pol *policy.Policy) Classifier { return Classifier{pol: pol} }

func (c Classifier) axes() []*policy.Axis {
	if c.pol == nil {
		return nil
	}
	return c.pol.Axes()
}

// Effective implements Deriver.
//
// A copy is handled as its original (藤枝市 第2章5(2)①イ, 下條村
// 第2章4(2)1-2): its own levels are not consulted. A medium or system that
// holds assets of several levels is handled at the strictest of them (藤枝市
// 第2章5(2)④ウ, 下條村 第2章4(2)4-3); a level it was given itself counts
// too, so holding only less strict assets never lowers it. Levels that are
// not levels of the policy's axes (a previous policy version's) are left
// out: they cannot be ranked.
func (c Classifier) Effective(own Levels, original Levels, isCopy bool, held []Levels) Levels {
	base := own
	if isCopy {
		base = original
	}
	out := Levels{}
	for _, ax := range c.axes() {
		best := ""
		consider := func(l string) {
			if l == "" || !ax.HasLevel(l) {
				return
			}
			if best == "" {
				best = l
				return
			}
			if s, err := ax.Stricter(best, l); err == nil {
				best = s
			}
		}
		consider(base[ax.ID])
		for _, h := range held {
			consider(h[ax.ID])
		}
		if best != "" {
			out[ax.ID] = best
		}
	}
	return out
}

// Unclassified implements Deriver.
func (c Classifier) Unclassified(l Levels) bool {
	for _, ax := range c.axes() {
		if !ax.HasLevel(l[ax.ID]) {
			return true
		}
	}
	return false
}

// CheckLevels checks that each level given is a level of the policy's axis.
// An axis may be left out (not classified yet); an unknown axis or level is
// an error naming the field "levels.AXIS".
func CheckLevels(pol *policy.Policy, l Levels) error {
	for axis, level := range l {
		if level == "" {
			delete(l, axis)
			continue
		}
		var ax *policy.Axis
		var ok bool
		if pol != nil {
			ax, ok = pol.Axis(axis)
		}
		if !ok {
			return mamori.FieldError("levels."+axis, "asset.axis_unknown", map[string]any{"Axis": axis})
		}
		if !ax.HasLevel(level) {
			return mamori.FieldError("levels."+axis, "asset.level_unknown",
				map[string]any{"Axis": ax.Name.JA, "AxisEN": ax.Name.EN, "Level": level})
		}
	}
	return nil
}

// Restriction is one handling restriction that applies to an asset, with
// the clause that imposes it and the axes and levels it comes from.
type Restriction struct {
	ID     string
	Text   policy.Text
	Clause string
	From   []LevelRef
}

// LevelRef names a level of an axis.
type LevelRef struct {
	Axis  *policy.Axis
	Level *policy.Level
}

// Restrictions returns the handling restrictions (取扱制限) an asset's
// effective levels carry in the policy, in axis order, keeping those
// narrowed to personal or specific personal information (藤枝市
// 第2章5(2)⑤ウ) for assets that hold it. A restriction that several axes
// impose (施錠可能な場所への保存 for 機密性1 and 完全性1) is listed once, with
// each source; one that a level repeats under another clause is listed
// once per clause.
func Restrictions(pol *policy.Policy, a *Asset) []Restriction {
	if a == nil {
		return nil
	}
	return restrictionsOf(pol, a.Effective, a.Personal, a.SpecificPersonal)
}

func restrictionsOf(pol *policy.Policy, effective Levels, personal, specificPersonal bool) []Restriction {
	if pol == nil {
		return nil
	}
	var out []Restriction
	index := map[string]int{}
	for _, ax := range pol.Axes() {
		lid, ok := effective[ax.ID]
		if !ok {
			continue
		}
		lvl, ok := ax.Level(lid)
		if !ok {
			continue
		}
		rs, err := ax.Restrictions(lid)
		if err != nil {
			continue
		}
		for _, r := range rs {
			if !r.Applies(personal, specificPersonal) {
				continue
			}
			key := r.ID + "\x00" + r.Clause
			if i, ok := index[key]; ok {
				if last := out[i].From[len(out[i].From)-1]; last.Axis != ax {
					out[i].From = append(out[i].From, LevelRef{Axis: ax, Level: lvl})
				}
				continue
			}
			index[key] = len(out)
			out = append(out, Restriction{ID: r.ID, Text: r.Text, Clause: r.Clause, From: []LevelRef{{Axis: ax, Level: lvl}}})
		}
	}
	return out
}

// ManagerRole returns the role whose holder for the owning unit is an
// asset's manager: the 情報セキュリティ管理者 of the unit that created it
// (下條村 第2章4(2)1, 藤枝市 第2章5(2)①ア, 天草 第11条). The profile format
// has no flag for it, so it is the first per-unit role of the profile that
// grants asset.classify. ok is false when the profile has none (川俣町,
// whose roles are not published): then only holders of asset.manage
// classify.
func ManagerRole(pol *policy.Policy) (*policy.Role, bool) {
	if pol == nil {
		return nil, false
	}
	for _, r := range pol.Roles() {
		if r.Scope != policy.ScopeUnit {
			continue
		}
		for _, g := range r.Grants {
			if g == policy.PermAssetClassify {
				return r, true
			}
		}
	}
	return nil, false
}
