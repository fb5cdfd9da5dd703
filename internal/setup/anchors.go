package setup

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/store"
)

// An anchor is a chain head written down outside the database. The hash
// chain shows any change to one event, but someone able to rewrite the
// whole database could recompute every hash after a change; an anchor kept
// elsewhere (printed, mailed, stored in another system) is what that
// rewrite cannot reach.

// WriteHeads writes every tenant's chain head as anchor lines:
// "CODE SEQ HASH".
func WriteHeads(ctx context.Context, st *store.Store, w io.Writer) error {
	heads, err := st.Heads(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# mamori chain heads, %s UTC: keep this outside the database; check with mamori log verify --anchors FILE\n", st.Now().Format("2006-01-02 15:04"))
	for _, h := range heads {
		fmt.Fprintf(w, "%s %d %s\n", h.Slug, h.Seq, h.Hash)
	}
	return nil
}

// AnchorResult is the check of one anchor line.
type AnchorResult struct {
	Line int
	Slug string
	Seq  int64
	OK   bool
	Why  string
}

// CheckAnchors compares each anchor line of r with the stored chain: the
// event it names must still be there with the same hash.
func CheckAnchors(ctx context.Context, st *store.Store, r io.Reader) ([]AnchorResult, error) {
	var out []AnchorResult
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		seq, err := strconv.ParseInt(safeField(f, 1), 10, 64)
		if len(f) != 3 || err != nil || seq < 1 || len(f[2]) != 64 {
			return nil, fmt.Errorf("anchors line %d: want \"CODE SEQ HASH\", got %q", n, line)
		}
		res := AnchorResult{Line: n, Slug: f[0], Seq: seq}
		t, err := st.TenantBySlug(ctx, f[0])
		if err != nil {
			res.Why = "no such organization"
			out = append(out, res)
			continue
		}
		tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.ID, ActorLabel: "log verify"})
		h, err := st.EventHash(tctx, seq)
		switch {
		case err != nil:
			return nil, err
		case h == "":
			res.Why = fmt.Sprintf("event %d is gone", seq)
		case h != f[2]:
			res.Why = fmt.Sprintf("event %d no longer has the hash written down: the chain was rewritten", seq)
		default:
			res.OK = true
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

func safeField(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}
