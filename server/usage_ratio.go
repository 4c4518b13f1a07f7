package server

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/prometheus/client_golang/prometheus"
)

// usageRatioTimeout bounds one scrape's walk over the accounts' usage.
const usageRatioTimeout = 5 * time.Second

// usageRatio exports headroom_quota_usage_ratio{account,code,scope}: every
// usage counter above zero as a fraction of its applied value, read from
// the engine at each scrape, so that teams who alert with Alertmanager can
// alarm on the same thresholds as Headroom (`headroom alarms rules` prints
// the rules). It is safe for concurrent use.
type usageRatio struct {
	engine headroom.Services
	desc   *prometheus.Desc
}

func newUsageRatio(e headroom.Services) *usageRatio {
	return &usageRatio{engine: e, desc: prometheus.NewDesc("headroom_quota_usage_ratio",
		"Usage of a quota in a scope as a fraction of its applied value (1 is the limit), for every usage counter above zero.",
		[]string{"account", "code", "scope"}, nil)}
}

// Describe implements prometheus.Collector.
func (u *usageRatio) Describe(ch chan<- *prometheus.Desc) { ch <- u.desc }

// Collect implements prometheus.Collector. An account whose usage cannot
// be read (a store outage) is left out of this scrape rather than failing
// the others.
func (u *usageRatio) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), usageRatioTimeout)
	defer cancel()
	accounts, err := u.engine.ListAccounts(ctx)
	if err != nil {
		return
	}
	for _, a := range accounts {
		sts, err := u.engine.BusiestUsage(ctx, a.ID)
		if err != nil {
			continue
		}
		for _, st := range sts {
			if st.Applied.Value <= 0 {
				continue
			}
			ch <- prometheus.MustNewConstMetric(u.desc, prometheus.GaugeValue, float64(st.Used)/st.Applied.Value, a.ID, st.Quota.Code, st.Scope)
		}
	}
}
