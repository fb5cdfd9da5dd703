package incident

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"mamori"
	"mamori/internal/policy"
)

var t0 = time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC)

func TestPPCDeadlines(t *testing.T) {
	for _, test := range []struct {
		malicious bool
		final     time.Duration
	}{{false, 30 * 24 * time.Hour}, {true, 60 * 24 * time.Hour}} {
		pre, fin := PPCDeadlines(t0, test.malicious)
		if pre.Sub(t0) != 3*24*time.Hour || fin.Sub(t0) != test.final {
			t.Errorf("malicious=%v: preliminary +%v, final +%v", test.malicious, pre.Sub(t0), fin.Sub(t0))
		}
	}
}

func TestFormToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := IssueFormToken(key, 7, t0)
	for _, test := range []struct {
		name   string
		key    []byte
		tenant mamori.TenantID
		token  string
		at     time.Time
		msg    string
	}{
		{"valid", key, 7, tok, t0.Add(10 * time.Second), ""},
		{"too fast", key, 7, tok, t0.Add(time.Second), "report.too_fast"},
		{"expired", key, 7, tok, t0.Add(3 * time.Hour), "report.token_expired"},
		{"other tenant", key, 8, tok, t0.Add(10 * time.Second), "report.token_invalid"},
		{"other key", []byte("another key of the deployment!!!"), 7, tok, t0.Add(10 * time.Second), "report.token_invalid"},
		{"tampered", key, 7, tok[:10] + flip(tok[10]) + tok[11:], t0.Add(10 * time.Second), "report.token_invalid"},
		{"garbage", key, 7, "%%%", t0.Add(10 * time.Second), "report.token_invalid"},
		{"empty", key, 7, "", t0.Add(10 * time.Second), "report.token_invalid"},
	} {
		t.Run(test.name, func(t *testing.T) {
			nonce, err := CheckFormToken(test.key, test.tenant, test.token, test.at)
			e, _ := mamori.AsError(err)
			switch {
			case test.msg == "" && (err != nil || len(nonce) != 24):
				t.Errorf("nonce %q, err %v", nonce, err)
			case test.msg != "" && (e == nil || e.Message != test.msg):
				t.Errorf("err = %v, want %s", err, test.msg)
			}
		})
	}
	if a, b := IssueFormToken(key, 7, t0), IssueFormToken(key, 7, t0); a == b {
		t.Error("two tokens issued at once are the same")
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestDecodePublicForm(t *testing.T) {
	ok := func() url.Values {
		return url.Values{"t": {"town"}, "token": {"tok"}, "category": {"defect"}, "description": {" 窓口の端末が\r\n勝手に再起動する "}, "name": {"住民 花子"}, "contact": {"hanako@example.jp"}, "occurred_on": {"2026-11-24"}}
	}
	for _, test := range []struct {
		name  string
		edit  func(url.Values)
		field string
		check func(*testing.T, *PublicReport)
	}{
		{"valid", func(url.Values) {}, "", func(t *testing.T, pr *PublicReport) {
			if pr.Description != "窓口の端末が\n勝手に再起動する" || pr.Category != CategoryDefect || pr.OccurredOn == nil || pr.Title() != "窓口の端末が" {
				t.Errorf("report = %+v", pr)
			}
		}},
		{"default category", func(v url.Values) { v.Del("category") }, "", func(t *testing.T, pr *PublicReport) {
			if pr.Category != CategoryIncident {
				t.Errorf("category %s", pr.Category)
			}
		}},
		{"script kept as text", func(v url.Values) { v.Set("description", "<script>alert(1)</script>") }, "", func(t *testing.T, pr *PublicReport) {
			if pr.Description != "<script>alert(1)</script>" {
				t.Errorf("the text was changed: %q", pr.Description)
			}
		}},
		{"honeypot", func(v url.Values) { v.Set("hp_confirm", "x") }, "", func(t *testing.T, pr *PublicReport) {
			if !pr.Honeypot {
				t.Error("honeypot not seen")
			}
		}},
		{"empty description", func(v url.Values) { v.Set("description", "  ") }, "description", nil},
		{"long description", func(v url.Values) { v.Set("description", strings.Repeat("字", 4001)) }, "description", nil},
		{"invalid UTF-8", func(v url.Values) { v.Set("description", "\xff\xfe") }, "description", nil},
		{"control character", func(v url.Values) { v.Set("description", "a\x1bb") }, "description", nil},
		{"name on two lines", func(v url.Values) { v.Set("name", "a\nb") }, "name", nil},
		{"bad category", func(v url.Values) { v.Set("category", "ufo") }, "category", nil},
		{"bad date", func(v url.Values) { v.Set("occurred_on", "令和8年") }, "occurred_on", nil},
		{"future date", func(v url.Values) { v.Set("occurred_on", "2027-01-01") }, "occurred_on", nil},
		{"repeated", func(v url.Values) { v.Add("contact", "2") }, "contact", nil},
		{"unknown field", func(v url.Values) { v.Set("is_admin", "1") }, "is_admin", nil},
	} {
		t.Run(test.name, func(t *testing.T) {
			v := ok()
			test.edit(v)
			pr, err := DecodePublicForm(v, t0)
			if pr == nil {
				t.Fatal("no report returned")
			}
			e, _ := mamori.AsError(err)
			switch {
			case test.field == "" && err != nil:
				t.Fatalf("err = %v", err)
			case test.field != "" && (e == nil || e.Field != test.field):
				t.Fatalf("err = %v, want field %s", err, test.field)
			}
			if test.check != nil {
				test.check(t, pr)
			}
		})
	}
}

func TestReceiptNo(t *testing.T) {
	no := NewReceiptNo(t0)
	if len(no) != 18 || !strings.HasPrefix(no, "20261125-") || strings.ContainsAny(no, "ILOU") {
		t.Errorf("receipt %q", no)
	}
	for in, want := range map[string]string{
		"20261125-7k3m-qw2d": "20261125-7K3M-QW2D",
		"２０２６１１２５７Ｋ３ＭＱＷ２Ｄ": "20261125-7K3M-QW2D",
		"20261125 7K3M QW2O":     "20261125-7K3M-QW20",
		"20261125-IL00-0000":     "20261125-1100-0000",
		"not a receipt":          "not a receipt",
		" 20261125-7K3M-QW2D   ": "20261125-7K3M-QW2D",
	} {
		if got := NormalizeReceiptNo(in); got != want {
			t.Errorf("NormalizeReceiptNo(%q) = %q, want %q", in, got, want)
		}
	}
}

func fujieda(t *testing.T) *policy.Policy {
	t.Helper()
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// TestRequiredReports: 藤枝市's profile names the report to the PPC with a
// single 30-day deadline; mamori tracks it in its two legal stages
// instead, only when personal information is involved, and moves the
// final report's deadline to 60 days for a malicious leak.
func TestRequiredReports(t *testing.T) {
	pol := fujieda(t)
	inc := &Incident{DiscoveredAt: t0}
	if add, _ := requiredReports(pol, inc, nil); len(add) != 0 {
		t.Errorf("without personal information: %+v", add)
	}
	inc.PersonalInfo = true
	add, _ := requiredReports(pol, inc, nil)
	if len(add) != 2 || add[0].Kind != ReportPPCPreliminary || add[1].Kind != ReportPPCFinal || add[1].DueAt.Sub(t0) != 30*24*time.Hour || add[0].Clause != ClausePPCPreliminary {
		t.Fatalf("with personal information: %+v", add)
	}
	have := []ExternalReport{add[0], add[1]}
	have[0].ID, have[1].ID = 1, 2
	inc.Malicious = true
	add2, upd := requiredReports(pol, inc, have)
	if len(add2) != 0 || len(upd) != 1 || upd[0].ID != 2 || upd[0].DueAt.Sub(t0) != 60*24*time.Hour {
		t.Errorf("malicious after the fact: add %+v update %+v", add2, upd)
	}
	have[1].Status = ReportSubmitted
	if _, upd := requiredReports(pol, inc, have); len(upd) != 0 {
		t.Errorf("a submitted report's deadline was changed: %+v", upd)
	}
}

func TestCheckDeadline(t *testing.T) {
	occurred := t0.Add(-24 * time.Hour)
	inc := &Incident{OccurredAt: &occurred, DiscoveredAt: t0}
	for _, test := range []struct {
		due time.Time
		ok  bool
	}{{t0, true}, {occurred, true}, {occurred.Add(-time.Minute), false}, {t0.AddDate(-1, 0, 0), false}} {
		err := checkDeadline("due_at", test.due, inc)
		if (err == nil) != test.ok {
			t.Errorf("due %v: err %v", test.due, err)
		}
		if err != nil {
			if e, _ := mamori.AsError(err); e.Field != "due_at" || e.Message != "incident.deadline_before_incident" {
				t.Errorf("error %v", err)
			}
		}
	}
}

// TestOutstanding: what closing waits for, and how corrections count.
func TestOutstanding(t *testing.T) {
	pol := fujieda(t)
	svc := &Service{cat: NewService(nil, nil, time.Now).cat}
	rec := &Record{Incident: Incident{Triage: TriagePending}}
	ids := func() []string {
		var out []string
		for _, o := range svc.Outstanding(pol, rec) {
			out = append(out, o.ID)
		}
		return out
	}
	got := ids()
	if len(got) != 1+len(pol.Incident().CloseSteps) || got[0] != "triage" {
		t.Fatalf("untriaged: %v", got)
	}
	rec.Incident.Triage, rec.Incident.What = TriageBreach, "x"
	if got := ids(); got[0] != "investigation" {
		t.Fatalf("breach without findings: %v", got)
	}
	rec.Incident.Cause, rec.Incident.Damage, rec.Incident.Scope = "c", "d", "s"
	for i, st := range pol.Incident().CloseSteps {
		rec.Entries = append(rec.Entries, Entry{ID: int64(i + 1), Kind: EntryStep, Step: st.ID, Data: map[string]string{"outcome": "done"}})
	}
	rec.Reports = []ExternalReport{{ID: 9, Kind: ReportPolice, Status: ReportPending}}
	if got := ids(); len(got) != 1 || got[0] != "report:9" {
		t.Fatalf("with a pending report: %v", got)
	}
	rec.Reports[0].Status = ReportNotRequired
	if got := ids(); len(got) != 0 {
		t.Fatalf("all done: %v", got)
	}
	// A correction that voids a step's completion reopens the step.
	rec.Entries = append(rec.Entries, Entry{ID: 99, Kind: EntryCorrection, Corrects: 1, Data: map[string]string{"void": "true"}})
	if got := ids(); len(got) != 1 || got[0] != "step:"+pol.Incident().CloseSteps[0].ID {
		t.Fatalf("after voiding: %v", got)
	}
}

func TestCurrentInvestigation(t *testing.T) {
	es := []Entry{
		{ID: 1, Kind: EntryInvestigation, Data: map[string]string{"what": "w1", "cause": "c1"}},
		{ID: 2, Kind: EntryInvestigation, Data: map[string]string{"cause": "c2", "damage": "d2"}},
		{ID: 3, Kind: EntryComment, Data: map[string]string{"what": "ignored"}},
	}
	w, c, d, s := currentInvestigation(es, map[int64]bool{})
	if w != "w1" || c != "c2" || d != "d2" || s != "" {
		t.Errorf("got %q %q %q %q", w, c, d, s)
	}
	w, c, d, _ = currentInvestigation(es, map[int64]bool{2: true})
	if w != "w1" || c != "c1" || d != "" {
		t.Errorf("with entry 2 voided: %q %q %q", w, c, d)
	}
}

func TestPlanValidate(t *testing.T) {
	good := func() *Plan {
		return &Plan{Contacts: []Contact{{Role: "CISO", Name: "副村長", Phone: "0260-00-0000"}, {}}, ReportItems: "r", Responses: "x", Prevention: "p"}
	}
	if p := good(); p.Validate() != nil || len(p.Contacts) != 1 {
		t.Errorf("valid plan: %v %+v", p.Validate(), p.Contacts)
	}
	for _, test := range []struct {
		edit  func(*Plan)
		field string
	}{
		{func(p *Plan) { p.Contacts = nil }, "contacts"},
		{func(p *Plan) { p.Contacts[0].Phone = "" }, "contacts[1].phone"},
		{func(p *Plan) { p.Contacts[0].Name, p.Contacts[0].Role = "", "" }, "contacts[1].name"},
		{func(p *Plan) { p.Responses = " " }, "responses"},
		{func(p *Plan) { p.Prevention = "" }, "prevention"},
	} {
		p := good()
		test.edit(p)
		e, _ := mamori.AsError(p.Validate())
		if e == nil || e.Field != test.field {
			t.Errorf("want field %s, got %v", test.field, e)
		}
	}
}

func TestDeviationValidate(t *testing.T) {
	day := func(d int) time.Time { return t0.Truncate(24*time.Hour).AddDate(0, 0, d) }
	for _, test := range []struct {
		start, end time.Time
		field      string
	}{
		{day(0), day(10), ""},
		{day(0), day(0), ""},
		{day(5), day(1), "ends_on"},
		{day(-10), day(-2), "ends_on"},
		{time.Time{}, day(3), "starts_on"},
	} {
		d := &Deviation{Provision: "p", Reason: "r", Alternatives: "a", StartsOn: test.start, EndsOn: test.end}
		err := d.Validate(t0)
		e, _ := mamori.AsError(err)
		if (test.field == "") != (err == nil) || err != nil && e.Field != test.field {
			t.Errorf("%v – %v: %v, want %q", test.start, test.end, err, test.field)
		}
	}
	d := &Deviation{Status: DeviationApproved, StartsOn: day(0), EndsOn: day(2)}
	if !d.Active(day(2).Add(23*time.Hour)) || d.Active(day(3)) || d.Effective(day(3)) != DeviationExpired {
		t.Error("a deviation applies through its last day and not after")
	}
}

// FuzzPublicReport feeds the public form decoder arbitrary bodies: it
// never panics, always returns what it could read, and whatever it
// accepts keeps to the limits.
func FuzzPublicReport(f *testing.F) {
	f.Add("t=town&token=x&description=%E4%B8%8D%E5%AF%A9&category=incident")
	f.Add("description=%3Cscript%3E&name=a%0Ab&occurred_on=2026-02-30")
	f.Add("description=x&description=y&hp_confirm=1&zzz=1")
	f.Add("description=%FF%FE&contact=%00")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		pr, err := DecodePublicForm(v, t0)
		if pr == nil {
			t.Fatal("nil report")
		}
		if err != nil {
			if _, ok := mamori.AsError(err); !ok {
				t.Fatalf("not a user error: %v", err)
			}
			return
		}
		if pr.Description == "" || utf8.RuneCountInString(pr.Description) > MaxPublicDescription || !utf8.ValidString(pr.Description) {
			t.Fatalf("accepted description %q", pr.Description)
		}
		if strings.ContainsAny(pr.Name+pr.Contact, "\n\r\x00") || !pr.Category.Valid() {
			t.Fatalf("accepted %+v", pr)
		}
		inc := pr.Incident(t0, "nonce")
		inc.ReceiptNo = "r"
		if err := inc.Validate(t0); err != nil {
			t.Fatalf("an accepted public report does not validate as an incident: %v", err)
		}
	})
}

// TestViolationRulesFollowProfiles: the profiles whose seeds prescribe
// the response to a violation name whom to tell, with the clause; the
// others fall back to the roles that manage violations.
func TestViolationRulesFollowProfiles(t *testing.T) {
	for _, test := range []struct {
		profile, recordClause, suspendClause string
		suspendRoles                         []string
	}{
		{"shimojo", "第2章 9(6)(1)", "第2章 9(6)(2)", []string{"ciso", "general_security_officer", "security_manager"}},
		{"amakusa", "第39条(1)", "第39条(3)", []string{"general_manager", "info_manager", "section_head", "security_manager"}},
		{"fujieda", "第2章 9(3)", "", nil},
	} {
		pol, err := policy.Builtin(test.profile)
		if err != nil {
			t.Fatal(err)
		}
		r := RuleFor(pol)
		if r.RecordClause != test.recordClause || r.SuspendClause != test.suspendClause || len(r.RecordTo) == 0 || len(r.SuspendTo) == 0 {
			t.Errorf("%s: rule %+v", test.profile, r)
		}
		if test.suspendRoles != nil {
			var got []string
			for _, st := range r.SuspendTo {
				got = append(got, st.Role)
			}
			if strings.Join(got, ",") != strings.Join(test.suspendRoles, ",") {
				t.Errorf("%s: suspension tells %v, want %v", test.profile, got, test.suspendRoles)
			}
		}
	}
	for _, name := range policy.BuiltinNames() {
		pol, err := policy.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		// A profile no role of which may manage violations (川俣町's
		// 基本方針 alone) tells nobody; any other tells someone.
		if r := RuleFor(pol); len(r.RecordTo) == 0 && len(rolesGranting(pol, policy.PermViolationManage)) > 0 {
			t.Errorf("profile %s: a violation tells nobody", name)
		}
	}
}
