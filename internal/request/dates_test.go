package request

import (
	"testing"

	"mamori"
	"mamori/internal/policy"
)

// checkDates finds the start, the end and the return due by the fields'
// purposes, whatever the fields are called (下條村's 期間（開始）/（終了）).
func TestCheckDatesByPurpose(t *testing.T) {
	field := func(id string, typ policy.FieldType, p policy.FieldPurpose) *policy.Field {
		return &policy.Field{ID: id, Name: policy.Text{JA: id}, Type: typ, Purpose: p}
	}
	period := &policy.RequestKind{ID: "outside_work", Fields: []*policy.Field{
		field("period_from", policy.FieldDate, policy.PurposeStartAt),
		field("period_to", policy.FieldDate, policy.PurposeEndAt),
	}}
	takeOut := &policy.RequestKind{ID: "take_out", Reports: []policy.ReportKind{policy.ReportReturn}, Fields: []*policy.Field{
		field("leaves", policy.FieldDateTime, policy.PurposeStartAt),
		field("back_by", policy.FieldDate, policy.PurposeReturnDue),
	}}
	unnamed := &policy.RequestKind{ID: "no_purposes", Fields: []*policy.Field{
		field("start_at", policy.FieldDate, ""),
		field("end_at", policy.FieldDate, ""),
	}}
	for _, test := range []struct {
		name    string
		kind    *policy.RequestKind
		values  Values
		message string
		field   string
	}{
		{"a period in order", period, Values{"period_from": "2026-04-01", "period_to": "2026-04-03"}, "", ""},
		{"a one-day period", period, Values{"period_from": "2026-04-01", "period_to": "2026-04-01"}, "", ""},
		{"a period that ends before it starts", period, Values{"period_from": "2026-04-03", "period_to": "2026-04-01"}, "request.period_end_before_start", "fields.period_to"},
		{"a return the same day", takeOut, Values{"leaves": "2026-04-02T00:00:00Z", "back_by": "2026-04-02"}, "", ""},
		{"a return before the take-out", takeOut, Values{"leaves": "2026-04-02T00:00:00Z", "back_by": "2026-04-01"}, "request.return_before_start", "fields.back_by"},
		{"no end given", period, Values{"period_from": "2026-04-03"}, "", ""},
		{"fields without purposes are not guessed", unnamed, Values{"start_at": "2026-04-03", "end_at": "2026-04-01"}, "", ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			err := checkDates(test.kind, test.values)
			if test.message == "" {
				if err != nil {
					t.Fatalf("got %v, want none", err)
				}
				return
			}
			e, ok := mamori.AsError(err)
			if !ok || e.Message != test.message || e.Field != test.field {
				t.Fatalf("got %v, want %s at %s", err, test.message, test.field)
			}
		})
	}
	if dueField(takeOut) != takeOut.Fields[1] || dueField(period) != nil {
		t.Error("the return due is the return_due field of a kind that files a return report, and only of one")
	}
}
