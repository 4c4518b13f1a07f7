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

// headroom alarms list shows the alarms the server's evaluation stored at
// WARNING or CRITICAL, critical first, for one account or every account.
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
	list := func(args ...string) []firing {
		t.Helper()
		code, out, errs := cli(t, env, append([]string{"alarms", "list", "-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var got struct{ Alarms []firing }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		return got.Alarms
	}
	// Nothing is stored until an evaluation has run.
	if got := list(); len(got) != 0 {
		t.Fatalf("alarms before any evaluation = %+v", got)
	}
	if _, err := m.EvaluateAlarms(ctx); err != nil {
		t.Fatal(err)
	}
	got := list()
	if len(got) != 2 || got[0].Level != "CRITICAL" || got[0].Scope != "instance/i-crit" || got[0].Kind != "usage" ||
		got[1].Level != "WARNING" || got[1].Scope != "instance/i-warn" || got[1].Percent != 80 || got[1].Usage != 8 || got[1].Value != 10 {
		t.Fatalf("alarms = %+v", got)
	}
	code, out, _ := cli(t, env, "alarms", "list", "--account", "111111111111")
	if code != 0 || !strings.Contains(out, "WARNING") || strings.Contains(out, "i-crit") || strings.Contains(out, "i-ok") ||
		!strings.HasPrefix(out, "LEVEL") || !strings.Contains(out, "80%") {
		t.Fatalf("one account's alarms: exit %d\n%s", code, out)
	}
	// A rule that turns the account's alarms off takes effect at the next
	// evaluation.
	if code, out, errs := cli(t, env, "alarms", "set", "--account", "222222222222", "--off"); code != 0 || !strings.Contains(out, "yes") {
		t.Fatalf("alarms set: exit %d\n%s%s", code, out, errs)
	}
	if _, err := m.EvaluateAlarms(ctx); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 1 || got[0].Account != "111111111111" {
		t.Fatalf("alarms after turning 222222222222 off = %+v", got)
	}
}

// headroom alarms set and unset manage rules; webhooks add, list and rm
// manage webhooks; bad input is the server's clear error.
func TestAlarmRulesAndWebhooksCLI(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir, nil)
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": strings.TrimSpace(string(mustRead(t, filepath.Join(dir, AdminTokenFile))))}
	code, out, errs := cli(t, env, "alarms", "set", "--code", headroom.CodeUsers, "--warning", "0.6", "--throttle-minutes", "15", "-o", "json")
	if code != 0 {
		t.Fatalf("alarms set: exit %d: %s", code, errs)
	}
	var r struct {
		Code              string
		Warning, Critical float64
		ThrottleCount     int64 `json:"throttle_count"`
		ThrottleMinutes   int   `json:"throttle_minutes"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Code != headroom.CodeUsers || r.Warning != 0.6 || r.Critical != 0.95 ||
		r.ThrottleCount != 10 || r.ThrottleMinutes != 15 {
		t.Fatalf("alarms set printed %s (%v)", out, err)
	}
	rules, err := m.Engine().ListAlarmRules(t.Context())
	if err != nil || len(rules) != 1 || rules[0].Thresholds.Warning != 0.6 {
		t.Fatalf("stored rules = %+v, %v", rules, err)
	}
	for _, bad := range [][]string{{"--warning", "0"}, {"--critical", "0.5"}, {"--throttle-minutes", "0"}, {"--code", "L-NOPE"}} {
		code, _, errs := cli(t, env, append([]string{"alarms", "set"}, bad...)...)
		if code == 0 || errs == "" {
			t.Errorf("alarms set %v: exit %d, stderr %q", bad, code, errs)
		}
	}
	if code, _, errs := cli(t, env, "alarms", "unset", "--code", headroom.CodeUsers); code != 0 {
		t.Fatalf("alarms unset: exit %d: %s", code, errs)
	}
	if code, _, errs := cli(t, env, "alarms", "unset", "--code", headroom.CodeUsers); code == 0 || !strings.Contains(errs, "no alarm rule") {
		t.Fatalf("second unset: exit %d: %s", code, errs)
	}

	code, out, errs = cli(t, env, "webhooks", "add", "--url", "https://hooks.example.com/headroom", "-o", "json")
	if code != 0 {
		t.Fatalf("webhooks add: exit %d: %s", code, errs)
	}
	var w struct{ ID, URL, Secret string }
	if err := json.Unmarshal([]byte(out), &w); err != nil || !strings.HasPrefix(w.Secret, "whsec_") || w.URL != "https://hooks.example.com/headroom" {
		t.Fatalf("webhooks add printed %s (%v)", out, err)
	}
	code, out, _ = cli(t, env, "webhooks", "list")
	if code != 0 || !strings.Contains(out, w.ID) || strings.Contains(out, w.Secret) {
		t.Fatalf("webhooks list: exit %d\n%s", code, out)
	}
	if code, _, errs := cli(t, env, "webhooks", "add", "--url", "ftp://example.com/"); code == 0 || !strings.Contains(errs, "url") {
		t.Fatalf("webhooks add ftp: exit %d: %s", code, errs)
	}
	if code, _, errs := cli(t, env, "webhooks", "add"); code != exitUsage {
		t.Fatalf("webhooks add without --url: exit %d: %s", code, errs)
	}
	if code, _, errs := cli(t, env, "webhooks", "rm", w.ID); code != 0 {
		t.Fatalf("webhooks rm: exit %d: %s", code, errs)
	}
	if code, out, _ := cli(t, env, "webhooks", "list", "-o", "json"); code != 0 || strings.Contains(out, w.ID) {
		t.Fatalf("webhooks list after rm: exit %d\n%s", code, out)
	}
}
