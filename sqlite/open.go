package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/headroomhq/headroom/internal/secretbox"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is the SQLite headroom.Store. Open returns one; Close releases it.
// All its methods are safe for concurrent use. After Close every method
// returns an EUNAVAILABLE error.
type Store struct {
	path   string
	cfg    Config
	log    *slog.Logger
	lock   *fileLock
	wdb    *sql.DB // the write connection's pool, of one
	rdb    *sql.DB // read-only connections
	rstmts sync.Map

	cache cache

	// closeMu orders submissions against Close: submitters hold it shared
	// while they hand an operation to the writer, Close holds it exclusive
	// while it closes ops.
	closeMu    sync.RWMutex
	closed     atomic.Bool
	ops        chan *writeOp
	w          *wtx
	writerDone chan struct{}

	purgeStop chan struct{}
	purgeDone chan struct{}
	closeOnce sync.Once
	closeErr  error

	stats storeStats
	// created tells that Open made the database file.
	created bool
	// damage is the first error that revealed a damaged database since
	// Open; Ready fails once it is set.
	damage atomic.Pointer[error]
	// box encrypts access-key secrets; nil without Config.SecretKey.
	box *secretbox.Box
	// series caches the ids of history series (headroom.UsageKey → int64),
	// filled only by committed writes.
	series sync.Map
}

var _ headroom.Store = (*Store)(nil)

// Open opens the store at cfg.Path, creating the database (and its
// directory) if it does not exist and migrating an older schema. A new
// database file is created with mode 0600 (SQLite gives its -wal and -shm
// files the same) and a new directory with mode 0700, whatever the umask:
// the database holds secrets. An existing empty file is refused: Headroom
// never makes a new database in a file it did not create. It takes
// the lock file cfg.Path+".lock" for as long as the store is open, and
// starts the writer and the background purge.
//
// Before it migrates or serves anything, Open runs SQLite's quick_check on
// an existing database, which reads every page (about 0.8 s for a database
// of a million leases, 250 MB), and refuses a database that fails it.
//
// Open never resets, truncates or rewrites a database it cannot use. It
// returns an *headroom.Error saying what is wrong and what to do:
// EINVALID for a bad Config, for a file that is not a SQLite database, for an
// empty file, for a SQLite database that is not Headroom's, for a damaged
// database (whose message says to restore a backup or to use "headroom db
// check" and "headroom db recover"; trying again cannot help) and for a
// database written by a newer Headroom; EUNAVAILABLE when another Headroom
// process (or another Store in this one) has the database open, or when the
// file cannot be read or created. ctx bounds the opening only.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	cfg = cfg.withDefaults()
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, headroom.FieldErrorf("Path", "%q: %v", cfg.Path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, headroom.Errorf(headroom.EINVALID,
			"%s is a directory; the store path names the database file, such as %s", path, filepath.Join(path, "headroom.db"))
	}
	if err := makeDir(filepath.Dir(path)); err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create the directory of %s: %v", path, err)
	}
	lock, err := acquireLock(path)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, cfg: cfg, log: cfg.Logger, lock: lock}
	if len(cfg.SecretKey) > 0 {
		if s.box, err = secretbox.New(cfg.SecretKey); err != nil {
			lock.release()
			return nil, headroom.Errorf(headroom.EINTERNAL, "cannot use the secret key: %v", err)
		}
	}
	if err := s.open(ctx); err != nil {
		s.closeDBs()
		if s.created {
			removeIfEmpty(path)
		}
		lock.release()
		return nil, err
	}
	s.ops = make(chan *writeOp, cfg.MaxBatch)
	s.writerDone = make(chan struct{})
	go s.writeLoop()
	s.purgeStop = make(chan struct{})
	s.purgeDone = make(chan struct{})
	if s.cfg.PurgeInterval > 0 {
		go s.purgeLoop()
	} else {
		close(s.purgeDone)
	}
	return s, nil
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// makeDir creates dir, with its parents, if it does not exist. The
// directory itself is made 0700 whatever the umask; an existing directory
// keeps its mode.
func makeDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// prepareFile checks the file at path before SQLite opens it, without
// writing to it. A missing file is created empty with mode 0600 (whatever
// the umask; SQLite gives its -wal and -shm files the same mode), and
// prepareFile reports it new. An existing file must start like a SQLite
// database: an empty one is refused too, as it is what a truncated copy or
// a full disk leaves, never a database Headroom made.
func prepareFile(path string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = f.Chmod(0o600)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return false, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create %s: %v", path, err)
		}
		return true, nil
	}
	if !os.IsExist(err) {
		return false, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create %s: %v", path, err)
	}
	return false, checkHeader(path)
}

// checkHeader refuses an existing file that does not start like a SQLite
// database, without writing to it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "cannot read %s: %v", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if n == 0 && err == io.EOF {
		return headroom.Errorf(headroom.EINVALID,
			"%s is empty (zero bytes), so it is not a Headroom database; Headroom left it untouched and did not make a new database in it: restore the database from a backup, or delete the empty file to start with a new store", path)
	}
	if err != nil && err != io.ErrUnexpectedEOF {
		return headroom.Errorf(headroom.EUNAVAILABLE, "cannot read %s: %v", path, err)
	}
	if !bytes.Equal(head[:n], sqliteHeader) {
		return notADatabase(path)
	}
	return nil
}

// removeIfEmpty removes the database file Open created, with its -wal and
// -shm files, if Open failed before writing anything to it, so that a later
// Open does not take it for a damaged database.
func removeIfEmpty(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		os.Remove(path)
	}
}

func notADatabase(path string) error {
	return headroom.Errorf(headroom.EINVALID,
		"%s is not a SQLite database (it does not start with the SQLite header); Headroom left it untouched: point the store path at a Headroom database or at a new file, or move this file away", path)
}

// dsn returns the data source name of the database at path. Pragmas given
// here run on every new connection.
func dsn(path string, cfg Config, write bool) string {
	q := fmt.Sprintf("%s?_pragma=busy_timeout(%d)", fileURI(path), cfg.BusyTimeout.Milliseconds())
	if write {
		// FULL: a commit returns only after the WAL is fsynced.
		return q + "&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	}
	return q + "&_pragma=query_only(1)"
}

// fileURI returns the SQLite URI of the file at path, escaping the
// characters that URIs give a meaning.
func fileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

// open opens the connections, checks and migrates the schema and loads the
// cache.
func (s *Store) open(ctx context.Context) error {
	created, err := prepareFile(s.path)
	if err != nil {
		return err
	}
	s.created = created
	if s.wdb, err = sql.Open("sqlite", dsn(s.path, s.cfg, true)); err != nil {
		return s.backendError("open "+s.path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return s.openError(err)
	}
	s.w = newWtx(s, conn)
	if !s.created {
		if err := quickCheck(ctx, conn, s.path); err != nil {
			return err
		}
	}
	st, err := inspect(ctx, conn)
	if err != nil {
		return s.openError(err)
	}
	if err := checkSchema(s.path, st); err != nil {
		return err
	}
	hasKeyCheck, err := s.checkSecretKey(ctx, conn)
	if err != nil {
		return err
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return s.openError(err)
	}
	if !strings.EqualFold(mode, "wal") {
		return headroom.Errorf(headroom.EUNAVAILABLE,
			"cannot put %s in WAL mode (it stays in %s mode); check that its directory is writable and on a local file system", s.path, mode)
	}
	if err := migrate(ctx, conn, dbcodec.EncTime(s.cfg.Clock.Now())); err != nil {
		return s.openError(err)
	}
	if err := s.setupSecrets(ctx, conn, hasKeyCheck); err != nil {
		return err
	}
	if s.rdb, err = sql.Open("sqlite", dsn(s.path, s.cfg, false)); err != nil {
		return s.backendError("open "+s.path, err)
	}
	s.rdb.SetMaxOpenConns(s.cfg.ReadConns)
	s.rdb.SetMaxIdleConns(s.cfg.ReadConns)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	if err := s.cache.load(s.w); err != nil {
		return s.openError(err)
	}
	return nil
}

// openError explains a SQLite failure during Open.
func (s *Store) openError(err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB:
		return notADatabase(s.path)
	case sqlite3.SQLITE_CORRUPT:
		return withCause(damaged(s.path, err.Error()), err)
	}
	return s.backendError("open "+s.path, err)
}

// quickCheck runs SQLite's quick_check on the database, which reads every
// page and checks the structure of every table and index b-tree (not that
// indexes match their tables, which the full integrity_check of "headroom db
// check" does), and refuses a damaged database.
func quickCheck(ctx context.Context, conn *sql.Conn, path string) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err != nil {
		return checkError(path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return checkError(path, err)
		}
		problems = append(problems, p)
	}
	if err := rows.Err(); err != nil {
		return checkError(path, err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil
	}
	return damaged(path, strings.Join(problems, "; "))
}

// checkError explains a failure of the integrity check itself.
func checkError(path string, err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB:
		return notADatabase(path)
	case sqlite3.SQLITE_CORRUPT:
		return withCause(damaged(path, err.Error()), err)
	}
	return backendError("check the integrity of "+path, err)
}

// damaged is Open's refusal of a database whose integrity check fails. It
// is EINVALID: trying again cannot help, the file has to be replaced.
func damaged(path, problems string) *headroom.Error {
	dir := filepath.Dir(path)
	return headroom.Errorf(headroom.EINVALID,
		"%s is damaged (%s); Headroom left it untouched and will not serve from it. "+
			"Restore it from a backup, or list the damage with \"headroom db check --data %s\" and copy everything still readable into a new database with \"headroom db recover --data %s --to FILE\", then put FILE in its place",
		path, problems, dir, dir)
}

// closeDBs closes the connections, reporting the first failure.
func (s *Store) closeDBs() error {
	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	s.rstmts.Range(func(_, v any) bool {
		keep(v.(*sql.Stmt).Close())
		return true
	})
	if s.w != nil {
		keep(s.w.close())
	}
	if s.rdb != nil {
		keep(s.rdb.Close())
	}
	if s.wdb != nil {
		keep(s.wdb.Close())
	}
	return first
}

// Close stops the background purge, lets the writer finish every write
// already handed to it, closes the database and releases the lock file. It
// is safe to call more than once and concurrently with other methods; calls
// that come after it fail with EUNAVAILABLE. It returns the first error met
// while closing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.purgeStop)
		<-s.purgeDone
		s.closeMu.Lock()
		s.closed.Store(true)
		close(s.ops)
		s.closeMu.Unlock()
		<-s.writerDone
		err := s.closeDBs()
		if lerr := s.lock.release(); err == nil {
			err = lerr
		}
		if err != nil {
			s.closeErr = s.backendError("close "+s.path, err)
		}
	})
	return s.closeErr
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }
