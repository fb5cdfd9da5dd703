package store

// trackedTables are the tables whose rows the event log vouches for: each
// change to a row records the hash of its new state, and `log verify`
// compares every stored row with the last state recorded for it. The value
// is the column that identifies a row within its tenant. A new table must be
// listed here or in untrackedTables; a test holds every migration to that.
var trackedTables = map[string]string{
	"tenants":          "tenant_id",
	"policy_versions":  "id",
	"units":            "id",
	"people":           "id",
	"accounts":         "id",
	"role_assignments": "id",
	"api_tokens":       "id",
	"attachments":      "id",
	// Directory and sign-in (migration 0010).
	"absences":         "id",
	"transfers":        "id",
	"transfer_items":   "id",
	"password_history": "id",
	"recovery_codes":   "id",
	"person_segments":  "id",
	// The asset register (migration 0020).
	"assets": "id",
	// Requests and approvals (migration 0030).
	"requests":        "id",
	"request_assets":  "id",
	"request_steps":   "id",
	"request_reports": "id",
	// Incidents, the response plan, deviations and violations (0040–0044).
	"incidents":        "id",
	"incident_entries": "id",
	"incident_notices": "id",
	"incident_reports": "id",
	"response_plans":   "id",
	"deviations":       "id",
	"violations":       "id",
}

// untrackedTables hold the log itself or short-lived bookkeeping.
var untrackedTables = map[string]bool{
	"events":            true,
	"event_heads":       true,
	"sessions":          true,
	"schema_migrations": true,
	// The asset register (0020): asset_levels is a search index of
	// assets.effective, which the log vouches for; asset_uploads holds
	// files between an import's steps.
	"asset_levels":  true,
	"asset_uploads": true,
	// asset_name_grams (0045) is a search index of assets.name.
	"asset_name_grams": true,
	// Public report form bookkeeping and notifications (0040, 0041).
	"public_form_keys": true,
	"rate_buckets":     true,
	"notifications":    true,
	"mail_outbox":      true,
}

// TrackedTables returns the names of the tables the log vouches for.
func TrackedTables() []string {
	out := make([]string, 0, len(trackedTables))
	for t := range trackedTables {
		out = append(out, t)
	}
	return out
}
