package incident

import (
	"strings"
	"time"

	"mamori"
	"mamori/internal/i18n"
	"mamori/internal/policy"
)

// ReportKind is the outside body a report goes to.
type ReportKind string

const (
	// The Personal Information Protection Commission, in two stages
	// (PPCPreliminary, PPCFinal): see PPCDeadlines.
	ReportPPCPreliminary ReportKind = "ppc_preliminary"
	ReportPPCFinal       ReportKind = "ppc_final"
	ReportMIC            ReportKind = "mic"        // 総務省 (下條村 第2章3(6)5)
	ReportPrefecture     ReportKind = "prefecture" // 都道府県 (下條村 第2章3(6)5)
	ReportPolice         ReportKind = "police"     // 警察 (下條村 第2章8(…)5, 天草 第35条(1))
	ReportPress          ReportKind = "press"      // 報道機関 (下條村 第2章3(6)6)
	ReportPolicy         ReportKind = "policy"     // one the active profile names (external_reports)
	ReportOther          ReportKind = "other"
)

// ManualReportKinds are the kinds a handler may add by hand.
var ManualReportKinds = []ReportKind{ReportMIC, ReportPrefecture, ReportPolice, ReportPress, ReportOther}

// Valid reports whether k is a kind a handler may add.
func (k ReportKind) Manual() bool {
	for _, x := range ManualReportKinds {
		if x == k {
			return true
		}
	}
	return false
}

// ReportStatus is where an external report stands.
type ReportStatus string

const (
	ReportPending     ReportStatus = "pending"
	ReportSubmitted   ReportStatus = "submitted"
	ReportNotRequired ReportStatus = "not_required"
)

// ExternalReport is a report owed to an outside body.
type ExternalReport struct {
	ID          int64
	IncidentID  int64
	Kind        ReportKind
	PolicyID    string // the profile's external_reports id, for ReportPolicy
	Target      string // the body, in Japanese (empty for the built-in kinds: the catalog names them)
	TargetEN    string
	DueAt       *time.Time
	Status      ReportStatus
	SubmittedAt *time.Time
	Reference   string // the body's receipt number, or how it was sent
	Note        string // why it is not required, or anything else
	Clause      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Overdue reports whether a pending report's deadline has passed.
func (r ExternalReport) Overdue(now time.Time) bool {
	return r.Status == ReportPending && r.DueAt != nil && now.After(*r.DueAt)
}

// Resolved reports whether the report needs nothing more.
func (r ExternalReport) Resolved() bool { return r.Status != ReportPending }

// Clauses for the report to the Personal Information Protection Commission
// that a leak of personal information held by a local government requires.
// 個人情報の保護に関する法律 第68条第1項 obliges the 行政機関の長等 (which
// includes the organs of local governments) to report the leaks that
// 同法施行規則 第43条 lists: 要配慮個人情報 (1号), 財産的被害のおそれ (2号),
// 不正の目的をもって行われたおそれ — such as unauthorized access — (3号),
// more than one hundred people (4号), and 条例要配慮個人情報 (5号). 規則
// 第44条 sets the two stages: a preliminary report (速報) 「速やかに」 —
// which the Commission's guidelines put at roughly three to five days from
// learning of it — and a final report (確報) within 30 days, or 60 days for
// a case under 第43条第3号.
const (
	ClausePPCPreliminary = "個人情報の保護に関する法律 第68条第1項、同法施行規則 第44条第1項（速報）"
	ClausePPCFinal       = "個人情報の保護に関する法律 第68条第1項、同法施行規則 第44条第2項（確報）"
)

// PPC deadlines, counted from when the organization learned of the leak
// (the incident's discovery).
const (
	// PPCPreliminaryDays is the earlier end of the guidelines' "概ね3～5日"
	// for the 速報: mamori warns from the earlier end, so that the report
	// is never late by the later one.
	PPCPreliminaryDays = 3
	PPCFinalDays       = 30
	// PPCFinalMaliciousDays is for a leak caused with a wrongful purpose
	// (規則第43条第3号): unauthorized access, theft by an insider.
	PPCFinalMaliciousDays = 60
)

// PPCDeadlines returns when the preliminary and the final report to the
// Commission are due for a leak discovered at discovered.
func PPCDeadlines(discovered time.Time, malicious bool) (preliminary, final time.Time) {
	days := PPCFinalDays
	if malicious {
		days = PPCFinalMaliciousDays
	}
	return discovered.AddDate(0, 0, PPCPreliminaryDays), discovered.AddDate(0, 0, days)
}

// isPPC reports whether a profile's external report is the one to the
// Personal Information Protection Commission, which mamori tracks in its
// two legal stages instead (a profile can only give one deadline).
func isPPC(r *policy.ExternalReport) bool {
	return strings.Contains(r.Target.JA, "個人情報保護委員会") || strings.HasPrefix(r.ID, "ppc")
}

// requiredReports returns the reports a breach requires under the profile
// and the law, given what is already there: the profile's external
// reports (with their deadlines counted from discovery), and — when
// personal information is involved — the two stages of the report to the
// Commission. Reports already present (by kind and policy id) are left
// alone, except that a pending PPC final report is given the deadline
// matching the current malicious flag.
func requiredReports(pol *policy.Policy, inc *Incident, have []ExternalReport) (add []ExternalReport, update []ExternalReport) {
	exists := func(kind ReportKind, pid string) *ExternalReport {
		for i := range have {
			if have[i].Kind == kind && have[i].PolicyID == pid {
				return &have[i]
			}
		}
		return nil
	}
	for _, r := range pol.Incident().ExternalReports {
		if isPPC(r) || exists(ReportPolicy, r.ID) != nil {
			continue
		}
		er := ExternalReport{Kind: ReportPolicy, PolicyID: r.ID, Target: r.Target.JA, TargetEN: r.Target.EN, Status: ReportPending, Clause: r.Clause}
		if r.Deadline != "" {
			if p, err := policy.ParsePeriod(r.Deadline); err == nil && p.Specified {
				due := p.AddTo(inc.DiscoveredAt)
				er.DueAt = &due
			}
		}
		add = append(add, er)
	}
	if inc.PersonalInfo {
		pre, fin := PPCDeadlines(inc.DiscoveredAt, inc.Malicious)
		if exists(ReportPPCPreliminary, "") == nil {
			add = append(add, ExternalReport{Kind: ReportPPCPreliminary, Status: ReportPending, DueAt: &pre, Clause: ClausePPCPreliminary})
		}
		if f := exists(ReportPPCFinal, ""); f == nil {
			add = append(add, ExternalReport{Kind: ReportPPCFinal, Status: ReportPending, DueAt: &fin, Clause: ClausePPCFinal})
		} else if f.Status == ReportPending && (f.DueAt == nil || !f.DueAt.Equal(fin)) {
			u := *f
			u.DueAt = &fin
			update = append(update, u)
		}
	}
	return add, update
}

// checkDeadline refuses a deadline before the incident: a report cannot be
// due before the thing it reports happened.
func checkDeadline(field string, due time.Time, inc *Incident) error {
	if due.Before(inc.Since()) {
		return mamori.FieldError(field, "incident.deadline_before_incident", map[string]any{"Since": inc.Since().In(i18n.Tokyo).Format("2006-01-02 15:04")})
	}
	return nil
}
