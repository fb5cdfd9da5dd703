package directory_test

import (
	"slices"
	"testing"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// amakusa builds 天草広域連合's two organizations (第2条(1)) with the holders
// of 第4条: a 総合情報統括管理者 per body, its 情報統括管理者 and
// ネットワーク管理者 (the substitutes of 第6条2 and 第8条2), and per-unit
// roles below.
func amakusa(t *testing.T, st *store.Store) *org {
	o := newOrg(t, st, "amakusa")
	o.unit("jimu", "事務局", "", directory.UnitBody)
	o.unit("soumu", "総務企画課", "jimu", directory.UnitSection)
	o.unit("zaimu", "財務監理係", "soumu", directory.UnitTeam)
	o.unit("fire", "消防本部", "", directory.UnitBody)
	o.unit("f-soumu", "総務課", "fire", directory.UnitSection)
	o.unit("f-kikaku", "企画係", "f-soumu", directory.UnitTeam)
	o.person("A", "事務局長 天草一郎", "jimu")
	o.person("B", "総務企画課長 本渡花子", "soumu")
	o.person("C", "財務監理係長 牛深次郎", "zaimu")
	o.person("D", "消防長 大矢野三郎", "fire")
	o.person("E", "財務監理係 係長代理 有明四郎", "zaimu")
	o.person("F", "総務企画課 課長補佐 倉岳五郎", "soumu")
	o.assign("A", "general_manager", "jimu")
	o.assign("B", "info_manager", "jimu")
	o.assign("C", "network_manager", "jimu")
	o.assign("D", "general_manager", "fire")
	o.assign("E", "security_manager", "zaimu")
	o.assign("B", "section_head", "soumu")
	o.person("G", "消防本部 企画係長 御所浦六郎", "f-kikaku")
	o.assign("G", "network_manager", "fire")
	return o
}

func TestResolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := amakusa(t, st)
		svc := directory.NewService(st)
		now := st.Now()
		for i, test := range []struct {
			name   string
			absent []string
			role   string
			unit   string
			want   []string // staff numbers acting
			as     string   // the role they hold
			forWho string   // whom they stand in for
			code   mamori.Code
		}{
			{name: "body role walks up to the body", role: "general_manager", unit: "zaimu", want: []string{"A"}, as: "general_manager"},
			{name: "other body has its own holder", role: "general_manager", unit: "f-kikaku", want: []string{"D"}, as: "general_manager"},
			{name: "per-unit role held for the unit", role: "security_manager", unit: "zaimu", want: []string{"E"}, as: "security_manager"},
			{name: "per-unit role walks up to the nearest holder", role: "section_head", unit: "zaimu", want: []string{"B"}, as: "section_head"},
			{name: "第6条2: 情報統括管理者 acts for the absent 総合情報統括管理者", absent: []string{"A"}, role: "general_manager", unit: "jimu",
				want: []string{"B"}, as: "info_manager", forWho: "A"},
			{name: "第8条2: ネットワーク管理者 when both are absent", absent: []string{"A", "B"}, role: "general_manager", unit: "soumu",
				want: []string{"C"}, as: "network_manager", forWho: "A"},
			{name: "absence in one body does not touch the other", absent: []string{"A"}, role: "general_manager", unit: "f-soumu", want: []string{"D"}, as: "general_manager"},
			{name: "everyone absent: no approver is an error", absent: []string{"A", "B", "C"}, role: "general_manager", unit: "jimu", code: mamori.ENOTFOUND},
			{name: "no holder in the tree", role: "security_manager", unit: "f-kikaku", code: mamori.ENOTFOUND},
			{name: "第8条2: the 情報統括管理者 is vacant, the ネットワーク管理者 acts", absent: []string{"D"}, role: "general_manager", unit: "f-kikaku",
				want: []string{"G"}, as: "network_manager", forWho: "D"},
			{name: "a vacant role without substitutes", role: "info_manager", unit: "f-kikaku", code: mamori.ENOTFOUND},
			{name: "per-unit role without a unit", role: "security_manager", unit: "", code: mamori.EINVALID},
			{name: "unknown role", role: "mayor", unit: "jimu", code: mamori.EINVALID},
			{name: "baseline role", role: "staff", unit: "jimu", code: mamori.EINVALID},
		} {
			i := i
			t.Run(test.name, func(t *testing.T) {
				// Each case's absences get a window of their own in the
				// future, and the case resolves inside it.
				at := now
				if len(test.absent) > 0 {
					at = now.Add(time.Duration(i+1) * 1000 * time.Hour)
					for _, s := range test.absent {
						if err := st.CreateAbsence(o.ctx, &directory.Absence{PersonID: o.people[s], Starts: at.Add(-time.Hour), Ends: at.Add(time.Hour)}); err != nil {
							t.Fatal(err)
						}
					}
				}
				got, err := svc.Resolve(o.ctx, o.pol, policy.MatterApproval, test.role, o.units[test.unit], at)
				if test.code != "" {
					if mamori.ErrorCode(err) != test.code {
						t.Fatalf("Resolve = %+v, %v; want %s", got, err, test.code)
					}
					if e, _ := mamori.AsError(err); test.code == mamori.ENOTFOUND && (e.Args["Role"] != test.role || e.Args["Unit"] == "") {
						t.Errorf("error does not name the role and unit: %+v", e.Args)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, a := range got {
					ids = append(ids, a.PersonID)
					if a.Role != test.role || a.AsRole != test.as || a.ForPersonID != o.people[test.forWho] {
						t.Errorf("acting = %+v; want role %s as %s for %q", a, test.role, test.as, test.forWho)
					}
				}
				var want []int64
				for _, s := range test.want {
					want = append(want, o.people[s])
				}
				if len(ids) != len(want) || (len(ids) > 0 && ids[0] != want[0]) {
					t.Errorf("acting %v, want %v", ids, want)
				}
			})
		}
		verifyClean(t, st)
	})
}

// Substitution in the other two profiles whose roles exist: 下條村's
// 統括情報セキュリティ責任者 for the CISO (第2章3(2)イ) and 藤枝市's
// delegation to the 情報基盤管理者 (第2章4(1)②).
func TestResolveSubstitutesOfOtherProfiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for _, test := range []struct {
			profile, role, sub string
			none               []policy.Matter // matters nobody acts on
		}{
			// 3(2)イ is limited to infringements: the CISO's approvals wait.
			{"shimojo", "ciso", "general_security_officer", []policy.Matter{policy.MatterApproval}},
			{"fujieda", "general_security_officer", "infrastructure_manager", nil},
		} {
			t.Run(test.profile, func(t *testing.T) {
				o := newOrg(t, st, test.profile)
				o.unit("soumu", "総務課", "", directory.UnitSection)
				o.person("1", "甲", "soumu")
				o.person("2", "乙", "soumu")
				o.assign("1", test.role, "")
				o.assign("2", test.sub, "")
				o.absent("1")
				for _, m := range policy.Matters {
					got, err := directory.NewService(st).Resolve(o.ctx, o.pol, m, test.role, 0, st.Now())
					if slices.Contains(test.none, m) {
						if mamori.ErrorCode(err) != mamori.ENOTFOUND {
							t.Errorf("%s: got %+v, %v; want nobody acting", m, got, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s: %v", m, err)
					}
					if len(got) != 1 || got[0].PersonID != o.people["2"] || got[0].ForPersonID != o.people["1"] || got[0].AsRole != test.sub {
						t.Errorf("%s: acting = %+v", m, got)
					}
				}
			})
		}
	})
}

func TestResolveIgnoresSuspendedEndedAndFutureHolders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st, "fujieda")
		o.unit("shimin", "市民課", "", directory.UnitSection)
		o.person("1", "停止中", "shimin")
		o.person("2", "終了済み", "shimin")
		o.person("3", "来月から", "shimin")
		o.person("4", "在任", "shimin")
		o.assign("1", "security_manager", "shimin")
		ended := o.assign("2", "security_manager", "shimin")
		if err := st.EndAssignment(o.ctx, ended, st.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		future := &directory.Assignment{PersonID: o.people["3"], Role: "security_manager", UnitID: o.units["shimin"], ValidFrom: st.Now().Add(30 * 24 * time.Hour)}
		if err := directory.Assign(o.ctx, st, o.pol, future); err != nil {
			t.Fatal(err)
		}
		o.assign("4", "security_manager", "shimin")
		if err := st.SetPersonStatus(o.ctx, o.people["1"], directory.StatusSuspended, "違反"); err != nil {
			t.Fatal(err)
		}
		got, err := directory.NewService(st).Resolve(o.ctx, o.pol, policy.MatterApproval, "security_manager", o.units["shimin"], st.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].PersonID != o.people["4"] {
			t.Errorf("acting = %+v, want only 在任", got)
		}
		// Next month the new holder acts too.
		got, err = directory.NewService(st).Resolve(o.ctx, o.pol, policy.MatterApproval, "security_manager", o.units["shimin"], st.Now().Add(31*24*time.Hour))
		if err != nil || len(got) != 2 {
			t.Errorf("next month: %+v, %v", got, err)
		}
	})
}

func TestCanActAndApprovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := amakusa(t, st)
		svc := directory.NewService(st)
		now := st.Now()
		a, ok, err := svc.CanAct(o.ctx, o.pol, policy.MatterApproval, o.people["E"], "security_manager", o.units["zaimu"], now)
		if err != nil || !ok || a.ForPersonID != 0 {
			t.Errorf("holder CanAct = %+v, %v, %v", a, ok, err)
		}
		if _, ok, err := svc.CanAct(o.ctx, o.pol, policy.MatterApproval, o.people["C"], "security_manager", o.units["zaimu"], now); err != nil || ok {
			t.Errorf("non-holder CanAct = %v, %v", ok, err)
		}
		if _, ok, err := svc.CanAct(o.ctx, o.pol, policy.MatterApproval, o.people["C"], "security_manager", o.units["f-kikaku"], now); err != nil || ok {
			t.Errorf("nobody acting: CanAct = %v, %v; want false without error", ok, err)
		}
		if _, _, err := svc.CanAct(o.ctx, o.pol, policy.MatterApproval, o.people["C"], "nosuchrole", o.units["zaimu"], now); mamori.ErrorCode(err) != mamori.EINVALID {
			t.Errorf("unknown role: %v", err)
		}
		o.absent("A")
		a, ok, err = svc.CanAct(o.ctx, o.pol, policy.MatterApproval, o.people["B"], "general_manager", o.units["zaimu"], now)
		if err != nil || !ok || a.ForPersonID != o.people["A"] || a.AsRole != "info_manager" {
			t.Errorf("substitute CanAct = %+v, %v, %v", a, ok, err)
		}
		if _, ok, _ := svc.CanAct(o.ctx, o.pol, policy.MatterApproval, o.people["A"], "general_manager", o.units["zaimu"], now); ok {
			t.Error("an absent holder may act")
		}
		// E applies; E is the only 情報セキュリティ管理者 of the unit: nobody
		// else may approve there, and the answer says why.
		if _, err := svc.Approvers(o.ctx, o.pol, "security_manager", o.units["zaimu"], now, o.people["E"]); mamori.ErrorCode(err) != mamori.EFORBIDDEN {
			t.Errorf("Approvers for the sole holder's own application: %v", err)
		}
		// A (absent) applies; B stands in for A: B may not approve it.
		if _, err := svc.Approvers(o.ctx, o.pol, "general_manager", o.units["jimu"], now, o.people["A"]); mamori.ErrorCode(err) != mamori.EFORBIDDEN {
			t.Errorf("Approvers for the absent holder's own application: %v", err)
		}
		got, err := svc.Approvers(o.ctx, o.pol, "general_manager", o.units["jimu"], now, o.people["F"])
		if err != nil || len(got) != 1 || got[0].PersonID != o.people["B"] {
			t.Errorf("Approvers for another's application = %+v, %v", got, err)
		}
	})
}
