package asset

import (
	"testing"

	"mamori/internal/i18n"
	"mamori/internal/policy"
)

func TestSuggestLevel(t *testing.T) {
	fujieda := mustPolicy(t, "fujieda")
	conf, _ := fujieda.Axis("confidentiality")
	avail, _ := fujieda.Axis("availability")
	shimojo := mustPolicy(t, "shimojo")
	sconf, _ := shimojo.Axis("confidentiality")
	for _, test := range []struct {
		name  string
		axis  string
		value string
		want  string
		ok    bool
	}{
		{"id", "f.c", "1", "1", true},
		{"full-width digit", "f.c", "３", "3", true},
		{"circled digit", "f.c", "②", "2", true},
		{"with the axis name", "f.c", "機密性2", "2", true},
		{"level name", "f.c", "機密性分類1", "1", true},
		{"spaces", "f.c", " 2 ", "2", true},
		{"high is the strictest", "f.c", "高", "1", true},
		{"low is the least strict", "f.c", "低", "3", true},
		{"middle of three", "f.c", "中", "2", true},
		{"middle of two is asked", "f.a", "中", "", false},
		{"high of two", "f.a", "高", "1", true},
		{"shimojo high", "s.c", "高", "2", true},
		{"shimojo 機密性２", "s.c", "機密性２", "2", true},
		{"blank is unclassified", "f.c", "", Unknown, true},
		{"unknown is unclassified", "f.c", "不明", Unknown, true},
		{"dash is unclassified", "f.c", "-", Unknown, true},
		{"a level the profile lacks", "f.c", "3A", "", false},
		{"out of range", "f.c", "4", "", false},
	} {
		ax := map[string]*policy.Axis{"f.c": conf, "f.a": avail, "s.c": sconf}[test.axis]
		got, ok := SuggestLevel(ax, test.value)
		if got != test.want || ok != test.ok {
			t.Errorf("%s: SuggestLevel(%q) = %q, %v; want %q, %v", test.name, test.value, got, ok, test.want, test.ok)
		}
	}
}

func TestSuggestKindAndState(t *testing.T) {
	for _, test := range []struct {
		value string
		want  Kind
	}{
		{"情報システム", KindSystem}, {"サーバー", KindServer}, {"ノートPC", KindPC}, {"ＵＳＢメモリ", KindMedium},
		{"紙", KindPaper}, {"出力帳票", KindPaper}, {"複合機", KindMFP}, {"ライセンス", KindSoftware}, {"LAN", KindNetwork},
		{"電子データ", KindInformation}, {"media", KindMedium}, {"宇宙船", ""},
	} {
		if got, _ := SuggestKind(test.value); got != test.want {
			t.Errorf("SuggestKind(%q) = %q, want %q", test.value, got, test.want)
		}
	}
	for _, test := range []struct {
		value string
		want  State
	}{
		{"利用中", StateInUse}, {"稼働中", StateInUse}, {"保管", StateStored}, {"廃棄済み", StateDisposed}, {"導入予定", StatePlanned}, {"紛失", ""},
	} {
		if got, _ := SuggestState(test.value); got != test.want {
			t.Errorf("SuggestState(%q) = %q, want %q", test.value, got, test.want)
		}
	}
	// What an export writes imports again: every kind's and state's label
	// in both languages is understood.
	cat := i18n.Default()
	for _, lang := range i18n.Langs {
		for _, k := range Kinds {
			label := cat.T(lang, "asset.kind."+string(k), nil)
			if got, ok := SuggestKind(label); !ok || got != k {
				t.Errorf("%s label %q of kind %s imports as %q", lang, label, k, got)
			}
		}
		for _, s := range States {
			label := cat.T(lang, "asset.state."+string(s), nil)
			if got, ok := SuggestState(label); !ok || got != s {
				t.Errorf("%s label %q of state %s imports as %q", lang, label, s, got)
			}
		}
	}
}

func TestParseFlag(t *testing.T) {
	for _, test := range []struct {
		in       string
		want, ok bool
	}{
		{"○", true, true}, {"◯", true, true}, {"有", true, true}, {"あり", true, true}, {"１", true, true}, {"TRUE", true, true}, {"レ", true, true},
		{"", false, true}, {"×", false, true}, {"無", false, true}, {"なし", false, true}, {"-", false, true}, {"FALSE", false, true},
		{"たぶん", false, false}, {"2", false, false},
	} {
		got, ok := ParseFlag(test.in)
		if got != test.want || ok != test.ok {
			t.Errorf("ParseFlag(%q) = %v, %v", test.in, got, ok)
		}
	}
}

func TestSuggestColumns(t *testing.T) {
	pol := mustPolicy(t, "fujieda")
	labels := []string{"業務分類", "資産番号", "情報資産名称", "所管課", "重要度 / 機密性", "重要度 / 完全性", "重要度 / 可用性", "保存期限", "備考", "管理者", "個人情報の有無", "媒体・保存先"}
	got := SuggestColumns(pol, labels)
	want := map[Field]int{FieldNumber: 1, FieldName: 2, FieldUnit: 3, LevelField("confidentiality"): 4, LevelField("integrity"): 5,
		LevelField("availability"): 6, FieldKeepUntil: 7, FieldNotes: 8, FieldManager: 9, FieldPersonal: 10}
	for f, j := range want {
		if cols := got[f]; len(cols) != 1 || cols[0] != j {
			t.Errorf("%s → %v, want column %d", f, cols, j)
		}
	}
	if _, ok := got[FieldKind]; ok {
		t.Errorf("媒体・保存先 should not be taken for a field: %v", got[FieldKind])
	}
	// A one-axis profile takes 重要度 for its axis.
	am := mustPolicy(t, "amakusa")
	if got := SuggestColumns(am, []string{"番号", "名称", "重要度"}); len(got[LevelField("importance")]) != 1 {
		t.Errorf("amakusa 重要度: %v", got)
	}
}
