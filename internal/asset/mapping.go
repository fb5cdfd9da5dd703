package asset

import (
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"

	"mamori/internal/policy"
)

// Field is a field of the register an import column can fill. A level
// field is "level.AXIS" for each axis of the policy.
type Field string

const (
	FieldNumber      Field = "number"
	FieldName        Field = "name"
	FieldKind        Field = "kind"
	FieldUnit        Field = "unit"
	FieldManager     Field = "manager"
	FieldPersonal    Field = "personal"
	FieldSpecific    Field = "specific_personal"
	FieldSegment     Field = "segment"
	FieldLocation    Field = "location"
	FieldControlArea Field = "control_area"
	FieldParent      Field = "parent"
	FieldCopyOf      Field = "copy_of"
	FieldState       Field = "state"
	FieldKeepUntil   Field = "keep_until"
	FieldNotes       Field = "notes"
)

// LevelField is the import field of an axis.
func LevelField(axis string) Field { return Field("level." + axis) }

// Axis returns the axis of a level field.
func (f Field) Axis() (string, bool) { return strings.CutPrefix(string(f), "level.") }

// Fields returns the import fields for pol, in the order forms show them.
func Fields(pol *policy.Policy) []Field {
	out := []Field{FieldNumber, FieldName, FieldKind, FieldUnit, FieldManager}
	if pol != nil {
		for _, ax := range pol.Axes() {
			out = append(out, LevelField(ax.ID))
		}
	}
	out = append(out, FieldPersonal, FieldSpecific)
	if pol != nil && len(pol.Segments()) > 0 {
		out = append(out, FieldSegment)
	}
	return append(out, FieldLocation, FieldControlArea, FieldParent, FieldCopyOf, FieldState, FieldKeepUntil, FieldNotes)
}

// headerAliases are header texts registers use for each field, folded
// (see fold). The IPA template's columns (情報資産名称, 管理者, 媒体・保存先,
// 個人情報, 保存期限 …) are among them.
var headerAliases = map[Field][]string{
	FieldNumber:      {"資産番号", "管理番号", "台帳番号", "情報資産番号", "資産no", "番号", "no", "資産id", "資産コード", "assetnumber", "number", "id"},
	FieldName:        {"情報資産名称", "情報資産名", "資産名称", "資産名", "名称", "件名", "assetname", "name"},
	FieldKind:        {"種別", "資産種別", "資産の種類", "種類", "資産区分", "形態", "媒体", "kind", "type"},
	FieldUnit:        {"所管課コード", "unitcode", "所管課", "所管部署", "所管課室", "所管", "所属", "担当課", "管理部署", "管理課", "課名", "部署", "部署名", "作成部署", "unit", "ownerunit", "department"},
	FieldManager:     {"管理者", "情報セキュリティ管理者", "管理責任者", "情報管理責任者", "資産管理者", "manager"},
	FieldPersonal:    {"個人情報", "個人情報の有無", "個人情報有無", "個人情報を含む", "personalinformation", "personal", "pii"},
	FieldSpecific:    {"特定個人情報", "特定個人情報の有無", "マイナンバー", "個人番号", "specificpersonalinformation", "specificpersonal"},
	FieldSegment:     {"三層", "三層分離", "ネットワーク区分", "接続系", "セグメント", "領域", "segment", "networksegment"},
	FieldLocation:    {"保管場所", "設置場所", "保存場所", "場所", "所在", "所在地", "location"},
	FieldControlArea: {"管理区域", "取扱区域", "区域", "controlarea"},
	FieldParent:      {"所属資産番号", "所属資産", "parentasset", "所属システム", "保存先", "格納先", "保存先システム", "保存媒体", "親資産", "parent", "system"},
	FieldCopyOf:      {"複製元", "原本", "複製元資産", "元資産", "原本番号", "copyof", "original"},
	FieldState:       {"状態", "利用状況", "稼働状況", "ステータス", "状況", "state", "status"},
	FieldKeepUntil:   {"保存期限", "保存期間満了日", "保存年限", "保管期限", "廃棄予定日", "保存期間", "keepuntil", "retention"},
	FieldNotes:       {"備考", "摘要", "注記", "notes", "remarks", "note"},
}

// fold is how headers and values are compared: widths folded (NFKC:
// "ＮＯ．" → "no."), case ignored, and spaces, line breaks and the
// punctuation registers scatter in headers dropped.
func fold(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n', '\u3000', '・', '(', ')', '（', '）', '[', ']', '【', '】', '「', '」',
			':', '：', '/', '／', '-', '_', '.', ',', '、', '。', '*', '※':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// axisAliases are the header texts of an axis: its names and id, with and
// without 分類; the only axis of a profile (天草's 重要性分類) also answers
// to 重要度 and 分類.
func axisAliases(pol *policy.Policy, ax *policy.Axis) []string {
	ja := fold(ax.Name.JA)
	out := []string{ja, ja + "分類", fold(ax.Name.EN), fold(ax.ID), strings.TrimSuffix(ja, "分類")}
	if len(pol.Axes()) == 1 {
		out = append(out, "重要度", "重要性", "分類", "格付", "格付け", "重要度分類")
	}
	return out
}

// fieldOf returns the field a header text names, if any.
func fieldOf(pol *policy.Policy, header string) Field {
	h := fold(header)
	if h == "" {
		return ""
	}
	if pol != nil {
		for _, ax := range pol.Axes() {
			for _, a := range axisAliases(pol, ax) {
				if a != "" && h == a {
					return LevelField(ax.ID)
				}
			}
		}
	}
	for _, f := range fieldOrder {
		for _, a := range headerAliases[f] {
			if h == a {
				return f
			}
		}
	}
	return ""
}

// fieldOrder makes alias lookups deterministic.
var fieldOrder = []Field{FieldNumber, FieldName, FieldKind, FieldUnit, FieldManager, FieldPersonal, FieldSpecific,
	FieldSegment, FieldLocation, FieldControlArea, FieldParent, FieldCopyOf, FieldState, FieldKeepUntil, FieldNotes}

// Header is where a table's header is: its last row and how many rows it
// spans, the label of each column, and how many fields it named.
type Header struct {
	Row    int // sheet row number of the last header row; 0: no header found
	Rows   int // 1 or 2
	Score  int
	Labels []string // per column: the header text, rows joined with " / "
}

// headerScanRows is how far down title rows and notes may push the header.
const headerScanRows = 30

// DetectHeader finds the header among the first rows: the row naming the
// most fields. Registers put a title and blank rows above it, and often a
// second header row: 重要度 merged over 機密性・完全性・可用性, with the axis
// names below. A row just above or below is taken as part of the header
// when it adds field names over columns the best row leaves empty or
// spans with one merged text.
func DetectHeader(t *Table, pol *policy.Policy) Header {
	best, bestScore := -1, 0
	for i := 0; i < len(t.Rows) && i < headerScanRows; i++ {
		if s := headerScore(pol, &t.Rows[i]); s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		return Header{}
	}
	first, last := best, best
	if best > 0 && t.Rows[best-1].N == t.Rows[best].N-1 && groupsOver(&t.Rows[best-1], &t.Rows[best]) {
		first = best - 1
	} else if best+1 < len(t.Rows) && t.Rows[best+1].N == t.Rows[best].N+1 && addsUnder(pol, &t.Rows[best], &t.Rows[best+1]) {
		last = best + 1
	}
	h := Header{Row: t.Rows[last].N, Rows: last - first + 1, Score: bestScore}
	if last != first {
		h.Score += headerScore(pol, &t.Rows[last]) + headerScore(pol, &t.Rows[first]) - bestScore
	}
	h.Labels = headerLabels(t, first, last)
	return h
}

// HeaderAt builds the header the person chose: its last row and row count.
func HeaderAt(t *Table, pol *policy.Policy, row, rows int) (Header, bool) {
	if rows < 1 || rows > 2 {
		rows = 1
	}
	for i := range t.Rows {
		if t.Rows[i].N != row {
			continue
		}
		first := i
		if rows == 2 && i > 0 && t.Rows[i-1].N == row-1 {
			first = i - 1
		}
		h := Header{Row: row, Rows: i - first + 1}
		for k := first; k <= i; k++ {
			h.Score += headerScore(pol, &t.Rows[k])
		}
		h.Labels = headerLabels(t, first, i)
		return h, true
	}
	return Header{}, false
}

func headerLabels(t *Table, first, last int) []string {
	labels := make([]string, t.Width)
	for j := range labels {
		var parts []string
		for k := first; k <= last; k++ {
			c := strings.Join(strings.Fields(t.Rows[k].Cell(j)), " ")
			if c != "" && (len(parts) == 0 || parts[len(parts)-1] != c) {
				parts = append(parts, c)
			}
		}
		labels[j] = strings.Join(parts, " / ")
	}
	return labels
}

func headerScore(pol *policy.Policy, r *Row) int {
	seen := map[Field]bool{}
	for _, c := range r.Cells {
		if f := fieldOf(pol, c); f != "" {
			seen[f] = true
		}
	}
	return len(seen)
}

// groupsOver reports whether upper is a group row over lower: at least two
// different texts (a title merged across the sheet has one), each over a
// column the lower row names.
func groupsOver(upper, lower *Row) bool {
	distinct := map[string]bool{}
	for j, c := range upper.Cells {
		if c = strings.TrimSpace(c); c != "" {
			if lower.Cell(j) == "" {
				return false
			}
			distinct[c] = true
		}
	}
	return len(distinct) >= 2
}

// addsUnder reports whether lower is a second header row under upper: it
// names a field in a column where upper is empty or repeats its
// neighbour's text (a merged group heading).
func addsUnder(pol *policy.Policy, upper, lower *Row) bool {
	for j, c := range lower.Cells {
		if fieldOf(pol, c) == "" {
			continue
		}
		u := upper.Cell(j)
		if u == "" || (j > 0 && upper.Cell(j-1) == u) || upper.Cell(j+1) == u {
			return true
		}
	}
	return false
}

// SuggestColumns maps fields to the columns whose labels name them: the
// whole label, else its last part (the lower header row), else its first.
// Each field takes the first column that names it; a column serves one
// field.
func SuggestColumns(pol *policy.Policy, labels []string) map[Field][]int {
	out := map[Field][]int{}
	used := map[int]bool{}
	for pass := 0; pass < 3; pass++ {
		for j, l := range labels {
			if used[j] || l == "" {
				continue
			}
			parts := strings.Split(l, " / ")
			cand := l
			switch pass {
			case 1:
				cand = parts[len(parts)-1]
			case 2:
				cand = parts[0]
			}
			f := fieldOf(pol, cand)
			if f == "" {
				continue
			}
			if _, taken := out[f]; taken {
				continue
			}
			out[f] = []int{j}
			used[j] = true
		}
	}
	return out
}

// Unknown is the value-mapping target that leaves an axis unclassified:
// the asset then waits for its manager to decide (下條村 第2章4(2)3-3).
const Unknown = "-"

// normValue is how a cell's value is keyed in a value mapping: widths
// folded, spaces collapsed, surrounding space dropped.
func normValue(s string) string {
	return strings.Join(strings.Fields(norm.NFKC.String(strings.ReplaceAll(s, "\u3000", " "))), " ")
}

// SuggestLevel proposes the level of ax a register's value means: the
// level id or name (機密性2, 機密性分類2, ２, ②), or 高/中/低 counted from
// the strictest; "-", 不明 and the like leave the axis unclassified. ok is
// false when nothing can be proposed (中 on a two-level axis, 3A on a
// profile without it): the person chooses. A register written to another
// numbering (the 総務省 guideline's 機密性3 is the strictest, 藤枝市's 1)
// is remapped by the person in the value step.
func SuggestLevel(ax *policy.Axis, value string) (string, bool) {
	v := fold(value)
	if v == "" {
		return Unknown, true
	}
	switch v {
	case "ー", "―", "不明", "未分類", "未定", "?", "？", "なし", "無", "na", "n/a", "unknown":
		return Unknown, true
	}
	for _, l := range ax.Levels {
		if v == fold(l.ID) || v == fold(l.Name.JA) || (l.Name.EN != "" && v == fold(l.Name.EN)) {
			return l.ID, true
		}
	}
	stripped := v
	for _, p := range []string{fold(ax.Name.JA), "分類", "レベル", "level", "lv", "区分"} {
		if p != "" {
			stripped = strings.ReplaceAll(stripped, p, "")
		}
	}
	for _, l := range ax.Levels {
		if stripped != "" && stripped == fold(l.ID) {
			return l.ID, true
		}
	}
	order := ax.StrictestFirst
	n := len(order)
	if n == 0 {
		return "", false
	}
	switch stripped {
	case "高", "大", "high", "h":
		return order[0], true
	case "低", "小", "low", "l":
		return order[n-1], true
	case "中", "medium", "middle", "m":
		if n == 3 {
			return order[1], true
		}
	}
	return "", false
}

// kindAliases are the words registers use for kinds, folded.
var kindAliases = []struct {
	kind  Kind
	words []string
}{
	{KindInformation, []string{"情報データ", "informationdata", "情報", "データ", "電子データ", "電子情報", "電子ファイル", "ファイル", "データベース", "db", "電磁的記録", "information", "data"}},
	{KindSystem, []string{"情報システム", "システム", "業務システム", "system", "informationsystem"}},
	{KindServer, []string{"サーバ", "サーバー", "server"}},
	{KindPC, []string{"パソコン端末", "pcterminal", "パソコン", "pc", "端末", "ノートパソコン", "ノートpc", "デスクトップ", "タブレット", "クライアント", "computer", "terminal"}},
	{KindNetworkDevice, []string{"ネットワーク機器", "ルータ", "ルーター", "スイッチ", "ファイアウォール", "無線lanアクセスポイント", "ap", "networkdevice", "router", "switch", "firewall"}},
	{KindMFP, []string{"multifunctionprinter", "複合機", "プリンタ", "プリンター", "コピー機", "ファクシミリ", "fax", "mfp", "printer"}},
	{KindEquipment, []string{"otherequipment", "機器", "ハードウェア", "その他機器", "その他の機器", "equipment", "hardware"}},
	{KindMedium, []string{"記録媒体", "外部記録媒体", "電磁的記録媒体", "媒体", "usbメモリ", "usb", "dvd", "cd", "cdr", "dvdr", "bd", "ハードディスク", "外付けハードディスク", "hdd", "ssd", "sdカード", "磁気テープ", "テープ", "lto", "medium", "media", "storagemedium"}},
	{KindPaper, []string{"書類帳票", "paperdocument", "紙", "書類", "文書", "紙文書", "紙媒体", "帳票", "入力原票", "出力帳票", "簿冊", "台帳", "paper", "document", "form"}},
	{KindSoftware, []string{"ソフトウェアライセンス", "softwarelicence", "ソフトウェア", "ソフト", "ライセンス", "アプリケーション", "software", "licence", "license"}},
	{KindNetwork, []string{"ネットワーク", "回線", "通信回線", "lan", "wan", "network"}},
}

// SuggestKind proposes the kind a register's value means.
func SuggestKind(value string) (Kind, bool) {
	v := fold(value)
	if v == "" {
		return "", false
	}
	for _, k := range Kinds {
		if v == string(k) {
			return k, true
		}
	}
	for _, ka := range kindAliases {
		for _, w := range ka.words {
			if v == w {
				return ka.kind, true
			}
		}
	}
	return "", false
}

var stateAliases = []struct {
	state State
	words []string
}{
	{StatePlanned, []string{"導入予定", "計画", "計画中", "構築中", "作成中", "予定", "planned"}},
	{StateInUse, []string{"利用中", "使用中", "稼働中", "運用中", "現用", "利用", "使用", "稼働", "運用", "inuse", "active"}},
	{StateStored, []string{"保管", "保管中", "保存", "保存中", "休止", "休止中", "stored"}},
	{StateRetired, []string{"利用終了", "使用終了", "停止", "廃止", "運用停止", "retired"}},
	{StateDisposed, []string{"廃棄", "廃棄済", "廃棄済み", "消去済", "返却済", "disposed"}},
}

// SuggestState proposes the lifecycle state a register's value means.
func SuggestState(value string) (State, bool) {
	v := fold(value)
	for _, s := range States {
		if v == string(s) {
			return s, true
		}
	}
	for _, sa := range stateAliases {
		for _, w := range sa.words {
			if v == w {
				return sa.state, true
			}
		}
	}
	return "", false
}

// SuggestSegment proposes the segment of pol a register's value names: by
// id or name, or a word that one segment's name alone contains
// (マイナンバー系 → 個人番号利用事務系 is left to the person).
func SuggestSegment(pol *policy.Policy, value string) (string, bool) {
	v := fold(value)
	if v == "" {
		return Unknown, true
	}
	if pol == nil {
		return "", false
	}
	var hits []string
	for _, s := range pol.Segments() {
		if v == fold(s.ID) || v == fold(s.Name.JA) || (s.Name.EN != "" && v == fold(s.Name.EN)) {
			return s.ID, true
		}
		if len([]rune(v)) >= 2 && (strings.Contains(fold(s.Name.JA), v) || strings.Contains(v, strings.TrimSuffix(fold(s.Name.JA), "系"))) {
			hits = append(hits, s.ID)
		}
	}
	if len(hits) == 1 {
		return hits[0], true
	}
	return "", false
}

// ParseFlag reads a yes/no cell: ○, ◯, ●, 有, あり, 該当, レ, ✓, 1, TRUE,
// yes are yes; blank, ×, 無, なし, 非該当, -, 0, FALSE, no are no.
func ParseFlag(value string) (bool, bool) {
	v := strings.TrimSpace(norm.NFKC.String(value))
	switch strings.ToLower(v) {
	case "○", "◯", "〇", "●", "◎", "有", "有り", "あり", "含む", "該当", "対象", "要", "レ", "✓", "✔", "☑", "1", "true", "yes", "y", "x", "はい":
		return true, true
	case "", "×", "✕", "✗", "無", "無し", "なし", "含まない", "非該当", "対象外", "不要", "-", "ー", "―", "0", "false", "no", "n", "いいえ":
		return false, true
	}
	return false, false
}

// distinctValues lists the normalized values of column j in rows, most
// frequent first, with their counts.
func distinctValues(rows []Row, j int) []ValueCount {
	counts := map[string]int{}
	for i := range rows {
		v := normValue(rows[i].Cell(j))
		if v == "" {
			continue
		}
		counts[v]++
	}
	out := make([]ValueCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, ValueCount{Value: v, Count: n})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Count != out[b].Count {
			return out[a].Count > out[b].Count
		}
		return out[a].Value < out[b].Value
	})
	return out
}

// ValueCount is a distinct value of a column and how often it occurs.
type ValueCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}
