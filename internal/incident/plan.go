package incident

import (
	"strconv"
	"time"

	"mamori"
)

// Plan is one version of the emergency response plan (緊急時対応計画). 下條村
// 第2章9(2)イ requires it to set out ① the contacts of those concerned,
// ② what to report about a case, ③ the responses to a case, and ④ how
// prevention measures are drawn up; ウ requires it to be reviewed as
// circumstances change — each save is a new version, and old versions
// stay readable.
type Plan struct {
	ID          int64
	Version     int
	Contacts    []Contact
	ReportItems string // ② 報告すべき事項
	Responses   string // ③ 対応措置
	Prevention  string // ④ 再発防止措置の策定
	Note        string // what changed in this version
	CreatedAt   time.Time
	CreatedBy   int64

	CreatedByName string // read with the plan
}

// Contact is one line of ① 関係者の連絡先.
type Contact struct {
	Role  string `json:"role"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// ClausePlan is where the plan's contents are prescribed.
const ClausePlan = "下條村 第2章9(2)イ"

// MaxContacts bounds the contact list.
const MaxContacts = 100

// Validate checks a plan before it is saved: every section the policy
// prescribes must be filled.
func (p *Plan) Validate() error {
	var err error
	var cs []Contact
	for i, c := range p.Contacts {
		field := func(f string) string { return "contacts[" + strconv.Itoa(i+1) + "]." + f }
		if c.Role, err = cleanText(field("role"), c.Role, 100, false); err != nil {
			return err
		}
		if c.Name, err = cleanText(field("name"), c.Name, 100, false); err != nil {
			return err
		}
		if c.Phone, err = cleanText(field("phone"), c.Phone, 50, false); err != nil {
			return err
		}
		if c.Email, err = cleanText(field("email"), c.Email, 200, false); err != nil {
			return err
		}
		if c.Role == "" && c.Name == "" && c.Phone == "" && c.Email == "" {
			continue // an empty row of the form
		}
		if c.Role == "" && c.Name == "" {
			return mamori.FieldError(field("name"), "plan.contact_name_required", map[string]any{"Row": i + 1})
		}
		if c.Phone == "" && c.Email == "" {
			return mamori.FieldError(field("phone"), "plan.contact_means_required", map[string]any{"Row": i + 1})
		}
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return mamori.FieldError("contacts", "plan.contacts_required", nil)
	}
	if len(cs) > MaxContacts {
		return mamori.FieldError("contacts", "plan.too_many_contacts", map[string]any{"Max": MaxContacts})
	}
	p.Contacts = cs
	if p.ReportItems, err = cleanText("report_items", p.ReportItems, MaxText, true); err != nil {
		return err
	}
	if p.Responses, err = cleanText("responses", p.Responses, MaxText, true); err != nil {
		return err
	}
	if p.Prevention, err = cleanText("prevention", p.Prevention, MaxText, true); err != nil {
		return err
	}
	if p.Note, err = cleanText("note", p.Note, 2000, false); err != nil {
		return err
	}
	return nil
}
