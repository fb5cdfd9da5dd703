package policy

import (
	"slices"

	"cel.dev/cel-go/common/types/ref"
)

// This file holds the profile format: the Go shape of the YAML document.
// docs/policy-format.md describes the same keys for profile authors; keep
// the two in step. Every struct with a Pos field records where it was
// written, so that validation errors point into the source.

// FormatV1 is the only format version Load accepts.
const FormatV1 = "mamori.policy/v1"

// document is the whole profile as written.
type document struct {
	Format             string           `yaml:"format"`
	Profile            Profile          `yaml:"profile"`
	Roles              []*Role          `yaml:"roles"`
	Classification     Classification   `yaml:"classification"`
	Segments           []*Segment       `yaml:"segments"`
	Crossings          []*Crossing      `yaml:"crossings"`
	Facts              []*FactDecl      `yaml:"facts"`
	Actions            []*Action        `yaml:"actions"`
	Rules              []*Rule          `yaml:"rules"`
	RecordTypes        []*RecordType    `yaml:"record_types"`
	RequestKinds       []*RequestKind   `yaml:"request_kinds"`
	Incident           IncidentProcess  `yaml:"incident"`
	Violations         ViolationProcess `yaml:"violations"`
	Duties             []*Duty          `yaml:"duties"`
	Obligations        []*Obligation    `yaml:"obligations"`
	Auth               AuthRules        `yaml:"auth"`
	SeparationOfDuties []*SoD           `yaml:"separation_of_duties"`
	Gaps               []*Gap           `yaml:"gaps"`
	Pos                Pos              `yaml:"-" json:"-"`
}

// Profile identifies the policy and the organization it governs.
type Profile struct {
	ID           string        `yaml:"id" json:"id"`
	Version      string        `yaml:"version" json:"version"`
	Name         Text          `yaml:"name" json:"name"`
	Source       string        `yaml:"source" json:"source"`
	Revised      string        `yaml:"revised" json:"revised,omitempty"`
	Organization Organization  `yaml:"organization" json:"organization"`
	PersonKinds  []*PersonKind `yaml:"person_kinds" json:"person_kinds"`
	// Default is the outcome of an action that has no default of its own
	// and whose rules all fail to match. It is optional; without it every
	// action must state its own default.
	Default *Outcome `yaml:"default" json:"default,omitempty"`
	Pos     Pos      `yaml:"-" json:"-"`
}

// Organization is the body the policy applies to and the bodies in scope
// (e.g. 川俣町's seven executive bodies, 天草's 事務局 and 消防本部).
type Organization struct {
	Name   Text    `yaml:"name" json:"name"`
	Clause string  `yaml:"clause" json:"clause"`
	Bodies []*Body `yaml:"bodies" json:"bodies"`
	Pos    Pos     `yaml:"-" json:"-"`
}

// Body is one organization within the policy's scope.
type Body struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// PersonKind is a category of person the policy applies to (職員, 派遣職員,
// 委託事業者 …), as the seed names them.
type PersonKind struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// RoleKind says what sort of role it is.
type RoleKind string

// Role kinds.
const (
	// RolePosition is held by appointed people (副市長, 各課長 …).
	RolePosition RoleKind = "position"
	// RoleBody is a committee, CSIRT or contact point acting as one.
	RoleBody RoleKind = "body"
	// RoleBaseline is held by every member of staff (職員等): its grants
	// are everyone's baseline.
	RoleBaseline RoleKind = "baseline"
)

// RoleScope says whether a role has one holder for the organization or one
// per unit (a section's 情報セキュリティ管理者).
type RoleScope string

// Role scopes.
const (
	ScopeOrganization RoleScope = "organization"
	ScopeUnit         RoleScope = "unit"
	// ScopeBody is one holder per body in the policy's scope (天草: the
	// 事務局長 for the 事務局 and the 消防長 for the 消防本部).
	ScopeBody RoleScope = "body"
)

// Role is one position of the policy's organization (組織体制).
type Role struct {
	ID     string    `yaml:"id" json:"id"`
	Name   Text      `yaml:"name" json:"name"`
	Holder Text      `yaml:"holder" json:"holder"`
	Kind   RoleKind  `yaml:"kind" json:"kind"`
	Scope  RoleScope `yaml:"scope" json:"scope"`
	Clause string    `yaml:"clause" json:"clause"`
	// AppointedBy is the role that designates the holder (情報セキュリティ
	// 担当者 is named by the 情報セキュリティ管理者).
	AppointedBy string `yaml:"appointed_by" json:"appointed_by,omitempty"`
	ReportsTo   string `yaml:"reports_to" json:"reports_to,omitempty"`
	// Substitutes act, in this order, when the holder is absent; each
	// on every matter, or only on the matters it names (下條村 第2章3(2)イ).
	Substitutes []*Substitute `yaml:"substitutes" json:"substitutes,omitempty"`
	Delegation  *Delegation   `yaml:"delegation" json:"delegation,omitempty"`
	Duties      []*RoleDuty   `yaml:"duties" json:"duties,omitempty"`
	Grants      []Permission  `yaml:"grants" json:"grants"`
	Pos         Pos           `yaml:"-" json:"-"`
}

// Matter is what a person acts on in a role. A substitution may be
// limited to some matters: 下條村 第2章3(2)イ lets the 統括 act for an
// absent CISO only "下條村の情報資産に対する侵害又は侵害の恐れがある場合",
// so a remote-maintenance approval waits for the CISO while an incident
// reaches the 統括. Callers say which matter they resolve a role for.
type Matter string

// Matters. The vocabulary is closed: a profile naming another is refused,
// so that a substitution can never silently apply to nothing.
const (
	// MatterApproval is deciding on what someone asks for: requests,
	// deviations, the classification of an asset by its manager.
	MatterApproval Matter = "approval"
	// MatterIncident is responding to an infringement or its threat: the
	// incident reporting chain, triage, external-report deadlines, and
	// the response to violations of the policy.
	MatterIncident Matter = "incident"
)

// Matters lists every matter in documentation order.
var Matters = []Matter{MatterApproval, MatterIncident}

// Valid reports whether m is a matter of the vocabulary.
func (m Matter) Valid() bool { return slices.Contains(Matters, m) }

// Substitute is one entry of a role's substitution order. In YAML a bare
// role id is the shorthand of a substitute for every matter.
type Substitute struct {
	Role string `yaml:"role" json:"role"`
	// For limits the substitution to these matters; empty: every matter.
	For    []Matter `yaml:"for" json:"for,omitempty"`
	Clause string   `yaml:"clause" json:"clause,omitempty"`
	Pos    Pos      `yaml:"-" json:"-"`
}

// fromScalar reads the shorthand "substitutes: [deputy]".
func (s *Substitute) fromScalar(value string, pos Pos) {
	s.Role, s.Pos = value, pos
}

// Covers reports whether the substitute acts on matter m.
func (s *Substitute) Covers(m Matter) bool { return len(s.For) == 0 || slices.Contains(s.For, m) }

// SubstitutesFor returns the ids of the roles that act, in order, for an
// absent holder of r on matter m.
func (r *Role) SubstitutesFor(m Matter) []string {
	var out []string
	for _, s := range r.Substitutes {
		if s.Covers(m) {
			out = append(out, s.Role)
		}
	}
	return out
}

// Delegation lets a role have its work done by another role's holder
// (藤枝市 第2章4(1)② ただし書).
type Delegation struct {
	To     []string `yaml:"to" json:"to"`
	Text   Text     `yaml:"text" json:"text"`
	Clause string   `yaml:"clause" json:"clause"`
	Pos    Pos      `yaml:"-" json:"-"`
}

// RoleDuty is one duty (職務) of a role, as the seed words it.
type RoleDuty struct {
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// Classification is the set of axes information assets are classified on.
type Classification struct {
	Clause string  `yaml:"clause" json:"clause"`
	Axes   []*Axis `yaml:"axes" json:"axes"`
	Pos    Pos     `yaml:"-" json:"-"`
}

// Axis is one classification axis with its own scale.
type Axis struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"`
	Clause string `yaml:"clause" json:"clause"`
	// StrictestFirst orders the level ids from the strictest to the least
	// strict; it must name every level once.
	StrictestFirst []string `yaml:"strictest_first" json:"strictest_first"`
	// MixedClause is the clause that makes a medium holding several levels
	// be handled at the strictest (藤枝市 第2章5(2)④ウ); Decide cites it
	// when it reduces a fact given as several levels.
	MixedClause string   `yaml:"mixed_clause" json:"mixed_clause,omitempty"`
	Levels      []*Level `yaml:"levels" json:"levels"`
	Pos         Pos      `yaml:"-" json:"-"`

	rank  map[string]int // level id → position in StrictestFirst
	ints  bool           // every level id is an integer: CEL sees an int
	level map[string]*Level
}

// Level is one level of an axis.
type Level struct {
	ID       string `yaml:"id" json:"id"`
	Name     Text   `yaml:"name" json:"name"`
	Criteria []Text `yaml:"criteria" json:"criteria"`
	Clause   string `yaml:"clause" json:"clause"`
	// Includes names levels of the same axis whose restrictions also apply
	// to this one (藤枝市 第2章5(2)⑤イ "アに加えて").
	Includes     []string       `yaml:"includes" json:"includes,omitempty"`
	Restrictions []*Restriction `yaml:"restrictions" json:"restrictions"`
	Pos          Pos            `yaml:"-" json:"-"`
}

// Restriction is one handling restriction (取扱制限) of a level.
type Restriction struct {
	ID     string `yaml:"id" json:"id"`
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	// AppliesTo narrows the restriction to assets holding personal
	// information ("personal") or specific personal information
	// ("specific_personal"), as 藤枝市 第2章5(2)⑤ウ does; empty: every asset
	// of the level.
	AppliesTo string `yaml:"applies_to" json:"applies_to,omitempty"`
	Pos       Pos    `yaml:"-" json:"-"`
}

// Restriction subjects for AppliesTo.
const (
	AppliesToPersonal         = "personal"
	AppliesToSpecificPersonal = "specific_personal"
)

// Applies reports whether the restriction applies to an asset with the
// given flags.
func (r *Restriction) Applies(personal, specificPersonal bool) bool {
	switch r.AppliesTo {
	case AppliesToPersonal:
		return personal || specificPersonal
	case AppliesToSpecificPersonal:
		return specificPersonal
	}
	return true
}

// Segment is a network segment (個人番号利用事務系, LGWAN接続系 …).
type Segment struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"`
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// Crossing says what may pass from one segment to another.
type Crossing struct {
	From   string `yaml:"from" json:"from"`
	To     string `yaml:"to" json:"to"`
	Effect string `yaml:"effect" json:"effect"` // deny | allow | conditional
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// FactType is the type of a declared fact.
type FactType string

// Fact types.
const (
	FactBool   FactType = "bool"
	FactInt    FactType = "int"
	FactString FactType = "string"
	FactList   FactType = "list" // list of strings
	FactLevel  FactType = "level"
)

// FactDecl declares a fact rules may read.
type FactDecl struct {
	ID   string   `yaml:"id" json:"id"`
	Type FactType `yaml:"type" json:"type"`
	// Axis is the classification axis of a level fact.
	Axis string `yaml:"axis" json:"axis,omitempty"`
	// Values, for a string or list fact, is the closed set of values.
	Values []string `yaml:"values" json:"values,omitempty"`
	// MaxItems bounds a list fact (default 100) and MaxLength a string
	// (default 1024), which bounds the cost of every condition statically.
	MaxItems    int  `yaml:"max_items" json:"max_items,omitempty"`
	MaxLength   int  `yaml:"max_length" json:"max_length,omitempty"`
	Description Text `yaml:"description" json:"description"`
	// Default is used when a caller does not give the fact; without one a
	// missing fact is an error.
	Default any `yaml:"default" json:"default,omitempty"`
	Pos     Pos `yaml:"-" json:"-"`

	axis *Axis
	def  ref.Val // Default converted to the fact's CEL value
}

// Effect is what the policy says about an action.
type Effect string

// Effects, from the strongest: deny overrides approve, approve overrides
// record, record overrides allow.
const (
	Deny    Effect = "deny"
	Approve Effect = "approve"
	Record  Effect = "record"
	Allow   Effect = "allow"
)

func (e Effect) valid() bool { return e == Deny || e == Approve || e == Record || e == Allow }

// Route scopes: where the holder of a route step's role is looked up.
const (
	// RouteApplicantUnit resolves the role for the applicant's unit,
	// walking up the unit tree.
	RouteApplicantUnit = "applicant_unit"
	// RouteOwnerUnit resolves the role for the unit that owns the asset or
	// system concerned (藤枝市 第2章8(3)④ア "当該情報システムを所管する").
	RouteOwnerUnit = "owner_unit"
	// RouteOrganization resolves the organization-wide holder.
	RouteOrganization = "organization"
	// RouteApplicantBody resolves a body-scoped role for the applicant's
	// body (organization within the policy's scope).
	RouteApplicantBody = "applicant_body"
)

// RouteStep is one approval step.
type RouteStep struct {
	Role  string `yaml:"role" json:"role"`
	Scope string `yaml:"scope" json:"scope"`
}

// Action is something a person may ask the policy about.
type Action struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"`
	Clause string `yaml:"clause" json:"clause,omitempty"`
	// Facts optionally declares the facts the action's rules may read; the
	// compiler checks the rules against it. Without it the list is derived.
	Facts []string `yaml:"facts" json:"facts,omitempty"`
	// Default is the outcome when no rule matches.
	Default *Outcome `yaml:"default" json:"default,omitempty"`
	Pos     Pos      `yaml:"-" json:"-"`
}

// Outcome is the effect of a default (no rule matched).
type Outcome struct {
	Effect     Effect      `yaml:"effect" json:"effect"`
	Route      []RouteStep `yaml:"route" json:"route,omitempty"`
	RecordType string      `yaml:"record_type" json:"record_type,omitempty"`
	Clause     string      `yaml:"clause" json:"clause,omitempty"`
	Reason     Text        `yaml:"reason" json:"reason"`
	Pos        Pos         `yaml:"-" json:"-"`
}

// Rule is one rule: when its condition holds for an action, its effect
// applies.
type Rule struct {
	ID     string `yaml:"id" json:"id"`
	Action string `yaml:"action" json:"action"`
	// When is a CEL condition over the declared facts; empty means always.
	When       string      `yaml:"when" json:"when,omitempty"`
	Effect     Effect      `yaml:"effect" json:"effect"`
	Route      []RouteStep `yaml:"route" json:"route,omitempty"`
	RecordType string      `yaml:"record_type" json:"record_type,omitempty"`
	Clause     string      `yaml:"clause" json:"clause"`
	Reason     Text        `yaml:"reason" json:"reason"`
	// Overrides names rules of the same action this more specific rule
	// displaces when both match.
	Overrides []string `yaml:"overrides" json:"overrides,omitempty"`
	Pos       Pos      `yaml:"-" json:"-"`
}

// FieldType is the type of a form or record field.
type FieldType string

// Field types.
const (
	FieldText      FieldType = "text"
	FieldLongText  FieldType = "longtext"
	FieldDate      FieldType = "date"
	FieldDateTime  FieldType = "datetime"
	FieldInt       FieldType = "int"
	FieldBool      FieldType = "bool"
	FieldEnum      FieldType = "enum"
	FieldAssetList FieldType = "asset_list"
	FieldPerson    FieldType = "person"
	FieldFile      FieldType = "file"
)

var fieldTypes = map[FieldType]bool{
	FieldText: true, FieldLongText: true, FieldDate: true, FieldDateTime: true, FieldInt: true,
	FieldBool: true, FieldEnum: true, FieldAssetList: true, FieldPerson: true, FieldFile: true,
}

// Option is one choice of an enum field.
type Option struct {
	ID   string `yaml:"id" json:"id"`
	Name Text   `yaml:"name" json:"name"`
}

// Field is one field of a request form or of a record.
type Field struct {
	ID       string    `yaml:"id" json:"id"`
	Name     Text      `yaml:"name" json:"name"`
	Type     FieldType `yaml:"type" json:"type"`
	Required bool      `yaml:"required" json:"required"`
	Options  []Option  `yaml:"options" json:"options,omitempty"`
	// Fact is the fact this field's value supplies to Decide. An
	// asset_list field supplies every level fact from the assets' levels.
	Fact string `yaml:"fact" json:"fact,omitempty"`
	// Purpose says what the field means to mamori (the return due date,
	// the time a record's act was performed …); mamori finds fields by
	// purpose, never by id. See purpose.go.
	Purpose FieldPurpose `yaml:"purpose" json:"purpose,omitempty"`
	Clause  string       `yaml:"clause" json:"clause,omitempty"`
	Pos     Pos          `yaml:"-" json:"-"`
}

// RecordType is a kind of record the policy requires to be kept.
type RecordType struct {
	ID   string `yaml:"id" json:"id"`
	Name Text   `yaml:"name" json:"name"`
	// Retention is "5y", "6m", "30d", "1y6m", or "unspecified" where the
	// seed requires a record but names no period (then Gaps says so).
	Retention string   `yaml:"retention" json:"retention"`
	Clause    string   `yaml:"clause" json:"clause"`
	Text      Text     `yaml:"text" json:"text"`
	Fields    []*Field `yaml:"fields" json:"fields"`
	Pos       Pos      `yaml:"-" json:"-"`

	retention Period
}

// RetentionPeriod is Retention parsed; zero and Specified false when the
// seed names no period.
func (r *RecordType) RetentionPeriod() Period { return r.retention }

// ReportKind is a report a request requires after it is granted.
type ReportKind string

// Report kinds.
const (
	ReportExecution ReportKind = "execution" // 実施報告 (done, with date/time)
	ReportReturn    ReportKind = "return"    // 返却 (taken-out assets back)
	ReportStart     ReportKind = "start"     // 作業開始の報告
	ReportEnd       ReportKind = "end"       // 作業終了の報告
)

// RequestKind is a permission staff ask for through mamori.
type RequestKind struct {
	ID         string       `yaml:"id" json:"id"`
	Name       Text         `yaml:"name" json:"name"`
	Action     string       `yaml:"action" json:"action"`
	Clause     string       `yaml:"clause" json:"clause"`
	Text       Text         `yaml:"text" json:"text"`
	Fields     []*Field     `yaml:"fields" json:"fields"`
	Reports    []ReportKind `yaml:"reports" json:"reports,omitempty"`
	RecordType string       `yaml:"record_type" json:"record_type,omitempty"`
	Pos        Pos          `yaml:"-" json:"-"`
}

// IncidentProcess is how an incident is reported and closed.
type IncidentProcess struct {
	Clause string `yaml:"clause" json:"clause"`
	// Contact is the role of the unified contact point (統一的な窓口).
	Contact         string            `yaml:"contact" json:"contact,omitempty"`
	Chain           []*IncidentStep   `yaml:"chain" json:"chain"`
	Triage          string            `yaml:"triage" json:"triage,omitempty"`
	TriageClause    string            `yaml:"triage_clause" json:"triage_clause,omitempty"`
	CloseSteps      []*ProcessStep    `yaml:"close_steps" json:"close_steps"`
	ExternalReports []*ExternalReport `yaml:"external_reports" json:"external_reports,omitempty"`
	Pos             Pos               `yaml:"-" json:"-"`
}

// IncidentStep is one step of the reporting chain: the roles told at once,
// each with where its holder is looked up.
type IncidentStep struct {
	To []RouteStep `yaml:"to" json:"to"`
	// Conditional steps are taken "必要に応じて" (when needed).
	Conditional bool   `yaml:"conditional" json:"conditional,omitempty"`
	Text        Text   `yaml:"text" json:"text"`
	Clause      string `yaml:"clause" json:"clause"`
	Pos         Pos    `yaml:"-" json:"-"`
}

// ProcessStep is a step that must be done (e.g. before closing an incident).
type ProcessStep struct {
	ID     string `yaml:"id" json:"id"`
	Role   string `yaml:"role" json:"role,omitempty"`
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// ExternalReport is a report to an outside body (総務省, 都道府県, 個人情報
// 保護委員会 …).
type ExternalReport struct {
	ID     string `yaml:"id" json:"id"`
	Target Text   `yaml:"target" json:"target"`
	Role   string `yaml:"role" json:"role,omitempty"`
	// Deadline is a period such as "3d", or empty when none is given.
	Deadline string `yaml:"deadline" json:"deadline,omitempty"`
	Text     Text   `yaml:"text" json:"text"`
	Clause   string `yaml:"clause" json:"clause"`
	Pos      Pos    `yaml:"-" json:"-"`
}

// ViolationProcess is the response to a violation of the policy by a
// member of staff (下條村 第2章9(6), 天草 第39条, 藤枝市 第2章9(3)): who is
// told when it is recorded and its correction instructed, and — where the
// policy prescribes it — who is told when the person's rights are
// suspended. A policy that says nothing leaves it empty; mamori then tells
// the roles granted violation.manage.
type ViolationProcess struct {
	Clause string `yaml:"clause" json:"clause,omitempty"`
	// Notify are told when a violation is recorded and when its
	// correction is instructed; applicant_unit is the violator's unit.
	Notify       []RouteStep `yaml:"notify" json:"notify,omitempty"`
	NotifyClause string      `yaml:"notify_clause" json:"notify_clause,omitempty"`
	// Suspend is set when the policy lets the person's rights be
	// suspended (or removed) when guidance does not correct a violation.
	Suspend *SuspendRule `yaml:"suspend" json:"suspend,omitempty"`
	Pos     Pos          `yaml:"-" json:"-"`
}

// SuspendRule is the suspension of a violator's rights.
type SuspendRule struct {
	// Notify are told when the rights are suspended.
	Notify []RouteStep `yaml:"notify" json:"notify"`
	Text   Text        `yaml:"text" json:"text"`
	Clause string      `yaml:"clause" json:"clause"`
	Pos    Pos         `yaml:"-" json:"-"`
}

// Duty is a recurring duty (yearly training, an internal audit every August).
type Duty struct {
	ID   string `yaml:"id" json:"id"`
	Name Text   `yaml:"name" json:"name"`
	Role string `yaml:"role" json:"role"`
	// Period is how often ("1y", "6m"); "as_needed" for duties the seed
	// ties to events rather than the calendar.
	Period string `yaml:"period" json:"period"`
	// Month, when set, is the month (1–12) the duty falls in.
	Month  int    `yaml:"month" json:"month,omitempty"`
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`

	period Period
}

// PeriodValue is Period parsed (zero for "as_needed").
func (d *Duty) PeriodValue() Period { return d.period }

// Modality is the force of an obligation.
type Modality string

// Modalities.
const (
	Must    Modality = "must"     // しなければならない
	MustNot Modality = "must_not" // してはならない
	Shall   Modality = "shall"    // ものとする
	Should  Modality = "should"   // 努めなければならない／努めるものとする
)

// Obligation is a duty mamori cannot enforce by itself: the raw material of
// self-inspection checklists.
type Obligation struct {
	ID     string `yaml:"id" json:"id"`
	Clause string `yaml:"clause" json:"clause"`
	Actor  string `yaml:"actor" json:"actor"`
	// CoActors share the duty ("統括情報セキュリティ責任者及び情報基盤管理者は").
	CoActors []string `yaml:"co_actors" json:"co_actors,omitempty"`
	Modality Modality `yaml:"modality" json:"modality"`
	Text     Text     `yaml:"text" json:"text"`
	Pos      Pos      `yaml:"-" json:"-"`
}

// AuthRules are the authentication requirements of the policy.
type AuthRules struct {
	Clause   string        `yaml:"clause" json:"clause,omitempty"`
	Password PasswordRules `yaml:"password" json:"password"`
	MFA      []*MFARule    `yaml:"mfa" json:"mfa,omitempty"`
	Pos      Pos           `yaml:"-" json:"-"`
}

// IntSetting is a number the seed prescribes, with its clause. A zero Value
// means the seed does not give a number (see the profile's gaps).
type IntSetting struct {
	Value  int    `yaml:"value" json:"value"`
	Clause string `yaml:"clause" json:"clause"`
}

// BoolSetting is a yes/no requirement with its clause.
type BoolSetting struct {
	Value  bool   `yaml:"value" json:"value"`
	Clause string `yaml:"clause" json:"clause"`
}

// PasswordRules are the password requirements.
type PasswordRules struct {
	MinLength           IntSetting     `yaml:"min_length" json:"min_length"`
	History             IntSetting     `yaml:"history" json:"history"`
	MaxAgeDays          IntSetting     `yaml:"max_age_days" json:"max_age_days"`
	LockoutThreshold    IntSetting     `yaml:"lockout_threshold" json:"lockout_threshold"`
	TemporaryMustChange BoolSetting    `yaml:"temporary_must_change" json:"temporary_must_change"`
	Requirements        []*Requirement `yaml:"requirements" json:"requirements,omitempty"`
	Pos                 Pos            `yaml:"-" json:"-"`
}

// Requirement is a requirement stated in words.
type Requirement struct {
	ID     string `yaml:"id" json:"id"`
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause"`
	Pos    Pos    `yaml:"-" json:"-"`
}

// MFARule requires multi-factor authentication for some roles, segments,
// or every administrator.
type MFARule struct {
	ID       string   `yaml:"id" json:"id"`
	Roles    []string `yaml:"roles" json:"roles,omitempty"`
	Segments []string `yaml:"segments" json:"segments,omitempty"`
	Admins   bool     `yaml:"admins" json:"admins,omitempty"`
	Text     Text     `yaml:"text" json:"text"`
	Clause   string   `yaml:"clause" json:"clause"`
	Pos      Pos      `yaml:"-" json:"-"`
}

// SoDKind is the kind of separation-of-duties constraint.
type SoDKind string

// Separation-of-duties kinds.
const (
	SoDApplicantNotApprover SoDKind = "applicant_not_approver"
	SoDAuditorNotAuditee    SoDKind = "auditor_not_auditee"
	SoDExclusiveRoles       SoDKind = "exclusive_roles"
)

// SoD is a separation-of-duties constraint (兼務の禁止).
type SoD struct {
	ID   string  `yaml:"id" json:"id"`
	Kind SoDKind `yaml:"kind" json:"kind"`
	// Roles, for exclusive_roles, may not be held by the same person.
	Roles []string `yaml:"roles" json:"roles,omitempty"`
	// Exception is the seed's escape ("やむを得ない場合を除き"), if any.
	Exception Text   `yaml:"exception" json:"exception"`
	Text      Text   `yaml:"text" json:"text"`
	Clause    string `yaml:"clause" json:"clause"`
	Pos       Pos    `yaml:"-" json:"-"`
}

// Gap records something the seed does not say, so that nobody fills it
// silently from another town's policy.
type Gap struct {
	ID     string `yaml:"id" json:"id"`
	Topic  Text   `yaml:"topic" json:"topic"`
	Text   Text   `yaml:"text" json:"text"`
	Clause string `yaml:"clause" json:"clause,omitempty"`
	Pos    Pos    `yaml:"-" json:"-"`
}
