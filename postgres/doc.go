// Package postgres is the PostgreSQL headroom.Store, for several Headroom
// nodes sharing one database.
//
// Open connects a pgx pool to Config.URL, migrates the schema (embedded,
// versioned SQL files applied under an advisory lock, so that nodes
// starting together migrate once), checks the secret key and loads the
// in-process cache. Every table lives in the connection's current schema
// (the first of its search_path), so one database can hold several
// installations side by side.
//
// # Atomicity
//
// Every rule about shared state is checked and applied by PostgreSQL in one
// statement or one transaction: a reserve is one conditional upsert
// (INSERT ... ON CONFLICT DO UPDATE ... WHERE used + n <= limit), with its
// idempotency key read and recorded in the same statement; a lease is taken
// under a transaction-scoped advisory lock of its usage key; and the writes
// that check several rows (resources, tags, change requests) run under a
// transaction-scoped advisory lock of their account. Serialization failures
// and deadlocks (SQLSTATE 40001, 40P01) are retried a bounded number of
// times with jitter, and never reported as EINTERNAL. A write returns only
// after its commit, with synchronous_commit on.
//
// # Group commit
//
// Reserves and releases waiting at the same moment are sent together as
// one pipelined batch, one transaction with one commit and one round trip
// (see batch.go), so that a hot counter is not held to one change per WAL
// flush.
//
// # Cache
//
// Accounts, overrides, access keys and API tokens, which the engine reads
// on every decision, are served from memory. A change made through any
// Store sends a NOTIFY on the channel headroom_<schema> in its own
// transaction; every Store listens on a dedicated connection and reloads
// what the notification names, and reloads everything whenever that
// connection is (re)established, since notifications sent while it was down
// are lost. A change is thus seen by every node within about a second.
//
// # Outages
//
// Every call is bounded by Config.OpTimeout; when PostgreSQL cannot be
// reached it fails with headroom.EUNAVAILABLE, and the Store recovers by
// itself when PostgreSQL returns.
//
// Besides headroom.Store, a Store is a headroom.Pinger and a
// headroom.Membership, and gives SharedKey and Stats.
package postgres
