package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/jackc/pgx/v5"
)

// migrationFiles are the schema's versions: NNNN_name.sql, applied in
// order, each once, in a transaction of its own with its row of
// schema_migrations.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one version of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Their versions
// are 1, 2, 3, ... without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for i, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", base, i+1)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	return out, nil
}

// SchemaVersion is the version of the schema this package migrates to.
func SchemaVersion() int {
	m, err := migrations()
	if err != nil {
		return 0
	}
	return len(m)
}

// migrate brings the current schema to the newest version under a session
// advisory lock whose key is derived from the schema's name, so that Stores
// opening together on one schema migrate it once, and Stores of other
// schemas do not wait. It refuses a schema newer than this package knows.
func migrate(ctx context.Context, conn *pgx.Conn, schema string) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended('headroom migrate ' || $1, 0))", schema); err != nil {
		return fmt.Errorf("lock for migration: %w", err)
	}
	defer func() {
		// A failed unlock leaves the lock to the session, which the
		// caller closes.
		conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended('headroom migrate ' || $1, 0))", schema)
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if have > len(ms) {
		return headroom.Errorf(headroom.EINVALID,
			"the database schema %s is at version %d, newer than this Headroom knows (version %d): it was written by a newer Headroom; run that version, or restore a backup made for this one; Headroom left the schema untouched",
			schema, have, len(ms))
	}
	for _, m := range ms[have:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}
