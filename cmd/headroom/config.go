package main

import (
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
)

// Defaults of the serve command.
const (
	DefaultAddr    = "127.0.0.1:7420"
	DefaultDataDir = "./headroom-data"
	// DefaultStore is the embedded SQLite store.
	DefaultStore = "sqlite"
	// AdminTokenFile is where a generated operator token is kept, in the
	// data directory, readable by its owner only.
	AdminTokenFile = "admin-token"
	// DatabaseFile is the SQLite database in the data directory.
	DatabaseFile = "headroom.db"
)

// Config is the serve command's configuration. It is read from defaults,
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
	// Store is "sqlite" (durable, the default) or "memory" (lost on exit).
	Store string `yaml:"store"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// MaxBodyBytes limits request bodies.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// IdempotencyRetention is how long idempotency keys are remembered.
	IdempotencyRetention time.Duration `yaml:"idempotency_retention"`
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// on SIGINT or SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// AdminToken is the operator token, from HEADROOM_ADMIN_TOKEN only, so
	// that it never sits in a config file by accident.
	AdminToken string `yaml:"-"`
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
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, DataDir: DefaultDataDir, Store: DefaultStore, LogLevel: "info",
		MaxBodyBytes: 1 << 20, IdempotencyRetention: 24 * time.Hour, ShutdownTimeout: 15 * time.Second,
		Region: headroom.DefaultRegion, AutoApproveFactor: headroom.DefaultAutoApproveFactor}
}

// Validate returns an *headroom.Error naming the first bad field.
func (c *Config) Validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return headroom.FieldErrorf("addr", "%q is not HOST:PORT: %v", c.Addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return headroom.FieldErrorf("addr", "%q has no valid port", c.Addr)
	}
	switch c.Store {
	case "sqlite":
		if c.DataDir == "" {
			return headroom.FieldErrorf("data", "is required for the sqlite store")
		}
	case "memory":
	default:
		return headroom.FieldErrorf("store", "unknown store %q (want sqlite or memory)", c.Store)
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
	if c.ShutdownTimeout <= 0 {
		return headroom.FieldErrorf("shutdown_timeout", "must be above zero, got %v", c.ShutdownTimeout)
	}
	if !awsapi.ValidRegion(c.Region) {
		return headroom.FieldErrorf("region", "%q is not a region name such as us-east-1", c.Region)
	}
	if c.ManagementAccount != "" && !headroom.ValidAccountID(c.ManagementAccount) {
		return headroom.FieldErrorf("management_account", "%q must be a 12-digit account id", c.ManagementAccount)
	}
	return nil
}

// loadConfigFile overlays a YAML config file on c. Unknown fields are errors.
func loadConfigFile(c *Config, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return headroom.FieldErrorf("config", "cannot read %s: %v", path, err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return headroom.FieldErrorf("config", "%s: %v", path, err)
	}
	return nil
}

// applyEnv overlays HEADROOM_* variables on c.
func applyEnv(c *Config, getenv func(string) string) error {
	set := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set("HEADROOM_ADDR", &c.Addr)
	set("HEADROOM_DATA", &c.DataDir)
	set("HEADROOM_CATALOG", &c.Catalog)
	set("HEADROOM_STORE", &c.Store)
	set("HEADROOM_LOG_LEVEL", &c.LogLevel)
	set("HEADROOM_ADMIN_TOKEN", &c.AdminToken)
	set("HEADROOM_REGION", &c.Region)
	set("HEADROOM_MANAGEMENT_ACCOUNT", &c.ManagementAccount)
	if v := getenv("HEADROOM_AUTO_APPROVE"); v != "" {
		c.AutoApprove = nil
		for _, code := range strings.Split(v, ",") {
			if code = strings.TrimSpace(code); code != "" {
				c.AutoApprove = append(c.AutoApprove, code)
			}
		}
	}
	if v := getenv("HEADROOM_AUTO_APPROVE_FACTOR"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return headroom.FieldErrorf("HEADROOM_AUTO_APPROVE_FACTOR", "%q is not a number", v)
		}
		c.AutoApproveFactor = f
	}
	if v := getenv("HEADROOM_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return headroom.FieldErrorf("HEADROOM_MAX_BODY_BYTES", "%q is not a number", v)
		}
		c.MaxBodyBytes = n
	}
	for name, dst := range map[string]*time.Duration{"HEADROOM_IDEMPOTENCY_RETENTION": &c.IdempotencyRetention, "HEADROOM_SHUTDOWN_TIMEOUT": &c.ShutdownTimeout} {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return headroom.FieldErrorf(name, "%q is not a duration such as 24h", v)
			}
			*dst = d
		}
	}
	return nil
}
