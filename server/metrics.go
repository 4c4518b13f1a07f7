package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/postgres"
	"github.com/headroomhq/headroom/redis"
	"github.com/headroomhq/headroom/sqlite"
	"github.com/headroomhq/headroom/webhook"
)

// serverMetrics are the process's own counters on GET /metrics: internal
// store errors (readiness fails while the store is damaged), bodies
// refused for want of a reader slot, and webhook deliveries by result.
func (m *Server) serverMetrics(store headroom.Store, g *guard) []prometheus.Collector {
	cs := []prometheus.Collector{prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "headroom_http_bodies_refused_total",
		Help: "Requests refused with 503 because max_body_readers requests were already reading their bodies.",
	}, func() float64 { return float64(g.busy.Load()) }), newUsageRatio(m.engine)}
	for _, r := range []struct {
		result string
		n      func(webhook.Stats) int64
	}{{"delivered", func(s webhook.Stats) int64 { return s.Delivered }}, {"retry", func(s webhook.Stats) int64 { return s.Retried }},
		{"failed", func(s webhook.Stats) int64 { return s.Failed }}} {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "headroom_webhook_deliveries_total",
			Help:        "Alarm notification deliveries by this node: delivered (2xx), retry (failed, to be tried again), failed (given up).",
			ConstLabels: prometheus.Labels{"result": r.result},
		}, func() float64 { return float64(r.n(m.dispatcher.Stats())) }))
	}
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
