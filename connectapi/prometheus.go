package connectapi

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/headroomhq/headroom"
)

// collectTimeout bounds one scrape's reads of the store.
const collectTimeout = 10 * time.Second

// Prometheus metric names, after Connect's CloudWatch quota metrics. The
// gauges are read from the store at scrape time, so they survive restarts;
// the counters are the breach counters GET .../simulate/.../metrics
// reports, read from the same stored record, so the two never disagree.
var (
	promLabels = []string{"account", "instance"}

	descCalls         = prometheus.NewDesc("headroom_connect_concurrent_calls", "Live voice calls of the instance (ConcurrentCalls).", promLabels, nil)
	descCallsPct      = prometheus.NewDesc("headroom_connect_concurrent_calls_percentage", "Live voice calls as a percentage, 0 to 100, of the concurrent calls quota (ConcurrentCallsPercentage).", promLabels, nil)
	descCallsBreach   = prometheus.NewDesc("headroom_connect_calls_breaching_concurrency_quota_total", "Voice calls refused over the concurrent calls quota (CallsBreachingConcurrencyQuota).", promLabels, nil)
	descThrottled     = prometheus.NewDesc("headroom_connect_throttled_calls_total", "StartOutboundVoiceContact calls refused for the API rate (ThrottledCalls).", promLabels, nil)
	descChats         = prometheus.NewDesc("headroom_connect_concurrent_active_chats", "Active chats of the instance, waiting ones included (ConcurrentActiveChats).", promLabels, nil)
	descChatsPct      = prometheus.NewDesc("headroom_connect_concurrent_active_chats_percentage", "Active chats as a percentage, 0 to 100, of the concurrent chats quota (ConcurrentActiveChatsPercentage).", promLabels, nil)
	descChatsBreach   = prometheus.NewDesc("headroom_connect_chats_breaching_active_chat_quota_total", "Chats refused over the concurrent chats quota (ChatsBreachingActiveChatQuota).", promLabels, nil)
	descTasks         = prometheus.NewDesc("headroom_connect_concurrent_tasks", "Active tasks of the instance (ConcurrentTasks).", promLabels, nil)
	descTasksPct      = prometheus.NewDesc("headroom_connect_concurrent_tasks_percentage", "Active tasks as a percentage, 0 to 100, of the active tasks quota (ConcurrentTasksPercentage).", promLabels, nil)
	descTasksBreach   = prometheus.NewDesc("headroom_connect_tasks_breaching_concurrency_quota_total", "Tasks refused over the active tasks quota (TasksBreachingConcurrencyQuota).", promLabels, nil)
	descCollectErrors = prometheus.NewDesc("headroom_connect_metrics_errors", "1 if the last scrape could not read every instance's metrics.", nil, nil)
)

// Collector returns a prometheus.Collector of every account's and
// instance's Connect quota metrics.
func (h *Handler) Collector() prometheus.Collector { return collector{h} }

type collector struct{ h *Handler }

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCalls, descCallsPct, descCallsBreach, descThrottled, descChats, descChatsPct,
		descChatsBreach, descTasks, descTasksPct, descTasksBreach, descCollectErrors} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
	defer cancel()
	failed := 0.0
	if err := c.collect(ctx, ch); err != nil {
		c.h.log.Error("collecting Connect metrics", "err", err)
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(descCollectErrors, prometheus.GaugeValue, failed)
}

func (c collector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	h := c.h
	accounts, err := h.engine.ListAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		after := ""
		for {
			rs, err := h.engine.ListResources(ctx, headroom.ResourceFilter{Account: a.ID, Kind: kindInstance.name, AfterID: after, Limit: 1000})
			if err != nil {
				return err
			}
			for _, r := range rs {
				m, err := h.Metrics(ctx, a.ID, r.ID)
				if err != nil {
					return err
				}
				emit(ch, m, a.ID, r.ID)
			}
			if len(rs) < 1000 {
				break
			}
			after = rs[len(rs)-1].ID
		}
	}
	return nil
}

func emit(ch chan<- prometheus.Metric, m InstanceMetrics, account, iid string) {
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, account, iid)
	}
	counter := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), account, iid)
	}
	gauge(descCalls, float64(m.ConcurrentCalls))
	gauge(descCallsPct, 100*m.ConcurrentCallsPercentage)
	counter(descCallsBreach, m.CallsBreachingConcurrencyQuota)
	counter(descThrottled, m.ThrottledCalls)
	gauge(descChats, float64(m.ConcurrentActiveChats))
	gauge(descChatsPct, 100*m.ConcurrentActiveChatsPercentage)
	counter(descChatsBreach, m.ChatsBreachingActiveChatQuota)
	gauge(descTasks, float64(m.ConcurrentTasks))
	gauge(descTasksPct, 100*m.ConcurrentTasksPercentage)
	counter(descTasksBreach, m.TasksBreachingConcurrencyQuota)
}
