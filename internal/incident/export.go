package incident

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"mamori/internal/policy"
)

// Labels translates the export's headings; web.Localizer satisfies it.
type Labels interface {
	T(id string, kv ...any) string
	Pick(ja, en string) string
	DateTime(t time.Time) string
}

// Names are what an export shows instead of ids.
type Names struct {
	Organization string
	Units        map[int64]string
	People       map[int64]string
	Policy       *policy.Policy
}

func (n Names) unit(id int64) string {
	if id == 0 {
		return ""
	}
	return n.Units[id]
}

func (n Names) person(id int64) string {
	if id == 0 {
		return ""
	}
	return n.People[id]
}

func (n Names) role(l Labels, id string) string {
	if n.Policy != nil {
		if r, ok := n.Policy.Role(id); ok {
			return l.Pick(r.Name.JA, r.Name.EN)
		}
	}
	return id
}

// report is the content of an incident report, in the order both
// exports print it.
type report struct {
	title   string
	summary [][2]string
	invest  [][2]string
	chain   [][]string
	reports [][]string
	steps   [][]string
	lines   [][]string // the timeline
	heads   map[string][]string
}

func timeOr(l Labels, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return l.DateTime(*t)
}

// buildReport lays out rec for an export in the reader's language.
func (s *Service) buildReport(rec *Record, l Labels, n Names) *report {
	inc := &rec.Incident
	r := &report{title: l.T("incident.export.title"), heads: map[string][]string{}}
	add := func(rows *[][2]string, id, v string) { *rows = append(*rows, [2]string{l.T(id), v}) }
	reporter := n.person(inc.ReporterID)
	if inc.Source == SourcePublic {
		reporter = l.T("incident.source.public")
		if inc.ReporterName != "" {
			reporter += "（" + inc.ReporterName + "）"
		}
	}
	triage := ""
	if inc.Triage != TriagePending {
		triage = l.T("incident.triage." + string(inc.Triage))
	}
	severity := ""
	if inc.Severity != "" {
		severity = l.T("incident.severity." + string(inc.Severity))
	}
	yesNo := func(b bool) string {
		if b {
			return l.T("common.yes")
		}
		return l.T("common.no")
	}
	add(&r.summary, "incident.export.organization", n.Organization)
	add(&r.summary, "incident.receipt_no", inc.ReceiptNo)
	add(&r.summary, "incident.title_field", inc.Title)
	add(&r.summary, "incident.category", l.T("incident.category."+string(inc.Category)))
	add(&r.summary, "incident.status", l.T("incident.status."+string(inc.Status)))
	add(&r.summary, "incident.triage", triage)
	add(&r.summary, "incident.severity", severity)
	add(&r.summary, "incident.personal_info", yesNo(inc.PersonalInfo))
	add(&r.summary, "incident.malicious", yesNo(inc.Malicious))
	add(&r.summary, "incident.unit", n.unit(inc.UnitID))
	add(&r.summary, "incident.reporter", reporter)
	add(&r.summary, "incident.occurred_at", timeOr(l, inc.OccurredAt))
	add(&r.summary, "incident.discovered_at", l.DateTime(inc.DiscoveredAt))
	add(&r.summary, "incident.reported_at", l.DateTime(inc.ReportedAt))
	add(&r.summary, "incident.triaged_at", timeOr(l, inc.TriagedAt))
	add(&r.summary, "incident.closed_at", timeOr(l, inc.ClosedAt))
	add(&r.summary, "incident.description", inc.Description)
	if n.Policy != nil {
		add(&r.summary, "incident.export.policy", l.Pick(n.Policy.Name().JA, n.Policy.Name().EN)+" "+n.Policy.Version())
	}
	add(&r.invest, "incident.field.what", inc.What)
	add(&r.invest, "incident.field.cause", inc.Cause)
	add(&r.invest, "incident.field.damage", inc.Damage)
	add(&r.invest, "incident.field.scope", inc.Scope)
	for _, e := range rec.Entries {
		if e.Kind == EntryClose {
			add(&r.invest, "incident.export.review", e.Body)
		}
	}
	r.heads["chain"] = []string{l.T("incident.chain_step"), l.T("incident.role"), l.T("incident.person"), l.T("incident.notified_at"), l.T("incident.acknowledged_at"), l.T("incident.clause")}
	for _, no := range rec.Notices {
		who := no.PersonName
		if no.ForPersonID != 0 {
			who += " " + l.T("incident.substitute_for", "Name", n.person(no.ForPersonID))
		}
		r.chain = append(r.chain, []string{strconv.Itoa(no.Step), n.role(l, no.Role), who, l.DateTime(no.NotifiedAt), timeOr(l, no.AcknowledgedAt), no.Clause})
	}
	r.heads["reports"] = []string{l.T("incident.report_target"), l.T("incident.due_at"), l.T("incident.report_status"), l.T("incident.submitted_at"), l.T("incident.reference"), l.T("incident.note"), l.T("incident.clause")}
	for _, er := range rec.Reports {
		name := s.ReportName(er)
		r.reports = append(r.reports, []string{l.Pick(name.JA, name.EN), timeOr(l, er.DueAt), l.T("incident.report_status." + string(er.Status)),
			timeOr(l, er.SubmittedAt), er.Reference, er.Note, er.Clause})
	}
	r.heads["steps"] = []string{l.T("incident.step"), l.T("incident.step_state"), l.T("incident.note"), l.T("incident.clause")}
	if n.Policy != nil {
		done := StepsDone(rec.Entries)
		for _, st := range n.Policy.Incident().CloseSteps {
			state, note := l.T("incident.step_open"), ""
			if e, ok := done[st.ID]; ok {
				state, note = l.T("incident.step_done")+" "+l.DateTime(e.At), e.Body
				if e.Data["outcome"] == "not_applicable" {
					state = l.T("incident.step_na") + " " + l.DateTime(e.At)
				}
			}
			r.steps = append(r.steps, []string{l.Pick(st.Text.JA, st.Text.EN), state, note, st.Clause})
		}
	}
	r.heads["timeline"] = []string{l.T("incident.entry_at"), l.T("incident.entry_kind"), l.T("incident.entry_actor"), l.T("incident.entry_body")}
	for _, e := range rec.Entries {
		body := e.Body
		for _, k := range []string{"what", "cause", "damage", "scope"} {
			if v := e.Data[k]; v != "" {
				body += "\n" + l.T("incident.field."+k) + ": " + v
			}
		}
		if a := e.Data["action"]; a != "" {
			body = l.T("incident.containment."+a) + "\n" + body
		}
		if e.Corrects != 0 {
			body = l.T("incident.export.corrects", "ID", e.Corrects) + "\n" + body
		}
		actor := e.ActorLabel
		if e.ActorID == 0 && actor == "public form" {
			actor = l.T("incident.actor_public")
		}
		r.lines = append(r.lines, []string{l.DateTime(e.At), l.T("incident.entry." + string(e.Kind)), actor, body})
	}
	return r
}

// WriteXLSX writes the incident report as an Excel workbook: the summary
// and investigation, the reporting chain, the reports to outside bodies,
// the mandatory steps and the timeline, each on a sheet of its own. Every
// value is written as text, never as a formula.
func (s *Service) WriteXLSX(w io.Writer, rec *Record, l Labels, n Names) error {
	rep := s.buildReport(rec, l, n)
	f := excelize.NewFile()
	defer f.Close()
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5EE"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	sheet := func(name string, first bool) (string, error) {
		if first {
			return name, f.SetSheetName("Sheet1", name)
		}
		_, err := f.NewSheet(name)
		return name, err
	}
	put := func(sh string, row int, vals []string, style int) error {
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err := f.SetCellStr(sh, cell, v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
				return err
			}
		}
		return nil
	}
	sh, err := sheet(l.T("incident.export.sheet_report"), true)
	if err != nil {
		return err
	}
	if err := put(sh, 1, []string{rep.title}, head); err != nil {
		return err
	}
	row := 3
	for _, kv := range append(rep.summary, rep.invest...) {
		if err := put(sh, row, []string{kv[0]}, head); err != nil {
			return err
		}
		cell, _ := excelize.CoordinatesToCellName(2, row)
		if err := f.SetCellStr(sh, cell, kv[1]); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell, cell, wrap); err != nil {
			return err
		}
		row++
	}
	f.SetColWidth(sh, "A", "A", 22)
	f.SetColWidth(sh, "B", "B", 90)
	for _, t := range []struct {
		name  string
		head  []string
		rows  [][]string
		width []float64
	}{
		{l.T("incident.export.sheet_chain"), rep.heads["chain"], rep.chain, []float64{8, 28, 24, 20, 20, 24}},
		{l.T("incident.export.sheet_reports"), rep.heads["reports"], rep.reports, []float64{36, 20, 14, 20, 20, 30, 40}},
		{l.T("incident.export.sheet_steps"), rep.heads["steps"], rep.steps, []float64{60, 28, 40, 20}},
		{l.T("incident.export.sheet_timeline"), rep.heads["timeline"], rep.lines, []float64{20, 18, 20, 90}},
	} {
		sh, err := sheet(t.name, false)
		if err != nil {
			return err
		}
		if err := put(sh, 1, t.head, head); err != nil {
			return err
		}
		for i, vals := range t.rows {
			if err := put(sh, i+2, vals, wrap); err != nil {
				return err
			}
		}
		for i, wd := range t.width {
			col, _ := excelize.ColumnNumberToName(i + 1)
			f.SetColWidth(sh, col, col, wd)
		}
		f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: rep.title + " " + rec.Incident.ReceiptNo, Creator: "mamori"}); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
