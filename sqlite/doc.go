// Package sqlite implements headroom.Store on an embedded SQLite database:
// Headroom's default, durable store for a single node.
//
// # Driver
//
// The store uses modernc.org/sqlite through database/sql: the SQLite C
// library (3.54) translated to Go, so Headroom builds with CGO_ENABLED=0 into
// one static, cross-compiled binary while running the real SQLite engine,
// with WAL mode, savepoints, RETURNING and the online backup API. It is the
// most widely used cgo-free SQLite driver and follows SQLite releases
// closely. Its CPU cost per statement is above C SQLite's, but a durable
// write waits for an fsync, which costs far more; with group commit this
// store acknowledged about 30,000 fsynced reserves per second on a two-core
// development machine. The alternatives, github.com/ncruces/go-sqlite3
// (SQLite compiled to WebAssembly) and zombiezen.com/go/sqlite (a
// non-database/sql API over the same translation), offer nothing this store
// needs that it lacks.
//
// # Durability and concurrency
//
// The database runs in WAL mode with synchronous=FULL: a call that changes
// state returns only after its transaction is committed and fsynced, so an
// acknowledged change survives a crash of the process or of the machine.
//
// One writer goroutine owns the only write connection. Callers hand it their
// changes; it takes every change that is waiting (up to Config.MaxBatch) into
// one transaction, each change in its own savepoint so that one change's
// failure undoes only that change, commits once and only then answers every
// caller (group commit). Reads use a separate pool of read-only connections,
// which WAL lets run beside the writer. Every check-and-change of usage is a
// conditional statement inside the writer's transaction, so no two callers
// can take the last slot. A resource of an emulated API is inserted in the
// same savepoint as the reserve of the slot it holds, and deleted in the
// same savepoint as the release, so a crash never parts them.
//
// Accounts and overrides, read on every decision, are also kept in process
// memory: this process is the only writer of the database (a lock file next
// to it keeps other Headroom processes out), and the writer updates that
// copy after each commit.
//
// # Files
//
// Open uses three files: the database at Config.Path, SQLite's write-ahead
// log next to it (Path + "-wal", with its index Path + "-shm"), and the lock
// file Path + ".lock". Copy a live store with Store.Backup, not by copying
// files. The schema is versioned; Open applies the migrations this binary
// carries and refuses a database written by a newer Headroom.
package sqlite
