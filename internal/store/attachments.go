package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"mamori"
)

// Attachment is a file attached to a record: a disposal certificate, a
// piece of incident evidence.
type Attachment struct {
	ID              int64
	OwnerType       string
	OwnerID         int64
	Filename        string
	ContentType     string
	Size            int64
	SHA256          string
	Data            []byte
	KeepUntil       *time.Time
	RetentionClause string
	CreatedAt       time.Time
	CreatedBy       int64
}

// AddAttachment stores a file.
func (s *Store) AddAttachment(ctx context.Context, a *Attachment) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := addAttachment(ctx, tx, a); err != nil {
		return err
	}
	return tx.Commit()
}

func addAttachment(ctx context.Context, tx *Tx, a *Attachment) error {
	id, err := tx.NextID(ctx, "attachments")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(a.Data)
	a.ID, a.Size, a.SHA256 = id, int64(len(a.Data)), hex.EncodeToString(sum[:])
	a.CreatedAt, a.CreatedBy = tx.Now(), tx.scope.ActorID
	if _, err := tx.Exec(ctx, `INSERT INTO attachments (tenant_id, id, owner_type, owner_id, filename, content_type, size, sha256, data, keep_until, retention_clause, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.OwnerType, a.OwnerID, a.Filename, a.ContentType, a.Size, a.SHA256, a.Data, a.KeepUntil, a.RetentionClause, a.CreatedAt, a.CreatedBy); err != nil {
		return fmt.Errorf("insert attachment %q: %w", a.Filename, err)
	}
	return tx.Record(ctx, Change{Action: "attachment.add", Table: "attachments", ID: a.ID,
		Data: map[string]any{"owner_type": a.OwnerType, "owner_id": a.OwnerID, "filename": a.Filename, "sha256": a.SHA256}})
}

// Attachment loads one file.
func (s *Store) Attachment(ctx context.Context, id int64) (*Attachment, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var a Attachment
	var keep sql.NullTime
	err = tx.QueryRow(ctx, `SELECT id, owner_type, owner_id, filename, content_type, size, sha256, data, keep_until, retention_clause, created_at, created_by
		FROM attachments WHERE tenant_id = $1 AND id = $2`, id).
		Scan(&a.ID, &a.OwnerType, &a.OwnerID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.Data, &keep, &a.RetentionClause, &a.CreatedAt, &a.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "attachment", "ID": id}}
	}
	if err != nil {
		return nil, fmt.Errorf("load attachment %d: %w", id, err)
	}
	if keep.Valid {
		a.KeepUntil = &keep.Time
	}
	return &a, nil
}

// DeleteAttachment deletes a file, unless the policy still requires it.
func (s *Store) DeleteAttachment(ctx context.Context, id int64) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := deleteRecord(ctx, tx, "attachments", id, "attachment.delete"); err != nil {
		return err
	}
	return tx.Commit()
}
