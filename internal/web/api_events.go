package web

import (
	"encoding/json"
	"net/http"
	"time"

	"mamori/internal/store"
)

type eventJSON struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    int64           `json:"actor_id"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type,omitempty"`
	ObjectID   int64           `json:"object_id,omitempty"`
	Change     json.RawMessage `json:"change"`
	RequestID  string          `json:"request_id"`
	ClientAddr string          `json:"client_addr"`
	Hash       string          `json:"hash"`
}

// apiEvents lists the event log, newest first.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	evs, err := s.store.Events(r.Context(), store.EventFilter{
		Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: atoi64(q.Get("object_id")),
		BeforeSeq: atoi64(q.Get("before")), Limit: int(atoi64(q.Get("limit"))),
	})
	if err != nil {
		return err
	}
	out := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventJSON{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Actor: e.ActorLabel, Action: e.Action, ObjectType: e.ObjectType,
			ObjectID: e.ObjectID, Change: json.RawMessage(e.Data), RequestID: e.RequestID, ClientAddr: e.ClientAddr, Hash: e.Hash})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": out})
}
