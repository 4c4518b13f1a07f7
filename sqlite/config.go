package sqlite

import (
	"log/slog"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
)

// Defaults of Config's optional fields.
const (
	// DefaultIdempotencyRetention is how long an idempotency key is kept.
	DefaultIdempotencyRetention = 24 * time.Hour
	// DefaultMaxBatch is how many writes one group commit takes at most.
	DefaultMaxBatch = 256
	// DefaultReadConns is the size of the read connection pool.
	DefaultReadConns = 4
	// DefaultBusyTimeout is how long a connection waits for a lock held by
	// another connection of the same database (a checkpoint, a backup).
	DefaultBusyTimeout = 5 * time.Second
)

// Config configures a Store. Only Path is required; every other field has a
// default when left zero.
type Config struct {
	// Path is the database file. It is created, with its directory, if it
	// does not exist.
	Path string
	// IdempotencyRetention is how long an idempotency key is remembered:
	// the background purge forgets keys recorded longer ago than this.
	// Zero means DefaultIdempotencyRetention.
	IdempotencyRetention time.Duration
	// PurgeInterval, when above zero, runs a purge of expired leases and
	// old idempotency keys in the store itself at that interval. Zero runs
	// none: a server purges every store alike with Engine.Maintain.
	PurgeInterval time.Duration
	// NoGroupCommit makes every write its own transaction with its own
	// fsync, instead of sharing one commit among the writes waiting at the
	// same moment. Group commit is on by default (the zero value); turning
	// it off only makes sense for comparing the two.
	NoGroupCommit bool
	// MaxBatch caps how many writes one group commit takes. Zero means
	// DefaultMaxBatch.
	MaxBatch int
	// ReadConns is the number of read-only connections. Zero means
	// DefaultReadConns.
	ReadConns int
	// BusyTimeout is how long a statement waits for a lock inside SQLite.
	// Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Clock tells the background purge the time. Nil means the system
	// clock.
	Clock headroom.Clock
	// Logger receives the background purge's failures. Nil means
	// slog.Default().
	Logger *slog.Logger
	// SecretKey, when set, encrypts the secrets of access keys at rest:
	// SecretKeySize (32) bytes kept outside the database, such as in a key
	// file. Secrets are sealed with AES-256-GCM, bound to their key id and
	// account. Open refuses a key that is not the one the database's
	// secrets were encrypted with, encrypts in place the secrets of a
	// database written without a key, and refuses to open a database with
	// encrypted secrets without its key. Nil keeps secrets in plaintext.
	SecretKey []byte
}

// Validate returns an *headroom.Error of code EINVALID naming the first bad
// field, or nil. Zero optional fields are valid: they take their defaults.
func (c *Config) Validate() error {
	switch {
	case c.Path == "":
		return headroom.FieldErrorf("Path", "is required: the database file, such as /var/lib/headroom/headroom.db")
	case c.IdempotencyRetention < 0:
		return headroom.FieldErrorf("IdempotencyRetention", "must not be negative, got %v", c.IdempotencyRetention)
	case c.PurgeInterval < 0:
		return headroom.FieldErrorf("PurgeInterval", "must not be negative, got %v", c.PurgeInterval)
	case c.MaxBatch < 0:
		return headroom.FieldErrorf("MaxBatch", "must not be negative, got %d", c.MaxBatch)
	case c.ReadConns < 0:
		return headroom.FieldErrorf("ReadConns", "must not be negative, got %d", c.ReadConns)
	case c.BusyTimeout < 0:
		return headroom.FieldErrorf("BusyTimeout", "must not be negative, got %v", c.BusyTimeout)
	case len(c.SecretKey) != 0 && len(c.SecretKey) != SecretKeySize:
		return headroom.FieldErrorf("SecretKey", "must be %d bytes (an AES-256 key) or empty, got %d", SecretKeySize, len(c.SecretKey))
	}
	return nil
}

// withDefaults returns c with every zero optional field set.
func (c Config) withDefaults() Config {
	if c.IdempotencyRetention == 0 {
		c.IdempotencyRetention = DefaultIdempotencyRetention
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.NoGroupCommit {
		c.MaxBatch = 1
	}
	if c.ReadConns == 0 {
		c.ReadConns = DefaultReadConns
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = DefaultBusyTimeout
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
