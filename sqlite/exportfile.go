package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/secretbox"
)

// ExportFile reads the whole state of the database at path, as Export
// does, without opening a Store: it opens the file read-only and never
// writes to it (no migration, no WAL switch, no lock file, no purge); of a
// database closed cleanly it makes no file beside it either. secretKey is the key its access-key secrets were sealed with;
// nil for a database that has none.
//
// While it reads, it holds a shared lock on the database's lock file, if
// there is one, so that no Headroom opens the database meanwhile; it
// fails with EUNAVAILABLE if a Headroom has it open now, as a copy of a
// database that is still changing would be out of date when done.
//
// It returns EINVALID for a missing file, a file that is not a Headroom
// database, a damaged one, one of another schema version than this
// Headroom's (start this Headroom on it once to migrate it), and a wrong
// or missing secret key.
func ExportFile(ctx context.Context, path string, secretKey []byte) (headroom.Snapshot, error) {
	snap, err := exportFile(ctx, path, secretKey)
	if err != nil {
		return headroom.Snapshot{}, fmt.Errorf("export: %w", err)
	}
	return snap, nil
}

func exportFile(ctx context.Context, path string, secretKey []byte) (headroom.Snapshot, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID, "%q: %v", path, err)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID, "there is no database at %s", abs)
	}
	if err != nil {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EUNAVAILABLE, "cannot read %s: %v", abs, err)
	}
	if fi.IsDir() {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID,
			"%s is a directory; name the database file, such as %s", abs, filepath.Join(abs, "headroom.db"))
	}
	s := &Store{path: abs}
	if len(secretKey) > 0 {
		if s.box, err = secretbox.New(secretKey); err != nil {
			return headroom.Snapshot{}, headroom.Errorf(headroom.EINTERNAL, "cannot use the secret key: %v", err)
		}
	}
	lock, err := sharedLock(abs)
	if err != nil {
		return headroom.Snapshot{}, err
	}
	defer lock.release()
	db, err := openUnchanged(abs)
	if err != nil {
		return headroom.Snapshot{}, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return headroom.Snapshot{}, s.openError(err)
	}
	defer conn.Close()
	if err := quickCheck(ctx, conn, abs); err != nil {
		return headroom.Snapshot{}, err
	}
	st, err := inspect(ctx, conn)
	if err != nil {
		return headroom.Snapshot{}, s.openError(err)
	}
	if err := checkSchema(abs, st); err != nil {
		return headroom.Snapshot{}, err
	}
	if st.version == 0 {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID, "%s holds no Headroom store (no schema)", abs)
	}
	if st.version != schemaVersion {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID,
			"database %s has schema version %d, older than this Headroom's %d: start this Headroom on it once, which migrates it, then copy it", abs, st.version, schemaVersion)
	}
	if _, err := s.checkSecretKey(ctx, conn); err != nil {
		return headroom.Snapshot{}, err
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return headroom.Snapshot{}, s.openError(err)
	}
	defer tx.Rollback()
	return (&exporter{s: s, ctx: ctx, tx: tx}).export()
}

// openUnchanged opens the database at path for reading only, refusing a
// file that is not a SQLite database. A database without a -wal file (one
// closed cleanly) is opened immutable, so that SQLite makes no -wal or
// -shm file beside it either; one with a -wal file (a Headroom stopped
// without closing it) has to be read through it, and SQLite then keeps its
// index of the WAL in the -shm file, but the database and the WAL are not
// written.
func openUnchanged(path string) (*sql.DB, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	q := "?mode=ro&_pragma=busy_timeout(5000)"
	if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) {
		q = "?mode=ro&immutable=1"
	}
	db, err := sql.Open("sqlite", fileURI(path)+q)
	if err != nil {
		return nil, backendError("open "+path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}
