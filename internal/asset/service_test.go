package asset_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// town is an organization under a profile with two departments, their
// sections, a manager (情報セキュリティ管理者) for 市民課 and staff.
type town struct {
	t        testing.TB
	st       *store.Store
	ctx      context.Context
	pol      *policy.Policy
	svc      *asset.Service
	units    map[string]int64 // by code
	manager  *directory.Person
	clerk    *directory.Person
	outsider *directory.Person
}

func newTown(t testing.TB, st *store.Store, profile string) *town {
	return newTownAs(t, st, profile, "town")
}

func newTownAs(t testing.TB, st *store.Store, profile, slug string) *town {
	t.Helper()
	nt, err := setup.CreateTenant(context.Background(), st, slug, "テスト町 "+slug, profile)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Builtin(profile)
	if err != nil {
		t.Fatal(err)
	}
	tw := &town{t: t, st: st, pol: pol, ctx: storetest.Scope(nt.Tenant.ID), units: map[string]int64{}}
	tw.svc = asset.NewService(st, directory.NewService(st))
	for _, u := range []struct{ code, name, parent string }{
		{"soumu", "総務部", ""}, {"soumu-ka", "総務課", "soumu"}, {"shimin", "市民部", ""}, {"shimin-ka", "市民課", "shimin"},
		{"shimin-kakari", "住民記録係", "shimin-ka"}, {"fukushi-soumu", "総務課", "shimin"},
	} {
		unit := &directory.Unit{Code: u.code, Name: u.name, Kind: directory.UnitSection, ParentID: tw.units[u.parent]}
		if u.parent == "" {
			unit.Kind = directory.UnitDepartment
		}
		if err := st.CreateUnit(tw.ctx, unit); err != nil {
			t.Fatal(err)
		}
		tw.units[u.code] = unit.ID
	}
	tw.manager = tw.person("1001", "市民 課長", "shimin-ka")
	tw.clerk = tw.person("1002", "市民 係員", "shimin-kakari")
	tw.outsider = tw.person("1003", "総務 課長", "soumu-ka")
	if role, ok := asset.ManagerRole(pol); ok {
		tw.assign(tw.manager, role.ID, "shimin-ka")
		tw.assign(tw.outsider, role.ID, "soumu-ka")
	}
	return tw
}

func (tw *town) person(staffNo, name, unit string) *directory.Person {
	p := &directory.Person{StaffNo: staffNo, Name: name, Kind: directory.KindStaff, UnitID: tw.units[unit]}
	if err := tw.st.CreatePerson(tw.ctx, p); err != nil {
		tw.t.Fatal(err)
	}
	return p
}

func (tw *town) assign(p *directory.Person, role, unit string) {
	a := &directory.Assignment{PersonID: p.ID, Role: role, UnitID: tw.units[unit], ValidFrom: time.Now().Add(-time.Hour)}
	if err := tw.st.AssignRole(tw.ctx, a); err != nil {
		tw.t.Fatal(err)
	}
}

// actor acts as p with exactly the given permissions.
func (tw *town) actor(p *directory.Person, perms ...policy.Permission) asset.Actor {
	a := asset.Actor{Can: func(x policy.Permission) bool {
		for _, q := range perms {
			if q == x {
				return true
			}
		}
		return false
	}}
	if p != nil {
		a.PersonID, a.UnitID = p.ID, p.UnitID
	}
	return a
}

func (tw *town) admin() asset.Actor {
	return tw.actor(nil, policy.Permissions...)
}

func (tw *town) create(a *asset.Asset) *asset.Asset {
	tw.t.Helper()
	if err := tw.svc.Create(tw.ctx, tw.pol, tw.admin(), a); err != nil {
		tw.t.Fatalf("create %s: %v", a.Number, err)
	}
	got, err := tw.svc.Get(tw.ctx, a.ID)
	if err != nil {
		tw.t.Fatal(err)
	}
	return got
}

func (tw *town) get(id int64) *asset.Asset {
	tw.t.Helper()
	a, err := tw.svc.Get(tw.ctx, id)
	if err != nil {
		tw.t.Fatal(err)
	}
	return a
}

func (tw *town) verify() {
	tw.t.Helper()
	reps, err := tw.st.Verify(context.Background())
	if err != nil {
		tw.t.Fatal(err)
	}
	for _, r := range reps {
		if r.Break != nil {
			tw.t.Fatalf("log verify of %s: %+v", r.Slug, r.Break)
		}
	}
}

func lv(c, i, a string) asset.Levels {
	l := asset.Levels{}
	for axis, v := range map[string]string{"confidentiality": c, "integrity": i, "availability": a} {
		if v != "" {
			l[axis] = v
		}
	}
	return l
}

func wantCode(t *testing.T, err error, code mamori.Code, field string) {
	t.Helper()
	e, ok := mamori.AsError(err)
	if !ok || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}

// A server holding data of several levels is handled at the strictest
// (藤枝市 第2章5(2)④ウ); a copy follows its original (①イ); lowering what
// it holds lowers it again; each change is an event and the log verifies.
func TestDerivedLevels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		unit := tw.units["shimin-ka"]
		srv := tw.create(&asset.Asset{Number: "S-1", Name: "住基サーバ", Kind: asset.KindServer, UnitID: unit})
		if !srv.Unclassified || len(srv.Effective) != 0 {
			t.Fatalf("empty server: %+v", srv)
		}
		d1 := tw.create(&asset.Asset{Number: "D-1", Name: "住民票データ", Kind: asset.KindInformation, UnitID: unit, ParentID: srv.ID, Levels: lv("2", "2", "2")})
		if got := tw.get(srv.ID).Effective; !got.Equal(lv("2", "2", "2")) {
			t.Errorf("server holding level 2 data is handled as %v", got)
		}
		d2 := tw.create(&asset.Asset{Number: "D-2", Name: "税データ", Kind: asset.KindInformation, UnitID: unit, ParentID: srv.ID, Levels: lv("1", "3", "2")})
		if got := tw.get(srv.ID).Effective; !got.Equal(lv("1", "2", "2")) {
			t.Errorf("server holding levels 1 and 2 is handled as %v, want the strictest on each axis", got)
		}
		if tw.get(srv.ID).Unclassified {
			t.Error("a server classified by what it holds is still waiting")
		}
		// A backup medium held by the server's own rack: a copy of D-2.
		bak := tw.create(&asset.Asset{Number: "B-1", Name: "バックアップ媒体", Kind: asset.KindMedium, UnitID: unit, CopyOf: d2.ID})
		if !bak.Effective.Equal(lv("1", "3", "2")) || len(bak.Levels) != 0 {
			t.Errorf("copy: own %v, effective %v", bak.Levels, bak.Effective)
		}
		// Levels given on a copy must be the original's.
		err := tw.svc.Create(tw.ctx, tw.pol, tw.admin(), &asset.Asset{Number: "B-2", Name: "写し", Kind: asset.KindPaper, UnitID: unit, CopyOf: d2.ID, Levels: lv("3", "", "")})
		wantCode(t, err, mamori.EINVALID, "levels.confidentiality")
		// Lowering D-2 lowers the server and its copy.
		admin := tw.admin()
		if _, err := tw.svc.Reclassify(tw.ctx, tw.pol, admin, d2.ID, lv("3", "", ""), ""); err == nil {
			t.Fatal("changing a decided level without a reason was accepted")
		} else {
			wantCode(t, err, mamori.EINVALID, "reason")
		}
		if _, err := tw.svc.Reclassify(tw.ctx, tw.pol, admin, d2.ID, lv("3", "", ""), "公開済みの統計に置き換えたため"); err != nil {
			t.Fatal(err)
		}
		if got := tw.get(srv.ID).Effective; !got.Equal(lv("2", "2", "2")) {
			t.Errorf("after lowering D-2 the server is %v", got)
		}
		if got := tw.get(bak.ID).Effective; !got.Equal(lv("3", "3", "2")) {
			t.Errorf("the copy did not follow its original: %v", got)
		}
		// A copy is not reclassified itself.
		_, err = tw.svc.Reclassify(tw.ctx, tw.pol, admin, bak.ID, lv("1", "", ""), "x")
		wantCode(t, err, mamori.EINVALID, "levels")
		// Moving D-1 out of the server lowers it to what remains.
		d1.ParentID = 0
		if err := tw.svc.Update(tw.ctx, tw.pol, admin, d1); err != nil {
			t.Fatal(err)
		}
		if got := tw.get(srv.ID).Effective; !got.Equal(lv("3", "3", "2")) {
			t.Errorf("after D-1 left, the server is %v", got)
		}
		// The history holds the reclassification with its reason.
		hist, err := tw.svc.History(tw.ctx, d2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) < 2 || hist[0].Action != "asset.reclassify" || !strings.Contains(hist[0].Data, "公開済みの統計") {
			t.Errorf("history %+v", hist)
		}
		srvHist, _ := tw.svc.History(tw.ctx, srv.ID)
		derives := 0
		for _, e := range srvHist {
			if e.Action == "asset.derive" {
				derives++
			}
		}
		if derives < 4 {
			t.Errorf("server has %d derive events, want one per change", derives)
		}
		tw.verify()
	})
}

func TestReferencesAndLoops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		unit := tw.units["shimin-ka"]
		admin := tw.admin()
		sys := tw.create(&asset.Asset{Number: "SYS", Name: "システム", Kind: asset.KindSystem, UnitID: unit})
		med := tw.create(&asset.Asset{Number: "MED", Name: "媒体", Kind: asset.KindMedium, UnitID: unit, ParentID: sys.ID})
		doc := tw.create(&asset.Asset{Number: "DOC", Name: "文書", Kind: asset.KindPaper, UnitID: unit})
		for _, test := range []struct {
			name  string
			a     asset.Asset
			code  mamori.Code
			field string
		}{
			{"number taken", asset.Asset{Number: "ＳＹＳ", Name: "x", Kind: asset.KindPC, UnitID: unit}, mamori.ECONFLICT, "number"},
			{"unknown unit", asset.Asset{Number: "X1", Name: "x", Kind: asset.KindPC, UnitID: 999}, mamori.EINVALID, "unit_id"},
			{"unknown holder", asset.Asset{Number: "X2", Name: "x", Kind: asset.KindPC, UnitID: unit, ParentID: 999}, mamori.EINVALID, "parent"},
			{"paper holds nothing", asset.Asset{Number: "X3", Name: "x", Kind: asset.KindInformation, UnitID: unit, ParentID: doc.ID}, mamori.EINVALID, "parent"},
			{"copy held by its original", asset.Asset{Number: "X4", Name: "x", Kind: asset.KindMedium, UnitID: unit, ParentID: sys.ID, CopyOf: sys.ID}, mamori.EINVALID, "copy_of"},
			{"copy of what holds its holder", asset.Asset{Number: "X5", Name: "x", Kind: asset.KindMedium, UnitID: unit, ParentID: med.ID, CopyOf: sys.ID}, mamori.EINVALID, "copy_of"},
			{"unknown segment", asset.Asset{Number: "X6", Name: "x", Kind: asset.KindPC, UnitID: unit, Segment: "lgwan"}, mamori.EINVALID, "segment"},
			{"unknown level", asset.Asset{Number: "X7", Name: "x", Kind: asset.KindPC, UnitID: unit, Levels: asset.Levels{"confidentiality": "4"}}, mamori.EINVALID, "levels.confidentiality"},
		} {
			t.Run(test.name, func(t *testing.T) {
				a := test.a
				wantCode(t, tw.svc.Create(tw.ctx, tw.pol, admin, &a), test.code, test.field)
			})
		}
		// Moving the system under the medium it holds would loop.
		sys.ParentID = med.ID
		wantCode(t, tw.svc.Update(tw.ctx, tw.pol, admin, sys), mamori.EINVALID, "parent")
		tw.verify()
	})
}

func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		writer := tw.actor(tw.clerk, policy.PermAssetRead, policy.PermAssetWrite)
		// asset.write reaches the clerk's own unit (and below), not others.
		mine := &asset.Asset{Number: "M-1", Name: "係の文書", Kind: asset.KindPaper, UnitID: tw.units["shimin-kakari"]}
		if err := tw.svc.Create(tw.ctx, tw.pol, writer, mine); err != nil {
			t.Fatal(err)
		}
		other := &asset.Asset{Number: "M-2", Name: "総務の文書", Kind: asset.KindPaper, UnitID: tw.units["soumu-ka"]}
		wantCode(t, tw.svc.Create(tw.ctx, tw.pol, writer, other), mamori.EFORBIDDEN, "unit_id")
		mine.UnitID = tw.units["soumu-ka"]
		wantCode(t, tw.svc.Update(tw.ctx, tw.pol, writer, mine), mamori.EFORBIDDEN, "unit_id")
		reader := tw.actor(tw.clerk, policy.PermAssetRead)
		wantCode(t, tw.svc.Create(tw.ctx, tw.pol, reader, &asset.Asset{Number: "M-3", Name: "x", Kind: asset.KindPaper, UnitID: tw.units["shimin-kakari"]}), mamori.EFORBIDDEN, "unit_id")

		// Only the manager of the owning unit classifies: 住民記録係 has
		// no manager of its own, so 市民課's manager is its manager.
		classify := []policy.Permission{policy.PermAssetRead, policy.PermAssetClassify}
		_, err := tw.svc.Reclassify(tw.ctx, tw.pol, tw.actor(tw.clerk, classify...), 1, lv("2", "", ""), "")
		wantCode(t, err, mamori.EFORBIDDEN, "")
		_, err = tw.svc.Reclassify(tw.ctx, tw.pol, tw.actor(tw.outsider, classify...), 1, lv("2", "", ""), "")
		wantCode(t, err, mamori.EFORBIDDEN, "")
		a, err := tw.svc.Reclassify(tw.ctx, tw.pol, tw.actor(tw.manager, classify...), 1, lv("2", "2", ""), "")
		if err != nil {
			t.Fatal(err)
		}
		if !a.Unclassified || a.Effective["confidentiality"] != "2" {
			t.Errorf("after a partial decision: %+v", a)
		}
		managers, role, err := tw.svc.Managers(tw.ctx, tw.pol, tw.units["shimin-kakari"])
		if err != nil || role == nil || len(managers) != 1 || managers[0].PersonID != tw.manager.ID {
			t.Errorf("managers of 住民記録係: %+v %v %v", managers, role, err)
		}
		// The manager's queue holds what waits in the units they manage.
		q, n, err := tw.svc.Queue(tw.ctx, tw.pol, asset.Actor{PersonID: tw.manager.ID, Roles: []asset.RoleHolding{{Role: role.ID, UnitID: tw.units["shimin-ka"]}},
			Can: func(p policy.Permission) bool { return p == policy.PermAssetClassify }}, asset.Filter{})
		if err != nil || n != 1 || len(q) != 1 || q[0].Number != "M-1" {
			t.Errorf("queue: %d %+v %v", n, q, err)
		}
		q, n, _ = tw.svc.Queue(tw.ctx, tw.pol, asset.Actor{PersonID: tw.outsider.ID, Roles: []asset.RoleHolding{{Role: role.ID, UnitID: tw.units["soumu-ka"]}},
			Can: func(p policy.Permission) bool { return p == policy.PermAssetClassify }}, asset.Filter{})
		if n != 0 || len(q) != 0 {
			t.Errorf("another unit's manager sees %d waiting", n)
		}
		// Marking an asset disposed is for its manager.
		mine.UnitID = tw.units["shimin-kakari"]
		mine.State = asset.StateDisposed
		wantCode(t, tw.svc.Update(tw.ctx, tw.pol, writer, mine), mamori.EFORBIDDEN, "state")
		tw.verify()
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		shimin, soumu := tw.units["shimin-ka"], tw.units["soumu-ka"]
		kakari := tw.units["shimin-kakari"]
		keep := time.Date(2030, 3, 31, 0, 0, 0, 0, time.UTC)
		srv := tw.create(&asset.Asset{Number: "A-005", Name: "住基サーバ", Kind: asset.KindServer, UnitID: shimin, Location: "本庁舎3階 サーバ室", ControlArea: "サーバ室"})
		tw.create(&asset.Asset{Number: "A-001", Name: "住民票データ", Kind: asset.KindInformation, UnitID: kakari, ParentID: srv.ID, Levels: lv("1", "1", "1"), Personal: true, SpecificPersonal: true, KeepUntil: &keep})
		tw.create(&asset.Asset{Number: "A-002", Name: "広報原稿", Kind: asset.KindPaper, UnitID: soumu, Levels: lv("3", "3", "2"), Location: "本庁舎2階"})
		tw.create(&asset.Asset{Number: "A-003", Name: "職員端末", Kind: asset.KindPC, UnitID: soumu, Levels: lv("2", "", "")})
		tw.create(&asset.Asset{Number: "B-004", Name: "申請書_原本", Kind: asset.KindPaper, UnitID: shimin, Levels: lv("2", "2", "2"), Personal: true, State: asset.StateStored})
		for _, test := range []struct {
			name string
			f    asset.Filter
			want string
		}{
			{"all by number", asset.Filter{}, "A-001 A-002 A-003 A-005 B-004"},
			{"descending", asset.Filter{Desc: true}, "B-004 A-005 A-003 A-002 A-001"},
			{"by name", asset.Filter{Sort: asset.SortName}, "住基サーバ 住民票データ 広報原稿 申請書_原本 職員端末"},
			{"unit with the units below", asset.Filter{UnitID: shimin}, "A-001 A-005 B-004"},
			{"department", asset.Filter{UnitID: tw.units["soumu"]}, "A-002 A-003"},
			{"kind", asset.Filter{Kind: asset.KindPaper}, "A-002 B-004"},
			{"equipment", asset.Filter{Kind: asset.KindEquipmentGroup}, "A-003 A-005"},
			{"effective level", asset.Filter{Levels: map[string]string{"confidentiality": "1"}}, "A-001 A-005"},
			{"two axes", asset.Filter{Levels: map[string]string{"confidentiality": "2", "integrity": "2"}}, "B-004"},
			{"unclassified axis", asset.Filter{Levels: map[string]string{"integrity": asset.Unknown}}, "A-003"},
			{"to classify", asset.Filter{ToClassify: true}, "A-003"},
			{"personal", asset.Filter{Personal: asset.Yes}, "A-001 B-004"},
			{"not personal", asset.Filter{Personal: asset.No}, "A-002 A-003 A-005"},
			{"specific personal", asset.Filter{Specific: asset.Yes}, "A-001"},
			{"location prefix", asset.Filter{Location: "本庁舎3階"}, "A-005"},
			{"location prefix with a LIKE character", asset.Filter{Location: "本庁舎%"}, ""},
			{"control area", asset.Filter{ControlArea: "サーバ室"}, "A-005"},
			{"state", asset.Filter{State: asset.StateStored}, "B-004"},
			{"number prefix", asset.Filter{Query: "A-00"}, "A-001 A-002 A-003 A-005"},
			{"name part", asset.Filter{Query: "原本"}, "B-004"},
			{"underscore is literal", asset.Filter{Query: "申請書_"}, "B-004"},
			{"one character", asset.Filter{Query: "端"}, "A-003"},
			{"a name's end", asset.Filter{Query: "サーバ"}, "A-005"},
			{"no name holds a pair of it", asset.Filter{Query: "住基データ"}, ""},
			{"every pair held, not in a row", asset.Filter{Query: "住民票データ住民"}, ""},
			{"held by", asset.Filter{ParentID: srv.ID}, "A-001"},
			{"keep until, empty last", asset.Filter{Sort: asset.SortKeepUntil}, "A-001 A-005 A-002 A-003 B-004"},
			{"page", asset.Filter{Limit: 2, Offset: 2}, "A-003 A-005"},
			{"past the end", asset.Filter{Offset: 10}, ""},
		} {
			t.Run(test.name, func(t *testing.T) {
				got, total, err := tw.svc.List(tw.ctx, tw.pol, test.f)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, a := range got {
					if test.f.Sort == asset.SortName {
						ids = append(ids, a.Name)
					} else {
						ids = append(ids, a.Number)
					}
				}
				if s := strings.Join(ids, " "); s != test.want {
					t.Errorf("got %q, want %q", s, test.want)
				}
				if test.f.Limit == 0 && test.f.Offset == 0 && total != len(got) {
					t.Errorf("total %d, listed %d", total, len(got))
				}
			})
		}
		if _, n, _ := tw.svc.List(tw.ctx, tw.pol, asset.Filter{Limit: 2, Offset: 2}); n != 5 {
			t.Errorf("total of a page = %d, want 5", n)
		}
		// A renamed asset is found by its new name only, ASCII letters in
		// either case, on both databases.
		renamed := tw.get(srv.ID)
		renamed.Name = "Juki Server 住基"
		if err := tw.svc.Update(tw.ctx, tw.pol, tw.admin(), renamed); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"SERVER": 1, "juki s": 1, "住基サーバ": 0, "住基": 1, "Server住基": 0,
			// Longer than the pairs counted: the name confirms the rest.
			"juki server 住基": 1, "xjuki server 住基": 0} {
			if got, _, err := tw.svc.List(tw.ctx, tw.pol, asset.Filter{Query: q}); err != nil || len(got) != want {
				t.Errorf("after the rename, %q finds %d (%v), want %d", q, len(got), err, want)
			}
		}
		for _, bad := range []struct {
			f     asset.Filter
			field string
		}{
			{asset.Filter{Kind: "rocket"}, "kind"},
			{asset.Filter{Levels: map[string]string{"confidentiality": "9"}}, "level.confidentiality"},
			{asset.Filter{Levels: map[string]string{"secrecy": "1"}}, "level.secrecy"},
			{asset.Filter{Sort: "colour"}, "sort"},
			{asset.Filter{Limit: 10000}, "limit"},
			{asset.Filter{Personal: "maybe"}, "personal"},
			{asset.Filter{Segment: "lgwan"}, "segment"},
		} {
			_, _, err := tw.svc.List(tw.ctx, tw.pol, bad.f)
			wantCode(t, err, mamori.EINVALID, bad.field)
		}
		// Another organization sees none of it.
		nt, err := setup.CreateTenant(context.Background(), st, "other", "別の町", "fujieda")
		if err != nil {
			t.Fatal(err)
		}
		octx := storetest.Scope(nt.Tenant.ID)
		if got, n, err := tw.svc.List(octx, tw.pol, asset.Filter{}); err != nil || n != 0 || len(got) != 0 {
			t.Errorf("another tenant lists %d assets (%v)", n, err)
		}
		if _, err := tw.svc.Get(octx, srv.ID); mamori.ErrorCode(err) != mamori.ENOTFOUND {
			t.Errorf("another tenant loads asset %d: %v", srv.ID, err)
		}
	})
}
