package server

import (
	"context"
	"net/url"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/redis"
)

// openLimiter builds the configured limiter and says where its buckets
// are, without credentials. A Redis limiter falls back, by its policy, on
// this process's own buckets at this node's share of each rate, the share
// counted from the nodes that record themselves alive in the store.
func (m *Server) openLimiter(ctx context.Context, store headroom.Store) (headroom.Limiter, string, error) {
	local := memory.NewLimiter(m.Clock)
	if m.Config.Limiter == "" || m.Config.Limiter == "local" {
		return local, "in process", nil
	}
	fail, err := redis.ParseFailPolicy(m.Config.LimiterFail)
	if m.Config.LimiterFail == "" {
		fail, err = redis.DefaultFail, nil
	}
	if err != nil {
		return nil, "", err
	}
	cfg := redis.Config{Addr: m.Config.Limiter, Prefix: m.Config.LimiterPrefix, Fail: fail, Fallback: local, Logger: m.log}
	if mem, ok := store.(headroom.Membership); ok {
		cfg.Nodes = mem.LiveNodes
	}
	l, err := redis.Open(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	m.closers = append(m.closers, l.Close)
	return l, "redis " + redisWhere(m.Config.Limiter) + ", fail " + fail.String(), nil
}

// redisWhere is a Redis URL's host and database, never its password.
func redisWhere(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
