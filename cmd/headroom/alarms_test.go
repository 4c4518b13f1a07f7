package main

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// headroom alarms rules prints a Prometheus rules file over
// headroom_quota_usage_ratio at Headroom's thresholds, or at the ones
// given; bad thresholds are a usage error naming the flag.
func TestAlarmsRules(t *testing.T) {
	parse := func(out string) map[string]alertRule {
		t.Helper()
		var f rulesFile
		if err := yaml.Unmarshal([]byte(out), &f); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, out)
		}
		if len(f.Groups) != 1 {
			t.Fatalf("groups: %+v", f.Groups)
		}
		rules := map[string]alertRule{}
		for _, r := range f.Groups[0].Rules {
			rules[r.Labels["severity"]] = r
		}
		return rules
	}
	code, out, errs := cli(t, nil, "alarms", "rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r := parse(out)
	if r["critical"].Expr != "headroom_quota_usage_ratio >= 0.95" ||
		r["warning"].Expr != "headroom_quota_usage_ratio >= 0.8 and headroom_quota_usage_ratio < 0.95" ||
		r["warning"].For != "5m" || r["critical"].KeepFiringFor != "5m" {
		t.Fatalf("default rules: %+v", r)
	}
	code, out, errs = cli(t, nil, "alarms", "rules", "--warning", "0.7", "--critical", "0.9", "--for", "90s", "--keep-firing-for", "0s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r = parse(out)
	if r["critical"].Expr != "headroom_quota_usage_ratio >= 0.9" || !strings.Contains(r["warning"].Expr, ">= 0.7") ||
		r["warning"].For != "90s" || r["warning"].KeepFiringFor != "" {
		t.Fatalf("rules at 0.7/0.9: %+v", r)
	}
	for _, bad := range [][]string{{"--warning", "0"}, {"--warning", "0.9", "--critical", "0.8"}, {"--critical", "1.5"}, {"--for", "-1s"}} {
		code, _, errs := cli(t, nil, append([]string{"alarms", "rules"}, bad...)...)
		if code != exitUsage || !strings.Contains(errs, "alarms rules") {
			t.Errorf("%v: exit %d, %s", bad, code, errs)
		}
	}
}
