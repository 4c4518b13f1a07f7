package rls

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Metrics are the service's counters, named as envoyproxy/ratelimit names
// its statistics. ratelimit writes statsd paths
//
//	ratelimit.service.rate_limit.DOMAIN.KEY_VALUE.STAT
//
// and Headroom writes the Prometheus counter
//
//	ratelimit_service_rate_limit_STAT{domain="DOMAIN",key="KEY_VALUE"}
//
// for STAT in total_hits, over_limit, near_limit, shadow_mode and
// within_limit: one series per statsd path, the same counts. KEY_VALUE is
// Rule.StatKey (levels joined by "."), or, through a detailed_metric
// descriptor, the request's value in place of the key-only level. Counters
// count hits (hits_addend), not calls. near_limit counts allowed hits that
// leave the bucket more than 80% used. Metrics is safe for concurrent use.
type Metrics struct {
	totalHits, overLimit, nearLimit, shadowMode, withinLimit *prometheus.CounterVec

	mu    sync.Mutex
	rules map[[2]string]*ruleMetrics
}

// ruleMetrics are one series set, resolved once per rule and key.
type ruleMetrics struct {
	totalHits, overLimit, nearLimit, shadowMode, withinLimit prometheus.Counter
}

// NewMetrics returns zeroed counters.
func NewMetrics() *Metrics {
	vec := func(stat, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ratelimit_service_rate_limit_" + stat, Help: help}, []string{"domain", "key"})
	}
	return &Metrics{
		totalHits:   vec("total_hits", "Hits of an Envoy rate-limit rule (ratelimit.service.rate_limit.DOMAIN.KEY_VALUE.total_hits)."),
		overLimit:   vec("over_limit", "Hits over the rule's limit, shadow mode included."),
		nearLimit:   vec("near_limit", "Allowed hits that left the bucket more than 80% used."),
		shadowMode:  vec("shadow_mode", "Over-limit hits that shadow_mode answered OK."),
		withinLimit: vec("within_limit", "Hits within the rule's limit."),
		rules:       map[[2]string]*ruleMetrics{},
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, v := range m.vecs() {
		v.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, v := range m.vecs() {
		v.Collect(ch)
	}
}

func (m *Metrics) vecs() []*prometheus.CounterVec {
	return []*prometheus.CounterVec{m.totalHits, m.overLimit, m.nearLimit, m.shadowMode, m.withinLimit}
}

// series returns the counters of one domain and key, making them once.
func (m *Metrics) series(domain, key string) *ruleMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{domain, key}
	if r, ok := m.rules[k]; ok {
		return r
	}
	r := &ruleMetrics{
		totalHits:   m.totalHits.WithLabelValues(domain, key),
		overLimit:   m.overLimit.WithLabelValues(domain, key),
		nearLimit:   m.nearLimit.WithLabelValues(domain, key),
		shadowMode:  m.shadowMode.WithLabelValues(domain, key),
		withinLimit: m.withinLimit.WithLabelValues(domain, key),
	}
	m.rules[k] = r
	return r
}

// Value returns the current value of counter stat ("total_hits", ...) for
// a domain and key, for tests and diagnostics.
func (m *Metrics) Value(stat, domain, key string) float64 {
	r := m.series(domain, key)
	var c prometheus.Counter
	switch stat {
	case "total_hits":
		c = r.totalHits
	case "over_limit":
		c = r.overLimit
	case "near_limit":
		c = r.nearLimit
	case "shadow_mode":
		c = r.shadowMode
	case "within_limit":
		c = r.withinLimit
	default:
		return 0
	}
	return counterValue(c)
}

// counterValue reads a counter.
func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}
