package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// The free-text search of the register goes through asset_name_grams
// (migration 0045): the pairs of adjacent characters of every name. A
// query of two characters or more keeps the assets holding its rarest
// pairs, and the name then confirms the whole query; without the index
// each search read all the organization's names (150 ms at 100,000
// assets, BENCHMARKS.md).

// gramsProbed is how many of a query's pairs, the rarest first, narrow
// the candidates; the name confirms the rest.
const gramsProbed = 3

// gramsCounted bounds how many of a query's pairs are counted.
const gramsCounted = 12

// gramCountCap bounds the counting of a pair's assets: beyond it a pair
// is common, and how common no longer matters for choosing the rarest.
const gramCountCap = 20000

// foldASCII lowers ASCII letters only, as SQLite's lower() and LIKE do,
// so that the pairs stored and the pairs asked agree in both databases.
func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// nameGrams are the distinct pairs of adjacent characters of s, folded,
// in order of first appearance.
func nameGrams(s string) []string {
	rs := []rune(foldASCII(s))
	seen := map[string]bool{}
	var out []string
	for i := 0; i+1 < len(rs); i++ {
		g := string(rs[i : i+2])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// indexNames adds the pairs of the assets with ids lo to hi from their
// names as stored: one statement in the database, so that an import of
// 100,000 rows sends no pair over the connection.
func indexNames(ctx context.Context, tx *Tx, lo, hi int64) error {
	// Each name is walked once, pair by pair (a recursive query, as
	// SQLite has no LATERAL), and the pairs are inserted in key order:
	// a million keys in order fill the index's pages one after another,
	// where the same keys in name order would split pages all over it.
	q := `INSERT OR IGNORE INTO asset_name_grams (tenant_id, gram, asset_id)
		WITH RECURSIVE p(id, name, i) AS (
			SELECT id, name, 1 FROM assets WHERE tenant_id = $1 AND id >= $2 AND id <= $3 AND length(name) > 1
			UNION ALL
			SELECT id, name, i + 1 FROM p WHERE i + 1 < length(name))
		SELECT $1, lower(substr(name, i, 2)) AS gram, id FROM p ORDER BY gram, id`
	if tx.s.dialect == Postgres {
		q = `INSERT INTO asset_name_grams (tenant_id, gram, asset_id)
		SELECT DISTINCT a.tenant_id, translate(substr(a.name, i, 2), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), a.id
		FROM assets a, generate_series(1, char_length(a.name) - 1) AS i
		WHERE a.tenant_id = $1 AND a.id >= $2 AND a.id <= $3
		ORDER BY 2, 3`
	}
	if _, err := tx.Exec(ctx, q, lo, hi); err != nil {
		return fmt.Errorf("index asset names %d–%d: %w", lo, hi, err)
	}
	return nil
}

// unindexName removes the pairs of an asset's former name, each by its
// key: the index has no other, as a second one would cost an import of
// 100,000 assets a million more inserts.
func unindexName(ctx context.Context, tx *Tx, id int64, name string) error {
	grams := nameGrams(name)
	if len(grams) == 0 {
		return nil
	}
	args := []any{id}
	for _, g := range grams {
		args = append(args, g)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM asset_name_grams WHERE tenant_id = $1 AND asset_id = $2 AND gram IN (`+dollarList(3, len(grams))+`)`, args...); err != nil {
		return fmt.Errorf("unindex the name of asset %d: %w", id, err)
	}
	return nil
}

// nameMatch returns the condition "a.id IN (…)" part for assets whose
// name contains text: through the pairs when text has any, else (one
// character) by reading the names.
func nameMatch(ctx context.Context, tx *Tx, q *assetQuery, text string) (string, error) {
	// The arguments are added only once the SQL is sure to use them: an
	// argument PostgreSQL never sees in the query has no type.
	like := func() string {
		if tx.s.dialect == Postgres {
			// PostgreSQL's LIKE is case-sensitive; fold ASCII as SQLite does.
			return `translate(m.name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE ` +
				q.arg("%"+escapeLike(foldASCII(text))+"%") + ` ESCAPE '\'`
		}
		return "m.name LIKE " + q.arg("%"+escapeLike(text)+"%") + ` ESCAPE '\'`
	}
	grams := nameGrams(text)
	if len(grams) == 0 {
		return `SELECT m.id FROM assets m WHERE m.tenant_id = $1 AND ` + like(), nil
	}
	type counted struct {
		gram string
		n    int
	}
	// Each pair is counted only up to the rarest found so far: what is
	// wanted is which pairs are rarest, not how common the others are. The
	// last pairs go first, as the end of a query (a number, a place) is
	// more often what sets it apart than its start (業務データ …).
	cs := make([]counted, 0, len(grams))
	limit := gramCountCap
	// A long query is narrowed by its last pairs only (one count each);
	// the name confirms the rest.
	first := max(0, len(grams)-gramsCounted)
	for i := len(grams) - 1; i >= first; i-- {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM asset_name_grams WHERE tenant_id = $1 AND gram = $2 LIMIT $3) c`, grams[i], limit).Scan(&n); err != nil {
			return "", fmt.Errorf("count asset name pairs: %w", err)
		}
		if n == 0 {
			return "", nil // a pair no name has: nothing matches
		}
		cs = append(cs, counted{grams[i], n})
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].n < cs[j].n })
		if len(cs) >= gramsProbed {
			limit = cs[gramsProbed-1].n
		}
	}
	cs = cs[:min(len(cs), gramsProbed)]
	// CROSS JOIN keeps SQLite's join order: the rarest pair drives, the
	// others are probed by key, the name confirms.
	var from, where strings.Builder
	from.WriteString("asset_name_grams g0")
	where.WriteString("g0.tenant_id = $1 AND g0.gram = " + q.arg(cs[0].gram))
	for i, c := range cs[1:] {
		g := fmt.Sprintf("g%d", i+1)
		from.WriteString(" CROSS JOIN asset_name_grams " + g)
		where.WriteString(fmt.Sprintf(" AND %s.tenant_id = g0.tenant_id AND %s.gram = %s AND %s.asset_id = g0.asset_id", g, g, q.arg(c.gram), g))
	}
	from.WriteString(" CROSS JOIN assets m")
	where.WriteString(" AND m.tenant_id = g0.tenant_id AND m.id = g0.asset_id AND " + like())
	return "SELECT g0.asset_id FROM " + from.String() + " WHERE " + where.String(), nil
}
