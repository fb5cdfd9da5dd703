// Package directory holds the organization: units in trees, the people in
// them, and (from the active policy) the roles they hold.
package directory

import (
	"strings"
	"time"

	"mamori"
)

// PersonKind is the employment category the seeds distinguish (職員,
// 非常勤職員, 臨時職員, 派遣職員, 関係機関の職員等, 委託者).
type PersonKind string

const (
	KindStaff      PersonKind = "staff"      // 職員
	KindPartTime   PersonKind = "part_time"  // 非常勤職員
	KindTemporary  PersonKind = "temporary"  // 臨時職員
	KindDispatched PersonKind = "dispatched" // 派遣職員
	KindAffiliated PersonKind = "affiliated" // 関係機関の職員等
	KindContractor PersonKind = "contractor" // 委託者
)

// PersonKinds lists the kinds in display order.
var PersonKinds = []PersonKind{KindStaff, KindPartTime, KindTemporary, KindDispatched, KindAffiliated, KindContractor}

// Valid reports whether k is a known kind.
func (k PersonKind) Valid() bool {
	for _, x := range PersonKinds {
		if x == k {
			return true
		}
	}
	return false
}

// PersonStatus says whether a person may act.
type PersonStatus string

const (
	StatusActive    PersonStatus = "active"
	StatusSuspended PersonStatus = "suspended" // rights suspended (下條村 第2章9(6)(2), 天草 第39条(3))
	StatusLeft      PersonStatus = "left"      // retired or moved out
)

// Person is a member of staff or anyone else who may sign in.
type Person struct {
	ID          int64
	StaffNo     string
	Name        string
	Kana        string
	Email       string
	Kind        PersonKind
	UnitID      int64 // 0: no unit
	IsAdmin     bool  // mamori's own system administrator, outside the policy's roles
	Status      PersonStatus
	NeedsReview bool // flagged for an access review after a transfer (下條村 第2章8(3)9, 12)
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks the fields a person types.
func (p *Person) Validate() error {
	p.StaffNo = strings.TrimSpace(p.StaffNo)
	p.Name = strings.TrimSpace(p.Name)
	p.Email = strings.TrimSpace(p.Email)
	if p.StaffNo == "" || len(p.StaffNo) > 40 {
		return mamori.FieldError("staff_no", "person.staff_no_invalid", nil)
	}
	if p.Name == "" || len([]rune(p.Name)) > 100 {
		return mamori.FieldError("name", "person.name_invalid", nil)
	}
	if p.Email != "" && (!strings.Contains(p.Email, "@") || len(p.Email) > 200) {
		return mamori.FieldError("email", "person.email_invalid", nil)
	}
	if !p.Kind.Valid() {
		return mamori.FieldError("kind", "person.kind_invalid", map[string]any{"Kind": string(p.Kind)})
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	return nil
}

// UnitKind is the level of a unit in its tree.
type UnitKind string

const (
	UnitDepartment UnitKind = "department" // 部局
	UnitSection    UnitKind = "section"    // 課・室
	UnitTeam       UnitKind = "team"       // 係
	UnitBody       UnitKind = "body"       // an organization of its own (天草: 事務局, 消防本部)
)

// Unit is a node of an organization tree.
type Unit struct {
	ID        int64
	ParentID  int64 // 0 for a root
	Code      string
	Name      string
	NameEN    string
	Kind      UnitKind
	Body      string
	Sort      int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UnitKinds lists the unit kinds in display order.
var UnitKinds = []UnitKind{UnitBody, UnitDepartment, UnitSection, UnitTeam}

// Valid reports whether k is a known kind.
func (k UnitKind) Valid() bool {
	for _, x := range UnitKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Validate checks the fields of a unit a person types.
func (u *Unit) Validate() error {
	u.Code = strings.TrimSpace(u.Code)
	u.Name = strings.TrimSpace(u.Name)
	u.NameEN = strings.TrimSpace(u.NameEN)
	u.Body = strings.TrimSpace(u.Body)
	if u.Code == "" || len(u.Code) > 40 || strings.ContainsAny(u.Code, " \t\r\n,;、") {
		return mamori.FieldError("code", "unit.code_invalid", nil)
	}
	if u.Name == "" || len([]rune(u.Name)) > 100 {
		return mamori.FieldError("name", "unit.name_invalid", nil)
	}
	if len([]rune(u.NameEN)) > 100 {
		return mamori.FieldError("name_en", "unit.name_invalid", nil)
	}
	if !u.Kind.Valid() {
		return mamori.FieldError("kind", "unit.kind_invalid", map[string]any{"Kind": string(u.Kind)})
	}
	if u.ParentID != 0 && u.ParentID == u.ID {
		return mamori.FieldError("parent_id", "unit.parent_cycle", nil)
	}
	return nil
}

// Statuses lists the person statuses in display order.
var Statuses = []PersonStatus{StatusActive, StatusSuspended, StatusLeft}

// Valid reports whether s is a known status.
func (s PersonStatus) Valid() bool {
	return s == StatusActive || s == StatusSuspended || s == StatusLeft
}
