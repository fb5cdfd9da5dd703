package demo

import (
	"fmt"
	"strings"
	"time"

	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/store"
)

func init() { Register("directory", 10, fillDirectory) }

// unitSpec is a unit of a demo organization; parent "" makes a root.
type unitSpec struct {
	code, name, en, parent string
	kind                   directory.UnitKind
	body                   string // the policy's body, where it has several
}

// personSpec is a demo person: post is the 職名 printed beside the login;
// roles are "role@unitcode" ("role" alone for an organization role).
type personSpec struct {
	unit, post string
	roles      []string
	segments   []string
	kind       directory.PersonKind
	print      bool
}

// orgSpec is a whole demo organization.
type orgSpec struct {
	units  []unitSpec
	people []personSpec
	// absent is a role whose holder is away this week, to show
	// substitution (下條村 第2章3(2)イ, 天草 第6条2, 藤枝市 第2章4(1)②).
	absent string
}

// department builds the units and people of a 部 with its 課: a 部長 holding
// deptRole for the 部, and per 課 a 課長 holding secRole, a 担当 holding
// staffRole (when given), and a 主事.
func department(spec *orgSpec, code, name, en string, secs [][3]string, deptRole, secRole, staffRole string) {
	spec.units = append(spec.units, unitSpec{code: code, name: name, en: en, kind: directory.UnitDepartment})
	if deptRole != "" {
		spec.people = append(spec.people, personSpec{unit: code, post: name + "長", roles: []string{deptRole + "@" + code}})
	}
	for _, s := range secs {
		spec.units = append(spec.units, unitSpec{code: s[0], name: s[1], en: s[2], parent: code, kind: directory.UnitSection})
		spec.people = append(spec.people, personSpec{unit: s[0], post: s[1] + "長", roles: []string{secRole + "@" + s[0]}})
		if staffRole != "" {
			spec.people = append(spec.people, personSpec{unit: s[0], post: s[1] + " 主査", roles: []string{staffRole + "@" + s[0]}})
		}
		spec.people = append(spec.people, personSpec{unit: s[0], post: s[1] + " 主事"})
	}
}

// fujiedaOrg is 藤枝市 as its policy's 第2章4(1) describes it: a CISO
// (副市長), the 統括 (the 部長 in charge of information policy), a 情報セキュ
// リティ責任者 per 部, a 管理者 per 課, the 情報基盤管理者 (情報政策課長).
func fujiedaOrg() orgSpec {
	var o orgSpec
	o.people = append(o.people, personSpec{post: "副市長（情報政策担当）", roles: []string{"ciso", "it_committee"}, print: true})
	department(&o, "soumu", "総務部", "General Affairs Dept.", [][3]string{
		{"soumu-ka", "総務課", "General Affairs Div."}, {"jinji", "人事課", "Personnel Div."}, {"jouhou", "情報政策課", "Information Policy Div."}},
		"security_officer", "security_manager", "security_staff")
	department(&o, "kikaku", "企画財政部", "Planning and Finance Dept.", [][3]string{
		{"kikaku-ka", "企画政策課", "Planning Div."}, {"zaisei", "財政課", "Finance Div."}}, "security_officer", "security_manager", "")
	department(&o, "shimin", "市民部", "Citizens Dept.", [][3]string{
		{"shimin-ka", "市民課", "Citizens Div."}, {"zeimu", "税務課", "Taxation Div."}}, "security_officer", "security_manager", "security_staff")
	department(&o, "fukushi", "健康福祉部", "Health and Welfare Dept.", [][3]string{
		{"fukushi-ka", "福祉政策課", "Welfare Policy Div."}, {"kenkou", "健康推進課", "Health Promotion Div."}}, "security_officer", "security_manager", "")
	department(&o, "toshi", "都市建設部", "Urban Development Dept.", [][3]string{
		{"douro", "道路課", "Roads Div."}, {"toshikei", "都市計画課", "City Planning Div."}}, "security_officer", "security_manager", "")
	for i := range o.people {
		p := &o.people[i]
		switch p.post {
		case "総務部長":
			p.post, p.print = "総務部長（情報政策担当部長）", true
			p.roles = append(p.roles, "general_security_officer")
		case "情報政策課長":
			p.print = true
			p.roles = append(p.roles, "infrastructure_manager")
		case "情報政策課 主査":
			p.roles = append(p.roles, "unified_desk")
		case "市民課長", "市民課 主事":
			p.print = true
		case "企画政策課長":
			p.roles = append(p.roles, "it_committee")
		}
	}
	o.absent = "general_security_officer"
	return o
}

// amakusaOrg is 天草広域連合's two organizations (第2条(1)), each with its
// 総合情報統括管理者, 情報統括管理者 and ネットワーク管理者 (第4条), 課等の長
// and a 情報セキュリティ管理者 per 係.
func amakusaOrg() orgSpec {
	o := orgSpec{absent: "general_manager"}
	body := func(code, name, en, bodyID, head, infoSec, netTeam string, secs [][3]string, teams map[string][][3]string) {
		o.units = append(o.units, unitSpec{code: code, name: name, en: en, kind: directory.UnitBody, body: bodyID})
		o.people = append(o.people, personSpec{unit: code, post: head, roles: []string{"general_manager@" + code}, print: true})
		for _, s := range secs {
			o.units = append(o.units, unitSpec{code: s[0], name: s[1], en: s[2], parent: code, kind: directory.UnitSection, body: bodyID})
			roles := []string{"section_head@" + s[0]}
			if s[0] == infoSec {
				roles = append(roles, "info_manager@"+code)
			}
			o.people = append(o.people, personSpec{unit: s[0], post: name + s[1] + "長", roles: roles, print: s[0] == infoSec})
			for _, t := range teams[s[0]] {
				o.units = append(o.units, unitSpec{code: t[0], name: t[1], en: t[2], parent: s[0], kind: directory.UnitTeam, body: bodyID})
				roles := []string{"security_manager@" + t[0]}
				if t[0] == netTeam {
					roles = append(roles, "network_manager@"+code)
				}
				o.people = append(o.people, personSpec{unit: t[0], post: s[1] + t[1] + "長", roles: roles, print: t[0] == netTeam})
				o.people = append(o.people, personSpec{unit: t[0], post: s[1] + t[1] + " 主事", roles: []string{"system_staff@" + t[0]}})
			}
		}
	}
	body("jimukyoku", "事務局", "Secretariat", "secretariat", "事務局長", "soumukikaku", "zaimu",
		[][3]string{{"soumukikaku", "総務企画課", "General Affairs and Planning Div."}, {"kaigo", "介護保険課", "Long-term Care Insurance Div."}},
		map[string][][3]string{
			"soumukikaku": {{"zaimu", "財務監理係", "Finance Section"}, {"kikaku", "企画係", "Planning Section"}},
			"kaigo":       {{"nintei", "認定係", "Certification Section"}},
		})
	body("shoubou", "消防本部", "Fire Headquarters", "fire", "消防長", "f-soumu", "f-kikaku",
		[][3]string{{"f-soumu", "総務課", "General Affairs Div."}, {"keibou", "警防課", "Fire Defense Div."}, {"yobou", "予防課", "Fire Prevention Div."}},
		map[string][][3]string{
			"f-soumu": {{"f-kikaku", "企画係", "Planning Section"}, {"f-shomu", "庶務係", "Administration Section"}},
			"keibou":  {{"f-keibou", "警防係", "Fire Defense Section"}},
			"yobou":   {{"f-yobou", "予防係", "Prevention Section"}},
		})
	return o
}

// shimojoOrg is 下條村 (第2章3): the CISO (副村長), the 総務課長 as 統括情報
// セキュリティ責任者 and ネットワーク管理責任者, each 課長 a 情報セキュリティ
// 管理者; the 住民課 works in 個人番号利用事務系.
func shimojoOrg() orgSpec {
	o := orgSpec{absent: "ciso"}
	o.people = append(o.people, personSpec{post: "副村長", roles: []string{"ciso"}, print: true})
	secs := [][3]string{{"soumu", "総務課", "General Affairs Div."}, {"juumin", "住民課", "Residents Div."},
		{"sangyou", "産業振興課", "Industry Div."}, {"kensetsu", "建設環境課", "Construction and Environment Div."}, {"kyouiku", "教育委員会事務局", "Board of Education Office"}}
	for _, s := range secs {
		o.units = append(o.units, unitSpec{code: s[0], name: s[1], en: s[2], kind: directory.UnitSection})
		head := personSpec{unit: s[0], post: s[1] + "長", roles: []string{"security_manager@" + s[0], "committee"}}
		staff := personSpec{unit: s[0], post: s[1] + " 主事"}
		if s[0] == "soumu" {
			head.roles = append(head.roles, "general_security_officer", "network_manager")
			head.print = true
			staff.roles = []string{"csirt", "network_assistant"}
			staff.print = true
		}
		if s[0] == "juumin" {
			// 個人番号利用事務系: multi-factor sign-in (第2章5(1)①).
			head.segments = []string{"my_number"}
			staff.segments = []string{"my_number"}
			staff.print = true
		}
		o.people = append(o.people, head, staff, personSpec{unit: s[0], post: s[1] + " 主任"})
	}
	return o
}

// kawamataOrg is 川俣町's 町長部局 with a few 課; its policy states the
// structure only (6(1)–(8)).
func kawamataOrg() orgSpec {
	var o orgSpec
	for _, s := range [][3]string{{"soumu", "総務課", "General Affairs Div."}, {"choumin", "町民税務課", "Residents and Taxation Div."},
		{"fukushi", "保健福祉課", "Health and Welfare Div."}, {"sangyou", "産業課", "Industry Div."}, {"kensetsu", "建設水道課", "Construction and Water Div."}} {
		o.units = append(o.units, unitSpec{code: s[0], name: s[1], en: s[2], kind: directory.UnitSection, body: "mayor"})
		o.people = append(o.people, personSpec{unit: s[0], post: s[1] + "長", print: s[0] == "soumu"},
			personSpec{unit: s[0], post: s[1] + " 主事"}, personSpec{unit: s[0], post: s[1] + " 主任"})
	}
	return o
}

// genericOrg serves a profile the demo does not know: a few sections.
func genericOrg() orgSpec {
	var o orgSpec
	for _, s := range [][3]string{{"soumu", "総務課", "General Affairs Div."}, {"juumin", "住民課", "Residents Div."}, {"kensetsu", "建設課", "Construction Div."}} {
		o.units = append(o.units, unitSpec{code: s[0], name: s[1], en: s[2], kind: directory.UnitSection})
		o.people = append(o.people, personSpec{unit: s[0], post: s[1] + "長", print: s[0] == "soumu"}, personSpec{unit: s[0], post: s[1] + " 主事"})
	}
	return o
}

func orgFor(profile string) orgSpec {
	switch profile {
	case "fujieda":
		return fujiedaOrg()
	case "amakusa":
		return amakusaOrg()
	case "shimojo":
		return shimojoOrg()
	case "kawamata":
		return kawamataOrg()
	}
	return genericOrg()
}

// fillDirectory makes the organization: units, people with accounts (all
// with the demo password), every role of the profile held by someone, an
// absence that shows substitution, and a draft transfer for next April.
func fillDirectory(d *Demo) error {
	spec := orgFor(d.Profile)
	bodies := map[string]bool{}
	for _, b := range d.Policy.Bodies() {
		bodies[b.ID] = true
	}
	for i, u := range spec.units {
		unit := &directory.Unit{Code: u.code, Name: u.name, NameEN: u.en, ParentID: d.Units[u.parent], Kind: u.kind, Sort: i}
		if bodies[u.body] {
			unit.Body = u.body
		}
		if err := d.Store.CreateUnit(d.Ctx, unit); err != nil {
			return fmt.Errorf("unit %s: %w", u.code, err)
		}
		d.Units[u.code] = unit.ID
	}
	d.Counts["units"] = len(spec.units)
	segments := map[string]bool{}
	for _, s := range d.Policy.Segments() {
		segments[s.ID] = true
	}
	assigned := map[string]bool{}
	for i, ps := range spec.people {
		no, err := d.addPerson(i, ps.unit, ps.kind, keep(ps.segments, segments))
		if err != nil {
			return err
		}
		var held []string
		for _, rs := range ps.roles {
			role, unit, _ := strings.Cut(rs, "@")
			if _, ok := d.Policy.Role(role); !ok {
				continue // a role this version of the profile does not have
			}
			if err := d.assign(no, role, d.Units[unit]); err != nil {
				return err
			}
			assigned[role] = true
			held = append(held, roleName(d.Policy, role))
		}
		if ps.print {
			what := ps.post
			if len(held) > 0 {
				what += "：" + strings.Join(held, "、")
			}
			d.Accounts = append(d.Accounts, Account{Login: no, Name: d.name(no), What: what})
		}
	}
	// Every role of the profile is held by someone: those the organization
	// above does not place get a holder of their own, in the first unit
	// where they fit.
	n := len(spec.people)
	for _, r := range d.Policy.Roles() {
		if r.Kind == policy.RoleBaseline || assigned[r.ID] {
			continue
		}
		unitCode := ""
		if directory.PerUnit(r) {
			unitCode = firstUnit(spec, r.Scope)
		}
		kind := directory.KindStaff
		if r.ID == "contractor" {
			kind = directory.KindContractor
		}
		no, err := d.addPerson(n, unitCode, kind, nil)
		if err != nil {
			return err
		}
		n++
		if err := d.assign(no, r.ID, d.Units[unitCode]); err != nil {
			return err
		}
	}
	d.Counts["people"] = n
	if err := d.absence(spec.absent); err != nil {
		return err
	}
	return d.draftTransfer(spec)
}

func keep(segs []string, known map[string]bool) []string {
	var out []string
	for _, s := range segs {
		if known[s] {
			out = append(out, s)
		}
	}
	return out
}

func firstUnit(spec orgSpec, scope policy.RoleScope) string {
	for _, u := range spec.units {
		if scope == policy.ScopeBody && u.parent == "" {
			return u.code
		}
		if scope == policy.ScopeUnit && u.kind != directory.UnitBody {
			return u.code
		}
	}
	if len(spec.units) > 0 {
		return spec.units[0].code
	}
	return ""
}

// addPerson makes the i-th demo person with an account whose login is the
// staff number and whose password is the demo password (not temporary:
// a demo is for looking around).
func (d *Demo) addPerson(i int, unit string, kind directory.PersonKind, segments []string) (string, error) {
	if kind == "" {
		kind = directory.KindStaff
	}
	name, kana := japaneseName(i)
	no := fmt.Sprintf("%d", 10001+i)
	p := &directory.Person{StaffNo: no, Name: name, Kana: kana, Kind: kind, UnitID: d.Units[unit],
		Email: fmt.Sprintf("%s@%s.example.lg.jp", no, d.Profile)}
	if err := d.Store.CreatePersonWith(d.Ctx, p, segments, no, d.PasswordHash); err != nil {
		return "", fmt.Errorf("person %s: %w", no, err)
	}
	if err := d.Store.ChangePassword(d.Ctx, p.ID, d.PasswordHash); err != nil {
		return "", err
	}
	d.People[no] = p.ID
	return no, nil
}

func (d *Demo) name(no string) string {
	if p, err := d.Store.Person(d.Ctx, d.People[no]); err == nil {
		return p.Name
	}
	return no
}

func (d *Demo) assign(no, role string, unitID int64) error {
	a := &directory.Assignment{PersonID: d.People[no], Role: role, UnitID: unitID, ValidFrom: d.Now.AddDate(0, -8, 0)}
	if err := directory.Assign(d.Ctx, d.Store, d.Policy, a); err != nil {
		return fmt.Errorf("assign %s to %s: %w", role, no, err)
	}
	return nil
}

// absence makes the first holder of role absent this week, so that the
// roles page shows a substitute acting in their place.
func (d *Demo) absence(role string) error {
	if _, ok := d.Policy.Role(role); !ok || role == "" {
		return nil
	}
	now := d.Now
	as, err := d.Store.Assignments(d.Ctx, store.AssignmentFilter{Role: role, At: &now})
	if err != nil || len(as) == 0 {
		return err
	}
	start := directory.StartOfDay(d.Now)
	a := &directory.Absence{PersonID: as[0].PersonID, Starts: start, Ends: start.Add(5 * 24 * time.Hour), Reason: "出張（デモ）"}
	if err := d.Store.CreateAbsence(d.Ctx, a); err != nil {
		return err
	}
	d.Notes = append(d.Notes, fmt.Sprintf("%s (%s) is absent this week: the roles page shows who acts in their place.", as[0].PersonName, role))
	return nil
}

// draftTransfer prepares next April's transfer as a draft: two people
// change sections (nothing happens until it is confirmed).
func (d *Demo) draftTransfer(spec orgSpec) error {
	var movers []string
	var targets []string
	for i, ps := range spec.people {
		if strings.HasSuffix(ps.post, "主事") && ps.unit != "" {
			movers = append(movers, fmt.Sprintf("%d", 10001+i))
			targets = append(targets, ps.unit)
		}
	}
	if len(movers) < 2 {
		return nil
	}
	snap, err := d.Store.Snapshot(d.Ctx, d.Now)
	if err != nil {
		return err
	}
	// Each mover goes to the next one's section.
	inputs := []directory.TransferInput{
		{StaffNo: movers[0], ToUnit: targets[len(targets)-1], Note: "定期異動"},
		{StaffNo: movers[len(movers)-1], ToUnit: targets[0], Note: "定期異動"},
	}
	items, errs := directory.ParseInputs(d.Policy, snap, inputs, nil)
	if len(errs) > 0 {
		return errs
	}
	j := d.Now.In(time.FixedZone("JST", 9*3600))
	year := j.Year()
	if j.Month() >= time.April {
		year++
	}
	at, _ := directory.ParseDate(fmt.Sprintf("%d-04-01", year))
	t := &directory.Transfer{Title: fmt.Sprintf("%d年4月1日 定期人事異動（デモ）", year), EffectiveAt: at, Source: "demo", Items: items}
	if err := d.Store.CreateTransfer(d.Ctx, t); err != nil {
		return err
	}
	d.Counts["transfers"] = 1
	return nil
}

func roleName(pol *policy.Policy, id string) string {
	if r, ok := pol.Role(id); ok {
		return r.Name.JA
	}
	return id
}

// Names common in Japan with their readings; combined, they give a
// believable staff list without naming any real person in particular.
var (
	surnames = [][2]string{
		{"佐藤", "さとう"}, {"鈴木", "すずき"}, {"高橋", "たかはし"}, {"田中", "たなか"}, {"伊藤", "いとう"},
		{"渡辺", "わたなべ"}, {"山本", "やまもと"}, {"中村", "なかむら"}, {"小林", "こばやし"}, {"加藤", "かとう"},
		{"吉田", "よしだ"}, {"山田", "やまだ"}, {"佐々木", "ささき"}, {"松本", "まつもと"}, {"井上", "いのうえ"},
		{"木村", "きむら"}, {"林", "はやし"}, {"清水", "しみず"}, {"山崎", "やまざき"}, {"森", "もり"},
		{"池田", "いけだ"}, {"橋本", "はしもと"}, {"阿部", "あべ"}, {"石川", "いしかわ"}, {"前田", "まえだ"},
		{"藤田", "ふじた"}, {"岡田", "おかだ"}, {"後藤", "ごとう"}, {"長谷川", "はせがわ"}, {"村上", "むらかみ"},
		{"近藤", "こんどう"}, {"石井", "いしい"}, {"坂本", "さかもと"}, {"遠藤", "えんどう"}, {"青木", "あおき"},
		{"藤井", "ふじい"}, {"西村", "にしむら"}, {"福田", "ふくだ"}, {"太田", "おおた"}, {"三浦", "みうら"},
		{"髙橋", "たかはし"}, {"渡邊", "わたなべ"}, {"杉山", "すぎやま"},
	}
	givenNames = [][2]string{
		{"健一", "けんいち"}, {"恵子", "けいこ"}, {"大輔", "だいすけ"}, {"由美", "ゆみ"}, {"誠", "まこと"},
		{"美穂", "みほ"}, {"拓也", "たくや"}, {"直美", "なおみ"}, {"浩二", "こうじ"}, {"陽子", "ようこ"},
		{"翔太", "しょうた"}, {"さくら", "さくら"}, {"修", "おさむ"}, {"真由美", "まゆみ"}, {"隆", "たかし"},
		{"千尋", "ちひろ"}, {"和也", "かずや"}, {"明美", "あけみ"}, {"亮", "りょう"}, {"裕子", "ゆうこ"},
		{"達也", "たつや"}, {"智子", "ともこ"}, {"正樹", "まさき"}, {"彩", "あや"}, {"博之", "ひろゆき"},
		{"舞", "まい"}, {"剛", "つよし"}, {"香織", "かおり"}, {"稔", "みのる"}, {"奈々", "なな"},
		{"悠斗", "ゆうと"}, {"久美子", "くみこ"},
	}
)

// japaneseName returns the i-th demo name, distinct for the first
// len(surnames)×len(givenNames) people.
func japaneseName(i int) (name, kana string) {
	s := surnames[i%len(surnames)]
	g := givenNames[(i*7+i/len(surnames))%len(givenNames)]
	return s[0] + " " + g[0], s[1] + " " + g[1]
}
