package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestPoolsKeepTheirConnections: after a burst that uses every connection a
// pool may open, all of them stay open for the next request. The pools
// used to keep two (SQLite readers) or ten (PostgreSQL) of them idle and
// close the rest, so each burst reopened connections — a sixth of the
// server's time under load on SQLite, a new backend process and an
// authentication each on PostgreSQL.
func TestPoolsKeepTheirConnections(t *testing.T) {
	urls := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "pool.db")}
	// The administrative URL of the tests is enough: no schema is needed.
	if pg := os.Getenv("MAMORI_TEST_POSTGRES"); pg != "" {
		urls["postgres"] = pg
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, pool := range []struct {
				name string
				db   *sql.DB
			}{{"read", s.read}, {"write", s.write}} {
				n := pool.db.Stats().MaxOpenConnections
				for round := range 3 {
					conns := make([]*sql.Conn, n)
					for i := range conns {
						if conns[i], err = pool.db.Conn(ctx); err != nil {
							t.Fatal(err)
						}
					}
					for _, c := range conns {
						c.Close()
					}
					if st := pool.db.Stats(); st.MaxIdleClosed > 0 || st.OpenConnections != n {
						t.Fatalf("%s pool, burst %d of %d connections: %d closed for want of idle room, %d left open",
							pool.name, round+1, n, st.MaxIdleClosed, st.OpenConnections)
					}
				}
			}
		})
	}
}
