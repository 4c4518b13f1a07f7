package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/server"
)

// loadConfigFile overlays a YAML config file on c. Unknown fields are errors.
func loadConfigFile(c *server.Config, path string) error {
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
func applyEnv(c *server.Config, getenv func(string) string) error {
	set := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set("HEADROOM_ADDR", &c.Addr)
	set("HEADROOM_DATA", &c.DataDir)
	set("HEADROOM_CATALOG", &c.Catalog)
	set("HEADROOM_STORE", &c.Store)
	set("HEADROOM_LIMITER", &c.Limiter)
	set("HEADROOM_LIMITER_FAIL", &c.LimiterFail)
	set("HEADROOM_LIMITER_PREFIX", &c.LimiterPrefix)
	set("HEADROOM_LOG_LEVEL", &c.LogLevel)
	set("HEADROOM_ADMIN_TOKEN", &c.AdminToken)
	set("HEADROOM_PAGING_KEY", &c.PagingKey)
	set("HEADROOM_CONSOLE_KEY", &c.ConsoleKey)
	set("HEADROOM_SECRET_KEY", &c.SecretKey)
	set("HEADROOM_REGION", &c.Region)
	set("HEADROOM_MANAGEMENT_ACCOUNT", &c.ManagementAccount)
	set("HEADROOM_RLS_ADDR", &c.RLSAddr)
	set("HEADROOM_RLS_CONFIG", &c.RLSConfig)
	if v := getenv("HEADROOM_RLS_HEADERS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return headroom.FieldErrorf("HEADROOM_RLS_HEADERS", "%q is not true or false", v)
		}
		c.RLSHeaders = b
	}
	if v := getenv("HEADROOM_HISTORY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return headroom.FieldErrorf("HEADROOM_HISTORY", "%q is not true or false", v)
		}
		c.History = b
	}
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
	for name, dst := range map[string]*time.Duration{"HEADROOM_IDEMPOTENCY_RETENTION": &c.IdempotencyRetention,
		"HEADROOM_AUDIT_RETENTION": &c.AuditRetention, "HEADROOM_STORE_TIMEOUT": &c.StoreTimeout, "HEADROOM_SHUTDOWN_TIMEOUT": &c.ShutdownTimeout,
		"HEADROOM_READ_HEADER_TIMEOUT": &c.ReadHeaderTimeout, "HEADROOM_READ_TIMEOUT": &c.ReadTimeout,
		"HEADROOM_WRITE_TIMEOUT": &c.WriteTimeout, "HEADROOM_IDLE_TIMEOUT": &c.IdleTimeout,
		"HEADROOM_ALARM_INTERVAL": &c.AlarmInterval, "HEADROOM_WEBHOOK_POLL": &c.WebhookPoll, "HEADROOM_WEBHOOK_BACKOFF": &c.WebhookBackoff,
		"HEADROOM_WEBHOOK_BACKOFF_MAX": &c.WebhookBackoffMax, "HEADROOM_WEBHOOK_GIVE_UP": &c.WebhookGiveUp,
		"HEADROOM_WEBHOOK_TIMEOUT": &c.WebhookTimeout, "HEADROOM_NOTIFICATION_RETENTION": &c.NotificationRetention} {
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
