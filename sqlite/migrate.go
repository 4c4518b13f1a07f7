package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// applicationID marks a SQLite file as Headroom's ("HdRm"), in the header
// field SQLite reserves for that (PRAGMA application_id).
const applicationID = 0x4864526d

// migration is one schema step: the SQL that takes the schema from
// version-1 to version.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Their file names
// start with the version they produce: 0001_init.sql, 0002_....sql.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with its version, as 0001_init.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return out, nil
}

// schemaVersion is the highest embedded migration.
var schemaVersion = func() int {
	ms, err := migrations()
	if err != nil {
		panic("sqlite: embedded migrations: " + err.Error())
	}
	return len(ms)
}()

// SchemaVersion returns the schema version this build of Headroom writes.
// Open migrates older databases to it and refuses newer ones.
func SchemaVersion() int { return schemaVersion }

// schemaState is what Open finds in a database before changing anything.
type schemaState struct {
	version int  // highest applied migration; 0 for a new database
	foreign bool // the file holds tables but is not a Headroom store
}

// inspect reads the schema version without writing anything.
func inspect(ctx context.Context, c *sql.Conn) (schemaState, error) {
	var st schemaState
	var appID int64
	if err := c.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return st, err
	}
	var hasVersion, tables int
	err := c.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE name = 'schema_version'),
		count(*) FILTER (WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\')
		FROM sqlite_schema WHERE type = 'table'`).Scan(&hasVersion, &tables)
	if err != nil {
		return st, err
	}
	if appID != 0 && appID != applicationID || appID == 0 && tables > 0 && hasVersion == 0 {
		st.foreign = true
		return st, nil
	}
	if hasVersion == 1 {
		if err := c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&st.version); err != nil {
			return st, err
		}
	}
	return st, nil
}

// checkSchema refuses a database that this Headroom cannot use, before
// anything is written to it.
func checkSchema(path string, st schemaState) error {
	if st.foreign {
		return headroom.Errorf(headroom.EINVALID,
			"%s is a SQLite database but not a Headroom store; point the store path at a Headroom database or at a new file", path)
	}
	if st.version > schemaVersion {
		return headroom.Errorf(headroom.EINVALID,
			"database %s has schema version %d, which is newer than this Headroom supports (%d); upgrade Headroom", path, st.version, schemaVersion)
	}
	return nil
}

// migrate applies the migrations the database lacks, all in one
// transaction, and records each in schema_version.
func migrate(ctx context.Context, c *sql.Conn, at int64) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			c.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if _, err := c.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)"); err != nil {
		return err
	}
	var version int
	if err := c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&version); err != nil {
		return err
	}
	for _, m := range ms[min(version, len(ms)):] {
		if _, err := c.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := c.ExecContext(ctx, "INSERT INTO schema_version (version, applied) VALUES (?, ?)", m.version, at); err != nil {
			return err
		}
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
		return err
	}
	_, err = c.ExecContext(ctx, "COMMIT")
	return err
}
