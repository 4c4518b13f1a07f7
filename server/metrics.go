package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/postgres"
	"github.com/headroomhq/headroom/redis"
	"github.com/headroomhq/headroom/sqlite"
)

// serverMetrics are the process's own counters on GET /metrics: internal
// store errors (readiness fails while the store is damaged) and bodies
// refused for want of a reader slot.
func (m *Server) serverMetrics(store headroom.Store, g *guard) []prometheus.Collector {
	cs := []prometheus.Collector{prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "headroom_http_bodies_refused_total",
		Help: "Requests refused with 503 because max_body_readers requests were already reading their bodies.",
	}, func() float64 { return float64(g.busy.Load()) }), newUsageRatio(m.engine)}
	if l, ok := m.limiter.(*redis.Limiter); ok {
		cs = append(cs, l.Collector())
	}
	if s, ok := store.(*postgres.Store); ok {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "headroom_store_internal_errors_total",
			Help: "Errors of the PostgreSQL store other than the caller's and other than outages.",
		}, func() float64 { return float64(s.Stats().InternalErrors) }), prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "headroom_store_cache_reloads_total",
			Help: "Full reloads of this node's cache of accounts, overrides, keys and tokens, one per (re)connection of its listener.",
		}, func() float64 { return float64(s.Stats().Reloads) }))
	}
	if s, ok := store.(*sqlite.Store); ok {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "headroom_store_internal_errors_total",
			Help: "Errors of the SQLite store other than the caller's: failed reads and writes, damage.",
		}, func() float64 { return float64(s.Stats().InternalErrors) }))
	}
	return cs
}
