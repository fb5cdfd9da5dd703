package harness

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
)

// Database is a fresh database for one run.
type Database struct {
	Dialect string // "sqlite" or "postgres"
	URL     string // what --db takes
	drop    func(context.Context) error
}

// Name is the dialect as the table shows it.
func (d *Database) Name() string {
	if d.Dialect == "postgres" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// SQLiteDatabase is a new SQLite file in dir.
func SQLiteDatabase(dir string) *Database {
	return &Database{Dialect: "sqlite", URL: "sqlite:" + filepath.Join(dir, "mamori.db"), drop: func(context.Context) error { return nil }}
}

// PostgresDatabase creates a new database on the server the
// administrative URL names (a role that may create databases) and
// returns it; Drop removes it.
func PostgresDatabase(ctx context.Context, admin string) (*Database, error) {
	u, err := url.Parse(admin)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the PostgreSQL URL is malformed: expected postgres://USER:PASSWORD@HOST:PORT/DB")
	}
	b := make([]byte, 5)
	rand.Read(b)
	name := "mamori_bench_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s on %s: %w", name, u.Host, err)
	}
	u.Path = "/" + name
	return &Database{Dialect: "postgres", URL: u.String(), drop: func(ctx context.Context) error {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}}, nil
}

// Drop removes a PostgreSQL database (an SQLite file goes with its
// directory).
func (d *Database) Drop(ctx context.Context) error { return d.drop(ctx) }
