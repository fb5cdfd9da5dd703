// Package store is the only package that talks to the database. It opens
// SQLite (the embedded default) or PostgreSQL (shared deployments), migrates
// them, scopes every query to the tenant in the caller's mamori.Scope, and
// appends an event to the tenant's hash chain in every writing transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store holds the connection pools. SQLite allows one writer at a time, so
// writes go through a pool of one connection that begins IMMEDIATE
// transactions, and reads through a separate pool that never blocks them.
type Store struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	target  string // what to name in messages: a file path or host:port/db
	now     func() time.Time
}

// Dialect returns the engine in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// Target names the database for messages (never includes a password).
func (s *Store) Target() string { return s.target }

// SetClock replaces the clock (tests of retention and expiry).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's current time in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// DefaultURL is the SQLite database inside the data directory.
func DefaultURL(dataDir string) string {
	return "sqlite:" + filepath.Join(dataDir, "mamori.db")
}

// Open connects to the database named by dbURL: "sqlite:PATH" (or a bare
// path ending in .db) or "postgres://…". It checks that the database answers
// but does not migrate it.
func Open(ctx context.Context, dbURL string) (*Store, error) {
	switch {
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		return openPostgres(ctx, dbURL)
	case strings.HasPrefix(dbURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//"))
	case strings.HasSuffix(dbURL, ".db") && !strings.Contains(dbURL, "://"):
		return openSQLite(ctx, dbURL)
	default:
		return nil, fmt.Errorf("database URL %q is not understood: use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB", redact(dbURL))
	}
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("the sqlite: URL names no file")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create the data directory %s: %w", dir, err)
	}
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	// WAL lets readers work beside the writer; synchronous=FULL makes a
	// commit durable before it is acknowledged; foreign keys are off in
	// SQLite unless asked for.
	// The path is part of a URI: '#' or '?' in a directory name would
	// otherwise cut it short.
	base := "file:" + escapePath(path) + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	// Keep every reader open: with database/sql's default of two idle
	// connections, each burst past two closed the extras and reopened
	// them (and re-ran the pragmas) on the next request — a sixth of the
	// server's time under load (bench/, 2026-11).
	r.SetMaxIdleConns(8)
	s := &Store{dialect: SQLite, write: w, read: r, target: path, now: time.Now}
	if err := w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot open the SQLite database %s: %w", path, err)
	}
	return s, nil
}

// escapePath makes a file path safe inside a file: URI.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(path)
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".mamori-write-check-*")
	if err != nil {
		return fmt.Errorf("the data directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func openPostgres(ctx context.Context, dbURL string) (*Store, error) {
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the PostgreSQL URL %q is malformed: expected postgres://USER:PASSWORD@HOST:PORT/DB", redact(dbURL))
	}
	target := u.Host + u.Path
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL URL for %s is malformed: %w", target, err)
	}
	db.SetMaxOpenConns(20)
	// As many idle as open: a new PostgreSQL connection is a new server
	// process and an authentication, and with fewer idle than open every
	// burst of more than that closed connections only to open them again.
	// Idle ones still close after five minutes.
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		var oe *net.OpError
		if errors.As(err, &oe) {
			return nil, fmt.Errorf("cannot connect to PostgreSQL at %s: %v; check that the server runs and that --db is right", target, oe)
		}
		return nil, fmt.Errorf("PostgreSQL at %s refused the connection: %v", target, scrub(err, u))
	}
	return &Store{dialect: Postgres, write: db, read: db, target: target, now: time.Now}, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		if rerr := s.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.write.PingContext(ctx) }

// redact hides the password of a database URL.
func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.User == nil {
		return dbURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// scrub removes the password from a driver error, which may quote the URL,
// and keeps it on one line.
func scrub(err error, u *url.URL) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}
