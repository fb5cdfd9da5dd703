package policy

import "slices"

// FieldPurpose says what a request form or record field means to mamori,
// beyond its type. The request engine finds the return due date, the start
// of an act and the parts of a record a report fills by purpose, never by
// the field's id, so that a profile may name its fields as its seed does
// (天草's 導入日, 下條村's 作業開始日時) and a misnamed field is a load
// error rather than a silently ignored one.
type FieldPurpose string

// Purposes of request form fields: what the applicant states.
const (
	// PurposeStartAt is when the act begins (持ち出し日時, 期間の開始).
	PurposeStartAt FieldPurpose = "start_at"
	// PurposeEndAt is when the act or the permission ends (期間の終了,
	// 承認期間): it may not lie before the start.
	PurposeEndAt FieldPurpose = "end_at"
	// PurposeReturnDue is when what is taken out must be back (返却予定日):
	// it may not lie before the start, and a kind that files a return
	// report tracks it (overdue returns are flagged).
	PurposeReturnDue FieldPurpose = "return_due"
)

// Purposes of record fields: what a report on a granted request says.
// They are filled from the report's own inputs — its time, its person,
// its content — and never asked a second time (藤枝市 第2章5(2)⑪ウ and
// 6(1)③イ: 実施日時, 実施担当者, 実施内容; 下條村 第2章10(2)3: the start
// and the end of a piece of work).
const (
	// PurposePerformedAt is when the act was carried out: the execution
	// report's time.
	PurposePerformedAt FieldPurpose = "performed_at"
	// PurposePerformer is who carried it out: any report's person.
	PurposePerformer FieldPurpose = "performer"
	// PurposeContent is what was done: the first report's content.
	PurposeContent FieldPurpose = "content"
	// PurposeReturnedAt is when what was taken out came back: the return
	// report's time.
	PurposeReturnedAt FieldPurpose = "returned_at"
	// PurposeStartedAt is when the work began (作業開始, 入室): the start
	// report's time.
	PurposeStartedAt FieldPurpose = "started_at"
	// PurposeEndedAt is when the work ended (作業完了, 退室): the end
	// report's time.
	PurposeEndedAt FieldPurpose = "ended_at"
)

// FieldPurposes lists every purpose in documentation order.
var FieldPurposes = []FieldPurpose{
	PurposeStartAt, PurposeEndAt, PurposeReturnDue,
	PurposePerformedAt, PurposePerformer, PurposeContent, PurposeReturnedAt, PurposeStartedAt, PurposeEndedAt,
}

// purposeSpec is where a purpose may stand and on what.
type purposeSpec struct {
	record bool        // a record-type field; otherwise a request form field
	types  []FieldType // the field types that can carry it
	report ReportKind  // a record purpose filled by one kind of report only ("" any report)
}

var (
	timeTypes = []FieldType{FieldDate, FieldDateTime}
	purposes  = map[FieldPurpose]purposeSpec{
		PurposeStartAt:     {types: timeTypes},
		PurposeEndAt:       {types: timeTypes},
		PurposeReturnDue:   {types: timeTypes},
		PurposePerformedAt: {record: true, types: timeTypes, report: ReportExecution},
		PurposePerformer:   {record: true, types: []FieldType{FieldPerson}},
		PurposeContent:     {record: true, types: []FieldType{FieldText, FieldLongText}},
		PurposeReturnedAt:  {record: true, types: timeTypes, report: ReportReturn},
		PurposeStartedAt:   {record: true, types: timeTypes, report: ReportStart},
		PurposeEndedAt:     {record: true, types: timeTypes, report: ReportEnd},
	}
)

// ForRecords reports whether p is the purpose of a record field (filled
// from a report) rather than of a request form field.
func (p FieldPurpose) ForRecords() bool { return purposes[p].record }

// FilledBy is the report whose own input fills a record field of purpose
// p; "" when any report's does (the person, the content) or when p is not
// a record purpose.
func (p FieldPurpose) FilledBy() ReportKind { return purposes[p].report }

// FilledByReport reports whether a record field is filled from a report's
// own inputs (its time, person or content) rather than asked in the form.
func (f *Field) FilledByReport() bool { return f.Purpose.ForRecords() }

// FieldFor returns the kind's field of purpose p, or nil; validation
// allows at most one.
func (k *RequestKind) FieldFor(p FieldPurpose) *Field { return fieldFor(k.Fields, p) }

// FieldFor returns the record type's field of purpose p, or nil.
func (r *RecordType) FieldFor(p FieldPurpose) *Field { return fieldFor(r.Fields, p) }

func fieldFor(fields []*Field, p FieldPurpose) *Field {
	i := slices.IndexFunc(fields, func(f *Field) bool { return f.Purpose == p })
	if i < 0 {
		return nil
	}
	return fields[i]
}
