package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/httpapi"
)

// headroom usage history prints a quota's usage over time with a
// sparkline scaled to the applied value, and for a rate the throttling.
func TestUsageHistory(t *testing.T) {
	const token, acct = "hr_test-operator-secret", "123456789012"
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	m := NewMain()
	m.Config.Addr, m.Config.Store, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", "memory", "", token
	m.Clock, m.Stderr = clk, &lockedBuffer{}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": token}
	ctx := context.Background()
	c := &httpapi.Client{BaseURL: m.URL(), Token: token}
	if _, err := c.CreateAccount(ctx, httpapi.AccountCreate{AccountID: acct}); err != nil {
		t.Fatal(err)
	}
	// Users climb to 250 of 500 over 30 minutes, then stay; the API
	// bucket throttles 3 of 8 takes in the first minute.
	take := httpapi.EnforceItem{Op: "take", Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}
	c.Enforce(ctx, []httpapi.EnforceItem{take, take, take, take, take, take, take, take})
	for i := range 60 {
		if i < 25 {
			if _, err := c.Enforce(ctx, []httpapi.EnforceItem{{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 10}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.RecordHistory(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	code, out, errs := cli(t, env, "usage", "history", "--account", acct, "--code", headroom.CodeUsers, "--scope", "instance/i-1", "--since", "1h", "--step", "1m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "Users per instance (L-9A46857E) of account "+acct+", scope instance/i-1") ||
		!strings.Contains(lines[1], "last 1h0m0s, from 2026-03-01T12:00:00Z to 2026-03-01T13:00:00Z, by 1m") ||
		lines[2] != "applied 500; highest 250 (50% of applied)" {
		t.Fatalf("output:\n%s", out)
	}
	// 60 minutes, one column each: rising from 10 to 250 of 500, then flat
	// at half height.
	spark := []rune(lines[3])
	if len(spark) != 60 || spark[0] != '▂' || spark[24] != '▅' || spark[59] != '▅' || strings.ContainsRune(lines[3], '█') {
		t.Fatalf("sparkline %q", lines[3])
	}
	code, out, errs = cli(t, env, "usage", "history", "--account", acct, "--code", headroom.CodeConnectAPIRate, "--since", "1h", "--step", "1m")
	if code != 0 || !strings.Contains(out, "applied 2 per second; highest 5 allowed in a 1m") || !strings.Contains(out, "5 allowed, 3 throttled (37.5% throttled)") {
		t.Fatalf("rate: exit %d\n%s%s", code, out, errs)
	}
	// A day by default, in points the server chooses; JSON as the API
	// answers.
	code, out, errs = cli(t, env, "-o", "json", "usage", "history", "--account", acct, "--code", headroom.CodeUsers, "--scope", "instance/i-1")
	var h httpapi.UsageHistory
	if code != 0 || json.Unmarshal([]byte(out), &h) != nil || h.Step != "1m0s" || len(h.Points) != 1440 || h.Applied != 500 {
		t.Fatalf("json: exit %d %s: step %s, %d points", code, errs, h.Step, len(h.Points))
	}
	for _, bad := range [][]string{{"--code", headroom.CodeUsers}, {"--account", acct}, {"--account", acct, "--code", headroom.CodeUsers, "--since", "-1h"},
		{"--account", acct, "--code", headroom.CodeUsers, "--step", "-5m"}} {
		code, _, errs := cli(t, env, append([]string{"usage", "history"}, bad...)...)
		if code != exitUsage || !strings.Contains(errs, "usage history") {
			t.Errorf("%v: exit %d, %s", bad, code, errs)
		}
	}
	// The server's errors come through: minute steps beyond 48 hours.
	code, _, errs = cli(t, env, "usage", "history", "--account", acct, "--code", headroom.CodeUsers, "--scope", "instance/i-1", "--since", "72h", "--step", "5m")
	if code == 0 || !strings.Contains(errs, "kept for 48h") {
		t.Fatalf("72h by 5m: exit %d, %s", code, errs)
	}
}

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		values  []float64
		ceiling float64
		want    string
	}{
		{[]float64{0, 1, 50, 100, 150}, 100, "▁▂▅██"},
		{[]float64{0, 3}, 0, "▁█"},
		{nil, 10, ""},
	} {
		if got := sparkline(tc.values, tc.ceiling); got != tc.want {
			t.Errorf("sparkline(%v, %g) = %q, want %q", tc.values, tc.ceiling, got, tc.want)
		}
	}
	// 120 values take 60 columns, each the higher of two.
	values := make([]float64, 120)
	values[119] = 10
	if got := []rune(sparkline(values, 10)); len(got) != 60 || got[59] != '█' || got[58] != '▁' {
		t.Errorf("long sparkline = %q", string(got))
	}
}

// serve's history setting: on by default, off from the config file,
// HEADROOM_HISTORY or --history=false, the flag over the rest.
func TestServeHistorySetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "headroom.yaml")
	if err := os.WriteFile(path, []byte("history: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want bool
	}{
		{nil, nil, true},
		{nil, []string{"--history=false"}, false},
		{map[string]string{"HEADROOM_HISTORY": "false"}, nil, false},
		{map[string]string{"HEADROOM_HISTORY": "false"}, []string{"--history"}, true},
		{map[string]string{"HEADROOM_CONFIG": path}, nil, false},
		{map[string]string{"HEADROOM_CONFIG": path, "HEADROOM_HISTORY": "true"}, nil, true},
	} {
		g := &globals{getenv: func(k string) string { return tc.env[k] }}
		cfg, err := serveConfig(g, tc.args)
		if err != nil || cfg.History != tc.want {
			t.Errorf("env %v, args %v: history %v, %v; want %v", tc.env, tc.args, cfg.History, err, tc.want)
		}
	}
	g := &globals{getenv: func(k string) string { return map[string]string{"HEADROOM_HISTORY": "sometimes"}[k] }}
	if _, err := serveConfig(g, nil); err == nil || !strings.Contains(err.Error(), "HEADROOM_HISTORY") {
		t.Fatalf("bad HEADROOM_HISTORY: %v", err)
	}
}
