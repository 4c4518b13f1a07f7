package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
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

// headroom alarms list shows the counters at or above 80 % of their
// applied value, critical first, for one account or every account.
func TestAlarmsList(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir, nil)
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": strings.TrimSpace(string(mustRead(t, filepath.Join(dir, AdminTokenFile))))}
	ctx := t.Context()
	e := m.Engine()
	for _, a := range []string{"111111111111", "222222222222"} {
		if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: a}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	use := func(account, scope string, limit float64, used int64) {
		t.Helper()
		if err := e.SetOverride(ctx, headroom.Override{Account: account, Code: headroom.CodeUsers, Scope: scope, Value: limit}, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Do(ctx, headroom.Request{Op: headroom.OpReserve, Account: account, Code: headroom.CodeUsers, Scope: scope, Amount: used}); err != nil {
			t.Fatal(err)
		}
	}
	use("111111111111", "instance/i-warn", 10, 8)  // 80 %: warning
	use("111111111111", "instance/i-ok", 10, 7)    // 70 %: quiet
	use("222222222222", "instance/i-crit", 20, 19) // 95 %: critical
	code, out, errs := cli(t, env, "alarms", "list", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct{ Alarms []firing }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Alarms) != 2 || got.Alarms[0].Level != "CRITICAL" || got.Alarms[0].Scope != "instance/i-crit" ||
		got.Alarms[1].Level != "WARNING" || got.Alarms[1].Scope != "instance/i-warn" || got.Alarms[1].Percent != 80 {
		t.Fatalf("alarms = %+v", got.Alarms)
	}
	code, out, _ = cli(t, env, "alarms", "list", "--account", "111111111111")
	if code != 0 || !strings.Contains(out, "WARNING") || strings.Contains(out, "i-crit") || strings.Contains(out, "i-ok") {
		t.Fatalf("one account's alarms: exit %d\n%s", code, out)
	}
}
