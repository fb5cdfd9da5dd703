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
}

// untrackedTables hold the log itself or short-lived bookkeeping.
var untrackedTables = map[string]bool{
	"events":            true,
	"event_heads":       true,
	"sessions":          true,
	"schema_migrations": true,
}

// TrackedTables returns the names of the tables the log vouches for.
func TrackedTables() []string {
	out := make([]string, 0, len(trackedTables))
	for t := range trackedTables {
		out = append(out, t)
	}
	return out
}
