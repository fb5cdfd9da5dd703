package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/incident"
	"mamori/internal/policy"
	"mamori/internal/store"
)

func init() { Register("incidents", 40, fillIncidents) }

// fillIncidents saves a first emergency response plan (下條村 第2章9(2)イ
// ①–④) with the role holders as contacts, receives a resident's report
// through the public form that waits for the contact point, files a staff
// report that the triage role judged not to be a breach and closed, and —
// where the profile grants the permissions — a deviation approved through
// review and decision, and a violation with its instruction to correct.
// Whatever the profile leaves to nobody in the demo organization is
// skipped with a note.
func fillIncidents(d *Demo) error {
	dir := directory.NewService(d.Store)
	now := d.Store.Now()
	units, err := d.Store.Units(d.Ctx)
	if err != nil {
		return err
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Code < units[j].Code })
	actingIn := func(role string) *directory.Acting {
		for _, u := range append([]directory.Unit{{}}, units...) {
			if as, err := dir.Resolve(d.Ctx, d.Policy, policy.MatterIncident, role, u.ID, now); err == nil && len(as) > 0 {
				return &as[0]
			}
		}
		return nil
	}
	as := func(a *directory.Acting) (context.Context, incident.Actor) {
		p, _ := d.Store.Person(d.Ctx, a.PersonID)
		unit := a.UnitID
		if p != nil && unit == 0 {
			unit = p.UnitID
		}
		return d.actingAs(a.PersonID, a.Name), incident.Actor{PersonID: a.PersonID, Name: a.Name, UnitID: unit,
			Roles: []incident.RoleHolding{{Role: a.AsRole, UnitID: a.UnitID}}}
	}

	// ① the contacts of the plan: whoever acts in the policy's roles that handle incidents.
	plan := &incident.Plan{Note: "初版（デモ）",
		ReportItems: "発生（覚知）日時、場所、発見者、事案の内容、影響を受ける情報資産と利用者、これまでに取った措置",
		Responses:   "1. 被害の拡大防止（端末の隔離、ネットワークの切断、情報システムの停止）\n2. 証拠の保全（ログ、端末、媒体）\n3. 原因と影響範囲の調査\n4. 復旧と利用者への通知\n5. 必要に応じて総務省・都道府県・警察・個人情報保護委員会へ報告",
		Prevention:  "調査結果をもとに再発防止策を検討し、情報セキュリティ委員会に報告する。ポリシーの改定が必要なときは見直しを行う。"}
	for _, r := range d.Policy.Roles() {
		if r.Kind == policy.RoleBaseline || directory.PerUnit(r) || !grants(r, policy.PermIncidentHandle, policy.PermIncidentRead) {
			continue
		}
		if a := actingIn(r.ID); a != nil {
			plan.Contacts = append(plan.Contacts, incident.Contact{Role: r.Name.JA, Name: a.Name, Phone: fmt.Sprintf("内線 %d", 2000+len(plan.Contacts)), Email: a.Email})
		}
	}
	if len(plan.Contacts) == 0 {
		plan.Contacts = []incident.Contact{{Role: "情報セキュリティ担当", Name: "総務課", Phone: "内線 2000"}}
	}
	if err := d.Store.AddPlanVersion(d.Ctx, plan); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}
	d.Counts["plan_versions"] = 1

	pv, err := d.Store.ActivePolicy(d.Ctx)
	if err != nil {
		return err
	}
	svc := incident.NewService(d.Store, dir, d.Store.Now)
	// A resident's report, waiting for the contact point.
	pr := &incident.PublicReport{Category: incident.CategorySuspected, Name: "住民 太郎", Contact: "090-0000-0000",
		Description: "町のホームページのお知らせに、他の人の住所と電話番号が載っているようです。\n本日昼ごろに気づきました。"}
	pubCtx := mamoriScope(d, 0, "public form")
	if _, err := svc.ReportPublic(pubCtx, d.Policy, pv.ID, pr, "demo-public-1"); err != nil {
		d.Notes = append(d.Notes, fmt.Sprintf("demo public report not filed: %v", err))
	} else {
		d.Counts["incidents"]++
	}
	// A staff report judged not to be a breach and closed.
	triager := actingIn(d.Policy.Incident().Triage)
	if triager == nil {
		d.Notes = append(d.Notes, "demo incident not handled: nobody holds the triage role "+d.Policy.Incident().Triage)
	} else {
		ctx, actor := as(triager)
		inc := &incident.Incident{Category: incident.CategoryDefect, Title: "複合機が深夜に印刷を続けた",
			Description: "朝、複合機の排紙トレイに見覚えのない印刷物が大量にあった。", DiscoveredAt: now.Add(-26 * time.Hour)}
		err := svc.ReportStaff(ctx, d.Policy, pv.ID, actor, inc)
		if err == nil {
			d.Counts["incidents"]++
			err = svc.Triage(ctx, d.Policy, actor, inc.ID, incident.TriageInput{Triage: incident.TriageNotBreach, Severity: incident.SeverityLow, Note: "印刷ジョブの設定誤り。情報の漏えいはない。"})
		}
		if err == nil {
			err = svc.AddEntry(ctx, d.Policy, actor, inc.ID, incident.EntryInput{Kind: incident.EntryInvestigation,
				What: "夜間に同じ文書が繰り返し印刷された", Cause: "予約印刷の設定誤り", Damage: "用紙の浪費のみ", Scope: "複合機1台"})
		}
		for _, st := range d.Policy.Incident().CloseSteps {
			if err == nil {
				err = svc.MarkStep(ctx, d.Policy, actor, inc.ID, st.ID, false, "侵害ではないため")
			}
		}
		if err == nil {
			err = svc.Close(ctx, d.Policy, actor, inc.ID, "設定を直し、予約印刷の手順を課内に周知した。")
		}
		if err != nil {
			d.Notes = append(d.Notes, fmt.Sprintf("demo staff incident not completed: %v", err))
		}
	}
	fillDeviation(d, dir, actingIn, as)
	fillViolation(d, dir, actingIn, as)
	return nil
}

func grants(r *policy.Role, perms ...policy.Permission) bool {
	for _, g := range r.Grants {
		for _, p := range perms {
			if g == p {
				return true
			}
		}
	}
	return false
}

// firstGranting is someone acting in an appointed role granting perm.
func firstGranting(d *Demo, actingIn func(string) *directory.Acting, perm policy.Permission, not int64) *directory.Acting {
	for _, r := range d.Policy.Roles() {
		if r.Kind == policy.RoleBaseline || !grants(r, perm) {
			continue
		}
		if a := actingIn(r.ID); a != nil && a.PersonID != not {
			return a
		}
	}
	return nil
}

func fillDeviation(d *Demo, dir *directory.Service, actingIn func(string) *directory.Acting, as func(*directory.Acting) (context.Context, incident.Actor)) {
	sub := firstGranting(d, actingIn, policy.PermDeviationSubmit, 0)
	if sub == nil {
		d.Notes = append(d.Notes, "no demo deviation: no appointed role may report one")
		return
	}
	rev := firstGranting(d, actingIn, policy.PermDeviationReview, sub.PersonID)
	dec := firstGranting(d, actingIn, policy.PermDeviationDecide, sub.PersonID)
	svc := incident.NewDeviations(d.Store, dir, d.Store.Now)
	ctx, actor := as(sub)
	start := d.Store.Now().Truncate(24 * time.Hour)
	dv := &incident.Deviation{Provision: "パスワードを定期的に変更すること", Clause: "", StartsOn: start, EndsOn: start.AddDate(0, 3, 0),
		Reason:       "旧住民記録システムがパスワード変更機能を持たず、更新が来年度になるため",
		Alternatives: "当該端末をネットワークから分離し、操作ログを毎日確認する"}
	if err := svc.Submit(ctx, d.Policy, actor, dv); err != nil {
		d.Notes = append(d.Notes, fmt.Sprintf("demo deviation not reported: %v", err))
		return
	}
	d.Counts["deviations"] = 1
	if rev == nil || dec == nil {
		return
	}
	rctx, ractor := as(rev)
	if err := svc.Review(rctx, d.Policy, ractor, dv.ID, incident.OpinionAcceptable, "代替手段により危険は抑えられている"); err != nil {
		d.Notes = append(d.Notes, fmt.Sprintf("demo deviation not reviewed: %v", err))
		return
	}
	dctx, dactor := as(dec)
	if err := svc.Decide(dctx, d.Policy, dactor, dv.ID, true, "委員会で承認（デモ）"); err != nil {
		d.Notes = append(d.Notes, fmt.Sprintf("demo deviation not decided: %v", err))
	}
}

func fillViolation(d *Demo, dir *directory.Service, actingIn func(string) *directory.Acting, as func(*directory.Acting) (context.Context, incident.Actor)) {
	mgr := firstGranting(d, actingIn, policy.PermViolationManage, 0)
	if mgr == nil {
		d.Notes = append(d.Notes, "no demo violation: no appointed role may record one")
		return
	}
	people, _, err := d.Store.People(d.Ctx, store.PeopleFilter{Status: directory.StatusActive, Limit: 200})
	if err != nil {
		return
	}
	var who *directory.Person
	for i := range people {
		held, _ := d.Store.HeldRoles(d.Ctx, people[i].ID, d.Store.Now())
		if len(held) == 0 && !people[i].IsAdmin && people[i].ID != mgr.PersonID && people[i].UnitID != 0 {
			who = &people[i]
			break
		}
	}
	if who == nil {
		return
	}
	svc := incident.NewViolations(d.Store, dir, d.Store.Now)
	ctx, actor := as(mgr)
	v := &incident.Violation{PersonID: who.ID, Description: "業務用パソコンに許可のないソフトウェアを導入した"}
	unitOf := func(id int64) (int64, string, error) { return d.Store.PersonUnit(ctx, id) }
	if err := svc.Record(ctx, d.Policy, actor, v, unitOf); err != nil {
		d.Notes = append(d.Notes, fmt.Sprintf("demo violation not recorded: %v", err))
		return
	}
	d.Counts["violations"] = 1
	if err := svc.Instruct(ctx, d.Policy, actor, v.ID, "ソフトウェアを削除し、結果を報告すること"); err != nil {
		d.Notes = append(d.Notes, fmt.Sprintf("demo violation not instructed: %v", err))
	}
}

// actingAs is d's context acting as a person.
func (d *Demo) actingAs(personID int64, name string) context.Context {
	return mamoriScope(d, personID, name)
}

func mamoriScope(d *Demo, personID int64, label string) context.Context {
	return mamori.WithScope(d.Ctx, mamori.Scope{Tenant: d.Tenant, ActorID: personID, ActorLabel: label, RequestID: "demo"})
}
