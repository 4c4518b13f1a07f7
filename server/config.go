package server

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
)

// Defaults of Config.
const (
	// DefaultReadHeaderTimeout, DefaultReadTimeout, DefaultWriteTimeout and
	// DefaultIdleTimeout bound slow clients: a request's headers must
	// arrive within 5 s and the whole request within 30 s, the answer is
	// written within 60 s (a 30 s CPU profile fits), and an idle
	// connection is closed after 2 minutes.
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	// DefaultMaxBodyReaders is how many requests may read their bodies at
	// once: with the 1 MiB body limit, at most 256 MiB of bodies in memory.
	DefaultMaxBodyReaders = 256
	DefaultAddr           = "127.0.0.1:7420"
	DefaultDataDir        = "./headroom-data"
	// DefaultStore is the embedded SQLite store.
	DefaultStore = "sqlite"
	// DefaultLimiter keeps token buckets in process.
	DefaultLimiter = "local"
	// DefaultLimiterFail decides in process while Redis is unreachable.
	DefaultLimiterFail = "local"
	// DefaultLimiterPrefix begins the Redis limiter's keys.
	DefaultLimiterPrefix = "headroom:"
	// DefaultStoreTimeout bounds each PostgreSQL call.
	DefaultStoreTimeout = 2 * time.Second
	// AdminTokenFile is where a generated operator token is kept, in the
	// data directory, readable by its owner only.
	AdminTokenFile = "admin-token"
	// DatabaseFile is the SQLite database in the data directory.
	DatabaseFile = "headroom.db"
)

// Config is a server's configuration. It is read from defaults,
// then an optional YAML file, then HEADROOM_* environment variables, then
// flags; each source overrides the ones before it.
type Config struct {
	// Addr is where the server listens, HOST:PORT.
	Addr string `yaml:"addr"`
	// DataDir holds the database and the generated operator token.
	DataDir string `yaml:"data"`
	// Catalog is a catalog file; empty means the embedded Amazon Connect
	// catalog.
	Catalog string `yaml:"catalog"`
	// Store is "sqlite" (durable, in DataDir, the default), "memory" (lost
	// on exit), or a postgres:// URL: a PostgreSQL database that several
	// nodes may share.
	Store string `yaml:"store"`
	// StoreTimeout bounds each call to a PostgreSQL store: while the
	// database cannot be reached, calls fail with unavailable (503) after
	// it instead of hanging. DefaultStoreTimeout if zero.
	StoreTimeout time.Duration `yaml:"store_timeout"`
	// Limiter is "local" (token buckets in this process, the default) or a
	// redis:// URL: buckets in Redis, shared by every node.
	Limiter string `yaml:"limiter"`
	// LimiterFail is what a Redis limiter does while Redis cannot be
	// reached: "local" (the default) decides in process at this node's
	// share of each rate, "open" allows every request, "closed" denies
	// every request.
	LimiterFail string `yaml:"limiter_fail"`
	// LimiterPrefix begins every Redis key of the limiter, so that several
	// installations can share one Redis; DefaultLimiterPrefix if empty.
	LimiterPrefix string `yaml:"limiter_prefix"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// MaxBodyBytes limits request bodies.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// IdempotencyRetention is how long idempotency keys and resource tokens
	// are remembered.
	IdempotencyRetention time.Duration `yaml:"idempotency_retention"`
	// AuditRetention is how long audit entries are kept; zero keeps them
	// forever.
	AuditRetention time.Duration `yaml:"audit_retention"`
	// MaintainInterval is how often expired leases, old keys and old audit
	// entries are purged; DefaultMaintainInterval if zero.
	MaintainInterval time.Duration `yaml:"maintain_interval"`
	// ReadHeaderTimeout bounds how long a client may take to send a
	// request's headers.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds how long a client may take to send a whole
	// request, body included.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds how long the server may take to answer, from the
	// end of the request's headers.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout bounds how long a kept-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxBodyReaders bounds how many requests may be reading their bodies
	// at once; more are refused with 503 at no cost.
	MaxBodyReaders int `yaml:"max_body_readers"`
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// on SIGINT or SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// AdminToken is the operator token, from HEADROOM_ADMIN_TOKEN only, so
	// that it never sits in a config file by accident.
	AdminToken string `yaml:"-"`
	// PagingKey authenticates the APIs' paging tokens, as hex, from
	// HEADROOM_PAGING_KEY only; empty means the key kept in the data
	// directory (see PagingKeyFile).
	PagingKey string `yaml:"-"`
	// ConsoleKey authenticates the web console's session cookies and CSRF
	// tokens, as hex (at least 32 digits), from HEADROOM_CONSOLE_KEY only;
	// empty means the key kept in the data directory (see ConsoleKeyFile),
	// or in the database on PostgreSQL.
	ConsoleKey string `yaml:"-"`
	// SecretKey encrypts access-key secrets in the database, as 64 hex
	// digits, from HEADROOM_SECRET_KEY only; empty means the key kept in
	// the data directory (see SecretKeyFile).
	SecretKey string `yaml:"-"`
	// Region is the AWS region the AWS-compatible APIs present: requests
	// are signed for it and ARNs name it.
	Region string `yaml:"region"`
	// ManagementAccount is the account that may manage the quota request
	// template through the AWS Service Quotas API; empty means none.
	ManagementAccount string `yaml:"management_account"`
	// AutoApprove lists the quota codes whose increase requests are approved
	// without review, up to AutoApproveFactor × the quota's default value.
	AutoApprove []string `yaml:"auto_approve"`
	// AutoApproveFactor bounds automatic approvals; 2 by default.
	AutoApproveFactor float64 `yaml:"auto_approve_factor"`
	// RLSAddr, when set, is where the Envoy rate-limit service (package
	// rls) listens for gRPC, HOST:PORT; empty means it is off.
	RLSAddr string `yaml:"rls_addr"`
	// RLSConfig is the directory of envoyproxy/ratelimit configuration
	// files, one per domain; required with RLSAddr. It is watched and
	// reloaded on change.
	RLSConfig string `yaml:"rls_config"`
	// RLSHeaders adds x-ratelimit-limit, -remaining and -reset to the
	// rate-limit service's answers.
	RLSHeaders bool `yaml:"rls_headers"`
	// AlarmInterval is how often usage and throttle alarms are evaluated;
	// DefaultAlarmInterval if zero.
	AlarmInterval time.Duration `yaml:"alarm_interval"`
	// WebhookPoll is how often the notification outbox is polled;
	// DefaultWebhookPoll if zero.
	WebhookPoll time.Duration `yaml:"webhook_poll"`
	// WebhookBackoff is the wait after a notification's first failed
	// delivery; it doubles with each further failure up to
	// WebhookBackoffMax. webhook.DefaultBackoffBase (10s) and
	// webhook.DefaultBackoffMax (1h) if zero.
	WebhookBackoff    time.Duration `yaml:"webhook_backoff"`
	WebhookBackoffMax time.Duration `yaml:"webhook_backoff_max"`
	// WebhookGiveUp is how long after its transition a notification is
	// retried before it is marked failed, logged and counted;
	// webhook.DefaultGiveUpAfter (24h) if zero.
	WebhookGiveUp time.Duration `yaml:"webhook_give_up"`
	// WebhookTimeout bounds each delivery attempt; webhook.DefaultTimeout
	// (10s) if zero.
	WebhookTimeout time.Duration `yaml:"webhook_timeout"`
	// NotificationRetention is how long delivered and failed
	// notifications are kept for operators to read;
	// headroom.DefaultNotificationRetention (7 days) if zero.
	NotificationRetention time.Duration `yaml:"notification_retention"`
	// History records every usage counter, lease count and rate quota's
	// decisions each minute (the usage history, GET
	// /v1/accounts/{id}/usage/{code}/history); on by default, false turns
	// it off.
	History bool `yaml:"history"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, DataDir: DefaultDataDir, Store: DefaultStore, LogLevel: "info",
		Limiter: DefaultLimiter, LimiterFail: DefaultLimiterFail, LimiterPrefix: DefaultLimiterPrefix, StoreTimeout: DefaultStoreTimeout,
		MaxBodyBytes: 1 << 20, IdempotencyRetention: 24 * time.Hour, ShutdownTimeout: 15 * time.Second,
		Region: headroom.DefaultRegion, AutoApproveFactor: headroom.DefaultAutoApproveFactor,
		ReadHeaderTimeout: DefaultReadHeaderTimeout, ReadTimeout: DefaultReadTimeout, WriteTimeout: DefaultWriteTimeout,
		IdleTimeout: DefaultIdleTimeout, MaxBodyReaders: DefaultMaxBodyReaders, History: true}
}

// Validate returns an *headroom.Error naming the first bad field.
func (c *Config) Validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return headroom.FieldErrorf("addr", "%q is not HOST:PORT: %v", c.Addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return headroom.FieldErrorf("addr", "%q has no valid port", c.Addr)
	}
	switch {
	case c.Store == "sqlite":
		if c.DataDir == "" {
			return headroom.FieldErrorf("data", "is required for the sqlite store")
		}
	case c.Store == "memory":
	case isPostgresURL(c.Store):
		if _, err := url.Parse(c.Store); err != nil {
			return headroom.FieldErrorf("store", "is not a valid postgres:// URL: %v", redactedError(err))
		}
	default:
		return headroom.FieldErrorf("store", "unknown store %q (want sqlite, memory or a postgres:// URL)", redactURL(c.Store))
	}
	if c.StoreTimeout < 0 {
		return headroom.FieldErrorf("store_timeout", "must not be negative, got %v", c.StoreTimeout)
	}
	switch {
	case c.Limiter == "local" || c.Limiter == "":
	case isRedisURL(c.Limiter):
		if _, err := url.Parse(c.Limiter); err != nil {
			return headroom.FieldErrorf("limiter", "is not a valid redis:// URL: %v", redactedError(err))
		}
	default:
		return headroom.FieldErrorf("limiter", "unknown limiter %q (want local or a redis:// URL)", redactURL(c.Limiter))
	}
	switch c.LimiterFail {
	case "local", "open", "closed", "":
	default:
		return headroom.FieldErrorf("limiter_fail", "unknown policy %q (want local, open or closed)", c.LimiterFail)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return headroom.FieldErrorf("log_level", "unknown level %q (want debug, info, warn or error)", c.LogLevel)
	}
	if c.MaxBodyBytes < 1024 {
		return headroom.FieldErrorf("max_body_bytes", "must be at least 1024, got %d", c.MaxBodyBytes)
	}
	if c.IdempotencyRetention < time.Minute {
		return headroom.FieldErrorf("idempotency_retention", "must be at least 1m, got %v", c.IdempotencyRetention)
	}
	if c.AuditRetention != 0 && c.AuditRetention < time.Hour {
		return headroom.FieldErrorf("audit_retention", "must be zero (keep forever) or at least 1h, got %v", c.AuditRetention)
	}
	if c.MaintainInterval < 0 {
		return headroom.FieldErrorf("maintain_interval", "must not be negative, got %v", c.MaintainInterval)
	}
	if err := c.validateAlarms(); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read_header_timeout", c.ReadHeaderTimeout}, {"read_timeout", c.ReadTimeout}, {"write_timeout", c.WriteTimeout}, {"idle_timeout", c.IdleTimeout}} {
		if d.v <= 0 {
			return headroom.FieldErrorf(d.name, "must be above zero, got %v", d.v)
		}
	}
	if c.MaxBodyReaders < 1 {
		return headroom.FieldErrorf("max_body_readers", "must be at least 1, got %d", c.MaxBodyReaders)
	}
	if c.ShutdownTimeout <= 0 {
		return headroom.FieldErrorf("shutdown_timeout", "must be above zero, got %v", c.ShutdownTimeout)
	}
	if !awsapi.ValidRegion(c.Region) {
		return headroom.FieldErrorf("region", "%q is not a region name such as us-east-1", c.Region)
	}
	if c.ManagementAccount != "" && !headroom.ValidAccountID(c.ManagementAccount) {
		return headroom.FieldErrorf("management_account", "%q must be a 12-digit account id", c.ManagementAccount)
	}
	return c.validateRLS()
}

// validateAlarms checks the alarm and webhook settings: none negative, the
// backoff within its maximum, and a give-up time of at least a minute.
func (c *Config) validateAlarms() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"alarm_interval", c.AlarmInterval}, {"webhook_poll", c.WebhookPoll}, {"webhook_backoff", c.WebhookBackoff},
		{"webhook_backoff_max", c.WebhookBackoffMax}, {"webhook_give_up", c.WebhookGiveUp}, {"webhook_timeout", c.WebhookTimeout},
		{"notification_retention", c.NotificationRetention}} {
		if d.v < 0 {
			return headroom.FieldErrorf(d.name, "must not be negative, got %v", d.v)
		}
	}
	if c.WebhookBackoffMax != 0 && c.WebhookBackoff > c.WebhookBackoffMax {
		return headroom.FieldErrorf("webhook_backoff", "%v is above webhook_backoff_max %v", c.WebhookBackoff, c.WebhookBackoffMax)
	}
	if c.WebhookGiveUp != 0 && c.WebhookGiveUp < time.Minute {
		return headroom.FieldErrorf("webhook_give_up", "must be zero (the default, 24h) or at least 1m, got %v", c.WebhookGiveUp)
	}
	return nil
}

// validateRLS checks the rate-limit service's settings: an address needs a
// configuration directory, and the other settings need the address.
func (c *Config) validateRLS() error {
	if c.RLSAddr == "" {
		if c.RLSConfig != "" || c.RLSHeaders {
			return headroom.FieldErrorf("rls_addr", "is required with rls_config and rls_headers")
		}
		return nil
	}
	if _, port, err := net.SplitHostPort(c.RLSAddr); err != nil {
		return headroom.FieldErrorf("rls_addr", "%q is not HOST:PORT: %v", c.RLSAddr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return headroom.FieldErrorf("rls_addr", "%q has no valid port", c.RLSAddr)
	}
	if c.RLSConfig == "" {
		return headroom.FieldErrorf("rls_config", "is required with rls_addr: a directory of rate-limit configuration files")
	}
	return nil
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func isRedisURL(s string) bool {
	return strings.HasPrefix(s, "redis://") || strings.HasPrefix(s, "rediss://") || strings.HasPrefix(s, "unix://")
}

// redactURL hides a URL's password, so that errors and logs never show it.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s, "://") {
			return s[:strings.Index(s, "://")+3] + "xxxxx" + s[i:]
		}
		return s
	}
	return u.Redacted()
}

// redactedError is a URL parse error without the URL, which may hold a
// password.
func redactedError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
