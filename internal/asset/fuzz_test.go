package asset

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/eventlog"
	"mamori/internal/policy"
)

// fakeStore is a register of two units and two assets, for checking
// imports without a database. Writing is not what the fuzz targets do.
type fakeStore struct{}

var errFake = errors.New("not in the fake store")

func (fakeStore) Units(context.Context) ([]directory.Unit, error) {
	return []directory.Unit{{ID: 1, Code: "soumu", Name: "総務課"}, {ID: 2, Code: "shimin", Name: "市民課", ParentID: 3}, {ID: 3, Code: "bu", Name: "市民部"}}, nil
}
func (fakeStore) CreateAsset(context.Context, *Asset, Deriver) error { return errFake }
func (fakeStore) UpdateAsset(context.Context, *Asset, Deriver) error { return errFake }
func (fakeStore) ReclassifyAsset(context.Context, int64, Levels, string, Deriver) error {
	return errFake
}
func (fakeStore) Asset(context.Context, int64) (*Asset, error)                { return nil, errFake }
func (fakeStore) AssetByNumber(context.Context, string) (*Asset, error)       { return nil, errFake }
func (fakeStore) Assets(context.Context, Filter) ([]Asset, int, error)        { return nil, 0, errFake }
func (fakeStore) EachAsset(context.Context, Filter, func(*Asset) error) error { return errFake }
func (fakeStore) AssetRefs(context.Context) ([]Ref, error) {
	return []Ref{{ID: 1, Number: "S-1", Kind: KindServer, UnitID: 1, Effective: Levels{"confidentiality": "2"}},
		{ID: 2, Number: "M-1", Kind: KindMedium, UnitID: 1, ParentID: 1}}, nil
}
func (fakeStore) ImportAssets(context.Context, *Batch, Deriver, func(int, int)) error { return errFake }
func (fakeStore) AssetHistory(context.Context, int64) ([]eventlog.Event, error)       { return nil, errFake }
func (fakeStore) ImportPeople(context.Context) ([]directory.Person, error) {
	return []directory.Person{{ID: 1, StaffNo: "1001", Name: "総務 課長"}}, nil
}

// FuzzImport feeds arbitrary files to the import: reading (xlsx, CSV in
// any encoding), finding the header, mapping and checking every row. It
// must never panic, and whatever it reports must point at a real row and
// column of the file.
func FuzzImport(f *testing.F) {
	f.Add([]byte("資産番号,名称,所管課,機密性,所属システム,複製元,保存期限\nA-1,x,総務課,1,S-1,,R5.4.1\nA-2,y,市民部/市民課,高,A-1,A-1,45017\n"))
	f.Add(sjis(f, "番号,名称,所管課,機密性,完全性,可用性,個人情報\nB-1,住民票①,市民課,２,1,1,○\n"))
	f.Add([]byte("\uFEFFNo.\t資産\t区分\nC-1\t\"a\"\"b\"\t紙\n"))
	f.Add([]byte("\"unterminated,\n\r\n,,,\n"))
	f.Add(registerXLSX(f))
	f.Add(handmadeXLSX(f, handmadeSheet))
	pol := mustPolicy(f, "fujieda")
	svc := NewService(fakeStore{}, nil)
	actor := Actor{Can: func(policy.Permission) bool { return true }}
	ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Larger inputs only take longer (the work is linear in the rows);
		// they would slow the search down, not find more.
		if len(data) > 64<<10 {
			return
		}
		tb, err := ReadTable(data, ReadOptions{})
		if err != nil {
			if _, ok := mamori.AsError(err); !ok {
				t.Fatalf("ReadTable returned an error users cannot read: %v", err)
			}
			return
		}
		for _, r := range tb.Rows {
			if r.N < 1 {
				t.Fatalf("row number %d", r.N)
			}
			for _, c := range r.Cells {
				if !utf8.ValidString(c) {
					t.Fatalf("cell %q of row %d is not UTF-8", c, r.N)
				}
			}
		}
		p, err := svc.Plan(ctx, pol, actor, "fuzz", data, ImportOptions{SkipBadRows: true})
		if err != nil {
			if _, ok := mamori.AsError(err); !ok {
				t.Fatalf("Plan returned an error users cannot read: %v", err)
			}
			return
		}
		rows := map[int]bool{}
		for _, r := range tb.Rows {
			rows[r.N] = true
		}
		for _, is := range p.Issues {
			if !rows[is.Row] {
				t.Fatalf("issue on row %d, which the file does not have: %+v", is.Row, is)
			}
			if is.Column != "" && ColumnIndex(is.Column) >= tb.Width {
				t.Fatalf("issue on column %s beyond the file's %d columns", is.Column, tb.Width)
			}
			if strings.TrimSpace(is.Message) == "" {
				t.Fatal("issue without a message")
			}
		}
		if p.Batch != nil && len(p.Batch.Items)+p.BadRows > p.Rows {
			t.Fatalf("%d good and %d bad rows of %d", len(p.Batch.Items), p.BadRows, p.Rows)
		}
	})
}

// FuzzParseDate holds the date reader to never panic and to return only
// days that exist.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"令和5年4月1日", "R05.04.01", "45017", "2023/2/29", "平成元年1月8日", "ＲＸ．１", "99999999999"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, serial bool) {
		d, err := ParseDate(s, serial, false)
		if err == nil && (d.Hour() != 0 || d.Year() < 1868 || d.Year() > 9999) {
			t.Fatalf("ParseDate(%q) = %v", s, d)
		}
	})
}
