package store_test

import (
	"context"
	"testing"
	"time"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

func TestUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "amakusa")
		jimu := &directory.Unit{Code: "jimu", Name: "事務局", Kind: directory.UnitBody, Body: "secretariat"}
		fire := &directory.Unit{Code: "fire", Name: "消防本部", Kind: directory.UnitBody, Body: "fire"}
		for _, u := range []*directory.Unit{jimu, fire} {
			if err := s.CreateUnit(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		soumu := &directory.Unit{Code: "soumu", Name: "総務企画課", Kind: directory.UnitSection, ParentID: jimu.ID}
		if err := s.CreateUnit(ctx, soumu); err != nil {
			t.Fatal(err)
		}
		kakari := &directory.Unit{Code: "zaimu", Name: "財務監理係", Kind: directory.UnitTeam, ParentID: soumu.ID}
		if err := s.CreateUnit(ctx, kakari); err != nil {
			t.Fatal(err)
		}
		for _, test := range []struct {
			name  string
			u     directory.Unit
			code  mamori.Code
			field string
		}{
			{"duplicate code", directory.Unit{Code: "soumu", Name: "x", Kind: directory.UnitSection}, mamori.ECONFLICT, "code"},
			{"code with a space", directory.Unit{Code: "a b", Name: "x", Kind: directory.UnitSection}, mamori.EINVALID, "code"},
			{"no name", directory.Unit{Code: "x", Kind: directory.UnitSection}, mamori.EINVALID, "name"},
			{"unknown kind", directory.Unit{Code: "x", Name: "x", Kind: "bureau"}, mamori.EINVALID, "kind"},
			{"parent missing", directory.Unit{Code: "x", Name: "x", Kind: directory.UnitSection, ParentID: 999}, mamori.EINVALID, "parent_id"},
		} {
			u := test.u
			err := s.CreateUnit(ctx, &u)
			if e, ok := mamori.AsError(err); !ok || e.Code != test.code || e.Field != test.field {
				t.Errorf("%s: %v, want %s on %s", test.name, err, test.code, test.field)
			}
		}
		// Moving 事務局 under its own 係 would make a cycle.
		moved := *jimu
		moved.ParentID = kakari.ID
		if err := s.UpdateUnit(ctx, &moved); mamori.ErrorCode(err) != mamori.EINVALID {
			t.Errorf("cycle: %v", err)
		}
		path, err := s.UnitPath(ctx, kakari.ID)
		if err != nil || len(path) != 3 || path[0].ID != kakari.ID || path[2].ID != jimu.ID {
			t.Errorf("path = %+v, %v", path, err)
		}
		units, err := s.Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tree := directory.Tree(units)
		var order []string
		for _, n := range tree {
			order = append(order, n.Code)
		}
		if got := order; len(got) != 4 || got[0] != "fire" || got[1] != "jimu" || got[2] != "soumu" || got[3] != "zaimu" || tree[3].Depth != 2 {
			t.Errorf("tree = %v", tree)
		}
		// A unit in use cannot be deleted; an unused one can.
		p := &directory.Person{StaffNo: "1", Name: "甲", Kind: directory.KindStaff, UnitID: kakari.ID}
		if err := s.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUnit(ctx, kakari.ID); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("delete in use: %v", err)
		}
		if err := s.DeleteUnit(ctx, soumu.ID); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("delete with sub-units: %v", err)
		}
		if err := s.DeleteUnit(ctx, fire.ID); err != nil {
			t.Errorf("delete unused: %v", err)
		}
		verifyClean(t, s)
	})
}

func TestPeopleFilterAndStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "fujieda")
		bu := &directory.Unit{Code: "shimin-bu", Name: "市民部", Kind: directory.UnitDepartment}
		if err := s.CreateUnit(ctx, bu); err != nil {
			t.Fatal(err)
		}
		ka := &directory.Unit{Code: "shimin", Name: "市民課", Kind: directory.UnitSection, ParentID: bu.ID}
		if err := s.CreateUnit(ctx, ka); err != nil {
			t.Fatal(err)
		}
		hash, _ := auth.HashPassword("first-password-1")
		people := []*directory.Person{
			{StaffNo: "100", Name: "山田 太郎", Kana: "やまだ たろう", Kind: directory.KindStaff, UnitID: ka.ID},
			{StaffNo: "101", Name: "鈴木 50%", Kind: directory.KindContractor, UnitID: bu.ID},
			{StaffNo: "102", Name: "田中 花子", Email: "tanaka@example.jp", Kind: directory.KindPartTime},
		}
		for _, p := range people {
			if err := s.CreatePersonWith(ctx, p, []string{}, p.StaffNo, hash); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetSegments(ctx, people[0].ID, []string{"mynumber", "lgwan"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSegments(ctx, people[0].ID, []string{"lgwan"}); err != nil {
			t.Fatal(err)
		}
		if segs, _ := s.Segments(ctx, people[0].ID); len(segs) != 1 || segs[0] != "lgwan" {
			t.Errorf("segments = %v", segs)
		}
		for _, test := range []struct {
			f    store.PeopleFilter
			want []string
		}{
			{store.PeopleFilter{Query: "やまだ"}, []string{"100"}},
			{store.PeopleFilter{Query: "50%"}, []string{"101"}},
			{store.PeopleFilter{Query: "%"}, []string{"101"}},
			{store.PeopleFilter{Query: "TANAKA@"}, []string{"102"}},
			{store.PeopleFilter{UnitID: bu.ID}, []string{"100", "101"}},
			{store.PeopleFilter{Kind: directory.KindPartTime}, []string{"102"}},
			{store.PeopleFilter{Limit: 2, Offset: 2}, []string{"102"}},
		} {
			got, total, err := s.People(ctx, test.f)
			if err != nil {
				t.Fatal(err)
			}
			var nos []string
			for _, p := range got {
				nos = append(nos, p.StaffNo)
			}
			if len(nos) != len(test.want) || (len(nos) > 0 && nos[0] != test.want[0]) || (test.f.Limit == 0 && total != len(test.want)) {
				t.Errorf("%+v: %v (total %d), want %v", test.f, nos, total, test.want)
			}
		}
		// Moving someone by hand flags them for review.
		p := *people[2]
		p.UnitID = ka.ID
		if err := s.UpdatePerson(ctx, &p, nil); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.People(ctx, store.PeopleFilter{NeedsReview: true}); len(got) != 1 || got[0].StaffNo != "102" {
			t.Errorf("flagged = %+v", got)
		}
		// Suspension ends sessions and tokens in the same transaction.
		sess := &store.Session{ID: "h1", PersonID: people[0].ID, ExpiresAt: s.Now().Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		tok := &store.APIToken{PersonID: people[0].ID, Name: "連携", TokenHash: "tokhash", Permissions: []string{"asset.read"}, ExpiresAt: s.Now().Add(time.Hour)}
		if err := s.CreateAPIToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPersonStatus(ctx, people[0].ID, directory.StatusSuspended, "違反が改善されない"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByToken(context.Background(), "h1"); mamori.ErrorCode(err) != mamori.EUNAUTHORIZED {
			t.Errorf("session after suspension: %v", err)
		}
		if _, err := s.APITokenByHash(context.Background(), "tokhash"); mamori.ErrorCode(err) != mamori.EUNAUTHORIZED {
			t.Errorf("token after suspension: %v", err)
		}
		if err := s.SetPersonStatus(ctx, people[0].ID, directory.StatusSuspended, "again"); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("suspending twice: %v", err)
		}
		if err := s.SetPersonStatus(ctx, people[0].ID, directory.StatusActive, ""); err != nil {
			t.Fatal(err)
		}
		evs, err := s.Events(ctx, store.EventFilter{Action: "person.suspend"})
		if err != nil || len(evs) != 1 {
			t.Errorf("suspend events = %v, %v", evs, err)
		}
		verifyClean(t, s)
	})
}

func TestRoleAssignmentsAndAbsences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "fujieda")
		u := &directory.Unit{Code: "shimin", Name: "市民課", Kind: directory.UnitSection}
		if err := s.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		p := &directory.Person{StaffNo: "1", Name: "甲", Kind: directory.KindStaff, UnitID: u.ID}
		if err := s.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		a := &directory.Assignment{PersonID: p.ID, Role: "security_manager", UnitID: u.ID}
		if err := s.AssignRole(ctx, a); err != nil {
			t.Fatal(err)
		}
		again := &directory.Assignment{PersonID: p.ID, Role: "security_manager", UnitID: u.ID}
		if err := s.AssignRole(ctx, again); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("same role twice: %v", err)
		}
		if roles, _ := s.HeldRoles(ctx, p.ID, s.Now()); len(roles) != 1 {
			t.Errorf("held = %v", roles)
		}
		if err := s.EndAssignment(ctx, a.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := s.EndAssignment(ctx, a.ID, time.Time{}); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("ending twice: %v", err)
		}
		if all, _ := s.Assignments(ctx, store.AssignmentFilter{PersonID: p.ID}); len(all) != 1 || all[0].ValidUntil == nil {
			t.Errorf("ended assignment not kept: %+v", all)
		}
		day := func(d int) time.Time { return time.Date(2026, 4, d, 0, 0, 0, 0, time.UTC) }
		first := &directory.Absence{PersonID: p.ID, Starts: day(1), Ends: day(5), Reason: "研修"}
		if err := s.CreateAbsence(ctx, first); err != nil {
			t.Fatal(err)
		}
		for _, test := range []struct {
			a    directory.Absence
			code mamori.Code
		}{
			{directory.Absence{PersonID: p.ID, Starts: day(4), Ends: day(8)}, mamori.ECONFLICT},
			{directory.Absence{PersonID: p.ID, Starts: day(8), Ends: day(8)}, mamori.EINVALID},
			{directory.Absence{PersonID: 999, Starts: day(8), Ends: day(9)}, mamori.EINVALID},
			{directory.Absence{PersonID: p.ID, Starts: day(5), Ends: day(6)}, ""},
		} {
			a := test.a
			if err := s.CreateAbsence(ctx, &a); mamori.ErrorCode(err) != test.code {
				t.Errorf("%+v: %v, want %q", test.a, err, test.code)
			}
		}
		for _, test := range []struct {
			at   time.Time
			want bool
		}{
			{day(1), true}, {day(4).Add(23 * time.Hour), true}, {day(6), false}, {day(1).Add(-time.Second), false},
		} {
			got, err := s.AbsentAt(ctx, []int64{p.ID}, test.at)
			if err != nil || got[p.ID] != test.want {
				t.Errorf("absent at %v = %v, %v", test.at, got, err)
			}
		}
		if err := s.DeleteAbsence(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		verifyClean(t, s)
	})
}

func TestPasswordHistoryAndRecoveryCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := storetest.NewTenant(t, s, "fujieda")
		hash, _ := auth.HashPassword("temporary")
		p := &directory.Person{StaffNo: "1", Name: "甲", Kind: directory.KindStaff}
		if err := s.CreatePersonWithAccount(ctx, p, "1", hash); err != nil {
			t.Fatal(err)
		}
		for i := range 26 {
			if err := s.ChangePassword(ctx, p.ID, "hash-"+string(rune('a'+i))); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.PasswordHistory(ctx, p.ID, 3)
		if err != nil || len(h) != 3 || h[0] != "hash-z" || h[2] != "hash-x" {
			t.Errorf("history = %v, %v", h, err)
		}
		if all, _ := s.PasswordHistory(ctx, p.ID, 100); len(all) != 24 {
			t.Errorf("kept %d hashes, want 24", len(all))
		}
		acct, _ := s.AccountOf(ctx, p.ID)
		if acct.MustChange || acct.PasswordHash != "hash-z" {
			t.Errorf("account = %+v", acct)
		}
		if err := s.ResetPassword(ctx, p.ID, hash); err != nil {
			t.Fatal(err)
		}
		if acct, _ := s.AccountOf(ctx, p.ID); !acct.MustChange {
			t.Error("a reset password is not temporary")
		}
		// Recovery codes: each works once, in the session that uses it.
		codes, hashes, err := auth.NewRecoveryCodes()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetRecoveryCodes(ctx, p.ID, hashes); err != nil {
			t.Fatal(err)
		}
		sess := &store.Session{ID: "s1", PersonID: p.ID, ExpiresAt: s.Now().Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		used, err := s.UseRecoveryCode(ctx, p.ID, auth.HashRecoveryCode(codes[3]), "s1")
		if err != nil || !used {
			t.Fatalf("use = %v, %v", used, err)
		}
		if got, _ := s.SessionByToken(context.Background(), "s1"); got == nil || !got.MFADone {
			t.Error("the session did not pass its second factor")
		}
		if used, _ := s.UseRecoveryCode(ctx, p.ID, auth.HashRecoveryCode(codes[3]), "s1"); used {
			t.Error("a recovery code worked twice")
		}
		if left, _ := s.RecoveryCodes(ctx, p.ID); len(left) != auth.RecoveryCodeCount-1 {
			t.Errorf("%d codes left", len(left))
		}
		if err := s.ResetTOTP(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if left, _ := s.RecoveryCodes(ctx, p.ID); len(left) != 0 {
			t.Errorf("codes survive a reset: %d", len(left))
		}
		verifyClean(t, s)
	})
}
