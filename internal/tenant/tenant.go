// Package tenant holds the organizations one mamori serves: a municipality,
// or in a shared deployment each municipality of a prefecture.
package tenant

import (
	"regexp"
	"strings"
	"time"

	"mamori"
)

// Tenant is one organization.
type Tenant struct {
	ID        mamori.TenantID
	Slug      string // short code used at sign-in and in the public report address
	Name      string // 下條村, 藤枝市 …
	CreatedAt time.Time
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Validate checks the fields a person types.
func (t *Tenant) Validate() error {
	t.Slug = strings.TrimSpace(t.Slug)
	t.Name = strings.TrimSpace(t.Name)
	if !slugRe.MatchString(t.Slug) {
		return mamori.FieldError("slug", "tenant.slug_invalid", map[string]any{"Slug": t.Slug})
	}
	if t.Name == "" || len([]rune(t.Name)) > 100 {
		return mamori.FieldError("name", "tenant.name_invalid", nil)
	}
	return nil
}
