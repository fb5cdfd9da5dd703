package asset

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/eventlog"
	"mamori/internal/policy"
)

// Store is what the register needs of the database. internal/store
// implements it; each method is one transaction.
type Store interface {
	// Units lists the organization's units.
	Units(ctx context.Context) ([]directory.Unit, error)
	// CreateAsset validates references (unit, parent, original, a free
	// number), stores a, derives its effective levels and those of what
	// holds it, and records the events.
	CreateAsset(ctx context.Context, a *Asset, d Deriver) error
	// UpdateAsset changes everything but the classification.
	UpdateAsset(ctx context.Context, a *Asset, d Deriver) error
	// ReclassifyAsset sets an asset's own levels, with the reason.
	ReclassifyAsset(ctx context.Context, id int64, levels Levels, reason string, d Deriver) error
	Asset(ctx context.Context, id int64) (*Asset, error)
	AssetByNumber(ctx context.Context, number string) (*Asset, error)
	// Assets lists a page of the register and how many match in all.
	Assets(ctx context.Context, f Filter) ([]Asset, int, error)
	// EachAsset calls fn for every asset matching f, in order, in one read
	// transaction (exports).
	EachAsset(ctx context.Context, f Filter, fn func(*Asset) error) error
	// AssetRefs returns the whole register in brief, for imports.
	AssetRefs(ctx context.Context) ([]Ref, error)
	// ImportAssets stores a batch in one transaction.
	ImportAssets(ctx context.Context, b *Batch, d Deriver, progress func(done, total int)) error
	// AssetHistory returns the events of one asset, newest first.
	AssetHistory(ctx context.Context, id int64) ([]eventlog.Event, error)
	// ImportPeople lists the people an import's manager column may name.
	ImportPeople(ctx context.Context) ([]directory.Person, error)
}

// Resolver answers who acts in a role for a unit; *directory.Service is one.
type Resolver interface {
	Resolve(ctx context.Context, pol *policy.Policy, matter policy.Matter, role string, unitID int64, at time.Time) ([]directory.Acting, error)
}

// Actor is the person acting and what they may do.
type Actor struct {
	PersonID int64
	UnitID   int64
	Roles    []RoleHolding
	Can      func(policy.Permission) bool
}

// RoleHolding is a role an actor holds, for a unit when it is per unit.
type RoleHolding struct {
	Role   string
	UnitID int64
}

func (a Actor) can(p policy.Permission) bool { return a.Can != nil && a.Can(p) }

// Service is the register's rules.
type Service struct {
	st  Store
	dir Resolver
	now func() time.Time
}

// NewService returns the register over st, resolving managers with dir.
func NewService(st Store, dir Resolver) *Service {
	return &Service{st: st, dir: dir, now: time.Now}
}

// scope is what an actor may write: every unit (asset.manage) or the
// units of their own (asset.write): the unit they belong to and those
// they hold a per-unit role for, with the units below them.
type scope struct {
	all   bool
	units map[int64]bool
}

func (sc scope) has(unit int64) bool { return sc.all || sc.units[unit] }

func (s *Service) writeScope(ctx context.Context, actor Actor) (scope, error) {
	if actor.can(policy.PermAssetManage) {
		return scope{all: true}, nil
	}
	sc := scope{units: map[int64]bool{}}
	if !actor.can(policy.PermAssetWrite) {
		return sc, nil
	}
	units, err := s.st.Units(ctx)
	if err != nil {
		return sc, err
	}
	children := map[int64][]int64{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u.ID)
	}
	roots := []int64{actor.UnitID}
	for _, r := range actor.Roles {
		roots = append(roots, r.UnitID)
	}
	for _, root := range roots {
		if root == 0 {
			continue
		}
		queue := []int64{root}
		for len(queue) > 0 && len(sc.units) <= len(units) {
			u := queue[0]
			queue = queue[1:]
			if sc.units[u] {
				continue
			}
			sc.units[u] = true
			queue = append(queue, children[u]...)
		}
	}
	return sc, nil
}

// CanWrite reports whether actor may register or edit assets of unitID.
func (s *Service) CanWrite(ctx context.Context, actor Actor, unitID int64) (bool, error) {
	sc, err := s.writeScope(ctx, actor)
	return sc.has(unitID), err
}

// Managers returns who manages the assets of a unit now: the holders of
// the profile's manager role for the unit (or the nearest unit above that
// has one), or their substitutes while they are absent. The role is nil
// when the profile names none; the list is empty when nobody holds it.
func (s *Service) Managers(ctx context.Context, pol *policy.Policy, unitID int64) ([]directory.Acting, *policy.Role, error) {
	role, ok := ManagerRole(pol)
	if !ok || s.dir == nil {
		return nil, nil, nil
	}
	acting, err := s.dir.Resolve(ctx, pol, policy.MatterApproval, role.ID, unitID, s.now())
	if err != nil {
		if e, ok := mamori.AsError(err); ok && (e.Message == "role.nobody_acts" || e.Code == mamori.ENOTFOUND) {
			return nil, role, nil
		}
		return nil, role, err
	}
	return acting, role, nil
}

// CanClassify reports whether actor may set an asset's classification:
// the asset's manager (下條村 第2章4(2)1, 3-3: the unit's 情報セキュリティ
// 管理者 decides what is unclear) holding asset.classify, or anyone with
// asset.manage.
func (s *Service) CanClassify(ctx context.Context, pol *policy.Policy, actor Actor, a *Asset) (bool, error) {
	if actor.can(policy.PermAssetManage) {
		return true, nil
	}
	if !actor.can(policy.PermAssetClassify) {
		return false, nil
	}
	managers, _, err := s.Managers(ctx, pol, a.UnitID)
	if err != nil {
		return false, err
	}
	for _, m := range managers {
		if m.PersonID == actor.PersonID {
			return true, nil
		}
	}
	return false, nil
}

// checkPolicyFields checks the levels and the segment against the policy.
func checkPolicyFields(pol *policy.Policy, a *Asset) error {
	if err := CheckLevels(pol, a.Levels); err != nil {
		return err
	}
	if a.Segment != "" && !segmentKnown(pol, a.Segment) {
		return mamori.FieldError("segment", "asset.segment_unknown", map[string]any{"Segment": a.Segment})
	}
	return nil
}

var errUnitForbidden = &mamori.Error{Code: mamori.EFORBIDDEN, Message: "asset.unit_forbidden", Field: "unit_id"}

// Create registers an asset. Whoever registers it gives its levels (下條村
// 第2章4(2)2-2); an axis left open puts the asset in its manager's queue
// (下條村 第2章4(2)3-3). A copy takes its original's classification (藤枝市
// 第2章5(2)①イ): levels given for it must be the original's.
func (s *Service) Create(ctx context.Context, pol *policy.Policy, actor Actor, a *Asset) error {
	a.ID = 0
	if err := a.Validate(); err != nil {
		return err
	}
	if err := checkPolicyFields(pol, a); err != nil {
		return err
	}
	ok, err := s.CanWrite(ctx, actor, a.UnitID)
	if err != nil {
		return err
	}
	if !ok {
		return errUnitForbidden
	}
	if a.CopyOf != 0 {
		if err := s.copyLevels(ctx, a); err != nil {
			return err
		}
	}
	a.CreatedBy = actor.PersonID
	return s.st.CreateAsset(ctx, a, NewClassifier(pol))
}

// copyLevels refuses levels on a copy that differ from its original's and
// drops them: the copy's classification is derived, never typed.
func (s *Service) copyLevels(ctx context.Context, a *Asset) error {
	if len(a.Levels) == 0 {
		return nil
	}
	orig, err := s.st.Asset(ctx, a.CopyOf)
	if err != nil {
		if mamori.ErrorCode(err) == mamori.ENOTFOUND {
			return mamori.FieldError("copy_of", "asset.original_unknown", nil)
		}
		return err
	}
	for axis, l := range a.Levels {
		if orig.Effective[axis] != l {
			return mamori.FieldError("levels."+axis, "asset.copy_levels", map[string]any{"Original": orig.Number})
		}
	}
	a.Levels = Levels{}
	return nil
}

// Update changes an asset's description. Its classification changes only
// through Reclassify. Both the old and the new owning unit must be the
// actor's to write; marking an asset disposed is for its manager (the
// disposal itself needs the manager's permission: 藤枝市 第2章5(2)⑪イ,
// 下條村 第2章4(2)9-3).
func (s *Service) Update(ctx context.Context, pol *policy.Policy, actor Actor, a *Asset) error {
	old, err := s.st.Asset(ctx, a.ID)
	if err != nil {
		return err
	}
	a.Levels = old.Levels
	if err := a.Validate(); err != nil {
		return err
	}
	if err := checkPolicyFields(pol, a); err != nil {
		return err
	}
	sc, err := s.writeScope(ctx, actor)
	if err != nil {
		return err
	}
	if !sc.has(old.UnitID) || !sc.has(a.UnitID) {
		return errUnitForbidden
	}
	if a.State == StateDisposed && old.State != StateDisposed {
		ok, err := s.CanClassify(ctx, pol, actor, old)
		if err != nil {
			return err
		}
		if !ok {
			return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "asset.dispose_forbidden", Field: "state"}
		}
	}
	return s.st.UpdateAsset(ctx, a, NewClassifier(pol))
}

// maxReason bounds the reason given for a reclassification.
const maxReason = 1000

// Reclassify sets levels of an asset's own classification; axes not given
// keep their level. Only the asset's manager (or a holder of asset.manage)
// may; changing a level that was set needs a reason, and the change and
// the reason are kept in the asset's history. Classifying an axis that was
// open is the manager's decision on an unclear asset (下條村 第2章4(2)3-3).
// A copy follows its original and is not reclassified itself.
func (s *Service) Reclassify(ctx context.Context, pol *policy.Policy, actor Actor, id int64, levels Levels, reason string) (*Asset, error) {
	a, err := s.st.Asset(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.CopyOf != 0 {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "asset.copy_follows_original", Field: "levels",
			Args: map[string]any{"Original": a.OriginalNumber}}
	}
	levels = levels.Clone()
	if err := CheckLevels(pol, levels); err != nil {
		return nil, err
	}
	if len(levels) == 0 {
		return nil, mamori.FieldError("levels", "asset.levels_required", nil)
	}
	ok, err := s.CanClassify(ctx, pol, actor, a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "asset.classify_forbidden"}
	}
	merged := a.Levels.Clone()
	changed, needsReason := false, false
	for axis, l := range levels {
		if old, had := merged[axis]; had && old != l {
			needsReason = true
		}
		if merged[axis] != l {
			changed = true
		}
		merged[axis] = l
	}
	if !changed {
		return nil, &mamori.Error{Code: mamori.ECONFLICT, Message: "asset.levels_unchanged", Field: "levels"}
	}
	reason = strings.TrimSpace(reason)
	if needsReason && reason == "" {
		return nil, mamori.FieldError("reason", "asset.reason_required", nil)
	}
	if utf8.RuneCountInString(reason) > maxReason {
		return nil, mamori.FieldError("reason", "asset.text_too_long", map[string]any{"Max": maxReason})
	}
	if err := s.st.ReclassifyAsset(ctx, id, merged, reason, NewClassifier(pol)); err != nil {
		return nil, err
	}
	return s.st.Asset(ctx, id)
}

// Source says where an asset's effective level on an axis comes from.
type Source string

const (
	SourceOwn      Source = "own"      // the level it was given
	SourceHeld     Source = "held"     // raised by an asset it holds (藤枝市 第2章5(2)④ウ)
	SourceOriginal Source = "original" // its original's (藤枝市 第2章5(2)①イ)
	SourceUnknown  Source = "unknown"  // not classified: its manager decides (下條村 第2章4(2)3-3)
)

// AxisLevel is an asset's classification on one axis, explained.
type AxisLevel struct {
	Axis   *policy.Axis
	Own    *policy.Level // nil when not given
	Level  *policy.Level // effective; nil when unclassified
	Source Source
}

// Explain returns, for each axis of the policy, the level an asset is
// handled at and where it comes from.
func Explain(pol *policy.Policy, a *Asset) []AxisLevel {
	if pol == nil {
		return nil
	}
	var out []AxisLevel
	for _, ax := range pol.Axes() {
		al := AxisLevel{Axis: ax}
		if l, ok := ax.Level(a.Levels[ax.ID]); ok && a.CopyOf == 0 {
			al.Own = l
		}
		l, ok := ax.Level(a.Effective[ax.ID])
		switch {
		case !ok:
			al.Source = SourceUnknown
		case a.CopyOf != 0:
			al.Level, al.Source = l, SourceOriginal
		case al.Own == nil || al.Own.ID != l.ID:
			al.Level, al.Source = l, SourceHeld
		default:
			al.Level, al.Source = l, SourceOwn
		}
		out = append(out, al)
	}
	return out
}

// Get loads an asset.
func (s *Service) Get(ctx context.Context, id int64) (*Asset, error) { return s.st.Asset(ctx, id) }

// List returns a page of the register matching f and how many match.
func (s *Service) List(ctx context.Context, pol *policy.Policy, f Filter) ([]Asset, int, error) {
	if err := f.Validate(pol); err != nil {
		return nil, 0, err
	}
	return s.st.Assets(ctx, f)
}

// Queue returns the assets waiting for actor to classify them: those not
// classified on some axis, in the units actor manages (all units for a
// holder of asset.manage).
func (s *Service) Queue(ctx context.Context, pol *policy.Policy, actor Actor, f Filter) ([]Asset, int, error) {
	f.ToClassify = true
	if !actor.can(policy.PermAssetManage) {
		role, ok := ManagerRole(pol)
		if !ok || !actor.can(policy.PermAssetClassify) {
			return nil, 0, nil
		}
		var units []int64
		for _, r := range actor.Roles {
			if r.Role == role.ID && r.UnitID != 0 && !slices.Contains(units, r.UnitID) {
				units = append(units, r.UnitID)
			}
		}
		if len(units) == 0 {
			return nil, 0, nil
		}
		f.Within = units
	}
	return s.List(ctx, pol, f)
}

// History returns the events of an asset, newest first: its creation, its
// edits and each reclassification with its reason.
func (s *Service) History(ctx context.Context, id int64) ([]eventlog.Event, error) {
	return s.st.AssetHistory(ctx, id)
}
