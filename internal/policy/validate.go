package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// validator checks a decoded document and builds the Policy's indexes. It
// collects every error rather than stopping at the first.
type validator struct {
	file string
	p    *Policy
	errs LoadErrors
}

var (
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*$`)
	levelPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	factPattern   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	celReserved   = map[string]bool{"in": true, "as": true, "break": true, "const": true, "continue": true, "else": true, "for": true, "function": true, "if": true, "import": true, "let": true, "loop": true, "package": true, "namespace": true, "return": true, "var": true, "void": true, "while": true, "true": true, "false": true, "null": true}
	routeScopes   = map[string]bool{RouteApplicantUnit: true, RouteOwnerUnit: true, RouteOrganization: true, RouteApplicantBody: true}
	reportKinds   = map[ReportKind]bool{ReportExecution: true, ReportReturn: true, ReportStart: true, ReportEnd: true}
	modalities    = map[Modality]bool{Must: true, MustNot: true, Shall: true, Should: true}
	sodKinds      = map[SoDKind]bool{SoDApplicantNotApprover: true, SoDAuditorNotAuditee: true, SoDExclusiveRoles: true}
	crossingKinds = map[string]bool{"deny": true, "allow": true, "conditional": true}
)

func (v *validator) add(pos Pos, code ErrorCode, ja, en string) {
	v.errs = append(v.errs, LoadError{File: v.file, Line: pos.Line, Column: pos.Column, Code: code, Message: Text{JA: ja, EN: en}})
}

// required reports a missing value of field in the element at pos.
func (v *validator) required(pos Pos, field, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.add(pos.At(field), ECodeRequired, field+" を指定してください", field+" is required")
		return false
	}
	return true
}

// clause reports an element that cites no clause: every rule the system
// enforces must be traceable to the policy text.
func (v *validator) clause(pos Pos, what, clause string) {
	if strings.TrimSpace(clause) == "" {
		v.add(pos.At("clause"), ECodeMissingClause, what+" に根拠条項 (clause) がありません", what+" cites no clause")
	}
}

func (v *validator) text(pos Pos, field string, t Text) {
	if strings.TrimSpace(t.JA) == "" {
		v.add(pos.At(field), ECodeRequired, field+".ja を指定してください", field+".ja is required")
	}
}

// id checks an id's form and uniqueness within seen (one namespace).
func (v *validator) id(pos Pos, kind, id string, pattern *regexp.Regexp, seen map[string]bool) {
	if !v.required(pos, "id", id) {
		return
	}
	if !pattern.MatchString(id) {
		v.add(pos.At("id"), ECodeInvalid, fmt.Sprintf("%s の id %q は形式が不正です", kind, id), fmt.Sprintf("%s id %q is malformed (want %s)", kind, id, pattern))
	}
	if seen[id] {
		v.add(pos.At("id"), ECodeDuplicateID, fmt.Sprintf("%s の id %q が重複しています", kind, id), fmt.Sprintf("duplicate %s id %q", kind, id))
	}
	seen[id] = true
}

func (v *validator) role(pos Pos, field, id string) {
	if _, ok := v.p.roles[id]; !ok {
		v.add(pos.At(field), ECodeUnknownRole, fmt.Sprintf("未定義の役割 %q", id), fmt.Sprintf("unknown role %q", id))
	}
}

func (v *validator) recordType(pos Pos, field, id string) {
	if id == "" {
		return
	}
	if _, ok := v.p.recordTypes[id]; !ok {
		v.add(pos.At(field), ECodeUnknownRecordType, fmt.Sprintf("未定義の記録の種類 %q", id), fmt.Sprintf("unknown record type %q", id))
	}
}

func (v *validator) validate(doc *document) {
	p := v.p
	if doc.Format != FormatV1 {
		v.add(doc.Pos.At("format"), ECodeInvalid, fmt.Sprintf("format は %q でなければなりません", FormatV1), fmt.Sprintf("format must be %q", FormatV1))
	}
	v.profile(&doc.Profile)

	// Indexes first, so that references can be checked in any order.
	p.roles = map[string]*Role{}
	seen := map[string]bool{}
	for _, r := range doc.Roles {
		v.id(r.Pos, "役割/role", r.ID, idPattern, seen)
		p.roles[r.ID] = r
	}
	p.recordTypes = map[string]*RecordType{}
	seen = map[string]bool{}
	for _, rt := range doc.RecordTypes {
		v.id(rt.Pos, "記録/record type", rt.ID, idPattern, seen)
		p.recordTypes[rt.ID] = rt
	}
	p.segments = map[string]*Segment{}
	seen = map[string]bool{}
	for _, s := range doc.Segments {
		v.id(s.Pos, "セグメント/segment", s.ID, idPattern, seen)
		v.text(s.Pos, "name", s.Name)
		v.clause(s.Pos, "セグメント/segment "+s.ID, s.Clause)
		p.segments[s.ID] = s
	}

	for _, r := range doc.Roles {
		v.roleDecl(r)
	}
	v.substitutionCycles(doc.Roles)
	for _, c := range v.cycles(doc.Roles, func(r *Role) []string {
		if r.ReportsTo == "" {
			return nil
		}
		return []string{r.ReportsTo}
	}) {
		v.add(c.at.Pos.At("reports_to"), ECodeReportingCycle, "reports_to が循環しています: "+c.path, "reports_to forms a cycle: "+c.path)
	}
	v.classification(&doc.Classification)
	for _, c := range doc.Crossings {
		for _, f := range []string{"from", "to"} {
			id := c.From
			if f == "to" {
				id = c.To
			}
			if _, ok := p.segments[id]; !ok {
				v.add(c.Pos.At(f), ECodeUnknownSegment, fmt.Sprintf("未定義のセグメント %q", id), fmt.Sprintf("unknown segment %q", id))
			}
		}
		if !crossingKinds[c.Effect] {
			v.add(c.Pos.At("effect"), ECodeInvalid, "effect は deny / allow / conditional のいずれかです", "effect must be deny, allow or conditional")
		}
		v.text(c.Pos, "text", c.Text)
		v.clause(c.Pos, "crossing", c.Clause)
	}
	v.facts(doc.Facts)
	for _, rt := range doc.RecordTypes {
		v.recordTypeDecl(rt)
	}
	v.actionsAndRules(doc)
	for _, rk := range doc.RequestKinds {
		v.requestKind(rk)
	}
	p.requestKinds = map[string]*RequestKind{}
	seen = map[string]bool{}
	for _, rk := range doc.RequestKinds {
		v.id(rk.Pos, "申請の種類/request kind", rk.ID, idPattern, seen)
		p.requestKinds[rk.ID] = rk
	}
	v.incident(&doc.Incident)
	v.violations(&doc.Violations)
	seen = map[string]bool{}
	for _, d := range doc.Duties {
		v.id(d.Pos, "定期業務/duty", d.ID, idPattern, seen)
		v.text(d.Pos, "name", d.Name)
		v.role(d.Pos, "role", d.Role)
		v.clause(d.Pos, "定期業務/duty "+d.ID, d.Clause)
		per, err := ParsePeriod(d.Period)
		if err != nil {
			v.add(d.Pos.At("period"), ECodeInvalid, "period が不正です: "+err.Error(), "bad period: "+err.Error())
		}
		d.period = per
		if d.Month < 0 || d.Month > 12 {
			v.add(d.Pos.At("month"), ECodeInvalid, "month は 1〜12 です", "month must be 1-12")
		}
	}
	seen = map[string]bool{}
	for _, o := range doc.Obligations {
		v.id(o.Pos, "義務/obligation", o.ID, idPattern, seen)
		v.clause(o.Pos, "義務/obligation "+o.ID, o.Clause)
		v.role(o.Pos, "actor", o.Actor)
		for i, r := range o.CoActors {
			v.role(o.Pos, fmt.Sprintf("co_actors.%d", i), r)
		}
		if !modalities[o.Modality] {
			v.add(o.Pos.At("modality"), ECodeInvalid, "modality は must / must_not / shall / should のいずれかです", "modality must be must, must_not, shall or should")
		}
		v.text(o.Pos, "text", o.Text)
	}
	v.auth(&doc.Auth)
	seen = map[string]bool{}
	for _, s := range doc.SeparationOfDuties {
		v.id(s.Pos, "兼務の禁止/separation of duties", s.ID, idPattern, seen)
		if !sodKinds[s.Kind] {
			v.add(s.Pos.At("kind"), ECodeInvalid, "kind は applicant_not_approver / auditor_not_auditee / exclusive_roles のいずれかです", "kind must be applicant_not_approver, auditor_not_auditee or exclusive_roles")
		}
		if s.Kind == SoDExclusiveRoles && len(s.Roles) < 2 {
			v.add(s.Pos.At("roles"), ECodeRequired, "exclusive_roles には 2 つ以上の役割が必要です", "exclusive_roles needs at least two roles")
		}
		for i, r := range s.Roles {
			v.role(s.Pos, fmt.Sprintf("roles.%d", i), r)
		}
		v.text(s.Pos, "text", s.Text)
		v.clause(s.Pos, "兼務の禁止/separation of duties "+s.ID, s.Clause)
	}
	seen = map[string]bool{}
	for _, g := range doc.Gaps {
		v.id(g.Pos, "記載なし/gap", g.ID, idPattern, seen)
		v.text(g.Pos, "topic", g.Topic)
		v.text(g.Pos, "text", g.Text)
	}
}

func (v *validator) profile(pr *Profile) {
	if v.required(pr.Pos, "id", pr.ID) && !idPattern.MatchString(pr.ID) {
		v.add(pr.Pos.At("id"), ECodeInvalid, "profile.id の形式が不正です", "profile.id is malformed")
	}
	v.required(pr.Pos, "version", pr.Version)
	v.required(pr.Pos, "source", pr.Source)
	v.text(pr.Pos, "name", pr.Name)
	v.text(pr.Organization.Pos, "name", pr.Organization.Name)
	v.clause(pr.Organization.Pos, "organization", pr.Organization.Clause)
	seen := map[string]bool{}
	for _, b := range pr.Organization.Bodies {
		v.id(b.Pos, "機関/body", b.ID, idPattern, seen)
		v.text(b.Pos, "name", b.Name)
		v.clause(b.Pos, "機関/body "+b.ID, b.Clause)
	}
	seen = map[string]bool{}
	for _, k := range pr.PersonKinds {
		v.id(k.Pos, "対象者/person kind", k.ID, idPattern, seen)
		v.text(k.Pos, "name", k.Name)
		v.clause(k.Pos, "対象者/person kind "+k.ID, k.Clause)
	}
}

func (v *validator) roleDecl(r *Role) {
	v.text(r.Pos, "name", r.Name)
	v.clause(r.Pos, "役割/role "+r.ID, r.Clause)
	switch r.Kind {
	case "":
		r.Kind = RolePosition
	case RolePosition, RoleBody, RoleBaseline:
	default:
		v.add(r.Pos.At("kind"), ECodeInvalid, "kind は position / body / baseline のいずれかです", "kind must be position, body or baseline")
	}
	if r.Scope != ScopeOrganization && r.Scope != ScopeUnit && r.Scope != ScopeBody {
		v.add(r.Pos.At("scope"), ECodeInvalid, "scope は organization / unit / body のいずれかです", "scope must be organization, unit or body")
	}
	if r.ReportsTo != "" {
		v.role(r.Pos, "reports_to", r.ReportsTo)
	}
	if r.AppointedBy != "" {
		v.role(r.Pos, "appointed_by", r.AppointedBy)
	}
	v.substitutes(r)
	if d := r.Delegation; d != nil {
		for i, to := range d.To {
			v.role(d.Pos, fmt.Sprintf("to.%d", i), to)
		}
		v.clause(d.Pos, "委任/delegation", d.Clause)
	}
	for _, d := range r.Duties {
		v.text(d.Pos, "text", d.Text)
		v.clause(d.Pos, "職務/duty of "+r.ID, d.Clause)
	}
	for i, g := range r.Grants {
		if !g.Valid() {
			v.add(r.Pos.At(fmt.Sprintf("grants.%d", i)), ECodeUnknownPermission, fmt.Sprintf("未定義の権限 %q", g), fmt.Sprintf("unknown permission %q", g))
		}
	}
}

// substitutes checks a role's substitution order: known roles, each once,
// and matters of the closed vocabulary. A bare role id covers every
// matter; a mapping's for: names the matters it is limited to, and an
// empty for: (covering nothing) is refused rather than read as "all".
func (v *validator) substitutes(r *Role) {
	seen := map[string]bool{}
	for i, s := range r.Substitutes {
		at := fmt.Sprintf("substitutes.%d", i)
		pos := r.Pos.At(at)
		if s.Pos.Line > 0 {
			pos = s.Pos
		}
		if !v.required(pos, "role", s.Role) {
			continue
		}
		v.role(pos, "role", s.Role)
		if seen[s.Role] {
			v.add(pos.At("role"), ECodeDuplicateID, fmt.Sprintf("代行者 %q が重複しています", s.Role),
				fmt.Sprintf("substitute %q is listed twice: name each role once, with every matter it covers", s.Role))
		}
		seen[s.Role] = true
		if s.For != nil && len(s.For) == 0 {
			v.add(pos.At("for"), ECodeRequired, "for に事項がありません（全ての事項に代行するなら for を省きます）",
				"for names no matter (omit it to substitute on every matter)")
		}
		mseen := map[Matter]bool{}
		for j, m := range s.For {
			if !m.Valid() {
				v.add(pos.At(fmt.Sprintf("for.%d", j)), ECodeUnknownMatter, fmt.Sprintf("未知の事項 %q（%s のいずれか）", m, list(Matters)),
					fmt.Sprintf("unknown matter %q (want one of %s)", m, list(Matters)))
			} else if mseen[m] {
				v.add(pos.At(fmt.Sprintf("for.%d", j)), ECodeDuplicateID, fmt.Sprintf("事項 %q が重複しています", m), fmt.Sprintf("matter %q listed twice", m))
			}
			mseen[m] = true
		}
	}
}

// substitutionCycles reports a cycle in the substitution order of any
// matter, once, naming the matters it loops on: a cycle would make "who
// acts when the holder is absent" loop forever. A substitution limited to
// incidents and another limited to approvals do not form a cycle together.
func (v *validator) substitutionCycles(roles []*Role) {
	type found struct {
		at      *Role
		matters []Matter
	}
	var order []string
	byPath := map[string]*found{}
	for _, m := range Matters {
		for _, c := range v.cycles(roles, func(r *Role) []string { return r.SubstitutesFor(m) }) {
			f, ok := byPath[c.path]
			if !ok {
				f = &found{at: c.at}
				byPath[c.path] = f
				order = append(order, c.path)
			}
			f.matters = append(f.matters, m)
		}
	}
	for _, path := range order {
		f := byPath[path]
		ms := list(f.matters)
		v.add(f.at.Pos.At("substitutes"), ECodeSubstitutionCycle, "substitutes が循環しています（事項: "+ms+"）: "+path,
			"substitutes form a cycle (matters: "+ms+"): "+path)
	}
}

// roleCycle is a cycle in a role-to-role relation, found at role at.
type roleCycle struct {
	at   *Role
	path string // "a → b → a"
}

// cycles finds the cycles of a role-to-role relation, each once.
func (v *validator) cycles(roles []*Role, next func(*Role) []string) []roleCycle {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	reported := map[string]bool{}
	var out []roleCycle
	var visit func(r *Role, path []string)
	visit = func(r *Role, path []string) {
		color[r.ID] = grey
		path = append(path, r.ID)
		for _, id := range next(r) {
			n, ok := v.p.roles[id]
			if !ok {
				continue
			}
			switch color[id] {
			case grey:
				i := slices.Index(path, id)
				cycle := strings.Join(append(slices.Clone(path[i:]), id), " → ")
				if !reported[cycle] {
					reported[cycle] = true
					out = append(out, roleCycle{at: r, path: cycle})
				}
			case white:
				visit(n, path)
			}
		}
		color[r.ID] = black
	}
	for _, r := range roles {
		if color[r.ID] == white {
			visit(r, nil)
		}
	}
	return out
}

func (v *validator) classification(c *Classification) {
	p := v.p
	p.axes = map[string]*Axis{}
	seen := map[string]bool{}
	for _, ax := range c.Axes {
		v.id(ax.Pos, "分類軸/axis", ax.ID, idPattern, seen)
		p.axes[ax.ID] = ax
		v.text(ax.Pos, "name", ax.Name)
		v.clause(ax.Pos, "分類軸/axis "+ax.ID, ax.Clause)
		ax.level = map[string]*Level{}
		ax.rank = map[string]int{}
		ax.ints = len(ax.Levels) > 0
		lseen := map[string]bool{}
		for _, l := range ax.Levels {
			v.id(l.Pos, "分類/level", l.ID, levelPattern, lseen)
			ax.level[l.ID] = l
			if !isInt(l.ID) {
				ax.ints = false
			}
			v.text(l.Pos, "name", l.Name)
			v.clause(l.Pos, "分類/level "+ax.ID+"/"+l.ID, l.Clause)
			rseen := map[string]bool{}
			for _, r := range l.Restrictions {
				v.id(r.Pos, "取扱制限/restriction", r.ID, idPattern, rseen)
				v.text(r.Pos, "text", r.Text)
				v.clause(r.Pos, "取扱制限/restriction "+r.ID, r.Clause)
				if a := r.AppliesTo; a != "" && a != AppliesToPersonal && a != AppliesToSpecificPersonal {
					v.add(r.Pos.At("applies_to"), ECodeInvalid, "applies_to は personal / specific_personal のいずれかです", "applies_to must be personal or specific_personal")
				}
			}
		}
		if len(ax.Levels) == 0 {
			v.add(ax.Pos.At("levels"), ECodeRequired, "分類軸に分類がありません", "axis has no levels")
		}
		for i, id := range ax.StrictestFirst {
			if _, ok := ax.level[id]; !ok {
				v.add(ax.Pos.At(fmt.Sprintf("strictest_first.%d", i)), ECodeUnknownLevel, fmt.Sprintf("未定義の分類 %q", id), fmt.Sprintf("undefined level %q", id))
				continue
			}
			if _, dup := ax.rank[id]; dup {
				v.add(ax.Pos.At(fmt.Sprintf("strictest_first.%d", i)), ECodeDuplicateID, fmt.Sprintf("分類 %q が重複しています", id), fmt.Sprintf("level %q listed twice", id))
				continue
			}
			ax.rank[id] = i
		}
		if len(ax.rank) != len(ax.level) {
			v.add(ax.Pos.At("strictest_first"), ECodeRequired, "strictest_first に全ての分類を厳しい順に並べてください", "strictest_first must list every level, strictest first")
		}
		for _, l := range ax.Levels {
			for i, inc := range l.Includes {
				if _, ok := ax.level[inc]; !ok || inc == l.ID {
					v.add(l.Pos.At(fmt.Sprintf("includes.%d", i)), ECodeUnknownLevel, fmt.Sprintf("未定義の分類 %q", inc), fmt.Sprintf("undefined level %q", inc))
				}
			}
		}
	}
}

func isInt(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (v *validator) facts(facts []*FactDecl) {
	p := v.p
	p.facts = map[string]*FactDecl{}
	seen := map[string]bool{}
	for _, f := range facts {
		v.id(f.Pos, "事実/fact", f.ID, factPattern, seen)
		if celReserved[f.ID] {
			v.add(f.Pos.At("id"), ECodeInvalid, fmt.Sprintf("%q は CEL の予約語です", f.ID), fmt.Sprintf("%q is a CEL reserved word", f.ID))
		}
		p.facts[f.ID] = f
		switch f.Type {
		case FactBool, FactInt:
		case FactString, FactList:
			if f.MaxItems == 0 {
				f.MaxItems = 100
			}
			if f.MaxLength == 0 {
				f.MaxLength = 1024
			}
		case FactLevel:
			ax, ok := p.axes[f.Axis]
			if !ok {
				v.add(f.Pos.At("axis"), ECodeUnknownAxis, fmt.Sprintf("未定義の分類軸 %q", f.Axis), fmt.Sprintf("undefined axis %q", f.Axis))
			}
			f.axis = ax
		default:
			v.add(f.Pos.At("type"), ECodeInvalid, "type は bool / int / string / list / level のいずれかです", "type must be bool, int, string, list or level")
			continue
		}
		if f.Type != FactLevel && f.Axis != "" {
			v.add(f.Pos.At("axis"), ECodeInvalid, "axis は level 型の事実にのみ指定します", "axis is only for level facts")
		}
		if len(f.Values) > 0 && f.Type != FactString && f.Type != FactList {
			v.add(f.Pos.At("values"), ECodeInvalid, "values は string / list 型の事実にのみ指定します", "values is only for string and list facts")
		}
		if f.MaxItems < 0 || f.MaxLength < 0 {
			v.add(f.Pos, ECodeInvalid, "max_items / max_length は正の数です", "max_items and max_length must be positive")
		}
		if f.Default != nil && (f.Type != FactLevel || f.axis != nil) {
			def, err := convertFact(f, f.Default)
			if err != nil {
				v.add(f.Pos.At("default"), ECodeType, "default が型に合いません: "+err.Error(), "default does not fit the fact's type: "+err.Error())
			}
			f.def = def.val
		}
	}
}

func (v *validator) recordTypeDecl(rt *RecordType) {
	v.text(rt.Pos, "name", rt.Name)
	v.clause(rt.Pos, "記録/record type "+rt.ID, rt.Clause)
	per, err := ParsePeriod(rt.Retention)
	if err != nil || (rt.Retention == "as_needed") {
		v.add(rt.Pos.At("retention"), ECodeInvalid, "retention が不正です（例: 5y, unspecified）", "bad retention (e.g. 5y, unspecified)")
	}
	rt.retention = per
	v.fields(rt.Fields, true)
}

// fields checks the fields of a record type (record) or of a request
// form: ids, types, options, the fact a form field supplies, and the
// field's purpose — one of the vocabulary, meant for where it stands,
// on a field of a type that can carry it, at most once per form or record.
func (v *validator) fields(fields []*Field, record bool) {
	seen := map[string]bool{}
	purposeSeen := map[FieldPurpose]string{}
	for _, f := range fields {
		v.id(f.Pos, "項目/field", f.ID, idPattern, seen)
		v.text(f.Pos, "name", f.Name)
		if !fieldTypes[f.Type] {
			v.add(f.Pos.At("type"), ECodeInvalid, fmt.Sprintf("未知の項目型 %q", f.Type), fmt.Sprintf("unknown field type %q", f.Type))
		}
		if f.Type == FieldEnum && len(f.Options) == 0 {
			v.add(f.Pos.At("options"), ECodeRequired, "enum 項目には options が必要です", "an enum field needs options")
		}
		for i, o := range f.Options {
			if o.ID == "" {
				v.add(f.Pos.At(fmt.Sprintf("options.%d", i)), ECodeRequired, "option の id を指定してください", "option id is required")
			}
		}
		v.purpose(f, record, purposeSeen)
		if f.Fact != "" {
			if record {
				v.add(f.Pos.At("fact"), ECodeInvalid, "記録の項目は事実を供給しません", "record fields do not supply facts")
			} else if _, ok := v.p.facts[f.Fact]; !ok {
				v.add(f.Pos.At("fact"), ECodeUnknownFact, fmt.Sprintf("未宣言の事実 %q", f.Fact), fmt.Sprintf("undeclared fact %q", f.Fact))
			}
		}
	}
}

func (v *validator) purpose(f *Field, record bool, seen map[FieldPurpose]string) {
	p := f.Purpose
	if p == "" {
		return
	}
	at := f.Pos.At("purpose")
	spec, ok := purposes[p]
	if !ok {
		v.add(at, ECodeUnknownPurpose, fmt.Sprintf("未知の用途 %q（%s のいずれか）", p, list(FieldPurposes)),
			fmt.Sprintf("unknown purpose %q (want one of %s)", p, list(FieldPurposes)))
		return
	}
	if spec.record != record {
		if spec.record {
			v.add(at, ECodeInvalid, fmt.Sprintf("用途 %q は記録 (record_types) の項目に指定します", p),
				fmt.Sprintf("purpose %q is for record type fields, which a report fills", p))
		} else {
			v.add(at, ECodeInvalid, fmt.Sprintf("用途 %q は申請の種類 (request_kinds) の項目に指定します", p),
				fmt.Sprintf("purpose %q is for request form fields", p))
		}
		return
	}
	if fieldTypes[f.Type] && !slices.Contains(spec.types, f.Type) {
		v.add(at, ECodeType, fmt.Sprintf("用途 %q の項目は %s 型でなければなりません（%s 型です）", p, list(spec.types), f.Type),
			fmt.Sprintf("a field of purpose %q must be of type %s, not %s", p, list(spec.types), f.Type))
	}
	if other, dup := seen[p]; dup {
		v.add(at, ECodeDuplicateID, fmt.Sprintf("用途 %q は項目 %q と重複しています", p, other),
			fmt.Sprintf("purpose %q is already the purpose of field %q", p, other))
		return
	}
	seen[p] = f.ID
}

func (v *validator) route(pos Pos, prefix string, route []RouteStep) {
	for i, st := range route {
		at := fmt.Sprintf("%s.%d", prefix, i)
		r, ok := v.p.roles[st.Role]
		if !ok {
			v.add(pos.At(at+".role"), ECodeUnknownRole, fmt.Sprintf("承認経路に未定義の役割 %q", st.Role), fmt.Sprintf("route refers to unknown role %q", st.Role))
			continue
		}
		if !routeScopes[st.Scope] {
			v.add(pos.At(at+".scope"), ECodeInvalid, "scope は applicant_unit / owner_unit / applicant_body / organization のいずれかです", "scope must be applicant_unit, owner_unit, applicant_body or organization")
			continue
		}
		// A per-unit role must be resolved for some unit, an
		// organization-wide role has a single holder: mixing them up would
		// route a request to nobody or to the wrong section.
		want := ScopeUnit
		switch st.Scope {
		case RouteOrganization:
			want = ScopeOrganization
		case RouteApplicantBody:
			want = ScopeBody
		}
		if r.Scope != want {
			v.add(pos.At(at+".scope"), ECodeRouteScope,
				fmt.Sprintf("役割 %q は scope %s なので経路の scope %s と合いません", st.Role, r.Scope, st.Scope),
				fmt.Sprintf("role %q has scope %s, which does not fit route scope %s", st.Role, r.Scope, st.Scope))
		}
		if r.Kind == RoleBaseline {
			v.add(pos.At(at+".role"), ECodeRouteScope, fmt.Sprintf("全職員の役割 %q は承認者になれません", st.Role), fmt.Sprintf("baseline role %q cannot approve", st.Role))
		}
	}
}

func (v *validator) outcome(o *Outcome, what string) {
	if !o.Effect.valid() {
		v.add(o.Pos.At("effect"), ECodeInvalid, "effect は deny / allow / approve / record のいずれかです", "effect must be deny, allow, approve or record")
	}
	if o.Effect == Approve && len(o.Route) == 0 {
		v.add(o.Pos.At("route"), ECodeRequired, "approve には承認経路 (route) が必要です", "approve needs a route")
	}
	if o.Effect != Approve && len(o.Route) > 0 {
		v.add(o.Pos.At("route"), ECodeInvalid, "route は approve にのみ指定します", "route is only for approve")
	}
	if o.Effect == Record && o.RecordType == "" {
		v.add(o.Pos.At("record_type"), ECodeRequired, "record には record_type が必要です", "record needs a record_type")
	}
	v.route(o.Pos, "route", o.Route)
	v.recordType(o.Pos, "record_type", o.RecordType)
	v.text(o.Pos, "reason", o.Reason)
	// A default that restricts must cite its clause; a default allow may
	// rest on the absence of any rule, but must still say so in reason.
	if o.Effect != Allow {
		v.clause(o.Pos, what, o.Clause)
	}
}

func (v *validator) actionsAndRules(doc *document) {
	p := v.p
	p.actions = map[string]*compiledAction{}
	seen := map[string]bool{}
	for _, a := range doc.Actions {
		v.id(a.Pos, "行為/action", a.ID, idPattern, seen)
		v.text(a.Pos, "name", a.Name)
		p.actions[a.ID] = &compiledAction{action: a}
		for i, f := range a.Facts {
			if _, ok := p.facts[f]; !ok {
				v.add(a.Pos.At(fmt.Sprintf("facts.%d", i)), ECodeUnknownFact, fmt.Sprintf("未宣言の事実 %q", f), fmt.Sprintf("undeclared fact %q", f))
			}
		}
		if a.Default != nil {
			v.outcome(a.Default, "既定/default of "+a.ID)
		} else if doc.Profile.Default == nil {
			v.add(a.Pos, ECodeNoDefault, "行為 "+a.ID+" に既定 (default) がなく、プロファイルにもありません",
				"action "+a.ID+" has no default and neither has the profile: say what happens when no rule matches")
		}
	}
	if doc.Profile.Default != nil {
		v.outcome(doc.Profile.Default, "profile.default")
	}
	p.rules = map[string]*Rule{}
	seen = map[string]bool{}
	for _, r := range doc.Rules {
		v.id(r.Pos, "規則/rule", r.ID, idPattern, seen)
		p.rules[r.ID] = r
	}
	for _, r := range doc.Rules {
		ca, ok := p.actions[r.Action]
		if !ok {
			v.add(r.Pos.At("action"), ECodeUnknownAction, fmt.Sprintf("未定義の行為 %q", r.Action), fmt.Sprintf("unknown action %q", r.Action))
		} else {
			ca.rules = append(ca.rules, &compiledRule{rule: r, index: len(ca.rules)})
		}
		v.outcome(&Outcome{Effect: r.Effect, Route: r.Route, RecordType: r.RecordType, Clause: "-", Reason: r.Reason, Pos: r.Pos}, "")
		v.clause(r.Pos, "規則/rule "+r.ID, r.Clause)
		for i, o := range r.Overrides {
			or, ok := p.rules[o]
			if !ok || or.Action != r.Action || o == r.ID {
				v.add(r.Pos.At(fmt.Sprintf("overrides.%d", i)), ECodeUnknownRule, fmt.Sprintf("同じ行為の規則 %q がありません", o), fmt.Sprintf("no rule %q of the same action", o))
			}
		}
	}
}

func (v *validator) requestKind(rk *RequestKind) {
	v.text(rk.Pos, "name", rk.Name)
	v.clause(rk.Pos, "申請の種類/request kind "+rk.ID, rk.Clause)
	if rk.Action != "" {
		if _, ok := v.p.actions[rk.Action]; !ok {
			v.add(rk.Pos.At("action"), ECodeUnknownAction, fmt.Sprintf("未定義の行為 %q", rk.Action), fmt.Sprintf("unknown action %q", rk.Action))
		}
	} else {
		v.required(rk.Pos, "action", rk.Action)
	}
	v.fields(rk.Fields, false)
	for i, r := range rk.Reports {
		if !reportKinds[r] {
			v.add(rk.Pos.At(fmt.Sprintf("reports.%d", i)), ECodeInvalid, "reports は execution / return / start / end です", "reports are execution, return, start or end")
		}
		// A return is checked against the date it was due: without one,
		// nothing taken out could ever be overdue.
		if r == ReportReturn && rk.FieldFor(PurposeReturnDue) == nil {
			v.add(rk.Pos.At(fmt.Sprintf("reports.%d", i)), ECodeRequired,
				"return を報告する申請の種類には返却予定日の項目 (purpose: return_due) が必要です",
				"a kind that files a return report needs a field with purpose return_due (the date it is due back)")
		}
	}
	v.recordType(rk.Pos, "record_type", rk.RecordType)
	v.reportedRecords(rk)
}

// reportedRecords checks that the reports a kind files can fill each
// purposed field of the records they make: the kind's record type and
// those its action's rules and default name. A field of purpose
// started_at in the record of a kind that files no start report would
// stay empty for ever. A kind that files no report at all keeps the
// request itself as the record and is not checked.
func (v *validator) reportedRecords(rk *RequestKind) {
	if len(rk.Reports) == 0 {
		return
	}
	ids := []string{rk.RecordType}
	if ca, ok := v.p.actions[rk.Action]; ok {
		if d := ca.action.Default; d != nil {
			ids = append(ids, d.RecordType)
		}
		for _, cr := range ca.rules {
			ids = append(ids, cr.rule.RecordType)
		}
	}
	checked := map[string]bool{}
	for _, id := range ids {
		rt, ok := v.p.recordTypes[id]
		if !ok || checked[id] {
			continue
		}
		checked[id] = true
		for _, f := range rt.Fields {
			by := f.Purpose.FilledBy()
			if by == "" || slices.Contains(rk.Reports, by) {
				continue
			}
			v.add(rk.Pos.At("reports"), ECodeInvalid,
				fmt.Sprintf("記録 %s の項目 %s（用途 %s）は %s の報告で記入されますが、申請の種類 %s は %s を報告しません", rt.ID, f.ID, f.Purpose, by, rk.ID, by),
				fmt.Sprintf("field %s of record type %s (purpose %s) is filled by the %s report, which request kind %s does not file", f.ID, rt.ID, f.Purpose, by, rk.ID))
		}
	}
}

func (v *validator) incident(in *IncidentProcess) {
	if len(in.Chain) == 0 {
		return
	}
	v.clause(in.Pos, "incident", in.Clause)
	if in.Contact != "" {
		v.role(in.Pos, "contact", in.Contact)
	}
	if in.Triage != "" {
		v.role(in.Pos, "triage", in.Triage)
	}
	for _, st := range in.Chain {
		if len(st.To) == 0 {
			v.add(st.Pos.At("to"), ECodeRequired, "報告先の役割がありません", "step has no roles")
		}
		v.route(st.Pos, "to", st.To)
		v.clause(st.Pos, "報告経路/incident step", st.Clause)
	}
	seen := map[string]bool{}
	for _, s := range in.CloseSteps {
		v.id(s.Pos, "手順/step", s.ID, idPattern, seen)
		if s.Role != "" {
			v.role(s.Pos, "role", s.Role)
		}
		v.text(s.Pos, "text", s.Text)
		v.clause(s.Pos, "手順/step "+s.ID, s.Clause)
	}
	for _, e := range in.ExternalReports {
		v.id(e.Pos, "外部報告/external report", e.ID, idPattern, seen)
		v.text(e.Pos, "target", e.Target)
		if e.Role != "" {
			v.role(e.Pos, "role", e.Role)
		}
		if e.Deadline != "" {
			if _, err := ParsePeriod(e.Deadline); err != nil {
				v.add(e.Pos.At("deadline"), ECodeInvalid, "deadline が不正です: "+err.Error(), "bad deadline: "+err.Error())
			}
		}
		v.clause(e.Pos, "外部報告/external report "+e.ID, e.Clause)
	}
}

func (v *validator) violations(vp *ViolationProcess) {
	if len(vp.Notify) > 0 {
		v.route(vp.Pos, "notify", vp.Notify)
		v.clause(vp.Pos, "違反/violations notify", vp.NotifyClause)
	}
	if s := vp.Suspend; s != nil {
		if len(s.Notify) == 0 {
			v.add(s.Pos.At("notify"), ECodeRequired, "権利停止の通知先がありません", "suspension names no one to tell")
		}
		v.route(s.Pos, "notify", s.Notify)
		v.clause(s.Pos, "違反/violations suspend", s.Clause)
	}
}

func (v *validator) auth(a *AuthRules) {
	pw := &a.Password
	for _, s := range []struct {
		field string
		set   IntSetting
	}{{"min_length", pw.MinLength}, {"history", pw.History}, {"max_age_days", pw.MaxAgeDays}, {"lockout_threshold", pw.LockoutThreshold}} {
		if s.set.Value < 0 {
			v.add(pw.Pos.At(s.field), ECodeInvalid, s.field+" は 0 以上です", s.field+" must not be negative")
		}
		if s.set.Value != 0 && strings.TrimSpace(s.set.Clause) == "" {
			v.add(pw.Pos.At(s.field), ECodeMissingClause, s.field+" に根拠条項がありません", s.field+" cites no clause")
		}
	}
	if pw.TemporaryMustChange.Value && pw.TemporaryMustChange.Clause == "" {
		v.add(pw.Pos.At("temporary_must_change"), ECodeMissingClause, "temporary_must_change に根拠条項がありません", "temporary_must_change cites no clause")
	}
	seen := map[string]bool{}
	for _, r := range pw.Requirements {
		v.id(r.Pos, "要件/requirement", r.ID, idPattern, seen)
		v.text(r.Pos, "text", r.Text)
		v.clause(r.Pos, "要件/requirement "+r.ID, r.Clause)
	}
	for _, m := range a.MFA {
		v.id(m.Pos, "多要素認証/mfa", m.ID, idPattern, seen)
		for i, r := range m.Roles {
			v.role(m.Pos, fmt.Sprintf("roles.%d", i), r)
		}
		for i, s := range m.Segments {
			if _, ok := v.p.segments[s]; !ok {
				v.add(m.Pos.At(fmt.Sprintf("segments.%d", i)), ECodeUnknownSegment, fmt.Sprintf("未定義のセグメント %q", s), fmt.Sprintf("unknown segment %q", s))
			}
		}
		v.text(m.Pos, "text", m.Text)
		v.clause(m.Pos, "多要素認証/mfa "+m.ID, m.Clause)
	}
}
