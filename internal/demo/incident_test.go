package demo_test

import (
	"context"
	"testing"

	"mamori/internal/demo"
	"mamori/internal/incident"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// The demo shows the incident area at work: a plan in force, a resident's
// report waiting, a closed staff report, an approved deviation and a
// violation being corrected.
func TestDemoIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		nt, err := setup.CreateTenant(context.Background(), st, "demo-incidents", "デモ", "fujieda")
		if err != nil {
			t.Fatal(err)
		}
		d, err := demo.Fill(context.Background(), st, nt.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Counts["incidents"] != 2 || d.Counts["plan_versions"] != 1 {
			t.Fatalf("counts %v, notes %v", d.Counts, d.Notes)
		}
		list, _, err := st.Incidents(d.Ctx, store.IncidentFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("incidents %v %v", list, err)
		}
		statuses := map[incident.Status]int{}
		for _, inc := range list {
			statuses[inc.Status]++
		}
		if statuses[incident.StatusClosed] != 1 || statuses[incident.StatusReported] != 1 {
			t.Errorf("statuses %v (notes %v)", statuses, d.Notes)
		}
		plan, err := st.CurrentPlan(d.Ctx)
		if err != nil || len(plan.Contacts) < 2 {
			t.Errorf("plan %+v %v", plan, err)
		}
		active, _ := st.Deviations(d.Ctx, incident.DeviationFilter{Active: true})
		if len(active) != 1 {
			t.Errorf("%d active demo deviations (notes %v)", len(active), d.Notes)
		}
		vs, _ := st.Violations(d.Ctx, 0)
		if len(vs) != 1 || vs[0].Status != incident.ViolationInstructed {
			t.Errorf("demo violations %+v", vs)
		}
	})
}
