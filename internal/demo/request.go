package demo

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
)

func init() { Register("requests", 30, fillRequests) }

// fillRequests files a request of every kind the profile defines, as a
// member of staff of the first section with assets, answered so that the
// policy lets it through, and moves some along: the first ones waiting
// for their approver, a take-out approved and carried out with its return
// still due, one sent back, one rejected. Kinds the profile routes to
// nobody in the demo organization are skipped, with a note.
func fillRequests(d *Demo) error {
	applicant, unit, assets, err := demoApplicant(d)
	if err != nil || applicant == nil {
		return err
	}
	pv, err := d.Store.ActivePolicy(d.Ctx)
	if err != nil {
		return err
	}
	svc := request.NewService(d.Store, directory.NewService(d.Store), nil)
	pol := request.Policy{Policy: d.Policy, VersionID: pv.ID}
	actor := request.Actor{PersonID: applicant.ID, Name: applicant.Name, UnitID: unit}
	as := func(p *directory.Person) request.Actor {
		return request.Actor{PersonID: p.ID, Name: p.Name, UnitID: p.UnitID}
	}
	ctxOf := func(p *directory.Person) mamori.Scope {
		return mamori.Scope{Tenant: d.Tenant, ActorID: p.ID, ActorLabel: p.Name, RequestID: "demo"}
	}
	filed, skipped := 0, 0
	var pending []*request.Request
	for _, k := range d.Policy.RequestKinds() {
		ctx := mamori.WithScope(d.Ctx, ctxOf(applicant))
		r, err := svc.Submit(ctx, pol, actor, k.ID, demoValues(d, k, applicant.ID, assets))
		if err != nil {
			skipped++
			d.Notes = append(d.Notes, fmt.Sprintf("demo request %s not filed: %v", k.ID, err))
			continue
		}
		filed++
		if r.Status == request.StatusPending {
			pending = append(pending, r)
		}
	}
	// Move some of the pending ones along, each decided by whoever acts in
	// its step now.
	decide := func(r *request.Request, o request.Outcome, comment string) (*request.Request, error) {
		st, ok := r.PendingStep()
		if !ok {
			return r, nil
		}
		acts, err := directory.NewService(d.Store).Approvers(d.Ctx, d.Policy, st.Role, st.UnitID, d.Store.Now(), r.ApplicantID)
		if err != nil || len(acts) == 0 {
			return r, err
		}
		p, err := d.Store.Person(d.Ctx, acts[0].PersonID)
		if err != nil {
			return r, err
		}
		return svc.Decide(mamori.WithScope(d.Ctx, ctxOf(p)), pol, as(p), r.ID, request.DecisionInput{Outcome: o, Comment: comment})
	}
	sort.SliceStable(pending, func(i, j int) bool { return pending[i].Kind == "take_out" && pending[j].Kind != "take_out" })
	for i, r := range pending {
		var err error
		switch {
		case i == 0:
			// Approved through every step, carried out, return still due.
			for r.Status == request.StatusPending && err == nil {
				r, err = decide(r, request.Approve, "")
			}
			if err == nil && r.Status == request.StatusApproved && len(request.DueReports(d.Policy, r)) > 0 {
				rep := request.DueReports(d.Policy, r)[0]
				ctx := mamori.WithScope(d.Ctx, ctxOf(applicant))
				_, err = svc.Report(ctx, pol, actor, r.ID, request.ReportInput{Kind: rep, At: d.Store.Now(), Content: "デモ: 実施しました",
					Values: demoRecordValues(d, r)})
			}
		case i == 1:
			_, err = decide(r, request.SendBack, "デモ: 目的をもう少し具体的に書いてください")
		case i == 2:
			_, err = decide(r, request.Reject, "デモ: 今回は認められません")
		}
		if err != nil {
			d.Notes = append(d.Notes, fmt.Sprintf("demo request %d (%s) not decided: %v", r.ID, r.Kind, err))
		}
	}
	d.Counts["requests"] = filed
	if filed > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%s (%s) has filed %d requests: sign in as them, or as their approvers, and open 申請・承認.", applicant.Name, applicant.StaffNo, filed))
	}
	return nil
}

// demoApplicant is a member of staff (one without a role if there is one)
// of the first unit that owns assets, with those assets (the least
// strictly classified first).
func demoApplicant(d *Demo) (*directory.Person, int64, []asset.Asset, error) {
	as, _, err := d.Store.Assets(d.Ctx, asset.Filter{Limit: asset.MaxLimit, Sort: asset.SortNumber})
	if err != nil || len(as) == 0 {
		return nil, 0, nil, err
	}
	unit := as[0].UnitID
	var mine []asset.Asset
	for _, a := range as {
		if a.UnitID == unit && !a.Unclassified && a.State != asset.StateDisposed {
			mine = append(mine, a)
		}
	}
	people, _, err := d.Store.People(d.Ctx, store.PeopleFilter{UnitID: unit, Status: directory.StatusActive, Limit: 100})
	if err != nil {
		return nil, 0, nil, err
	}
	sort.SliceStable(mine, func(i, j int) bool { return demoRank(d.Policy, mine[i]) > demoRank(d.Policy, mine[j]) })
	// Someone who holds no role, so that the route is the ordinary one;
	// else anyone of the unit (separation of duties then routes past them).
	var first *directory.Person
	for i := range people {
		p := &people[i]
		if p.UnitID != unit {
			continue
		}
		if first == nil {
			first = p
		}
		held, err := d.Store.HeldRoles(d.Ctx, p.ID, d.Store.Now())
		if err != nil {
			return nil, 0, nil, err
		}
		if len(held) == 0 {
			return p, unit, mine, nil
		}
	}
	if first == nil {
		d.Notes = append(d.Notes, "no demo requests: nobody works in the unit that owns the first assets")
	}
	return first, unit, mine, nil
}

// demoRank is how lightly an asset is classified on the first axis
// (larger: less strict).
func demoRank(pol *policy.Policy, a asset.Asset) int {
	axes := pol.Axes()
	if len(axes) == 0 {
		return 0
	}
	for i, l := range axes[0].StrictestFirst {
		if a.Effective[axes[0].ID] == l {
			return i
		}
	}
	return 0
}

// demoValues answers a kind's form: the applicant's statements yes (a
// licence, protection, a business purpose …), the first option, the first
// asset, dates from tomorrow.
func demoValues(d *Demo, k *policy.RequestKind, applicant int64, assets []asset.Asset) request.Values {
	v := request.Values{}
	now := d.Store.Now().In(i18n.Tokyo)
	for _, f := range k.Fields {
		switch f.Type {
		case policy.FieldText:
			v[f.ID] = "デモ: " + f.Name.JA
		case policy.FieldLongText:
			v[f.ID] = "デモ用の申請です（" + f.Name.JA + "）"
		case policy.FieldDate:
			v[f.ID] = now.AddDate(0, 0, 2).Format("2006-01-02")
		case policy.FieldDateTime:
			v[f.ID] = time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, i18n.Tokyo).UTC().Format(time.RFC3339)
		case policy.FieldInt:
			v[f.ID] = int64(1)
		case policy.FieldBool:
			v[f.ID] = true
		case policy.FieldEnum:
			if len(f.Options) > 0 {
				v[f.ID] = f.Options[0].ID
			}
		case policy.FieldPerson:
			v[f.ID] = applicant
		case policy.FieldAssetList:
			if a, ok := demoRequestAsset(f.ID, assets); ok {
				v[f.ID] = []int64{a.ID}
			}
		}
	}
	return v
}

// demoRecordValues answers the record type's fields of an execution report.
func demoRecordValues(d *Demo, r *request.Request) request.Values {
	v := request.Values{}
	for _, f := range request.RecordFields(d.Policy, r) {
		switch f.Type {
		case policy.FieldEnum:
			if len(f.Options) > 0 {
				v[f.ID] = f.Options[0].ID
			}
		case policy.FieldText, policy.FieldLongText:
			if f.Required {
				v[f.ID] = "デモ: " + f.Name.JA
			}
		case policy.FieldBool:
			v[f.ID] = true
		}
	}
	return v
}

// demoRequestAsset picks an asset that fits a field: a terminal for devices, a
// system for a system, otherwise a paper or medium.
func demoRequestAsset(field string, assets []asset.Asset) (asset.Asset, bool) {
	want := []asset.Kind{asset.KindPaper, asset.KindMedium, asset.KindInformation}
	switch {
	case strings.HasPrefix(field, "device"):
		want = []asset.Kind{asset.KindPC, asset.KindEquipment, asset.KindServer}
	case strings.HasPrefix(field, "system"):
		want = []asset.Kind{asset.KindSystem, asset.KindServer}
	}
	for _, k := range want {
		for _, a := range assets {
			if a.Kind == k {
				return a, true
			}
		}
	}
	if len(assets) > 0 {
		return assets[0], true
	}
	return asset.Asset{}, false
}
