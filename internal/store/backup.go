package store

import (
	"context"
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
	if _, err := s.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}
