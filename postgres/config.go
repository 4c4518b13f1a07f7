package postgres

import (
	"log/slog"
	"os"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/internal/secretbox"
)

// Defaults of Config's optional fields.
const (
	// DefaultOpTimeout bounds every call on the Store.
	DefaultOpTimeout = 2 * time.Second
	// DefaultHeartbeatInterval is how often a Store records that its node
	// is alive.
	DefaultHeartbeatInterval = time.Second
	// DefaultMaxConns is the size of the connection pool: group commit
	// needs few connections, and a few nodes together stay well within
	// PostgreSQL's default of 100 connections.
	DefaultMaxConns = 16
	// DefaultMaxRetries is how many times a transaction that PostgreSQL
	// aborted for a serialization failure or a deadlock is tried again.
	DefaultMaxRetries = 10
)

// SecretKeySize is the size of Config.SecretKey: an AES-256 key.
const SecretKeySize = secretbox.KeySize

// Config configures a Store. Only URL is required; every other field has a
// default when left zero.
type Config struct {
	// URL is the PostgreSQL connection string, such as
	// postgres://headroom@db:5432/headroom?search_path=headroom. The first
	// schema of its search_path (current_schema()) holds every table.
	URL string
	// Clock tells the time of heartbeats. Nil means the system clock.
	Clock headroom.Clock
	// Logger receives the failures of background work (the listener, the
	// heartbeat). Nil means slog.Default().
	Logger *slog.Logger
	// SecretKey, when set, encrypts the secrets of access keys at rest:
	// SecretKeySize (32) bytes kept outside the database. Secrets are
	// sealed with AES-256-GCM, bound to their key id and account, as in the
	// SQLite store. Open refuses a key that is not the one the database's
	// secrets were sealed with, and a database with sealed secrets opened
	// without a key. Nil keeps secrets in plaintext.
	SecretKey []byte
	// OpTimeout bounds every call: a call that PostgreSQL does not answer
	// within it fails with EUNAVAILABLE. Zero means DefaultOpTimeout.
	OpTimeout time.Duration
	// HeartbeatInterval is how often the Store records that its node is
	// alive, for LiveNodes, and how long its listening connection may stay
	// quiet before it is pinged. Zero means DefaultHeartbeatInterval.
	HeartbeatInterval time.Duration
	// NodeID names this node in the nodes table. Empty means the host name
	// and a random suffix.
	NodeID string
	// MaxConns is the size of the connection pool, besides the listening
	// connection. Zero means the URL's pool_max_conns parameter if it has
	// one, else DefaultMaxConns.
	MaxConns int32
}

// Validate returns an *headroom.Error of code EINVALID naming the first bad
// field, or nil. Zero optional fields are valid: they take their defaults.
func (c *Config) Validate() error {
	switch {
	case c.URL == "":
		return headroom.FieldErrorf("URL", "is required: a PostgreSQL connection string, such as postgres://headroom@localhost:5432/headroom")
	case c.OpTimeout < 0:
		return headroom.FieldErrorf("OpTimeout", "must not be negative, got %v", c.OpTimeout)
	case c.HeartbeatInterval < 0:
		return headroom.FieldErrorf("HeartbeatInterval", "must not be negative, got %v", c.HeartbeatInterval)
	case c.MaxConns < 0:
		return headroom.FieldErrorf("MaxConns", "must not be negative, got %d", c.MaxConns)
	case len(c.SecretKey) != 0 && len(c.SecretKey) != SecretKeySize:
		return headroom.FieldErrorf("SecretKey", "must be %d bytes (an AES-256 key) or empty, got %d", SecretKeySize, len(c.SecretKey))
	}
	return nil
}

// withDefaults returns c with every zero optional field set.
func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.NodeID == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "node"
		}
		c.NodeID = host + "-" + ids.Random(6)
	}
	return c
}
