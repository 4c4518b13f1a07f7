package httpapi

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/headroomhq/headroom"
)

// Decision outcomes of headroom_decisions_total.
const (
	outcomeAllowed = iota
	outcomeDenied
	outcomeThrottled
	outcomeError
	outcomes
)

var outcomeNames = [outcomes]string{"allowed", "denied", "throttled", "error"}

// otherQuota labels decisions on codes outside the catalog, so that
// callers cannot grow the label set.
const otherQuota = "other"

var descDecisions = prometheus.NewDesc("headroom_decisions_total",
	"Decisions of POST /v1/enforce by quota code and outcome (allowed, denied, throttled, error).", []string{"quota", "outcome"}, nil)

// decisionCounts counts the native enforce path's decisions. The map is
// built once from the catalog and only read afterwards, so counting is a
// map lookup and an atomic add: no lock and no allocation per decision.
type decisionCounts struct {
	byCode map[string]*[outcomes]atomic.Uint64
	other  [outcomes]atomic.Uint64
}

func newDecisionCounts(cat *headroom.Catalog) *decisionCounts {
	d := &decisionCounts{byCode: map[string]*[outcomes]atomic.Uint64{}}
	for _, q := range cat.Quotas() {
		d.byCode[q.Code] = new([outcomes]atomic.Uint64)
	}
	return d
}

func (d *decisionCounts) count(code string, allowed bool, err error) {
	o := outcomeAllowed
	switch {
	case err != nil:
		switch headroom.ErrorCodeOf(err) {
		case headroom.EQUOTAEXCEEDED:
			o = outcomeDenied
		case headroom.ETHROTTLED:
			o = outcomeThrottled
		default:
			o = outcomeError
		}
	case !allowed:
		o = outcomeDenied
	}
	c, ok := d.byCode[code]
	if !ok {
		c = &d.other
	}
	c[o].Add(1)
}

func (d *decisionCounts) Describe(ch chan<- *prometheus.Desc) { ch <- descDecisions }

// Collect reports every counter that is not zero.
func (d *decisionCounts) Collect(ch chan<- prometheus.Metric) {
	emit := func(code string, c *[outcomes]atomic.Uint64) {
		for o := range c {
			if n := c[o].Load(); n > 0 {
				ch <- prometheus.MustNewConstMetric(descDecisions, prometheus.CounterValue, float64(n), code, outcomeNames[o])
			}
		}
	}
	for code, c := range d.byCode {
		emit(code, c)
	}
	emit(otherQuota, &d.other)
}

// RegisterMetrics adds a collector to what GET /metrics exposes, such as
// another API's metrics.
func (s *Server) RegisterMetrics(c prometheus.Collector) error { return s.metrics.Register(c) }

// metricsHandler serves the Prometheus text format. It needs the operator
// token: the metrics name every account and instance.
func (s *Server) metricsHandler() http.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{ErrorLog: slogErrorLog{s}, ErrorHandling: promhttp.ContinueOnError})
	return s.operator(h.ServeHTTP)
}

type slogErrorLog struct{ s *Server }

func (l slogErrorLog) Println(v ...any) { l.s.log.Error("serving metrics", "err", v) }
