package directory_test

import (
	"context"
	"testing"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// org is a tenant under a built-in profile with units and people made by
// name, for tests that read like the seed's organization chart.
type org struct {
	t      *testing.T
	st     *store.Store
	ctx    context.Context
	pol    *policy.Policy
	units  map[string]int64
	people map[string]int64
}

func newOrg(t *testing.T, st *store.Store, profile string) *org {
	t.Helper()
	nt, err := setup.CreateTenant(context.Background(), st, "t-"+profile, "テスト "+profile, profile)
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	pol, err := policy.Builtin(profile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := mamori.WithScope(context.Background(), mamori.Scope{Tenant: nt.Tenant.ID, ActorLabel: "test", RequestID: "test"})
	return &org{t: t, st: st, ctx: ctx, pol: pol, units: map[string]int64{}, people: map[string]int64{}}
}

// unit adds a unit under parent ("" for a root).
func (o *org) unit(code, name, parent string, kind directory.UnitKind) int64 {
	o.t.Helper()
	u := &directory.Unit{Code: code, Name: name, ParentID: o.units[parent], Kind: kind}
	if err := o.st.CreateUnit(o.ctx, u); err != nil {
		o.t.Fatalf("create unit %s: %v", code, err)
	}
	o.units[code] = u.ID
	return u.ID
}

// person adds a member of staff in unit.
func (o *org) person(staffNo, name, unit string) int64 {
	o.t.Helper()
	p := &directory.Person{StaffNo: staffNo, Name: name, Kind: directory.KindStaff, UnitID: o.units[unit]}
	if err := o.st.CreatePerson(o.ctx, p); err != nil {
		o.t.Fatalf("create person %s: %v", staffNo, err)
	}
	o.people[staffNo] = p.ID
	return p.ID
}

// assign gives a person a role, for a unit ("" for none), from a day ago.
func (o *org) assign(staffNo, role, unit string) int64 {
	o.t.Helper()
	a := &directory.Assignment{PersonID: o.people[staffNo], Role: role, UnitID: o.units[unit], ValidFrom: o.st.Now().Add(-24 * time.Hour)}
	if err := directory.Assign(o.ctx, o.st, o.pol, a); err != nil {
		o.t.Fatalf("assign %s to %s: %v", role, staffNo, err)
	}
	return a.ID
}

// absent marks a person absent from a day ago for a week.
func (o *org) absent(staffNo string) {
	o.t.Helper()
	now := o.st.Now()
	a := &directory.Absence{PersonID: o.people[staffNo], Starts: now.Add(-24 * time.Hour), Ends: now.Add(7 * 24 * time.Hour), Reason: "出張"}
	if err := o.st.CreateAbsence(o.ctx, a); err != nil {
		o.t.Fatalf("absence of %s: %v", staffNo, err)
	}
}

func verifyClean(t *testing.T, st *store.Store) {
	t.Helper()
	reps, err := st.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.Break != nil {
			t.Fatalf("tenant %s: the log does not vouch for the data: %+v", r.Slug, r.Break)
		}
	}
}
