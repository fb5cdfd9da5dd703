// Package eventlog defines the tamper-evident event log: the canonical
// encoding of an event, the per-tenant SHA-256 hash chain over it, the hash
// of a stored row's state, and the checks that `mamori log verify` runs.
// It knows nothing of SQL; the store feeds it rows.
package eventlog

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Event is one state change as it is stored.
type Event struct {
	Tenant     int64
	Seq        int64 // 1, 2, 3… within the tenant; no gaps
	At         time.Time
	ActorID    int64
	ActorLabel string
	Action     string // "asset.create", "request.approve", …
	ObjectType string // the table of the changed object, e.g. "assets"
	ObjectID   int64
	Data       string // the change as JSON (never a secret)
	StateHash  string // RowHash of the object after the change; "" when deleted or not a row
	RequestID  string
	ClientAddr string
	PrevHash   string // Hash of the event before, "" for the first
	Hash       string
}

// Genesis is the PrevHash of a tenant's first event.
const Genesis = ""

// Canonical returns the byte encoding that the hash covers. Each field is
// length-prefixed so no two different events encode alike.
func (e *Event) Canonical() []byte {
	return e.appendCanonical(make([]byte, 0, 512))
}

func (e *Event) appendCanonical(b []byte) []byte {
	b = append(b, "mamori-event-v1\n"...)
	field := func(f string) {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, '\n')
	}
	num := func(n int64) {
		var tmp [20]byte
		f := strconv.AppendInt(tmp[:0], n, 10)
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, '\n')
	}
	num(e.Tenant)
	num(e.Seq)
	var tb [40]byte
	at := e.At.UTC().AppendFormat(tb[:0], time.RFC3339Nano)
	b = strconv.AppendInt(b, int64(len(at)), 10)
	b = append(b, ':')
	b = append(b, at...)
	b = append(b, '\n')
	num(e.ActorID)
	field(e.ActorLabel)
	field(e.Action)
	field(e.ObjectType)
	num(e.ObjectID)
	field(e.Data)
	field(e.StateHash)
	field(e.RequestID)
	field(e.ClientAddr)
	field(e.PrevHash)
	return b
}

// ComputeHash returns the hex SHA-256 of the canonical encoding.
func (e *Event) ComputeHash() string {
	var buf [512]byte
	sum := sha256.Sum256(e.appendCanonical(buf[:0]))
	return hex.EncodeToString(sum[:])
}

// Seal sets PrevHash and Hash so that e follows prev in the chain.
func (e *Event) Seal(prevHash string) {
	e.PrevHash = prevHash
	e.Hash = e.ComputeHash()
}

// StoredTime is the precision both databases keep: PostgreSQL stores
// microseconds, so an event is hashed at that precision or its hash would
// not survive a round trip.
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// FormatTime is the canonical text of a time in the encoding.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// RowHash hashes a stored row given its column names and the values the
// database driver returned. Columns are sorted by name and values written
// in one canonical form, so the same row read twice hashes alike.
func RowHash(cols []string, vals []any) (string, error) {
	if len(cols) != len(vals) {
		return "", fmt.Errorf("row hash: %d columns but %d values", len(cols), len(vals))
	}
	idx := make([]int, len(cols))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return cols[idx[a]] < cols[idx[b]] })
	var b strings.Builder
	b.WriteString("mamori-row-v1\n")
	for _, i := range idx {
		v, err := canonicalValue(vals[i])
		if err != nil {
			return "", fmt.Errorf("row hash: column %s: %w", cols[i], err)
		}
		b.WriteString(strconv.Itoa(len(cols[i])))
		b.WriteByte(':')
		b.WriteString(cols[i])
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:]), nil
}

func canonicalValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "n", nil
	case int64:
		return "i" + strconv.FormatInt(x, 10), nil
	case int32:
		return "i" + strconv.FormatInt(int64(x), 10), nil
	case int:
		return "i" + strconv.Itoa(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return "i" + strconv.FormatInt(int64(x), 10), nil
		}
		return "f" + strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		// SQLite has no boolean: it returns 0/1. Writing booleans as integers
		// keeps one canonical form for both databases.
		if x {
			return "i1", nil
		}
		return "i0", nil
	case string:
		return "s" + x, nil
	case []byte:
		return "b" + base64.StdEncoding.EncodeToString(x), nil
	case time.Time:
		return "t" + FormatTime(x), nil
	case json.RawMessage:
		return "s" + string(x), nil
	default:
		return "", fmt.Errorf("unsupported value type %T", v)
	}
}
