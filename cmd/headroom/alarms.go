package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
	"go.yaml.in/yaml/v3"
)

// rulesFile is a Prometheus alerting-rules file.
type rulesFile struct {
	Groups []rulesGroup `yaml:"groups"`
}

type rulesGroup struct {
	Name  string      `yaml:"name"`
	Rules []alertRule `yaml:"rules"`
}

type alertRule struct {
	Alert         string            `yaml:"alert"`
	Expr          string            `yaml:"expr"`
	For           string            `yaml:"for,omitempty"`
	KeepFiringFor string            `yaml:"keep_firing_for,omitempty"`
	Labels        map[string]string `yaml:"labels"`
	Annotations   map[string]string `yaml:"annotations"`
}

// cmdAlarmsRules prints a Prometheus alerting-rules file over the
// headroom_quota_usage_ratio gauge that GET /metrics exports: the warning
// and critical thresholds Headroom alarms at (80 % and 95 % unless given),
// for teams that alert with Alertmanager. Hysteresis becomes each rule's
// keep_firing_for, Prometheus's way of not flapping. It needs no server.
func cmdAlarmsRules(_ context.Context, g *globals, args []string) error {
	fs := newFlags("alarms rules")
	warning := fs.Float64("warning", headroom.DefaultAlarmWarning, "warning threshold, a fraction of the applied value")
	critical := fs.Float64("critical", headroom.DefaultAlarmCritical, "critical threshold, a fraction of the applied value")
	pending := fs.Duration("for", 5*time.Minute, "how long a threshold must hold before the alert fires")
	keep := fs.Duration("keep-firing-for", 5*time.Minute, "how long an alert keeps firing after usage falls below its threshold")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t := headroom.AlarmThresholds{Warning: *warning, Critical: *critical}
	if err := t.Validate(); err != nil {
		return usageErrorf("alarms rules: %s", headroom.ErrorMessage(err))
	}
	if *pending < 0 || *keep < 0 {
		return usageErrorf("alarms rules: --for and --keep-firing-for must not be negative")
	}
	rule := func(name, severity string, expr string, threshold float64) alertRule {
		return alertRule{Alert: name, Expr: expr, For: promDuration(*pending), KeepFiringFor: promDuration(*keep),
			Labels: map[string]string{"severity": severity},
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("Quota {{ $labels.code }} of account {{ $labels.account }} at {{ $value | humanizePercentage }} in {{ $labels.scope }} (%s at %g %%)", severity, 100*threshold),
				"description": "Headroom usage alarm: usage of the quota in this scope over its applied value, from headroom_quota_usage_ratio.",
			}}
	}
	f := rulesFile{Groups: []rulesGroup{{Name: "headroom-quota-usage", Rules: []alertRule{
		rule("HeadroomQuotaUsageCritical", "critical", fmt.Sprintf("headroom_quota_usage_ratio >= %g", *critical), *critical),
		rule("HeadroomQuotaUsageWarning", "warning",
			fmt.Sprintf("headroom_quota_usage_ratio >= %g and headroom_quota_usage_ratio < %g", *warning, *critical), *warning),
	}}}}
	out, err := yaml.Marshal(f)
	if err != nil {
		return err
	}
	_, err = g.stdout.Write(out)
	return err
}

// promDuration writes d as Prometheus durations are written: "5m", "90s".
func promDuration(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

// firing is one alarm above OK, as `alarms list` prints it.
type firing struct {
	Account string  `json:"account"`
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Scope   string  `json:"scope"`
	Value   float64 `json:"value"`
	Usage   int64   `json:"usage"`
	Percent float64 `json:"percent_used"`
	Level   string  `json:"level"`
}

// cmdAlarmsList prints the usage alarms firing now: every usage counter
// of the account (or, without --account, of every account the token may
// read) at or above the warning threshold of its applied value, critical
// first. It reads the usage as it is now, at the default thresholds.
func cmdAlarmsList(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("alarms list")
	account := fs.String("account", "", "account id; every account if empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c := g.client()
	accounts := []string{*account}
	if *account == "" {
		list, err := c.ListAccounts(ctx)
		if err != nil {
			return err
		}
		accounts = accounts[:0]
		for _, a := range list {
			accounts = append(accounts, a.AccountID)
		}
	}
	t := headroom.DefaultAlarmThresholds()
	out := []firing{}
	for _, a := range accounts {
		list, err := c.Usage(ctx, a)
		if err != nil {
			return err
		}
		for _, q := range list {
			if q.Usage == nil || q.Value <= 0 {
				continue
			}
			ratio := float64(*q.Usage) / q.Value
			if l := t.Level(headroom.AlarmOK, ratio); l != headroom.AlarmOK {
				out = append(out, firing{Account: a, Code: q.Code, Name: q.Name, Scope: q.Scope, Value: q.Value, Usage: *q.Usage, Percent: 100 * ratio, Level: string(l)})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y firing) int {
		if (x.Level == string(headroom.AlarmCritical)) != (y.Level == string(headroom.AlarmCritical)) {
			if x.Level == string(headroom.AlarmCritical) {
				return -1
			}
			return 1
		}
		return cmp.Compare(y.Percent, x.Percent)
	})
	rows := make([][]string, len(out))
	for i, f := range out {
		rows[i] = []string{f.Level, f.Account, f.Code, f.Scope, strconv.FormatInt(f.Usage, 10), strconv.FormatFloat(f.Value, 'f', -1, 64), fmt.Sprintf("%.0f%%", f.Percent), f.Name}
	}
	return emit(g, map[string]any{"alarms": out}, []string{"LEVEL", "ACCOUNT", "CODE", "SCOPE", "USED", "VALUE", "PERCENT", "NAME"}, rows)
}
