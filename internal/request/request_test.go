package request_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

// TestTakeOutFromRequestToReturn follows a 機密性2 USB medium out and back:
// the policy routes the take-out to the section's 情報セキュリティ管理者
// (藤枝市 第2章6(1)③ア), who is told and approves; the taking-out and the
// return are recorded (6(1)③イ), an early return is refused, the record
// is kept five years and cannot be deleted before, and is purged after.
func TestTakeOutFromRequestToReturn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		r := tw.submit(tw.staff, "take_out", tw.takeOut())
		if r.Status != request.StatusPending || r.Step != 1 {
			t.Fatalf("submitted: status %s step %d", r.Status, r.Step)
		}
		got, err := s.Request(tw.sys(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		d := got.Decision
		if d.Effect != policy.Approve || d.PolicyVersionID != tw.pol.VersionID || d.PolicyVersion != tw.pol.Version() ||
			!slices.Contains(d.Clauses, "第2章 6(1)③ア") || !slices.Contains(d.Rules, "take-out-approve") || d.RecordType != "take_out_record" {
			t.Errorf("decision kept = %+v", d)
		}
		if len(got.Steps) != 1 || got.Steps[0].Role != "security_manager" || got.Steps[0].UnitID != tw.section.ID {
			t.Fatalf("route = %+v", got.Steps)
		}
		if len(got.Assets) != 1 || got.Assets[0].Levels["confidentiality"] != "2" {
			t.Errorf("assets kept = %+v", got.Assets)
		}
		// The return is due at the end of 3 April in Japan.
		if want := time.Date(2026, 4, 3, 15, 0, 0, 0, time.UTC); got.DueAt == nil || !got.DueAt.Equal(want) {
			t.Errorf("due = %v, want %v", got.DueAt, want)
		}
		if want := tw.now.AddDate(5, 0, 0); got.KeepUntil == nil || !got.KeepUntil.Equal(want) || got.RetentionClause != "第2章 6(1)③イ" {
			t.Errorf("keep until %v (%s), want %v", got.KeepUntil, got.RetentionClause, want)
		}
		if in := tw.inbox(tw.manager); len(in) != 1 || !strings.Contains(in[0], "承認依頼") || !strings.Contains(in[0], "田中 一郎") {
			t.Errorf("manager's inbox = %q", in)
		}
		if in := tw.inbox(tw.deputy); len(in) != 0 {
			t.Errorf("deputy (no role) told: %q", in)
		}

		// Nothing can be reported before approval.
		_, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: tw.now, Content: "持ち出し"})
		wantCode(t, err, mamori.ECONFLICT, "request.not_granted", "")

		tw.now = tw.now.Add(time.Hour)
		r = tw.decide(tw.manager, r.ID, request.Approve, "")
		if r.Status != request.StatusApproved || r.Steps[0].DecidedBy != tw.manager.ID || r.Steps[0].Status != request.StepApproved {
			t.Fatalf("after approval: %s %+v", r.Status, r.Steps)
		}
		if in := tw.inbox(tw.staff); len(in) != 1 || !strings.Contains(in[0], "承認されました") {
			t.Errorf("applicant's inbox = %q", in)
		}

		// The execution record: date and time, person, what was done.
		takenOut := time.Date(2026, 4, 2, 0, 5, 0, 0, time.UTC)
		tw.now = takenOut.Add(time.Minute)
		r, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: takenOut, Content: "USBメモリを鞄に入れ施錠して持ち出した"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.StatusApproved || r.ExecutedAt == nil || !r.ExecutedAt.Equal(takenOut) {
			t.Fatalf("after execution: %s executed %v", r.Status, r.ExecutedAt)
		}
		// A return dated before the taking-out is refused, and changes nothing.
		_, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportReturn, At: takenOut.Add(-time.Hour)})
		wantCode(t, err, mamori.EINVALID, "request.return_before_takeout", "at")
		// So is a second execution report.
		_, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: takenOut, Content: "again"})
		wantCode(t, err, mamori.ECONFLICT, "request.report_exists", "")
		// And a report by someone who neither applied nor approved.
		_, err = tw.svc.Report(tw.as(tw.outsider), tw.pol, tw.actor(tw.outsider), r.ID, request.ReportInput{Kind: policy.ReportReturn, At: tw.now})
		wantCode(t, err, mamori.EFORBIDDEN, "request.not_reporter", "")

		returned := time.Date(2026, 4, 3, 8, 0, 0, 0, time.UTC)
		tw.now = returned
		r, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportReturn, At: returned, Content: "返却した"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.StatusCompleted || r.ReturnedAt == nil || len(r.Reports) != 2 || r.Overdue(returned.AddDate(0, 1, 0)) {
			t.Fatalf("after return: %s returned %v reports %d", r.Status, r.ReturnedAt, len(r.Reports))
		}
		keep := returned.AddDate(5, 0, 0)
		if r.KeepUntil == nil || !r.KeepUntil.Equal(keep) {
			t.Errorf("keep until after the return = %v, want %v (five years from the latest record)", r.KeepUntil, keep)
		}

		// Kept for five years: deletion is refused, even by an administrator.
		err = tw.svc.Delete(tw.sys(), tw.actor(tw.staff), true, r.ID)
		wantCode(t, err, mamori.ERETAINED, "error.retained", "")
		if n, err := s.PurgeExpired(tw.sys()); err != nil || n != 0 {
			t.Fatalf("purge within five years = %d, %v", n, err)
		}
		verifyClean(t, s)
		tw.now = keep.Add(time.Hour)
		if n, err := s.PurgeExpired(tw.sys()); err != nil || n < 5 {
			t.Fatalf("purge after five years = %d, %v", n, err)
		}
		if _, err := s.Request(tw.sys(), r.ID); mamori.ErrorCode(err) != mamori.ENOTFOUND {
			t.Errorf("purged request still loads: %v", err)
		}
		verifyClean(t, s)
	})
}

// TestSubmissionRefused holds bad input and forbidden acts to clear errors
// that name the field, with nothing stored.
func TestSubmissionRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		other := newOtherTenantAsset(t, tw)
		without := func(k string) request.Values {
			v := tw.takeOut()
			delete(v, k)
			return v
		}
		with := func(k string, x any) request.Values {
			v := tw.takeOut()
			v[k] = x
			return v
		}
		for _, test := range []struct {
			name         string
			kind         string
			values       request.Values
			code         mamori.Code
			message, fld string
		}{
			{"a kind the policy does not define", "teleport", tw.takeOut(), mamori.EINVALID, "request.kind_unknown", "kind"},
			{"a required field left out", "take_out", without("purpose"), mamori.EINVALID, "request.field_required", "fields.purpose"},
			{"no asset", "take_out", without("assets"), mamori.EINVALID, "request.field_required", "fields.assets"},
			{"an asset of another organization", "take_out", tw.takeOut(other), mamori.EINVALID, "request.asset_unknown", "fields.assets"},
			{"an asset of another section", "take_out", tw.takeOut(tw.otherAsset.ID), mamori.EINVALID, "request.asset_not_usable", "fields.assets"},
			{"no such asset", "take_out", tw.takeOut(999999), mamori.EINVALID, "request.asset_unknown", "fields.assets"},
			{"a return before the take-out", "take_out", with("return_date", "2026-04-01"), mamori.EINVALID, "request.return_before_start", "fields.return_date"},
			{"an unprotected 機密性2 transport", "transport", request.Values{"assets": []int64{tw.usb.ID}, "carrier": "staff", "protected": false, "date": "2026-04-02", "route": "本庁舎→支所"},
				mamori.EDENIED, "request.denied", ""},
			{"機密性1 by e-mail", "email_send", request.Values{"assets": []int64{tw.paper.ID, tw.public.ID}, "recipients": "a@example.jp", "purpose": "照会"},
				mamori.EDENIED, "request.denied", ""},
			{"an option the field does not offer", "transport", request.Values{"assets": []int64{tw.usb.ID}, "carrier": "drone", "protected": true, "date": "2026-04-02", "route": "x"},
				mamori.EINVALID, "request.field_option", "fields.carrier"},
			{"a field the form does not have", "take_out", with("colour", "red"), mamori.EINVALID, "request.field_unknown", "fields.colour"},
			{"a text where a yes/no belongs", "transport", request.Values{"assets": []int64{tw.usb.ID}, "carrier": "staff", "protected": "yes", "date": "2026-04-02", "route": "x"},
				mamori.EINVALID, "request.field_bool", "fields.protected"},
		} {
			t.Run(test.name, func(t *testing.T) {
				before, _ := s.Requests(tw.sys(), request.Filter{})
				_, err := tw.svc.Submit(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), test.kind, test.values)
				wantCode(t, err, test.code, test.message, test.fld)
				after, _ := s.Requests(tw.sys(), request.Filter{})
				if len(after) != len(before) {
					t.Errorf("a refused submission stored a request")
				}
			})
		}
		// A refusal by the policy names the clause, and the attempt is in the log.
		_, err := tw.svc.Submit(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), "email_send",
			request.Values{"assets": []int64{tw.paper.ID}, "recipients": "a@example.jp", "purpose": "照会"})
		if e, _ := mamori.AsError(err); e == nil || !strings.Contains(e.Args["Clauses"].(string), "第2章 6(1)⑤ウ") {
			t.Errorf("refusal = %v, want it to cite 第2章 6(1)⑤ウ", err)
		}
		evs, err := s.Events(tw.sys(), store.EventFilter{Action: "request.refused"})
		if err != nil || len(evs) < 3 {
			t.Errorf("refused attempts logged: %d, %v", len(evs), err)
		}
		verifyClean(t, s)
	})
}

// TestSeparationOfDuties: nobody approves their own request (藤枝市
// 第2章4(3)). A 課長 who applies is not routed to themselves: the step goes
// to the role theirs reports to; and if they try to decide anyway, they are
// refused with the clause.
func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		r := tw.submit(tw.manager, "take_out", tw.takeOut())
		st := r.Steps[0]
		if st.Role != "security_officer" || st.EscalatedFrom != "security_manager" {
			t.Fatalf("manager's own request routed to %+v", st)
		}
		_, err := tw.svc.Decide(tw.as(tw.manager), tw.pol, tw.actor(tw.manager), r.ID, request.DecisionInput{Outcome: request.Approve})
		wantCode(t, err, mamori.EFORBIDDEN, "sod.self_approval", "")
		if e, _ := mamori.AsError(err); e.Args["Clause"] != "第2章 4(3)" {
			t.Errorf("self-approval refusal cites %v, want 第2章 4(3)", e.Args["Clause"])
		}
		// Another section's manager does not act in this step.
		_, err = tw.svc.Decide(tw.as(tw.infra), tw.pol, tw.actor(tw.infra), r.ID, request.DecisionInput{Outcome: request.Approve})
		wantCode(t, err, mamori.EFORBIDDEN, "request.not_approver", "")
		if q, _ := tw.svc.Queue(tw.sys(), tw.pol, tw.actor(tw.manager)); len(q) != 0 {
			t.Errorf("the applicant's own request is in their queue: %d", len(q))
		}
		if q, _ := tw.svc.Queue(tw.sys(), tw.pol, tw.actor(tw.director)); len(q) != 1 || q[0].ID != r.ID {
			t.Errorf("director's queue = %+v", q)
		}
		r = tw.decide(tw.director, r.ID, request.Approve, "")
		if r.Status != request.StatusApproved {
			t.Errorf("status %s", r.Status)
		}
		// The staff member's own request stays with their manager.
		r2 := tw.submit(tw.staff, "take_out", tw.takeOut())
		_, err = tw.svc.Decide(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r2.ID, request.DecisionInput{Outcome: request.Approve})
		wantCode(t, err, mamori.EFORBIDDEN, "sod.self_approval", "")
		verifyClean(t, s)
	})
}

// TestSubstituteDecides: while the 統括情報セキュリティ責任者 is absent, the
// 情報基盤管理者 the policy lets act for them (藤枝市 第2章4(1)②) is told,
// in whose place, and decides for them; the step records it.
func TestSubstituteDecides(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		if err := s.CreateAbsence(tw.sys(), absenceOf(tw.gso, tw.now.Add(-time.Hour), tw.now.AddDate(0, 0, 7))); err != nil {
			t.Fatal(err)
		}
		r := tw.submit(tw.staff, "wireless", request.Values{"devices": []int64{tw.usb.ID}, "encrypted_and_authenticated": true, "purpose": "会議室での利用"})
		if len(r.Steps) != 2 || r.Steps[0].Role != "general_security_officer" || r.Steps[1].Role != "infrastructure_manager" {
			t.Fatalf("route = %+v", r.Steps)
		}
		in := tw.inbox(tw.infra)
		if len(in) != 1 || !strings.Contains(in[0], "代理") || !strings.Contains(in[0], tw.gso.Name) {
			t.Fatalf("substitute's inbox = %q", in)
		}
		r = tw.decide(tw.infra, r.ID, request.Approve, "")
		if st := r.Steps[0]; st.DecidedBy != tw.infra.ID || st.ForPersonID != tw.gso.ID || st.ActingRole != "infrastructure_manager" {
			t.Errorf("step 1 = %+v, want decided by the substitute for the absent holder", st)
		}
		if r.Status != request.StatusPending || r.Step != 2 {
			t.Fatalf("after step 1: %s step %d", r.Status, r.Step)
		}
		r = tw.decide(tw.infra, r.ID, request.Approve, "")
		if r.Status != request.StatusApproved || r.Steps[1].ForPersonID != 0 {
			t.Errorf("after step 2: %s %+v", r.Status, r.Steps[1])
		}
	})
}

// TestSendBackRejectAndClosed: a send-back and a rejection need a reason;
// the applicant changes a sent-back request and submits it again; a closed
// request cannot be decided again, and nothing changes.
func TestSendBackRejectAndClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		r := tw.submit(tw.staff, "take_out", tw.takeOut())
		_, err := tw.svc.Decide(tw.as(tw.manager), tw.pol, tw.actor(tw.manager), r.ID, request.DecisionInput{Outcome: request.SendBack})
		wantCode(t, err, mamori.EINVALID, "request.reason_required", "comment")
		_, err = tw.svc.Decide(tw.as(tw.manager), tw.pol, tw.actor(tw.manager), r.ID, request.DecisionInput{Outcome: "maybe"})
		wantCode(t, err, mamori.EINVALID, "request.outcome_invalid", "outcome")
		r = tw.decide(tw.manager, r.ID, request.SendBack, "返却予定日を説明会の翌日にしてください")
		if r.Status != request.StatusReturned {
			t.Fatalf("status %s", r.Status)
		}
		if in := tw.inbox(tw.staff); len(in) != 1 || !strings.Contains(in[0], "差し戻されました") || !strings.Contains(in[0], "翌日") {
			t.Errorf("applicant's inbox = %q", in)
		}
		// Only the applicant resubmits.
		v := tw.takeOut()
		v["return_date"] = "2026-04-04"
		_, err = tw.svc.Resubmit(tw.as(tw.manager), tw.pol, tw.actor(tw.manager), r.ID, v)
		wantCode(t, err, mamori.EFORBIDDEN, "request.not_applicant", "")
		r, err = tw.svc.Resubmit(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, v)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.StatusPending || r.Round != 2 || r.Step != 1 {
			t.Fatalf("resubmitted: %s round %d step %d", r.Status, r.Round, r.Step)
		}
		r = tw.decide(tw.manager, r.ID, request.Reject, "説明会が中止になったため")
		if r.Status != request.StatusRejected || r.Values.String("return_date") != "2026-04-04" || len(r.Steps) != 2 {
			t.Fatalf("rejected: %s %v %d steps", r.Status, r.Values, len(r.Steps))
		}
		before := r.UpdatedAt
		tw.now = tw.now.Add(time.Hour)
		_, err = tw.svc.Decide(tw.as(tw.manager), tw.pol, tw.actor(tw.manager), r.ID, request.DecisionInput{Outcome: request.Approve})
		wantCode(t, err, mamori.ECONFLICT, "request.not_pending", "")
		_, err = tw.svc.Withdraw(tw.as(tw.staff), tw.actor(tw.staff), r.ID)
		wantCode(t, err, mamori.ECONFLICT, "request.closed", "")
		after, _ := s.Request(tw.sys(), r.ID)
		if !after.UpdatedAt.Equal(before) || after.Status != request.StatusRejected {
			t.Errorf("a refused decision changed the request: %v → %v, %s", before, after.UpdatedAt, after.Status)
		}
		verifyClean(t, s)
	})
}

// TestAllowedIsRecorded: what the policy allows is kept as a record of the
// act, with the decision it rests on.
func TestAllowedIsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		r := tw.submit(tw.staff, "transport", request.Values{"assets": []int64{tw.public.ID}, "carrier": "other", "protected": false, "date": "2026-04-02", "route": "支所へ"})
		if r.Status != request.StatusAllowed || r.Decision.Effect != policy.Allow || len(r.Steps) != 0 || !r.Decision.Default {
			t.Errorf("allowed transport = %s %+v", r.Status, r.Decision)
		}
		// Several assets: the strictest level applies (第2章5(2)④ウ).
		r = tw.submit(tw.staff, "transport", request.Values{"assets": []int64{tw.public.ID, tw.usb.ID}, "carrier": "staff", "protected": true, "date": "2026-04-02", "route": "支所へ"})
		if r.Status != request.StatusPending || !slices.Contains(r.Decision.Clauses, "第2章 5(2)④ウ") {
			t.Errorf("mixed transport = %s %+v", r.Status, r.Decision)
		}
	})
}
