package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
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
	Account string `json:"account"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Scope   string `json:"scope"`
	// Kind is "usage" or "throttle".
	Kind string `json:"kind"`
	// Value is the applied value (usage) or the throttle count N.
	Value float64 `json:"value"`
	// Usage is the usage, or the throttled decisions in the window.
	Usage   int64   `json:"usage"`
	Percent float64 `json:"percent_used"`
	Level   string  `json:"level"`
}

// cmdAlarmsList prints the alarms firing now, as the server's alarm
// evaluation stored them: every alarm at WARNING or CRITICAL of the
// account (or, without --account, of every account the token may read),
// critical first, each with the usage and applied value of its last
// transition.
func cmdAlarmsList(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("alarms list")
	account := fs.String("account", "", "account id; every account if empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := g.client().ListAlarms(ctx, *account, true)
	if err != nil {
		return err
	}
	out := []firing{}
	for _, a := range list {
		out = append(out, firing{Account: a.AccountID, Code: a.Code, Name: a.Name, Scope: a.Scope, Kind: a.Kind, Value: a.Applied,
			Usage: a.Value, Percent: a.Percent, Level: a.Level})
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

// cmdAlarmsSet creates or replaces the alarm rule of --account and --code
// (either left out for "every"); the thresholds not given take the
// defaults.
func cmdAlarmsSet(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("alarms set")
	var in httpapi.AlarmRuleSet
	fs.StringVar(&in.Account, "account", "", "account id; every account if empty")
	fs.StringVar(&in.Code, "code", "", "quota code; every quota if empty")
	warning := fs.Float64("warning", headroom.DefaultAlarmWarning, "warning threshold, a fraction of the applied value")
	critical := fs.Float64("critical", headroom.DefaultAlarmCritical, "critical threshold, a fraction of the applied value")
	hysteresis := fs.Float64("hysteresis", headroom.DefaultAlarmHysteresis, "how far below a threshold usage must fall to leave its level")
	fs.BoolVar(&in.Off, "off", false, "turn the alarms off")
	count := fs.Int64("throttle-count", headroom.DefaultThrottleCount, "rate quotas: alarm at more than N throttled decisions")
	minutes := fs.Int("throttle-minutes", headroom.DefaultThrottleMinutes, "rate quotas: in the last M minutes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "warning":
			in.Warning = warning
		case "critical":
			in.Critical = critical
		case "hysteresis":
			in.Hysteresis = hysteresis
		case "throttle-count":
			in.ThrottleCount = count
		case "throttle-minutes":
			in.ThrottleMinutes = minutes
		}
	})
	r, err := g.client().SetAlarmRule(ctx, in)
	if err != nil {
		return err
	}
	return emitAlarmRules(g, r)
}

// cmdAlarmsUnset removes the alarm rule of --account and --code.
func cmdAlarmsUnset(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("alarms unset")
	account := fs.String("account", "", "account id of the rule; empty for every account")
	code := fs.String("code", "", "quota code of the rule; empty for every quota")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := g.client().DeleteAlarmRule(ctx, *account, *code); err != nil {
		return err
	}
	return emit(g, map[string]string{"account": *account, "code": *code}, []string{"DELETED ACCOUNT", "CODE"},
		[][]string{{orAll(*account), orAll(*code)}})
}

func orAll(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

func emitAlarmRules(g *globals, rules ...httpapi.AlarmRule) error {
	rows := make([][]string, len(rules))
	for i, r := range rules {
		rows[i] = []string{orAll(r.Account), orAll(r.Code), num(r.Warning), num(r.Critical), num(r.Hysteresis), yesNo(r.Off),
			strconv.FormatInt(r.ThrottleCount, 10), strconv.Itoa(r.ThrottleMinutes)}
	}
	var v any = rules
	if len(rules) == 1 {
		v = rules[0]
	}
	return emit(g, v, []string{"ACCOUNT", "CODE", "WARNING", "CRITICAL", "HYSTERESIS", "OFF", "THROTTLE_COUNT", "THROTTLE_MINUTES"}, rows)
}
