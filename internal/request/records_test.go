package request_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"mamori"
	"mamori/internal/notify"
	"mamori/internal/notify/smtptest"
	"mamori/internal/policy"
	"mamori/internal/request"
	"mamori/internal/store"
	"mamori/internal/store/storetest"
)

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestOverdueReturns: a take-out not back by the end of its due day is
// flagged and listed for the applicant, the approver and read_all, until
// its return is recorded.
func TestOverdueReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		r := tw.submit(tw.staff, "take_out", tw.takeOut())
		tw.decide(tw.manager, r.ID, request.Approve, "")
		tw.now = time.Date(2026, 4, 2, 1, 0, 0, 0, time.UTC)
		if _, err := tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: tw.now, Content: "持ち出し"}); err != nil {
			t.Fatal(err)
		}
		// Still the due day (3 April) in Japan: not overdue.
		tw.now = time.Date(2026, 4, 3, 14, 59, 0, 0, time.UTC)
		if list, _ := tw.svc.Overdue(tw.sys(), tw.actor(tw.staff)); len(list) != 0 {
			t.Fatalf("overdue on the due day: %d", len(list))
		}
		tw.now = time.Date(2026, 4, 3, 15, 1, 0, 0, time.UTC)
		for _, test := range []struct {
			who  request.Actor
			want int
		}{
			{tw.actor(tw.staff), 1},
			{tw.actor(tw.manager), 1},
			{tw.actor(tw.outsider), 0},
			{request.Actor{PersonID: tw.director.ID, ReadAll: true}, 1},
		} {
			list, err := tw.svc.Overdue(tw.sys(), test.who)
			if err != nil || len(list) != test.want {
				t.Errorf("overdue for %d = %d, %v; want %d", test.who.PersonID, len(list), err, test.want)
			}
			if len(list) == 1 && (!list[0].Overdue(tw.now) || list[0].ID != r.ID) {
				t.Errorf("listed request not flagged overdue")
			}
		}
		if _, err := tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportReturn, At: tw.now}); err != nil {
			t.Fatal(err)
		}
		if list, _ := tw.svc.Overdue(tw.sys(), tw.actor(tw.manager)); len(list) != 0 {
			t.Errorf("returned request still overdue")
		}
	})
}

// TestDisposalWithCertificate: a disposal (藤枝市 第2章5(2)⑪) approved by
// the manager; the execution record carries the method and the disposal
// contractor's certificate as a file, kept five years (5(2)⑪ウ) and not
// deletable before.
func TestDisposalWithCertificate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		r := tw.submit(tw.staff, "disposal", request.Values{"assets": []int64{tw.paper.ID}, "method": "physical_destruction",
			"planned_date": "2026-04-10", "contractor": "静岡リサイクル株式会社"})
		if r.Decision.RecordType != "disposal_record" || r.RetentionClause != "第2章 5(2)⑪ウ" {
			t.Fatalf("disposal decision = %+v, clause %q", r.Decision, r.RetentionClause)
		}
		tw.decide(tw.manager, r.ID, request.Approve, "")
		fields := request.RecordFields(tw.pol.Policy, r)
		var ids []string
		for _, f := range fields {
			ids = append(ids, f.ID)
		}
		if strings.Join(ids, ",") != "method,contractor,certificate,related_documents" {
			t.Fatalf("record fields = %v", ids)
		}
		at := tw.now.Add(time.Hour)
		tw.now = at.Add(time.Minute)
		// The method is required by the record type.
		_, err := tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: at, Content: "溶解処理"})
		wantCode(t, err, mamori.EINVALID, "request.field_required", "record.method")
		pdf := []byte("%PDF-1.4 廃棄証明書")
		r, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: at, Content: "溶解処理",
			Values: request.Values{"method": "physical_destruction", "contractor": "静岡リサイクル株式会社"},
			Files:  []request.Upload{{Field: "certificate", Filename: "廃棄証明書.pdf", ContentType: "application/pdf", Data: pdf}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != request.StatusCompleted || len(r.Reports) != 1 || len(r.Reports[0].Attachments) != 1 {
			t.Fatalf("after the execution record: %s, %+v", r.Status, r.Reports)
		}
		file := r.Reports[0].Attachments[0]
		if file.Field != "certificate" || file.Filename != "廃棄証明書.pdf" {
			t.Errorf("certificate = %+v", file)
		}
		a, err := s.RequestAttachment(tw.sys(), r.ID, file.ID)
		if err != nil || string(a.Data) != string(pdf) || a.KeepUntil == nil || !a.KeepUntil.Equal(tw.now.AddDate(5, 0, 0)) || a.RetentionClause != "第2章 5(2)⑪ウ" {
			t.Fatalf("stored certificate = %+v, %v", a, err)
		}
		if _, err := s.RequestAttachment(tw.sys(), r.ID+1, file.ID); mamori.ErrorCode(err) != mamori.ENOTFOUND {
			t.Errorf("the certificate is reachable through another request: %v", err)
		}
		wantCode(t, s.DeleteAttachment(tw.sys(), file.ID), mamori.ERETAINED, "error.retained", "")
		verifyClean(t, s)
	})
}

// TestMailReachesApprover: the approver's notice is also queued as mail
// and delivered over SMTP (here a real listener on loopback).
func TestMailReachesApprover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		tw.now = time.Now().UTC() // the sender's own clock decides whether a mail is still news
		srv := smtptest.Start(t)
		r := tw.submit(tw.staff, "take_out", tw.takeOut())
		cfg := notify.MailConfig{Host: srv.Host, Port: srv.Port, From: "mamori@city.example.jp", BaseURL: "https://mamori.city.example.jp"}
		sender := notify.NewSender(cfg, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		sent, failed, err := sender.SendDue(context.Background())
		if err != nil || sent != 1 || failed != 0 {
			t.Fatalf("send = %d sent, %d failed, %v", sent, failed, err)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "suzuki@city.example.jp" {
			t.Fatalf("mails = %+v", msgs)
		}
		body := decodedMail(t, msgs[0].Data)
		if !containsAll(body, "承認依頼", "/requests/"+itoa(r.ID)) {
			t.Errorf("mail does not name the request: %s", body)
		}
	})
}

// TestValuesRoundTrip: what the form readers accept survives storage.
func TestValuesRoundTrip(t *testing.T) {
	pol, err := policy.Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := pol.RequestKind("take_out")
	for _, test := range []struct {
		name  string
		form  map[string][]string
		want  map[string]any
		field string
	}{
		{"a full form", map[string][]string{"f.assets": {"3", "1", "3"}, "f.purpose": {" 説明会 "}, "f.destination": {"会館"},
			"f.start_at": {"2026-04-02T09:00"}, "f.return_date": {"2026-04-03"}, "f.within_building": {"on"}},
			map[string]any{"assets": []int64{3, 1}, "purpose": "説明会", "start_at": "2026-04-02T00:00:00Z", "return_date": "2026-04-03", "within_building": true}, ""},
		{"an unticked box is no", map[string][]string{"f.purpose": {"x"}}, map[string]any{"within_building": false}, ""},
		{"a date that is no date", map[string][]string{"f.return_date": {"2026-02-30"}}, nil, "fields.return_date"},
		{"a time that is no time", map[string][]string{"f.start_at": {"明日"}}, nil, "fields.start_at"},
		{"an asset that is no number", map[string][]string{"f.assets": {"USB"}}, nil, "fields.assets"},
		{"text too long", map[string][]string{"f.purpose": {strings.Repeat("あ", 201)}}, nil, "fields.purpose"},
	} {
		t.Run(test.name, func(t *testing.T) {
			v, err := request.FormValues(k.Fields, test.form, "fields.")
			if test.field != "" {
				wantCode(t, err, mamori.EINVALID, "", test.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			enc, err := v.Encode()
			if err != nil {
				t.Fatal(err)
			}
			back, err := request.DecodeValues(enc)
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range test.want {
				if got := back[key]; !equalValue(got, want) {
					t.Errorf("%s = %#v, want %#v", key, got, want)
				}
			}
		})
	}
}

func equalValue(a, b any) bool {
	if x, ok := a.([]int64); ok {
		y, ok := b.([]int64)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

// decodedMail returns a mail's decoded subject and body.
func decodedMail(t *testing.T, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return subj + "\n" + string(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestMachineRoomEntryIsLogged: entering the machine room needs no
// approval but a record in the entry log (藤枝市 第2章7(1)②ア): the
// request is recorded, the entry and the exit are reported as start and
// end (an exit before the entry is refused), and a record whose period the
// policy does not state cannot be deleted at all.
func TestMachineRoomEntryIsLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		_, err := tw.svc.Submit(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), "serverroom_entry", request.Values{"purpose": "サーバの点検", "planned_at": "2026-04-02T10:00",
			"entry_permitted": false, "visitor": false})
		wantCode(t, err, mamori.EDENIED, "request.denied", "")
		r := tw.submit(tw.staff, "serverroom_entry", request.Values{"purpose": "サーバの点検", "planned_at": "2026-04-02T10:00", "entry_permitted": true, "visitor": false})
		if r.Status != request.StatusRecorded || r.Decision.RecordType != "entry_log" || r.KeepUntil != nil || r.RetentionClause != "第2章 7(1)②ア" {
			t.Fatalf("entry = %s %+v keep %v %q", r.Status, r.Decision, r.KeepUntil, r.RetentionClause)
		}
		_, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportEnd, At: tw.now})
		wantCode(t, err, mamori.ECONFLICT, "request.report_missing_first", "")
		in := tw.now.Add(-30 * time.Minute)
		if r, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportStart, At: in}); err != nil {
			t.Fatal(err)
		}
		_, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportEnd, At: in.Add(-time.Minute)})
		wantCode(t, err, mamori.EINVALID, "request.end_before_start", "at")
		if r, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportEnd, At: tw.now}); err != nil {
			t.Fatal(err)
		}
		if r.Status != request.StatusCompleted {
			t.Errorf("after the exit: %s", r.Status)
		}
		wantCode(t, tw.svc.Delete(tw.sys(), tw.actor(tw.staff), true, r.ID), mamori.ERETAINED, "request.retained_indefinitely", "")
		tw.now = tw.now.AddDate(50, 0, 0)
		if n, err := s.PurgeExpired(tw.sys()); err != nil || n != 0 {
			t.Errorf("purge of a record kept indefinitely = %d, %v", n, err)
		}
		verifyClean(t, s)
	})
}

// TestEquipmentLeaseReturn: a device goes back to the lessor only once its
// storage is erased (藤枝市 第2章7(3)⑤).
func TestEquipmentLeaseReturn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		v := request.Values{"devices": []int64{tw.usb.ID}, "disposition": "lease_return", "data_erased": false, "planned_date": "2026-04-10"}
		_, err := tw.svc.Submit(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), "equipment_dispose", v)
		wantCode(t, err, mamori.EDENIED, "request.denied", "")
		if e, _ := mamori.AsError(err); !strings.Contains(e.Args["Clauses"].(string), "第2章 7(3)⑤") {
			t.Errorf("refusal cites %v", e.Args["Clauses"])
		}
		v["data_erased"] = true
		r := tw.submit(tw.staff, "equipment_dispose", v)
		if r.Status != request.StatusAllowed {
			t.Fatalf("erased device: %s", r.Status)
		}
		r, err = tw.svc.Report(tw.as(tw.staff), tw.pol, tw.actor(tw.staff), r.ID, request.ReportInput{Kind: policy.ReportExecution, At: tw.now, Content: "リース会社へ返却"})
		if err != nil || r.Status != request.StatusCompleted {
			t.Fatalf("after the return: %v, %v", r, err)
		}
	})
}

// TestFilesSentWithTheForm: a kind whose form asks for a file (a plan, a
// document) takes it with the submission; a file field cannot name a file
// kept with another record; a resubmission keeps the file unless a new one
// replaces it.
func TestFilesSentWithTheForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tw := newTown(t, s)
		src, err := policy.BuiltinSource("fujieda")
		if err != nil {
			t.Fatal(err)
		}
		kind := `  - id: network_plan
    name: {ja: "ネットワーク構築計画の申請", en: "Network plan"}
    action: network.build
    clause: 第2章 7(4)①イ
    fields:
      - {id: description, name: {ja: "構築するネットワーク", en: "Network"}, type: text, required: true}
      - {id: plan, name: {ja: "構成図", en: "Diagram"}, type: file, required: true}

incident:`
		pol, err := policy.Load("fujieda.yaml", []byte(strings.Replace(string(src), "\nincident:", "\n"+kind, 1)))
		if err != nil {
			t.Fatal(err)
		}
		p := request.Policy{Policy: pol, VersionID: tw.pol.VersionID}
		v := request.Values{"description": "会議室のネットワーク"}
		_, err = tw.svc.Submit(tw.as(tw.staff), p, tw.actor(tw.staff), "network_plan", v)
		wantCode(t, err, mamori.EINVALID, "request.field_required", "fields.plan")
		_, err = tw.svc.Submit(tw.as(tw.staff), p, tw.actor(tw.staff), "network_plan", request.Values{"description": "x", "plan": []int64{1}})
		wantCode(t, err, mamori.EINVALID, "request.file_upload_only", "fields.plan")
		diagram := request.Upload{Field: "plan", Filename: "構成図.pdf", ContentType: "application/pdf", Data: []byte("%PDF plan")}
		r, err := tw.svc.Submit(tw.as(tw.staff), p, tw.actor(tw.staff), "network_plan", v, diagram)
		if err != nil {
			t.Fatal(err)
		}
		r, err = s.Request(tw.sys(), r.ID)
		if err != nil || len(r.Attachments) != 1 || r.Attachments[0].Field != "plan" || len(r.Values.IDs("plan")) != 1 {
			t.Fatalf("stored: %+v, %v", r, err)
		}
		if a, err := s.RequestAttachment(tw.sys(), r.ID, r.Attachments[0].ID); err != nil || string(a.Data) != "%PDF plan" {
			t.Fatalf("file: %v", err)
		}
		tw.decide(tw.gso, r.ID, request.SendBack, "構成図に機器名を入れてください")
		r, err = tw.svc.Resubmit(tw.as(tw.staff), p, tw.actor(tw.staff), r.ID, request.Values{"description": "会議室のネットワーク（機器名入り）"})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Request(tw.sys(), r.ID); len(got.Values.IDs("plan")) != 1 || got.Values.IDs("plan")[0] != r.Values.IDs("plan")[0] {
			t.Errorf("the resubmission lost the file: %v", got.Values)
		}
		verifyClean(t, s)
	})
}
