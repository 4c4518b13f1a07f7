package main

import (
	"context"
	"flag"
	"runtime/debug"
	"time"
)

// DefaultGCPercent is the garbage collector's target the server runs with
// unless GOGC is set. Headroom's live heap is small (bucket tables, caches)
// while every request allocates its JSON, so at Go's default of 100 the
// collector runs dozens of times a second and rescans the bucket tables each
// time; at 400 the batch throughput measured in BENCHMARKS.md rises by a
// fifth, for a heap up to five times the live data.
const DefaultGCPercent = 400

// cmdServe runs the server until the context ends (SIGINT or SIGTERM).
func cmdServe(ctx context.Context, g *globals, args []string) error {
	cfg, err := serveConfig(g, args)
	if err != nil {
		return err
	}
	if g.getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
	m := NewMain()
	m.Config = cfg
	m.Stderr = g.stderr
	// The benchmark's ceiling: the same server answering enforcement
	// without the engine. Never for production use.
	m.NoopEnforce = g.getenv("HEADROOM_TEST_NOOP_ENFORCE") == "1"
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return m.Close()
}

// serveConfig reads the server's configuration: defaults, then the config
// file, then HEADROOM_* variables, then serve's flags.
func serveConfig(g *globals, args []string) (Config, error) {
	cfg := DefaultConfig()
	fs := newFlags("serve")
	configFile := fs.String("config", g.getenv("HEADROOM_CONFIG"), "YAML config file")
	addr := fs.String("addr", "", "listen address HOST:PORT (default "+DefaultAddr+")")
	data := fs.String("data", "", "data directory (default "+DefaultDataDir+")")
	cat := fs.String("catalog", "", "catalog file (default: the embedded Amazon Connect catalog)")
	store := fs.String("store", "", "sqlite, memory or a postgres:// URL shared by several nodes (default sqlite)")
	limiter := fs.String("limiter", "", "local or a redis:// URL shared by several nodes (default local)")
	limiterFail := fs.String("limiter-fail", "", "while Redis is unreachable: local, open or closed (default local)")
	rlsAddr := fs.String("rls-addr", "", "serve Envoy's rate-limit service (gRPC) on HOST:PORT (default off)")
	rlsConfig := fs.String("rls-config", "", "directory of envoyproxy/ratelimit configuration files, watched (with --rls-addr)")
	rlsHeaders := fs.Bool("rls-headers", false, "add x-ratelimit-limit, -remaining and -reset to rate-limit answers")
	history := fs.Bool("history", true, "record usage history every minute (--history=false turns it off)")
	giveUp := fs.Duration("webhook-give-up", 0, "how long an alarm notification is retried before it is given up (default 24h)")
	backoff := fs.Duration("webhook-backoff", 0, "wait after a failed webhook delivery, doubling each time (default 10s)")
	backoffMax := fs.Duration("webhook-backoff-max", 0, "longest wait between webhook delivery attempts (default 1h)")
	if err := parseFlags(fs, args); err != nil {
		return cfg, err
	}
	if *configFile != "" {
		if err := loadConfigFile(&cfg, *configFile); err != nil {
			return cfg, err
		}
	}
	if err := applyEnv(&cfg, g.getenv); err != nil {
		return cfg, err
	}
	for _, f := range []struct{ src, dst *string }{{addr, &cfg.Addr}, {data, &cfg.DataDir}, {cat, &cfg.Catalog}, {store, &cfg.Store},
		{limiter, &cfg.Limiter}, {limiterFail, &cfg.LimiterFail}, {rlsAddr, &cfg.RLSAddr}, {rlsConfig, &cfg.RLSConfig}} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	if *rlsHeaders {
		cfg.RLSHeaders = true
	}
	for _, f := range []struct{ src, dst *time.Duration }{{giveUp, &cfg.WebhookGiveUp}, {backoff, &cfg.WebhookBackoff}, {backoffMax, &cfg.WebhookBackoffMax}} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "history" {
			cfg.History = *history
		}
	})
	for _, f := range []struct{ src, dst *time.Duration }{{giveUp, &cfg.WebhookGiveUp}, {backoff, &cfg.WebhookBackoff}, {backoffMax, &cfg.WebhookBackoffMax}} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
	return cfg, nil
}
