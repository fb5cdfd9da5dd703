package directory_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// fujieda builds part of 藤枝市 (第2章4(1)): 総務部 with 情報政策課, 市民部
// with 市民課, and their heads.
func fujieda(t *testing.T, st *store.Store) *org {
	o := newOrg(t, st, "fujieda")
	o.unit("soumu", "総務部", "", directory.UnitDepartment)
	o.unit("jouhou", "情報政策課", "soumu", directory.UnitSection)
	o.unit("shimin-bu", "市民部", "", directory.UnitDepartment)
	o.unit("shimin", "市民課", "shimin-bu", directory.UnitSection)
	o.unit("shimin-kakari", "庶務係", "shimin", directory.UnitTeam)
	o.unit("jouhou-kakari", "庶務係", "jouhou", directory.UnitTeam) // same name, another section
	o.person("1001", "髙橋 一郎", "jouhou")
	o.person("1002", "渡邊 花子", "shimin")
	o.person("1003", "佐藤 次郎", "shimin")
	o.person("1004", "退職 予定", "shimin")
	o.assign("1001", "security_manager", "jouhou")
	o.assign("1002", "security_manager", "shimin")
	o.assign("1001", "infrastructure_manager", "")
	return o
}

const header = "職員番号,氏名,異動前所属,異動先,付与する役割,役割の所属,解除する役割,備考\n"

func TestReadTableDetectsEncodings(t *testing.T) {
	text := "人事異動一覧（令和8年4月1日）\n\n" + header + "1001,髙橋 一郎,情報政策課,市民課,情報セキュリティ管理者,,,①㈱～\n"
	sjis, _, err := transform.Bytes(japanese.ShiftJIS.NewEncoder(), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	u16 := []byte{0xFF, 0xFE}
	for _, r := range utf16.Encode([]rune(strings.ReplaceAll(text, ",", "\t"))) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "異動")
	f.NewSheet("注意事項")
	f.SetSheetRow("注意事項", "A1", &[]any{"この表は人事課が作成しました"})
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		cells := []any{}
		for _, c := range strings.Split(line, ",") {
			cells = append(cells, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("異動", cell, &cells)
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		name string
		data []byte
		enc  directory.Encoding
	}{
		{"UTF-8", []byte(text), directory.EncUTF8},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...), directory.EncUTF8BOM},
		{"Shift_JIS (CP932)", sjis, directory.EncCP932},
		{"UTF-16 tab-separated", u16, directory.EncUTF16},
		{"xlsx", xlsx.Bytes(), directory.EncXLSX},
	} {
		t.Run(test.name, func(t *testing.T) {
			rows, enc, err := directory.ReadTable(test.data)
			if err != nil || enc != test.enc {
				t.Fatalf("ReadTable = %v, %q; want %q", err, enc, test.enc)
			}
			inputs, labels, err := directory.ParseTransferTable(rows)
			if err != nil {
				t.Fatal(err)
			}
			if len(inputs) != 1 {
				t.Fatalf("inputs = %+v", inputs)
			}
			in := inputs[0]
			if in.Row != 4 || in.StaffNo != "1001" || in.Name != "髙橋 一郎" || in.ToUnit != "市民課" || in.Roles != "情報セキュリティ管理者" || in.Note != "①㈱～" {
				t.Errorf("input = %+v", in)
			}
			if labels["to_unit"] != "D（異動先）" {
				t.Errorf("to_unit column = %q", labels["to_unit"])
			}
		})
	}
	for _, test := range []struct {
		name, text, msg string
	}{
		{"no header", "番号,名前\n1,a\n", "import.no_header"},
		{"no columns to act on", "職員番号,氏名\n1001,a\n", "import.columns_missing"},
		{"header only", header, "import.no_rows"},
		{"empty", "  \n", "import.empty"},
	} {
		t.Run(test.name, func(t *testing.T) {
			rows, _, err := directory.ReadTable([]byte(test.text))
			if err == nil {
				_, _, err = directory.ParseTransferTable(rows)
			}
			if e, ok := mamori.AsError(err); !ok || e.Message != test.msg {
				t.Errorf("err = %v, want %s", err, test.msg)
			}
		})
	}
	if _, _, err := directory.ReadTable([]byte("PK\x03\x04broken")); mamori.ErrorCode(err) != mamori.EINVALID {
		t.Errorf("broken xlsx: %v", err)
	}
}

func TestParseInputsReportsEveryBadRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := fujieda(t, st)
		if err := st.SetPersonStatus(o.ctx, o.people["1004"], directory.StatusLeft, "退職"); err != nil {
			t.Fatal(err)
		}
		snap, err := st.Snapshot(o.ctx, st.Now())
		if err != nil {
			t.Fatal(err)
		}
		text := header +
			"1001,髙橋一郎,,市民課,情報セキュリティ管理者,,,\n" + // 2: right (name spacing does not count)
			",,,市民課,,,,\n" + // 3: no staff number
			"9999,,,市民課,,,,\n" + // 4: unknown staff number
			"1001,,,情報政策課,,,,\n" + // 5: repeated
			"1002,渡辺 花子,,,,,全て,\n" + // 6: name does not match (渡邊)
			"1003,,,存在しない課,,,,\n" + // 7: unit that does not exist
			"1003x,,,,,,,\n" + // 8: unknown and empty
			"1002x,,,,市長,,,\n" + // 9
			"1004,,,市民課,,,,\n" + // 10: left
			"1003,,,庶務係,,,,\n" + // 11: ambiguous unit (two 庶務係)
			"1002,,,,,,,\n" // 12: nothing to do, and 1002 twice
		rows, _, err := directory.ReadTable([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		inputs, labels, err := directory.ParseTransferTable(rows)
		if err != nil {
			t.Fatal(err)
		}
		items, errs := directory.ParseInputs(o.pol, snap, inputs, nil)
		errs = directory.LabelColumns(errs, labels)
		got := map[int][]string{}
		for _, e := range errs {
			got[e.Row] = append(got[e.Row], e.Err.Message+"@"+e.Column)
		}
		want := map[int][]string{
			3:  {"transfer.staff_no_missing@A（職員番号）"},
			4:  {"transfer.staff_no_unknown@A（職員番号）"},
			5:  {"transfer.staff_no_duplicate@A（職員番号）"},
			6:  {"transfer.name_mismatch@B（氏名）"},
			7:  {"transfer.unit_unknown@D（異動先）"},
			8:  {"transfer.staff_no_unknown@A（職員番号）"},
			9:  {"transfer.staff_no_unknown@A（職員番号）", "transfer.role_unknown@E（付与する役割）"},
			10: {"transfer.person_left@A（職員番号）"},
			11: {"transfer.unit_ambiguous@D（異動先）", "transfer.staff_no_duplicate@A（職員番号）"},
			12: {"transfer.row_empty@D（異動先）", "transfer.staff_no_duplicate@A（職員番号）"},
		}
		for row, msgs := range want {
			if strings.Join(got[row], " ") != strings.Join(msgs, " ") {
				t.Errorf("row %d: %v, want %v", row, got[row], msgs)
			}
		}
		for row := range got {
			if want[row] == nil {
				t.Errorf("row %d: unexpected %v", row, got[row])
			}
		}
		if len(items) != 1 || items[0].StaffNo != "1001" || items[0].ToUnitID != o.units["shimin"] ||
			len(items[0].AddRoles) != 1 || items[0].AddRoles[0] != (directory.RoleGrant{Role: "security_manager", UnitID: o.units["shimin"]}) {
			t.Errorf("items = %+v", items)
		}
		// Roles: by id, by name with or without its abbreviation, per-unit
		// roles need a unit, baseline roles cannot be given, org-wide roles
		// take none.
		for _, test := range []struct {
			in   directory.TransferInput
			want string // message id, "" when valid
		}{
			{directory.TransferInput{StaffNo: "1003", Roles: "最高情報セキュリティ責任者"}, ""},
			{directory.TransferInput{StaffNo: "1003", Roles: "ciso、情報セキュリティ担当者", RoleUnit: "総務部/情報政策課/庶務係"}, ""},
			{directory.TransferInput{StaffNo: "1003", Roles: "職員等"}, "role.baseline_not_assignable"},
			{directory.TransferInput{StaffNo: "1003", EndRoles: "課長"}, "transfer.role_unknown"},
			{directory.TransferInput{StaffNo: "1003", Roles: "情報セキュリティ管理者", RoleUnit: "市民部/庶務係"}, "transfer.unit_unknown"},
		} {
			_, errs := directory.ParseInputs(o.pol, snap, []directory.TransferInput{test.in}, nil)
			switch {
			case test.want == "" && len(errs) > 0:
				t.Errorf("%+v: %v", test.in, errs)
			case test.want != "" && (len(errs) != 1 || errs[0].Err.Message != test.want):
				t.Errorf("%+v: %v, want %s", test.in, errs, test.want)
			}
		}
		// A person without a unit cannot be given a per-unit role without one.
		nobody := &directory.Person{StaffNo: "2000", Name: "所属なし", Kind: directory.KindContractor}
		if err := st.CreatePerson(o.ctx, nobody); err != nil {
			t.Fatal(err)
		}
		snap, _ = st.Snapshot(o.ctx, st.Now())
		if _, errs := directory.ParseInputs(o.pol, snap, []directory.TransferInput{{StaffNo: "2000", Roles: "security_manager"}}, nil); len(errs) != 1 || errs[0].Err.Message != "role.unit_required" {
			t.Errorf("per-unit role without unit: %v", errs)
		}
	})
}

func TestTransferAppliesAtomicallyOnItsDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := fujieda(t, st)
		snap, err := st.Snapshot(o.ctx, st.Now())
		if err != nil {
			t.Fatal(err)
		}
		// 1 April: 髙橋 moves to 市民課 and becomes its manager (his
		// 情報政策課 manager role ends with the move, his organization-wide
		// role stays); 渡邊 stays but hands over the 市民課 manager role.
		items, errs := directory.ParseInputs(o.pol, snap, []directory.TransferInput{
			{StaffNo: "1001", ToUnit: "shimin", Roles: "security_manager"},
			{StaffNo: "1002", EndRoles: "security_manager"},
			{StaffNo: "1003", ToUnit: "jouhou", Roles: "security_manager"},
		}, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		effective := directory.DayAfter(st.Now().Add(24 * time.Hour))
		tr := &directory.Transfer{Title: "令和8年4月1日 定期人事異動", EffectiveAt: effective, Source: "test", Items: items}
		if err := st.CreateTransfer(o.ctx, tr); err != nil {
			t.Fatal(err)
		}
		svc := directory.NewTransfers(st)
		if err := svc.Schedule(o.ctx, o.pol, tr.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Schedule(o.ctx, o.pol, tr.ID); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("scheduling twice: %v", err)
		}
		// Before its date nothing happens.
		if done, err := svc.Apply(o.ctx, o.pol, tr.ID); done || err != nil {
			t.Fatalf("applied before its date: %v, %v", done, err)
		}
		if due, _ := st.DueTransfers(context.Background(), st.Now()); len(due) != 0 {
			t.Errorf("due before the date: %v", due)
		}
		base := st.Now()
		st.SetClock(func() time.Time { return base.Add(49 * time.Hour) })
		due, err := st.DueTransfers(context.Background(), st.Now())
		if err != nil || len(due) != 1 || due[0].ID != tr.ID {
			t.Fatalf("due = %v, %v", due, err)
		}
		// Several servers run the job at once: exactly one applies.
		var wg sync.WaitGroup
		results := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				done, err := directory.NewTransfers(st).Apply(o.ctx, o.pol, tr.ID)
				if err != nil {
					t.Error(err)
				}
				results <- done
			}()
		}
		wg.Wait()
		close(results)
		applied := 0
		for done := range results {
			if done {
				applied++
			}
		}
		if applied != 1 {
			t.Fatalf("applied %d times", applied)
		}
		after, err := st.Transfer(o.ctx, tr.ID)
		if err != nil || after.Status != directory.TransferApplied || after.AppliedAt == nil {
			t.Fatalf("after = %+v, %v", after, err)
		}
		for no, unit := range map[string]string{"1001": "shimin", "1002": "shimin", "1003": "jouhou"} {
			p, _ := st.Person(o.ctx, o.people[no])
			if p.UnitID != o.units[unit] || !p.NeedsReview {
				t.Errorf("%s: unit %d review %v; want %s and flagged", no, p.UnitID, p.NeedsReview, unit)
			}
		}
		if p, _ := st.Person(o.ctx, o.people["1004"]); p.NeedsReview {
			t.Error("a person outside the transfer was flagged")
		}
		held := func(no string) []string {
			at := st.Now()
			as, _ := st.Assignments(o.ctx, store.AssignmentFilter{PersonID: o.people[no], At: &at})
			var out []string
			for _, a := range as {
				out = append(out, a.Role+"@"+a.UnitName)
			}
			return out
		}
		if got := strings.Join(held("1001"), " "); got != "infrastructure_manager@ security_manager@市民課" {
			t.Errorf("1001 holds %s", got)
		}
		if got := held("1002"); len(got) != 0 {
			t.Errorf("1002 holds %v", got)
		}
		if got := strings.Join(held("1003"), " "); got != "security_manager@情報政策課" {
			t.Errorf("1003 holds %s", got)
		}
		// Roles change on the transfer's date, not when the job ran.
		as, _ := st.Assignments(o.ctx, store.AssignmentFilter{PersonID: o.people["1003"]})
		if len(as) != 1 || !as[0].ValidFrom.Equal(effective) {
			t.Errorf("1003's role starts %v, want %v", as[0].ValidFrom, effective)
		}
		// The review flag is cleared by hand.
		if err := st.ClearReview(o.ctx, o.people["1001"]); err != nil {
			t.Fatal(err)
		}
		if err := st.ClearReview(o.ctx, o.people["1001"]); mamori.ErrorCode(err) != mamori.ECONFLICT {
			t.Errorf("clearing twice: %v", err)
		}
		if done, err := svc.Apply(o.ctx, o.pol, tr.ID); done || err != nil {
			t.Errorf("applying again: %v, %v", done, err)
		}
		verifyClean(t, st)
	})
}

func TestTransferThatBecameWrongFailsAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := fujieda(t, st)
		snap, _ := st.Snapshot(o.ctx, st.Now())
		items, errs := directory.ParseInputs(o.pol, snap, []directory.TransferInput{
			{StaffNo: "1002", ToUnit: "jouhou"},
			{StaffNo: "1003", ToUnit: "jouhou", Roles: "security_manager"},
		}, nil)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		tr := &directory.Transfer{Title: "随時異動", EffectiveAt: st.Now(), Items: items}
		if err := st.CreateTransfer(o.ctx, tr); err != nil {
			t.Fatal(err)
		}
		svc := directory.NewTransfers(st)
		if err := svc.Schedule(o.ctx, o.pol, tr.ID); err != nil {
			t.Fatal(err)
		}
		// Between scheduling and the date, 佐藤 leaves.
		if err := st.SetPersonStatus(o.ctx, o.people["1003"], directory.StatusLeft, "退職"); err != nil {
			t.Fatal(err)
		}
		done, err := svc.Apply(o.ctx, o.pol, tr.ID)
		var rowErrs directory.RowErrors
		if done || err == nil || !errorsAs(err, &rowErrs) || len(rowErrs) != 1 || rowErrs[0].Err.Message != "transfer.person_left" {
			t.Fatalf("Apply = %v, %v", done, err)
		}
		after, _ := st.Transfer(o.ctx, tr.ID)
		if after.Status != directory.TransferFailed || len(directory.DecodeErrors(after.Error)) != 1 {
			t.Errorf("after = %s %q", after.Status, after.Error)
		}
		if p, _ := st.Person(o.ctx, o.people["1002"]); p.UnitID != o.units["shimin"] || p.NeedsReview {
			t.Errorf("the valid row was applied: %+v", p)
		}
		// Mended (the row removed), it is scheduled and applied again.
		if err := st.DeleteTransferItem(o.ctx, tr.ID, after.Items[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Schedule(o.ctx, o.pol, tr.ID); err != nil {
			t.Fatal(err)
		}
		if done, err := svc.Apply(o.ctx, o.pol, tr.ID); !done || err != nil {
			t.Fatalf("Apply after mending = %v, %v", done, err)
		}
		verifyClean(t, st)
	})
}

func errorsAs(err error, target *directory.RowErrors) bool {
	es, ok := err.(directory.RowErrors)
	if ok {
		*target = es
	}
	return ok
}
