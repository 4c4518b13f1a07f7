package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/prometheus/client_golang/prometheus"
)

// degrade switches from ModeRedis to the policy's mode because of cause,
// and returns the mode now in force. However many calls fail at once, only
// one switches, logs and counts.
func (l *Limiter) degrade(cause error) Mode {
	target := l.cfg.Fail.degradedMode()
	if l.mode.CompareAndSwap(int32(ModeRedis), int32(target)) {
		l.metrics.changed(target)
		l.cfg.Logger.Warn("redis limiter: Redis is unreachable; deciding without it until it answers again",
			"addr", l.addr, "mode", target.String(), "err", cause.Error())
		if target == ModeLocal {
			// The call that notices the outage counts the nodes before it
			// decides, so that no decision uses a share from before a node
			// joined; the others go on with the count at hand meanwhile.
			l.refreshNodes(context.Background())
		}
		select {
		case l.wake <- struct{}{}: // have the probe start at once
		default:
		}
		return target
	}
	if m := l.Mode(); m.Degraded() {
		return m
	}
	return target // the probe has just seen Redis back; this call still failed
}

// recover switches back to ModeRedis.
func (l *Limiter) recover(from Mode) {
	if l.mode.CompareAndSwap(int32(from), int32(ModeRedis)) {
		l.metrics.changed(ModeRedis)
		l.cfg.Logger.Info("redis limiter: Redis answers again; deciding in Redis", "addr", l.addr, "was", from.String())
	}
}

// nodesInterval is how often a healthy limiter recounts the live nodes,
// so that the count is at most this old when Redis is lost: nodes that
// joined since the limiter opened get their share at once.
const nodesInterval = time.Second

// probeLoop pings Redis every ProbeInterval while degraded and switches
// back when it answers. It recounts the nodes at every probe while
// degraded, and every nodesInterval while not.
func (l *Limiter) probeLoop() {
	defer close(l.done)
	tick := time.NewTicker(l.cfg.ProbeInterval)
	defer tick.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-l.stop; cancel() }()
	lastCount := time.Now()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		case <-l.wake:
		}
		m := l.Mode()
		if !m.Degraded() {
			if time.Since(lastCount) >= nodesInterval {
				l.refreshNodes(ctx)
				lastCount = time.Now()
			}
			continue
		}
		lastCount = time.Now()
		l.refreshNodes(ctx)
		if l.connect(ctx) == nil {
			l.recover(m)
		}
	}
}

// refreshNodes asks cfg.Nodes how many nodes share the buckets, keeping
// the last good count on an error or a count below one.
func (l *Limiter) refreshNodes(ctx context.Context) {
	if l.cfg.Nodes == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.OpTimeout)
	defer cancel()
	n, err := l.cfg.Nodes(ctx)
	switch {
	case err != nil:
		l.cfg.Logger.Warn("redis limiter: cannot count the live nodes; keeping the last count", "nodes", l.nodes.Load(), "err", err.Error())
	case n < 1:
		l.cfg.Logger.Warn("redis limiter: the node count is below one; keeping the last count", "nodes", l.nodes.Load(), "got", n)
	default:
		l.nodes.Store(int64(n))
	}
}

// now is the local time of a decision made without Redis.
func (l *Limiter) now() time.Time {
	if l.cfg.Clock != nil {
		return l.cfg.Clock.Now()
	}
	return time.Now()
}

// decideDegraded decides valid takes without Redis, by mode.
//
// FailLocal gives each of N live nodes the share Rate/N and Burst/N
// (rounded down, at least 1) of every bucket, in the Fallback limiter:
// together the nodes then grant no more than the bucket would, as long as
// there are no more nodes than tokens in its burst (with more, each node
// still grants one token per burst, so a bucket cannot starve). A take of
// more tokens than a node's share can never succeed locally: it is denied
// with RetryAfter the probe interval, by when Redis may be back.
func (l *Limiter) decideDegraded(ctx context.Context, m Mode, takes []headroom.Take, results []headroom.RateResult, errs []error) {
	retry := l.cfg.ProbeInterval
	for i, t := range takes {
		switch m {
		case ModeOpen:
			results[i] = headroom.RateResult{Allowed: true, Remaining: t.Limit.Burst - t.N, At: l.now()}
		case ModeClosed:
			results[i] = headroom.RateResult{RetryAfter: retry, At: l.now()}
		default:
			nodes := l.nodes.Load()
			share := headroom.RateLimit{Rate: t.Limit.Rate / float64(nodes), Burst: max(1, t.Limit.Burst/nodes)}
			if t.N > share.Burst || headroom.CheckTake(share, t.N) != nil {
				results[i] = headroom.RateResult{RetryAfter: retry, At: l.now()}
				continue
			}
			r, err := l.fallback.Take(ctx, t.Key, share, t.N)
			if err != nil {
				err = fmt.Errorf("take: %w", err)
			}
			results[i], errs[i] = r, err
		}
	}
}

// metrics counts the changes of mode.
type metrics struct {
	changes  *prometheus.CounterVec
	degraded prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "headroom_limiter_mode_changes_total",
			Help: "Changes of the Redis limiter's mode, by the mode changed to: redis, or local, open or closed while Redis is unreachable.",
		}, []string{"mode"}),
		degraded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "headroom_limiter_degraded",
			Help: "1 while the Redis limiter decides without Redis, else 0.",
		}),
	}
	for _, name := range modeNames {
		m.changes.WithLabelValues(name)
	}
	return m
}

func (m *metrics) changed(to Mode) {
	m.changes.WithLabelValues(to.String()).Inc()
	if to.Degraded() {
		m.degraded.Set(1)
	} else {
		m.degraded.Set(0)
	}
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	m.changes.Describe(ch)
	m.degraded.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.changes.Collect(ch)
	m.degraded.Collect(ch)
}

// Collector returns the Limiter's metrics, to register with a Prometheus
// registry: headroom_limiter_mode_changes_total{mode="redis|local|open|closed"},
// a counter of the changes into each mode, and headroom_limiter_degraded,
// a gauge that is 1 while Redis is not used. The Collector is safe for
// concurrent use and may be registered once per registry.
func (l *Limiter) Collector() prometheus.Collector { return l.metrics }
