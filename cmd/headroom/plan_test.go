package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom/clock"
)

// startMainAt runs a server whose clock reads at and stands still.
func startMainAt(t *testing.T, at time.Time) (*Main, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = dir
	m.Clock = clock.NewManual(at)
	m.Stderr = &lockedBuffer{}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m, map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": strings.TrimSpace(string(mustRead(t, filepath.Join(dir, AdminTokenFile))))}
}

// readmeSection returns the sh commands and the text output of a README
// section.
func readmeSection(t *testing.T, readme, title string) (cmds [][]string, output string) {
	t.Helper()
	_, sec, ok := strings.Cut(readme, "\n"+title+"\n")
	if !ok {
		t.Fatalf("README has no %q", title)
	}
	if i := strings.Index(sec, "\n## "); i >= 0 {
		sec = sec[:i]
	}
	_, sh, ok := strings.Cut(sec, "```sh\n")
	if !ok {
		t.Fatal("no sh block")
	}
	sh, rest, _ := strings.Cut(sh, "```")
	for _, line := range strings.Split(sh, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "headroom" {
			cmds = append(cmds, f[1:])
		}
	}
	_, text, ok := strings.Cut(rest, "```text\n")
	if !ok {
		t.Fatal("no text block")
	}
	output, _, _ = strings.Cut(text, "```")
	return cmds, output
}

// The README's "Plan ahead" example really works: its commands, run on the
// example files against a server whose clock reads 1 December 2026, print
// exactly the table the README shows and write exactly its chart.
func TestREADMEPlanAhead(t *testing.T) {
	t.Chdir("../..")
	readme := string(mustRead(t, "README.md"))
	cmds, want := readmeSection(t, readme, "## Plan ahead")
	if len(cmds) < 2 || cmds[len(cmds)-1][0] != "plan" {
		t.Fatalf("commands: %v", cmds)
	}
	_, env := startMainAt(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	chart := filepath.Join(t.TempDir(), "plan.svg")
	var got string
	for _, args := range cmds {
		for i, a := range args {
			if i > 0 && args[i-1] == "--chart" {
				if a != "docs/plan/plan.svg" {
					t.Fatalf("the README's chart is %s, not docs/plan/plan.svg", a)
				}
				args[i] = chart
			}
		}
		code, out, errs := cli(t, env, args...)
		if code != 0 {
			t.Fatalf("headroom %v: exit %d: %s", args, code, errs)
		}
		got = out
	}
	if got != want {
		t.Fatalf("README's plan output differs.\n--- got:\n%s--- README:\n%s", got, want)
	}
	if !bytes.Equal(mustRead(t, chart), mustRead(t, "docs/plan/plan.svg")) {
		t.Fatal("docs/plan/plan.svg is not what the README's command writes; regenerate it")
	}
	if !strings.Contains(readme, "![") || !strings.Contains(readme, "](docs/plan/plan.svg)") {
		t.Fatal("the README does not show the chart")
	}
}

// headroom plan -o json: the fixed fields; bad flags and bad files.
func TestPlanCommand(t *testing.T) {
	_, env := startMainAt(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if code, _, errs := cli(t, env, "accounts", "create", "--id", "123456789012"); code != 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "week.csv")
	os.WriteFile(csv, []byte("start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,120,300\n"), 0o644)
	// A YAML of the forecast's own name beside it is read without --growth.
	os.WriteFile(filepath.Join(dir, "week.yaml"), []byte("resources:\n  - date: 2027-02-01\n    users: 501\n"), 0o644)
	code, out, errs := cli(t, env, "plan", "--account", "123456789012", "--instance", "i-1", "--forecast", csv, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Quotas []struct {
			Code     string  `json:"code"`
			Name     string  `json:"name"`
			Applied  float64 `json:"applied"`
			Peak     float64 `json:"peak"`
			BreaksAt *string `json:"breaks_at"`
		} `json:"quotas"`
		Requests []struct {
			Code   string  `json:"code"`
			Value  float64 `json:"value"`
			FileBy string  `json:"file_by"`
		} `json:"requests"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.Quotas) != 2 || len(res.Requests) != 2 || res.Quotas[0].BreaksAt == nil || *res.Quotas[0].BreaksAt != "2027-01-04T08:00:00Z" ||
		res.Quotas[1].Code != "L-9A46857E" || *res.Quotas[1].BreaksAt != "2027-02-01T00:00:00Z" || res.Requests[0].FileBy != "2026-12-30T08:00:00Z" {
		t.Fatalf("%s", out)
	}
	// --file-requests: filed once; the second run finds them open.
	for i, want := range []string{"CASE_OPENED\n", "CASE_OPENED (already open)\n"} {
		code, out, errs := cli(t, env, "plan", "--account", "123456789012", "--instance", "i-1", "--forecast", csv, "--file-requests")
		if code != 0 || strings.Count(out, want) != 2 {
			t.Fatalf("run %d: exit %d, %s\n%s", i, code, errs, out)
		}
	}
	// --simulate: the check by simulation, beside the plan.
	code, out, errs = cli(t, env, "plan", "--account", "123456789012", "--instance", "i-1", "--forecast", csv, "--simulate", "3", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var sim struct {
		Simulation struct {
			Runs   int `json:"runs"`
			Quotas []struct {
				Code     string  `json:"code"`
				Offered  int64   `json:"offered"`
				Measured float64 `json:"measured"`
				Model    float64 `json:"model"`
			} `json:"quotas"`
			Speed float64 `json:"simulated_hours_per_cpu_second"`
		} `json:"simulation"`
	}
	if err := json.Unmarshal([]byte(out), &sim); err != nil {
		t.Fatal(err)
	}
	// 120 calls in half an hour on the default 10 concurrent calls: most
	// hear the reorder tone, in the model and in the engine.
	s := sim.Simulation
	if s.Runs != 3 || len(s.Quotas) != 1 || s.Quotas[0].Code != "L-12AB7C57" || s.Quotas[0].Offered < 250 ||
		s.Quotas[0].Measured < 0.3 || math.Abs(s.Quotas[0].Measured-s.Quotas[0].Model) > 0.15 || s.Speed <= 0 {
		t.Fatalf("%+v", s)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plan", "--account", "123456789012", "--forecast", csv, "--simulate", "-1"}, exitUsage, "--simulate"},
		{[]string{"plan", "--account", "123456789012"}, exitUsage, "plan needs --forecast"},
		{[]string{"plan", "--account", "123456789012", "--forecast", csv, "--lead-time", "soon"}, exitUsage, "--lead-time"},
		{[]string{"plan", "--account", "123456789012", "--forecast", filepath.Join(dir, "none.csv")}, exitError, "none.csv"},
		{[]string{"plan", "--account", "123456789012", "--forecast", csv, "--growth", csv}, exitError, "growth: week.csv: "},
	} {
		code, _, errs := cli(t, env, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %s; want %d naming %q", c.args, code, errs, c.code, c.want)
		}
	}
	os.WriteFile(csv, []byte("start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,many,300\n"), 0o644)
	code, _, errs = cli(t, env, "plan", "--account", "123456789012", "--forecast", csv)
	if code != exitError || !strings.Contains(errs, "week.csv:2:3: column calls") {
		t.Fatalf("bad row: exit %d, %s", code, errs)
	}
}
