package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroomhq/headroom"
	sqlite3 "modernc.org/sqlite/lib"
)

// Check runs SQLite's full integrity check (PRAGMA integrity_check) on the
// database at path and returns the problems it finds, none for a sound
// database. Unlike the quick_check of Open it also checks that every index
// matches its table. Check opens the file read-only and never changes it; it
// may run while a store has the database open. It fails, with an
// *headroom.Error, only when it cannot check: a missing file, or one that is
// not a SQLite database at all. A file SQLite cannot read as a database is a
// problem, not a failure.
func Check(ctx context.Context, path string) ([]string, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return damage(path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return damage(path, err)
		}
		problems = append(problems, p)
	}
	if err := rows.Err(); err != nil {
		return damage(path, err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil, nil
	}
	return problems, nil
}

// damage turns a failure of a check into the problem it reveals, or into
// an error if it reveals none.
func damage(path string, err error) ([]string, error) {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return []string{err.Error()}, nil
	}
	return nil, backendError("check "+path, err)
}

// openReadOnly opens the database at path for reading only, refusing a
// missing, empty or non-SQLite file first.
func openReadOnly(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, headroom.Errorf(headroom.EINVALID, "cannot read the database: %v", err)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", fileURI(path)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, backendError("open "+path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// RecoveredTable is what Recover copied of one table.
type RecoveredTable struct {
	Name string
	// Copied is the number of rows written to the new database.
	Copied int
	// Skipped is the number of rows that could not be read, when it is
	// known; SkippedUnknown is set when some could not be read but their
	// number cannot be told (a damaged page hides how many rows it held).
	Skipped        int
	SkippedUnknown bool
	// Problems are the read errors met, and where.
	Problems []string
}

// Recovery is the outcome of Recover.
type Recovery struct {
	Tables []RecoveredTable
	// ForeignKeyProblems counts rows of the new database that name a row
	// that was lost, such as an access key whose account could not be
	// read.
	ForeignKeyProblems int
}

// Damaged reports whether any row could not be read.
func (r Recovery) Damaged() bool {
	for _, t := range r.Tables {
		if t.Skipped > 0 || t.SkippedUnknown || len(t.Problems) > 0 {
			return true
		}
	}
	return false
}

// derivedTables are rebuilt in the new database by its triggers rather than
// copied: they count rows of other tables.
var derivedTables = map[string]bool{"lease_counts": true, "schema_version": true}

// Recover copies everything readable of the database at from into a new
// database at to, which must not exist: the schema through the store's own
// migrations, then table by table and row by row, skipping the rows that
// cannot be read. It opens from read-only and never changes it. Rows of a
// table are read in key order until a read fails, then from the end
// backwards until a read fails; rows of rowid tables in between are then
// read one rowid at a time. Derived tables (lease counts) are rebuilt from
// the rows copied. The new database is complete when Recover returns
// without error: a store opens it. Secrets stay as they were (encrypted
// secrets need the same key).
func Recover(ctx context.Context, from, to string) (Recovery, error) {
	var rec Recovery
	if _, err := os.Lstat(to); err == nil {
		return rec, headroom.Errorf(headroom.EINVALID, "%s exists; recover writes a new file only: name one that does not exist", to)
	}
	fromAbs, _ := filepath.Abs(from)
	toAbs, _ := filepath.Abs(to)
	if fromAbs == toAbs {
		return rec, headroom.Errorf(headroom.EINVALID, "the new database must be another file than %s", from)
	}
	src, err := openReadOnly(from)
	if err != nil {
		return rec, err
	}
	defer src.Close()
	s, err := Open(ctx, Config{Path: to})
	if err != nil {
		return rec, err
	}
	if err := s.Close(); err != nil {
		return rec, err
	}
	dst, err := sql.Open("sqlite", fileURI(toAbs)+"?_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)")
	if err != nil {
		return rec, backendError("open "+to, err)
	}
	defer dst.Close()
	dst.SetMaxOpenConns(1)
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return rec, backendError("write "+to, err)
	}
	defer tx.Rollback()
	tables, err := userTables(ctx, tx)
	if err != nil {
		return rec, backendError("read the schema of "+to, err)
	}
	for _, name := range tables {
		if derivedTables[name] {
			continue
		}
		t, err := recoverTable(ctx, src, tx, name)
		if err != nil {
			return rec, err
		}
		rec.Tables = append(rec.Tables, t)
	}
	if err := copySequences(ctx, src, tx); err != nil {
		return rec, err
	}
	if err := tx.Commit(); err != nil {
		return rec, backendError("write "+to, err)
	}
	rows, err := dst.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return rec, backendError("check "+to, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec.ForeignKeyProblems++
	}
	return rec, rows.Err()
}

// userTables lists the tables of the schema, in the order they were
// created.
func userTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// column is a column of a table, as PRAGMA table_info tells it.
type column struct {
	name string
	pk   int
}

func tableColumns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table string) ([]column, error) {
	rows, err := q.QueryContext(ctx, "SELECT name, pk FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.pk); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// recoverTable copies the readable rows of one table.
func recoverTable(ctx context.Context, src *sql.DB, tx *sql.Tx, name string) (RecoveredTable, error) {
	t := RecoveredTable{Name: name}
	dcols, err := tableColumns(ctx, tx, name)
	if err != nil {
		return t, backendError("read the schema of the new database", err)
	}
	scols, err := tableColumns(ctx, src, name)
	if err != nil || len(scols) == 0 {
		// The source's schema has no such table: older, or its schema
		// cannot be read.
		if err != nil {
			t.Problems = append(t.Problems, "cannot read the table's schema: "+err.Error())
			t.SkippedUnknown = true
		}
		return t, nil
	}
	// The key to read in order: the primary key of a WITHOUT ROWID table,
	// else the rowid.
	var withoutRowid int
	if err := src.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_list WHERE name = ? AND wr = 1", name).Scan(&withoutRowid); err != nil {
		t.Problems = append(t.Problems, "cannot read the table's schema: "+err.Error())
		t.SkippedUnknown = true
		return t, nil
	}
	inSrc := map[string]bool{}
	for _, c := range scols {
		inSrc[c.name] = true
	}
	var cols []string // copied: in both schemas
	for _, c := range dcols {
		if inSrc[c.name] {
			cols = append(cols, quoteIdent(c.name))
		}
	}
	var key []string
	rowid := withoutRowid == 0
	if rowid {
		key = []string{"rowid"}
		hasPK := false
		for _, c := range scols {
			hasPK = hasPK || c.pk > 0
		}
		if !hasPK {
			// Keep the rowids; a table with an INTEGER PRIMARY KEY keeps
			// them through that column.
			cols = append(cols, "rowid")
		}
	} else {
		pks := make([]string, len(scols))
		n := 0
		for _, c := range scols {
			if c.pk > 0 {
				pks[c.pk-1] = quoteIdent(c.name)
				n++
			}
		}
		key = pks[:n]
	}
	ins, err := tx.PrepareContext(ctx, fmt.Sprintf("INSERT OR IGNORE INTO %s (%s) VALUES (%s)",
		quoteIdent(name), strings.Join(cols, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")))
	if err != nil {
		return t, backendError("write the new database", err)
	}
	defer ins.Close()
	sel := fmt.Sprintf("SELECT %s, %s FROM %s", strings.Join(key, ", "), strings.Join(cols, ", "), quoteIdent(name))
	keyTuple := "(" + strings.Join(key, ", ") + ")"
	params := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(key)), ", ") + ")"
	order := func(dir string) string { return " ORDER BY " + strings.Join(key, " "+dir+", ") + " " + dir }

	insert := func(vals []any) error {
		res, err := ins.ExecContext(ctx, vals[len(key):]...)
		if err != nil {
			return backendError("write the new database", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			t.Copied++
		}
		return nil
	}
	// scan reads q's rows and copies them; it returns the key of the last
	// row read and the read error that stopped it, if any.
	scan := func(q string, args ...any) (last []any, readErr error, err error) {
		rows, qerr := src.QueryContext(ctx, q, args...)
		if qerr != nil {
			return nil, qerr, nil
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]any, len(key)+len(cols))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if serr := rows.Scan(ptrs...); serr != nil {
				return last, serr, nil
			}
			if err := insert(vals); err != nil {
				return last, nil, err
			}
			last = vals[:len(key)]
		}
		return last, rows.Err(), nil
	}
	fwd, readErr, err := scan(sel + order("ASC"))
	if err != nil || readErr == nil {
		return t, err
	}
	if ctx.Err() != nil {
		return t, backendError("recover", ctx.Err())
	}
	t.Problems = append(t.Problems, fmt.Sprintf("reading forwards after %s: %v", keyString(fwd), readErr))
	// Read backwards from the end, down to the last row read forwards.
	q, args := sel, []any(nil)
	if fwd != nil {
		q, args = sel+" WHERE "+keyTuple+" > "+params, fwd
	}
	last, readErr2, err := scan(q+order("DESC"), args...)
	if err != nil {
		return t, err
	}
	if readErr2 != nil {
		t.Problems = append(t.Problems, fmt.Sprintf("reading backwards before %s: %v", keyString(last), readErr2))
	}
	if !rowid {
		t.SkippedUnknown = true
		return t, nil
	}
	// Between the two, read a rowid table one rowid at a time.
	lo, hi, ok := rowidGap(fwd, last)
	if !ok || hi-lo > 10_000_000 {
		t.SkippedUnknown = true
		return t, nil
	}
	for id := lo + 1; id < hi; id++ {
		if id%1024 == 0 && ctx.Err() != nil {
			return t, backendError("recover", ctx.Err())
		}
		_, readErr, err := scan(sel+" WHERE rowid = ?", id)
		if err != nil {
			return t, err
		}
		if readErr != nil {
			t.Skipped++
		}
	}
	return t, nil
}

// rowidGap returns the rowids between which rows are still to be read:
// after the last read forwards (0 if none) and before the last read
// backwards (the end of rowids if none).
func rowidGap(first, last []any) (lo, hi int64, ok bool) {
	if first != nil {
		if lo, ok = first[0].(int64); !ok {
			return 0, 0, false
		}
	}
	if last == nil {
		return 0, 0, false // nothing read backwards: the end is unknown
	}
	hi, ok = last[0].(int64)
	return lo, hi, ok
}

func keyString(k []any) string {
	if k == nil {
		return "the start"
	}
	parts := make([]string, len(k))
	for i, v := range k {
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		parts[i] = fmt.Sprintf("%v", v)
	}
	return "key (" + strings.Join(parts, ", ") + ")"
}

// copySequences keeps the AUTOINCREMENT counters of the damaged database,
// so that ids of lost rows (audit entries) are never given again.
func copySequences(ctx context.Context, src *sql.DB, tx *sql.Tx) error {
	rows, err := src.QueryContext(ctx, "SELECT name, seq FROM sqlite_sequence")
	if err != nil {
		return nil // best effort: the counters restart from the rows copied
	}
	defer rows.Close()
	type seq struct {
		name string
		n    int64
	}
	var seqs []seq
	for rows.Next() {
		var s seq
		if rows.Scan(&s.name, &s.n) != nil {
			break
		}
		seqs = append(seqs, s)
	}
	for _, s := range seqs {
		res, err := tx.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", s.n, s.name)
		if err != nil {
			return backendError("write the new database", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?)", s.name, s.n, s.name); err != nil {
				return backendError("write the new database", err)
			}
		}
	}
	return nil
}
