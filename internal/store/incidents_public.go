package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"mamori"
)

// PublicFormKey returns the tenant's key for signing public report form
// tokens, creating it on first use. Every server of a deployment reads the
// same key, so a form shown by one is accepted by another.
func (s *Store) PublicFormKey(ctx context.Context) ([]byte, error) {
	sc, ok := mamori.ScopeFrom(ctx)
	if !ok {
		return nil, errNoScope
	}
	stx, err := s.beginSystem(ctx, false)
	if err != nil {
		return nil, err
	}
	var key string
	err = stx.QueryRow(ctx, `SELECT key FROM public_form_keys WHERE tenant_id = $1`, int64(sc.Tenant)).Scan(&key)
	stx.Rollback()
	if err == nil {
		return hex.DecodeString(key)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("make form key: %w", err)
	}
	wtx, err := s.beginSystem(ctx, true)
	if err != nil {
		return nil, err
	}
	defer wtx.Rollback()
	// Two servers may create it at once: the first key wins and both use it.
	if _, err := wtx.Exec(ctx, `INSERT INTO public_form_keys (tenant_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING`,
		int64(sc.Tenant), hex.EncodeToString(b[:]), s.Now()); err != nil {
		return nil, fmt.Errorf("store form key: %w", err)
	}
	if err := wtx.QueryRow(ctx, `SELECT key FROM public_form_keys WHERE tenant_id = $1`, int64(sc.Tenant)).Scan(&key); err != nil {
		return nil, fmt.Errorf("read form key: %w", err)
	}
	if err := wtx.Commit(); err != nil {
		return nil, fmt.Errorf("store form key: %w", err)
	}
	return hex.DecodeString(key)
}

// TakeRate counts one hit in the tenant's bucket (a fixed window of the
// given length) and reports whether it is within limit, and if not how
// long until the window ends. The counter lives in the database, and the
// upsert is atomic on both engines, so the limit holds across every
// server of a deployment. It runs outside the tenant's event chain: a
// flood of refused posts must not queue behind, or hold up, real work.
func (s *Store) TakeRate(ctx context.Context, bucket string, limit int, window time.Duration) (bool, time.Duration, error) {
	sc, ok := mamori.ScopeFrom(ctx)
	if !ok {
		return false, 0, errNoScope
	}
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return false, 0, err
	}
	defer stx.Rollback()
	now := s.Now()
	var hits int
	var start time.Time
	err = stx.QueryRow(ctx, `INSERT INTO rate_buckets (tenant_id, bucket, window_start, hits) VALUES ($1, $2, $3, 1)
		ON CONFLICT (tenant_id, bucket) DO UPDATE SET
			hits = CASE WHEN rate_buckets.window_start <= $4 THEN 1 ELSE rate_buckets.hits + 1 END,
			window_start = CASE WHEN rate_buckets.window_start <= $4 THEN $3 ELSE rate_buckets.window_start END
		RETURNING hits, window_start`, int64(sc.Tenant), bucket, now, now.Add(-window)).Scan(&hits, &start)
	if err != nil {
		return false, 0, fmt.Errorf("count %s: %w", bucket, err)
	}
	if err := stx.Commit(); err != nil {
		return false, 0, fmt.Errorf("count %s: %w", bucket, err)
	}
	if hits > limit {
		return false, max(start.Add(window).Sub(now), time.Second), nil
	}
	return true, 0, nil
}

// DeleteOldRateBuckets removes counters whose window ended long ago, in
// every tenant.
func (s *Store) DeleteOldRateBuckets(ctx context.Context, olderThan time.Duration) (int64, error) {
	stx, err := s.beginSystem(ctx, true)
	if err != nil {
		return 0, err
	}
	defer stx.Rollback()
	res, err := stx.Exec(ctx, `DELETE FROM rate_buckets WHERE window_start < $1`, s.Now().Add(-olderThan))
	if err != nil {
		return 0, fmt.Errorf("delete old rate buckets: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, stx.Commit()
}
