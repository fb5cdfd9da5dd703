package asset_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

func (tw *town) plan(name string, data []byte, opts asset.ImportOptions) *asset.Plan {
	tw.t.Helper()
	p, err := tw.svc.Plan(tw.ctx, tw.pol, tw.admin(), name, data, opts)
	if err != nil {
		tw.t.Fatalf("plan %s: %v", name, err)
	}
	return p
}

// issues renders a plan's issues as "row column message" lines.
func issues(p *asset.Plan) string {
	var lines []string
	for _, is := range p.Issues {
		l := fmt.Sprintf("%d %s %s", is.Row, is.Column, is.Message)
		if is.Warning {
			l += " (warning)"
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// The register as towns keep it in Excel: title, two-row header with
// merged cells, dates as serials and 和暦, levels as numbers, text digits
// and full-width digits.
func TestImportXLSXRegister(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		data := asset.RegisterXLSX(t)
		p := tw.plan("台帳.xlsx", data, asset.ImportOptions{})
		if p.Header.Row != 4 || p.Header.Rows != 2 {
			t.Errorf("header at %d (%d rows)", p.Header.Row, p.Header.Rows)
		}
		for f, col := range map[asset.Field]string{asset.FieldNumber: "B", asset.FieldName: "C", asset.FieldUnit: "D",
			asset.LevelField("confidentiality"): "E", asset.LevelField("integrity"): "F", asset.LevelField("availability"): "G",
			asset.FieldKeepUntil: "H", asset.FieldNotes: "I"} {
			if got := p.Letters(f); got != col {
				t.Errorf("%s mapped to %q, want %s", f, got, col)
			}
		}
		if p.Rows != 3 || p.Errors != 0 || len(p.Batch.Items) != 3 {
			t.Fatalf("plan: %s\n%s", p, issues(p))
		}
		if err := tw.svc.Commit(tw.ctx, tw.pol, p, nil); err != nil {
			t.Fatal(err)
		}
		got, n, _ := tw.svc.List(tw.ctx, tw.pol, asset.Filter{})
		if n != 3 {
			t.Fatalf("%d assets after import", n)
		}
		r1, r2, r3 := got[0], got[1], got[2]
		if !r1.Levels.Equal(lv("1", "1", "1")) || r1.KeepUntil == nil || !r1.KeepUntil.Equal(time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC)) || r1.Notes != "改行を\n含む" {
			t.Errorf("R-001: %+v keep %v", r1, r1.KeepUntil)
		}
		if !r2.Levels.Equal(lv("2", "2", "2")) || r2.KeepUntil == nil || r2.KeepUntil.Format("2006-01-02") != "2023-04-01" {
			t.Errorf("R-002: %+v", r2)
		}
		if !r3.Levels.Equal(lv("3", "3", "2")) || r3.UnitName != "総務課" {
			t.Errorf("R-003: %+v", r3)
		}
		tw.verify()
	})
}

// csvRegister is a register in CSV with rows that go wrong in each way the
// issue names.
const csvRegister = `情報資産管理台帳
資産番号,名称,種別,所管課,管理者,機密性,完全性,可用性,個人情報,所属システム,複製元,保存期限
C-001,住基システム,情報システム,市民課,市民 課長,2,2,1,○,,,
C-002,住民票データ,電子データ,市民課,,1,1,1,○,C-001,,令和10年3月31日
C-003,住民票データ（バックアップ）,記録媒体,市民課,,,,,○,,C-002,R10.3.31
C-004,未分類の文書,紙,shimin-kakari,,,,,,,,
C-005,誤った分類,紙,市民課,,5,1,1,,,,
C-002,番号の重複,紙,市民課,,1,1,1,,,,
C-007,所管課なし,紙,税務課,,1,1,1,,,,
C-008,管理者違い,紙,市民課,総務 課長,1,1,1,,,,
C-009,管理者不明,紙,市民課,山田 花子,1,1,1,,,,
C-010,日付の誤り,紙,市民課,,1,1,1,,,,来年度末
C-011,有無の誤り,紙,市民課,,1,1,1,たぶん,,,
C-012,存在しない親,紙,市民課,,1,1,1,,Z-999,,
C-013,誤った行を参照,記録媒体,市民課,,,,,,C-005,,
C-014,総務課（二つある）,紙,総務課,,3,3,2,,,,
C-015,種別不明,宇宙船,市民課,,1,1,1,,,,
`

func TestImportCSVIssues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		data := asset.SJIS(t, csvRegister)
		p := tw.plan("台帳.csv", data, asset.ImportOptions{})
		if p.Encoding != asset.EncSJIS || p.Header.Row != 2 {
			t.Errorf("encoding %s, header row %d", p.Encoding, p.Header.Row)
		}
		// Row numbers are the spreadsheet's: the title is row 1, the header 2.
		want := strings.TrimSpace(`
7 F asset.import.level_unknown
8 A asset.import.number_twice
9 D asset.import.unit_unknown
10 E asset.import.manager_mismatch (warning)
11 E asset.import.manager_unknown
12 L asset.import.date_invalid
13 I asset.import.flag_invalid
14 J asset.import.parent_unknown
15 J asset.import.refers_to_bad_row
16 D asset.import.unit_ambiguous
17 C asset.import.kind_unknown`)
		if got := issues(p); got != want {
			t.Errorf("issues:\n%s\nwant:\n%s", got, want)
		}
		if p.BadRows != 10 || len(p.Batch.Items) != 5 || p.ToClassify != 1 {
			t.Errorf("plan %s", p)
		}
		// Nothing is stored while rows are bad ...
		err := tw.svc.Commit(tw.ctx, tw.pol, p, nil)
		wantCode(t, err, mamori.EINVALID, "")
		if _, n, _ := tw.svc.List(tw.ctx, tw.pol, asset.Filter{}); n != 0 {
			t.Fatalf("%d assets stored from a bad file", n)
		}
		// ... unless the person chooses to leave them out.
		p = tw.plan("台帳.csv", data, asset.ImportOptions{SkipBadRows: true})
		var steps []string
		if err := tw.svc.Commit(tw.ctx, tw.pol, p, func(done, total int) { steps = append(steps, fmt.Sprint(done, "/", total)) }); err != nil {
			t.Fatal(err)
		}
		if len(steps) == 0 || steps[len(steps)-1] != "5/5" {
			t.Errorf("progress %v", steps)
		}
		byNumber := map[string]asset.Asset{}
		all, _, _ := tw.svc.List(tw.ctx, tw.pol, asset.Filter{})
		for _, a := range all {
			byNumber[a.Number] = a
		}
		if len(byNumber) != 5 {
			t.Fatalf("stored %d", len(byNumber))
		}
		sys, data2, bak := byNumber["C-001"], byNumber["C-002"], byNumber["C-003"]
		// The system holds 機密性1 data and is handled as 1 (藤枝市 第2章5(2)④ウ).
		if !sys.Effective.Equal(lv("1", "1", "1")) || !sys.Levels.Equal(lv("2", "2", "1")) {
			t.Errorf("system: own %v, effective %v", sys.Levels, sys.Effective)
		}
		if data2.ParentID != sys.ID || bak.CopyOf != data2.ID || !bak.Effective.Equal(lv("1", "1", "1")) {
			t.Errorf("references: %+v %+v", data2, bak)
		}
		if !byNumber["C-004"].Unclassified || byNumber["C-004"].UnitName != "住民記録係" {
			t.Errorf("C-004: %+v", byNumber["C-004"])
		}
		evs, err := st.Events(tw.ctx, store.EventFilter{Action: "asset.import"})
		if err != nil || len(evs) != 5 {
			t.Errorf("%d asset.import events (%v)", len(evs), err)
		}
		commits, _ := st.Events(tw.ctx, store.EventFilter{Action: "asset.import_commit"})
		if len(commits) != 1 || !strings.Contains(commits[0].Data, `"skipped_rows":10`) {
			t.Errorf("commit event %+v", commits)
		}
		tw.verify()
		// Importing the same file again: every number is taken now.
		p = tw.plan("台帳.csv", data, asset.ImportOptions{})
		if !strings.Contains(issues(p), "3 A asset.import.number_taken") {
			t.Errorf("re-import:\n%s", issues(p))
		}
	})
}

func TestImportMappingChoices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		// The guideline's numbering (3 strictest), 高/中/低, headers the
		// aliases do not know, a section's own register without a unit
		// column, and a cell in the wrong encoding.
		csv := "No.,資産,C,I,A,区分\r\nG-1,文書,3,高,中,書類\r\nG-2,データ,1,低,高,\r\nG-3,表,2,中,低,帳票\r\n"
		data := []byte("\uFEFF" + csv)
		_, err := tw.svc.Plan(tw.ctx, tw.pol, tw.admin(), "x.csv", data, asset.ImportOptions{})
		wantCode(t, err, mamori.EINVALID, "columns.name")
		_, err = tw.svc.Plan(tw.ctx, tw.pol, tw.admin(), "x.csv", data, asset.ImportOptions{Columns: map[string]string{"number": "A", "name": "B"}})
		wantCode(t, err, mamori.EINVALID, "columns.unit")
		opts := asset.ImportOptions{
			Columns:     map[string]string{"number": "A", "name": "B", "level.confidentiality": "C", "level.integrity": "D", "level.availability": "E", "kind": "F"},
			DefaultUnit: "市民部/総務課",
		}
		p := tw.plan("x.csv", data, opts)
		// 中 on the two-level availability axis cannot be guessed.
		if got := issues(p); got != "2 E asset.import.level_unknown" {
			t.Errorf("issues:\n%s", got)
		}
		vm := p.ValueTargets(asset.LevelField("availability"))
		if vm == nil || len(vm.Values) != 3 {
			t.Fatalf("value step of availability: %+v", vm)
		}
		opts.Values = map[string]map[string]string{
			"level.confidentiality": {"3": "1", "2": "2", "1": "3"},
			"level.availability":    {"中": "1"},
		}
		p = tw.plan("x.csv", data, opts)
		if p.Errors != 0 {
			t.Fatalf("issues:\n%s", issues(p))
		}
		if err := tw.svc.Commit(tw.ctx, tw.pol, p, nil); err != nil {
			t.Fatal(err)
		}
		g1, _ := tw.st.AssetByNumber(tw.ctx, "G-1")
		g2, _ := tw.st.AssetByNumber(tw.ctx, "G-2")
		if !g1.Levels.Equal(lv("1", "1", "1")) || g1.Kind != asset.KindPaper || g1.UnitID != tw.units["fukushi-soumu"] {
			t.Errorf("G-1: %+v", g1)
		}
		if !g2.Levels.Equal(lv("3", "3", "1")) || g2.Kind != asset.KindInformation {
			t.Errorf("G-2 (kind defaults to information): %+v", g2)
		}
		for _, bad := range []struct {
			opts  asset.ImportOptions
			field string
		}{
			{asset.ImportOptions{Columns: map[string]string{"number": "A", "name": "ZZ"}, DefaultUnit: "shimin-ka"}, "columns.name"},
			{asset.ImportOptions{Columns: map[string]string{"number": "A", "name": "A"}, DefaultUnit: "shimin-ka"}, "columns.name"},
			{asset.ImportOptions{Columns: map[string]string{"number": "A", "colour": "B"}, DefaultUnit: "shimin-ka"}, "columns.colour"},
			{asset.ImportOptions{Columns: map[string]string{"number": "A", "name": "B"}, DefaultUnit: "総務課"}, "default_unit"},
			{asset.ImportOptions{Columns: map[string]string{"number": "A", "name": "B", "level.integrity": "D"}, DefaultUnit: "shimin-ka",
				Values: map[string]map[string]string{"level.integrity": {"高": "9"}}}, "values.level.integrity"},
			{asset.ImportOptions{HeaderRow: 40}, "header_row"},
		} {
			_, err := tw.svc.Plan(tw.ctx, tw.pol, tw.admin(), "x.csv", data, bad.opts)
			wantCode(t, err, mamori.EINVALID, bad.field)
		}
		// A UTF-8 file read as Shift_JIS: each non-ASCII cell is reported.
		opts.Encoding = asset.EncSJIS
		p = tw.plan("x.csv", []byte(strings.ReplaceAll(csv, "G-", "H-")), opts)
		if !strings.Contains(issues(p), "2 B asset.import.bad_encoding") {
			t.Errorf("wrong encoding:\n%s", issues(p))
		}
		// A writer imports only into their own units.
		writer := tw.actor(tw.clerk, policy.PermAssetWrite)
		opts.Encoding = ""
		p, err = tw.svc.Plan(tw.ctx, tw.pol, writer, "x.csv", []byte(strings.ReplaceAll(csv, "G-", "J-")), opts)
		if err != nil || !strings.Contains(issues(p), "2  asset.import.unit_forbidden") {
			t.Errorf("writer outside their unit: %v\n%s", err, issues(p))
		}
		tw.verify()
	})
}

// A loop through the register: an existing medium held by an existing
// system, and a new copy of the system held by the medium.
func TestImportLoops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		unit := tw.units["shimin-ka"]
		sys := tw.create(&asset.Asset{Number: "SYS", Name: "システム", Kind: asset.KindSystem, UnitID: unit, Levels: lv("3", "3", "2")})
		tw.create(&asset.Asset{Number: "MED", Name: "媒体", Kind: asset.KindMedium, UnitID: unit, ParentID: sys.ID})
		csv := "資産番号,名称,種別,所管課,機密性,所属資産番号,複製元\n" +
			"N-1,写し,記録媒体,市民課,,MED,SYS\n" +
			"N-2,甲,記録媒体,市民課,,N-3,N-3\n" +
			"N-3,乙,記録媒体,市民課,,,\n" +
			"N-4,新データ,電子データ,市民課,1,MED,\n"
		p := tw.plan("loop.csv", []byte(csv), asset.ImportOptions{})
		got := issues(p)
		for _, want := range []string{"2 G asset.import.cycle", "3 G asset.import.cycle"} {
			if !strings.Contains(got, want) {
				t.Errorf("issues lack %q:\n%s", want, got)
			}
		}
		p = tw.plan("loop.csv", []byte(csv), asset.ImportOptions{SkipBadRows: true})
		if len(p.Batch.Items) != 2 || strings.Count(issues(p), "\n") != 1 {
			t.Fatalf("good rows %d:\n%s", len(p.Batch.Items), issues(p))
		}
		if err := tw.svc.Commit(tw.ctx, tw.pol, p, nil); err != nil {
			t.Fatal(err)
		}
		// The existing medium and system are raised by the new data.
		med, _ := tw.st.AssetByNumber(tw.ctx, "MED")
		if med.Effective["confidentiality"] != "1" || tw.get(sys.ID).Effective["confidentiality"] != "1" {
			t.Errorf("holders not raised: medium %v, system %v", med.Effective, tw.get(sys.ID).Effective)
		}
		tw.verify()
	})
}

type labels struct{ lang string }

func (l labels) T(id string) string { return i18n.Default().T(l.lang, id, nil) }

// What is exported imports again, into another organization with the same
// units, as it was.
func TestExportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tw := newTown(t, st, "fujieda")
		unit := tw.units["shimin-ka"]
		keep := time.Date(2031, 3, 31, 0, 0, 0, 0, time.UTC)
		sys := tw.create(&asset.Asset{Number: "S-1", Name: "住基システム", Kind: asset.KindSystem, UnitID: unit, Levels: lv("2", "2", "1"), Location: "本庁舎3階", ControlArea: "サーバ室"})
		d := tw.create(&asset.Asset{Number: "D-1", Name: "住民票データ〜𠮷", Kind: asset.KindInformation, UnitID: tw.units["shimin-kakari"], ParentID: sys.ID,
			Levels: lv("1", "1", "1"), Personal: true, SpecificPersonal: true, KeepUntil: &keep, Notes: "一行目\n二行目"})
		tw.create(&asset.Asset{Number: "D-2", Name: "写し", Kind: asset.KindPaper, UnitID: unit, CopyOf: d.ID, State: asset.StateStored})
		tw.create(&asset.Asset{Number: "D-3", Name: "未分類", Kind: asset.KindMedium, UnitID: tw.units["fukushi-soumu"]})

		other := newTownIn(t, st, "other")
		for _, test := range []struct {
			format asset.Format
			lang   string
		}{{asset.FormatXLSX, "ja"}, {asset.FormatCSV, "en"}, {asset.FormatCSVSJIS, "ja"}} {
			t.Run(string(test.format)+"-"+test.lang, func(t *testing.T) {
				var buf bytes.Buffer
				n, err := tw.svc.Export(tw.ctx, tw.pol, asset.Filter{}, test.format, labels{test.lang}, &buf)
				if err != nil || n != 4 {
					t.Fatalf("export: %d %v", n, err)
				}
				p := other.plan("export", buf.Bytes(), asset.ImportOptions{})
				if p.Errors != 0 || len(p.Batch.Items) != 4 {
					t.Fatalf("re-import of the %s export: %s\n%s", test.format, p, issues(p))
				}
				byNumber := map[string]*asset.Asset{}
				for _, it := range p.Batch.Items {
					byNumber[it.Asset.Number] = it.Asset
				}
				dd := byNumber["D-1"]
				name := "住民票データ〜𠮷"
				if test.format == asset.FormatCSVSJIS {
					name = "住民票データ～?" // CP932 has ～ but not 𠮷
				}
				if dd.Name != name || !dd.Levels.Equal(lv("1", "1", "1")) || !dd.SpecificPersonal || dd.KeepUntil == nil ||
					!dd.KeepUntil.Equal(keep) || dd.Notes != "一行目\n二行目" || dd.Kind != asset.KindInformation {
					t.Errorf("D-1 came back as %+v", dd)
				}
				if s := byNumber["S-1"]; s.Location != "本庁舎3階" || s.ControlArea != "サーバ室" || s.Kind != asset.KindSystem {
					t.Errorf("S-1 came back as %+v", s)
				}
				if c := byNumber["D-2"]; c.State != asset.StateStored || !c.Effective.Equal(lv("1", "1", "1")) {
					t.Errorf("the copy came back as %+v", c)
				}
				if u := byNumber["D-3"]; !u.Unclassified || u.Kind != asset.KindMedium {
					t.Errorf("D-3 came back as %+v", u)
				}
			})
		}
		var buf bytes.Buffer
		_, err := tw.svc.Export(tw.ctx, tw.pol, asset.Filter{}, "pdf", labels{"ja"}, &buf)
		wantCode(t, err, mamori.EINVALID, "format")
	})
}

// newTownIn makes a second organization in the same database with the
// same units and people.
func newTownIn(t *testing.T, st *store.Store, slug string) *town {
	return newTownAs(t, st, "fujieda", slug)
}
