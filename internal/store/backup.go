package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// BackupTo writes a consistent copy of an SQLite database to path with
// VACUUM INTO, which reads one snapshot and so may run beside a live
// server.
func (s *Store) BackupTo(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("backup: only SQLite databases are copied by mamori; use pg_dump for PostgreSQL")
	}
	// A connection of its own: the read pool is query-only, and the single
	// writer connection must stay free for the server while the copy runs.
	db, err := sql.Open("sqlite", "file:"+escapePath(s.target)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}
