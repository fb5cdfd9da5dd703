// Package asset holds the information asset register (情報資産台帳): the
// assets of every kind the policies name, their classification on each axis
// of the active policy, the handling restrictions those levels carry, the
// levels a medium or system is handled at because of what it holds, and the
// import and export of registers kept in Excel. It declares the store it
// needs; internal/store implements it.
package asset

import (
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"mamori"
)

// Kind is what sort of asset it is. The seeds name information and data,
// information systems, equipment, storage media, paper (書類・入力原票・
// 出力帳票: 下條村 第2章4(2)10), software and licences (天草 第26条2) and
// networks.
type Kind string

const (
	KindInformation   Kind = "information"    // 情報・データ
	KindSystem        Kind = "system"         // 情報システム
	KindServer        Kind = "server"         // サーバ
	KindPC            Kind = "pc"             // パソコン・端末
	KindNetworkDevice Kind = "network_device" // ネットワーク機器
	KindMFP           Kind = "mfp"            // 複合機
	KindEquipment     Kind = "equipment"      // その他の機器
	KindMedium        Kind = "medium"         // 記録媒体
	KindPaper         Kind = "paper"          // 書類・入力原票・出力帳票
	KindSoftware      Kind = "software"       // ソフトウェア・ライセンス
	KindNetwork       Kind = "network"        // ネットワーク
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{KindInformation, KindSystem, KindServer, KindPC, KindNetworkDevice, KindMFP, KindEquipment,
	KindMedium, KindPaper, KindSoftware, KindNetwork}

// KindEquipmentGroup is a filter value that selects every kind of
// equipment (server, PC, network device, multifunction printer, other).
const KindEquipmentGroup Kind = "equipment_all"

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Equipment reports whether k is a kind of equipment (機器).
func (k Kind) Equipment() bool {
	switch k {
	case KindServer, KindPC, KindNetworkDevice, KindMFP, KindEquipment:
		return true
	}
	return false
}

// Holds reports whether an asset of kind k can hold other assets: a
// system, a piece of equipment, a storage medium or a network. What it
// holds decides the level it is handled at (藤枝市 第2章5(2)④ウ).
func (k Kind) Holds() bool {
	return k == KindSystem || k == KindMedium || k == KindNetwork || k.Equipment()
}

// State is where an asset is in its life.
type State string

const (
	StatePlanned  State = "planned"  // 導入予定・作成中
	StateInUse    State = "in_use"   // 利用中
	StateStored   State = "stored"   // 保管中
	StateRetired  State = "retired"  // 利用終了（廃棄前）
	StateDisposed State = "disposed" // 廃棄済
)

// States lists the states in display order.
var States = []State{StatePlanned, StateInUse, StateStored, StateRetired, StateDisposed}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Levels is a classification: the level id on each axis id of the policy
// ("confidentiality" → "1"). An axis that is absent is not classified yet.
// Stored as a JSON object, so that any profile's axes fit.
type Levels map[string]string

// Clone returns a copy of l.
func (l Levels) Clone() Levels {
	out := make(Levels, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

// Equal reports whether l and m hold the same levels.
func (l Levels) Equal(m Levels) bool {
	if len(l) != len(m) {
		return false
	}
	for k, v := range l {
		if w, ok := m[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Asset is one entry of the register.
type Asset struct {
	ID     int64
	Number string // asset number, unique in the organization
	Name   string
	Kind   Kind
	UnitID int64 // the owning unit: its manager is the asset's manager (下條村 第2章4(2)1)

	// Levels is the classification given to the asset itself; Effective is
	// the classification it is handled at: its own levels, raised to the
	// strictest of what it holds (藤枝市 第2章5(2)④ウ), or its original's
	// for a copy (藤枝市 第2章5(2)①イ). Unclassified is true while some
	// axis of the policy has no effective level: the asset waits for its
	// manager to decide (下條村 第2章4(2)3-3).
	Levels       Levels
	Effective    Levels
	Unclassified bool

	Personal         bool // 個人情報
	SpecificPersonal bool // 特定個人情報 (implies Personal)
	Segment          string
	Location         string
	ControlArea      string // 管理区域
	ParentID         int64  // the system, equipment, medium or network it belongs to
	CopyOf           int64  // the original this asset is a copy of
	State            State
	KeepUntil        *time.Time // 保存期限 (a date, UTC midnight)
	Notes            string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	CreatedBy        int64

	// Read with the asset, for display.
	UnitName       string
	ParentNumber   string
	ParentName     string
	OriginalNumber string
	OriginalName   string
}

// Limits on the text fields.
const (
	maxNumber = 40
	maxName   = 200
	maxPlace  = 200
	maxNotes  = 4000
)

// NormalizeNumber folds an asset number the way registers write it:
// full-width letters, digits and hyphens become their ASCII forms and
// surrounding space is dropped, so that "Ａ－０１" and "A-01" are one
// number.
func NormalizeNumber(s string) string {
	return strings.TrimSpace(norm.NFKC.String(s))
}

// Validate checks the fields a person types and normalizes them. It does
// not check references (unit, parent, original) or levels: those need the
// store and the policy.
func (a *Asset) Validate() error {
	a.Number = NormalizeNumber(a.Number)
	a.Name = strings.TrimSpace(a.Name)
	a.Location = strings.TrimSpace(a.Location)
	a.ControlArea = strings.TrimSpace(a.ControlArea)
	a.Segment = strings.TrimSpace(a.Segment)
	a.Notes = strings.TrimSpace(a.Notes)
	switch {
	case a.Number == "" || len(a.Number) > maxNumber || strings.ContainsAny(a.Number, "\r\n\t"):
		return mamori.FieldError("number", "asset.number_invalid", map[string]any{"Max": maxNumber})
	case a.Name == "" || utf8.RuneCountInString(a.Name) > maxName:
		return mamori.FieldError("name", "asset.name_invalid", map[string]any{"Max": maxName})
	case !a.Kind.Valid():
		return mamori.FieldError("kind", "asset.kind_invalid", map[string]any{"Kind": string(a.Kind)})
	case a.UnitID == 0:
		return mamori.FieldError("unit_id", "asset.unit_required", nil)
	case utf8.RuneCountInString(a.Location) > maxPlace:
		return mamori.FieldError("location", "asset.text_too_long", map[string]any{"Max": maxPlace})
	case utf8.RuneCountInString(a.ControlArea) > maxPlace:
		return mamori.FieldError("control_area", "asset.text_too_long", map[string]any{"Max": maxPlace})
	case utf8.RuneCountInString(a.Notes) > maxNotes:
		return mamori.FieldError("notes", "asset.text_too_long", map[string]any{"Max": maxNotes})
	}
	if a.State == "" {
		a.State = StateInUse
	}
	if !a.State.Valid() {
		return mamori.FieldError("state", "asset.state_invalid", map[string]any{"State": string(a.State)})
	}
	if a.ID != 0 && (a.ParentID == a.ID) {
		return mamori.FieldError("parent", "asset.parent_cycle", nil)
	}
	if a.ID != 0 && a.CopyOf == a.ID {
		return mamori.FieldError("copy_of", "asset.copy_cycle", nil)
	}
	// 特定個人情報 is personal information by definition.
	if a.SpecificPersonal {
		a.Personal = true
	}
	if a.KeepUntil != nil {
		d := dateOnly(*a.KeepUntil)
		a.KeepUntil = &d
	}
	if a.Levels == nil {
		a.Levels = Levels{}
	}
	return nil
}

// dateOnly keeps the calendar date of t as seen in Japan, at UTC midnight:
// a keep-until date is a day, not an instant.
func dateOnly(t time.Time) time.Time {
	t = t.In(tokyo)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.FixedZone("JST", 9*60*60)
	}
	return loc
}()
