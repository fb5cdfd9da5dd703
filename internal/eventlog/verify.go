package eventlog

import (
	"fmt"
)

// Break describes the first place where a chain or a row stops matching.
type Break struct {
	Tenant     int64
	Seq        int64 // the event that broke (0 when a row has no event at all)
	ObjectType string
	ObjectID   int64
	Reason     string
}

func (b *Break) Error() string {
	if b.Seq == 0 {
		return fmt.Sprintf("tenant %d: %s %d: %s", b.Tenant, b.ObjectType, b.ObjectID, b.Reason)
	}
	return fmt.Sprintf("tenant %d: event %d: %s", b.Tenant, b.Seq, b.Reason)
}

// Chain checks one tenant's events, fed in ascending sequence order, and
// remembers the last recorded state of every object so that stored rows can
// be compared with it afterwards.
type Chain struct {
	tenant   int64
	lastSeq  int64
	lastHash string
	last     map[objectKey]objectState
	count    int64
}

type objectKey struct {
	typ string
	id  int64
}

type objectState struct {
	seq       int64
	stateHash string
}

// NewChain starts checking the chain of tenant.
func NewChain(tenant int64) *Chain {
	return &Chain{tenant: tenant, last: make(map[objectKey]objectState)}
}

// Count is the number of events checked.
func (c *Chain) Count() int64 { return c.count }

// Head returns the sequence number and hash of the last event checked.
func (c *Chain) Head() (int64, string) { return c.lastSeq, c.lastHash }

// Next checks e against the events before it.
func (c *Chain) Next(e *Event) *Break {
	brk := func(reason string) *Break { return &Break{Tenant: c.tenant, Seq: e.Seq, Reason: reason} }
	if e.Tenant != c.tenant {
		return brk(fmt.Sprintf("belongs to tenant %d", e.Tenant))
	}
	if e.Seq != c.lastSeq+1 {
		return brk(fmt.Sprintf("sequence jumps from %d to %d: an event is missing or out of order", c.lastSeq, e.Seq))
	}
	if e.PrevHash != c.lastHash {
		return brk("does not link to the event before it (previous hash differs)")
	}
	if got := e.ComputeHash(); got != e.Hash {
		return brk("content does not match its hash: the event was altered")
	}
	c.lastSeq, c.lastHash = e.Seq, e.Hash
	c.count++
	if e.ObjectType != "" && e.ObjectID != 0 {
		c.last[objectKey{e.ObjectType, e.ObjectID}] = objectState{seq: e.Seq, stateHash: e.StateHash}
	}
	return nil
}

// CheckHead compares the chain's end with the head the store keeps, which
// catches the removal of the newest events.
func (c *Chain) CheckHead(seq int64, hash string) *Break {
	if seq != c.lastSeq || hash != c.lastHash {
		return &Break{Tenant: c.tenant, Seq: c.lastSeq + 1,
			Reason: fmt.Sprintf("chain ends at event %d but the head records event %d: events were removed", c.lastSeq, seq)}
	}
	return nil
}

// RowChecker compares the stored rows of one tracked table with the states
// the chain recorded.
type RowChecker struct {
	c    *Chain
	typ  string
	seen map[int64]bool
}

// Rows starts checking the rows of objectType.
func (c *Chain) Rows(objectType string) *RowChecker {
	return &RowChecker{c: c, typ: objectType, seen: make(map[int64]bool)}
}

// Row checks one stored row, given the hash of its current state.
func (r *RowChecker) Row(id int64, stateHash string) *Break {
	r.seen[id] = true
	st, ok := r.c.last[objectKey{r.typ, id}]
	if !ok {
		return &Break{Tenant: r.c.tenant, ObjectType: r.typ, ObjectID: id,
			Reason: "row exists but no event records it: inserted outside mamori"}
	}
	if st.stateHash == "" {
		return &Break{Tenant: r.c.tenant, Seq: st.seq, ObjectType: r.typ, ObjectID: id,
			Reason: fmt.Sprintf("%s %d was deleted by this event but the row is present", r.typ, id)}
	}
	if st.stateHash != stateHash {
		return &Break{Tenant: r.c.tenant, Seq: st.seq, ObjectType: r.typ, ObjectID: id,
			Reason: fmt.Sprintf("%s %d no longer matches the state this event recorded: the row was altered", r.typ, id)}
	}
	return nil
}

// Missing reports the first object that the chain says exists but whose row
// was not seen.
func (r *RowChecker) Missing() *Break {
	var first *Break
	for k, st := range r.c.last {
		if k.typ != r.typ || st.stateHash == "" || r.seen[k.id] {
			continue
		}
		if first == nil || st.seq < first.Seq {
			first = &Break{Tenant: r.c.tenant, Seq: st.seq, ObjectType: r.typ, ObjectID: k.id,
				Reason: fmt.Sprintf("%s %d recorded by this event is missing: the row was deleted outside mamori", r.typ, k.id)}
		}
	}
	return first
}
