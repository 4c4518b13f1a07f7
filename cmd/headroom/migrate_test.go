package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/server"
	"github.com/headroomhq/headroom/sqlite"
)

// dirFiles is every file of dir with a hash of its content.
func dirFiles(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		if e.IsDir() { // the attachments folder: migrate reads it, and addAttachment checks it
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %x\n", e.Name(), sha256.Sum256(data))
	}
	return b.String()
}

// dataKey reads the secret key file of a data directory.
func dataKey(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := decodeSecretKey("key", strings.TrimSpace(string(mustRead(t, filepath.Join(dir, server.SecretKeyFile)))))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The webhook fillThroughServer adds through the command-line client.
const (
	cliWebhookURL    = "https://hooks.example.com/headroom"
	cliWebhookSecret = "whsec_given_to_the_cli_0123456789"
)

// fillThroughServer runs a server on dir and changes its state through
// the command-line client and the HTTP API: an account with its access
// key, an override, usage, a token, an approved change request, an alarm
// rule and a webhook. It returns the operator token.
func fillThroughServer(t *testing.T, dir string) string {
	t.Helper()
	m, _ := startMain(t, dir, nil)
	defer m.Close()
	token := strings.TrimSpace(string(mustRead(t, filepath.Join(dir, AdminTokenFile))))
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": token}
	for _, args := range [][]string{
		{"accounts", "create", "--id", "123456789012", "--created", "2020-03-01"},
		{"overrides", "set", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "--value", "3"},
		{"tokens", "create", "--name", "billing", "--role", "service", "--account", "123456789012"},
		{"requests", "create", "--account", "123456789012", "--code", "L-9A46857E", "--value", "900"},
		{"alarms", "set", "--account", "123456789012", "--code", "L-9A46857E", "--warning", "0.9", "--critical", "0.95", "--throttle-count", "7"},
		{"webhooks", "add", "--url", cliWebhookURL, "--account", "123456789012", "--secret", cliWebhookSecret},
	} {
		if code, out, errs := cli(t, env, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	body := `{"items":[{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":2,"idempotency_key":"k-1"}]}`
	post(t, m.URL()+"/v1/enforce", token, body)
	return token
}

// TestMigrate copies a data directory filled through a server and through
// the store API into a new one, checks that the source is untouched and
// that a server on the copy serves the same state with the same operator
// token, and that migrate refuses what it must.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	token := fillThroughServer(t, src)
	// Every other kind of state, through the store API.
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(src, DatabaseFile), SecretKey: dataKey(t, src)})
	if err != nil {
		t.Fatal(err)
	}
	storetest.FillSnapshot(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	attachment := addAttachment(t, src)
	before := dirFiles(t, src)
	want, err := sqlite.ExportFile(ctx, filepath.Join(src, DatabaseFile), dataKey(t, src))
	if err != nil {
		t.Fatal(err)
	}
	wantCLIAlarms(t, "the source", want)

	dst := filepath.Join(t.TempDir(), "new")
	code, out, errs := cli(t, nil, "migrate", "--from", src, "--to", "sqlite:"+dst)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("migrate:\n%s%s", out, errs)
	if !regexp.MustCompile(`(?m)^accounts\s+3$`).MatchString(out) || !regexp.MustCompile(`(?m)^resources\s+4$`).MatchString(out) ||
		!strings.Contains(out, "checked the copy") {
		t.Fatalf("migrate output lacks the counts or the check:\n%s", out)
	}
	if after := dirFiles(t, src); after != before {
		t.Fatalf("migrate changed the source directory:\nbefore:\n%safter:\n%s", before, after)
	}
	if !regexp.MustCompile(`(?m)^chat attachments\s+1$`).MatchString(out) {
		t.Fatalf("migrate output lacks the attachments copied:\n%s", out)
	}
	if got := mustRead(t, filepath.Join(dst, "attachments", filepath.FromSlash(attachment.path))); !bytes.Equal(got, attachment.data) {
		t.Fatalf("the copied attachment = %q", got)
	}
	if !regexp.MustCompile(`(?m)^alarm rules\s+3$`).MatchString(out) || !regexp.MustCompile(`(?m)^webhooks\s+3$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^notifications\s+4$`).MatchString(out) {
		t.Fatalf("migrate output lacks the alarm counts:\n%s", out)
	}
	// The copy has its own key, and the source's operator token, paging
	// key and console key, so that console sessions go on.
	for _, name := range []string{AdminTokenFile, server.PagingKeyFile, server.ConsoleKeyFile} {
		if string(mustRead(t, filepath.Join(dst, name))) != string(mustRead(t, filepath.Join(src, name))) {
			t.Errorf("the copy's %s differs from the source's", name)
		}
	}
	if string(dataKey(t, dst)) == string(dataKey(t, src)) {
		t.Error("the copy's secrets are sealed with the source's key; want a new key")
	}
	if fi, err := os.Stat(filepath.Join(dst, server.SecretKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the copy's key file: %v %v; want mode 0600", fi, err)
	}
	got, err := sqlite.ExportFile(ctx, filepath.Join(dst, DatabaseFile), dataKey(t, dst))
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.SnapshotDiff(got, want); d != "" {
		t.Fatalf("the copy differs from the source: %s", d)
	}
	wantCLIAlarms(t, "the copy", got)

	// A server on the copy serves the same state to the same token.
	m, _ := startMain(t, dst, nil)
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": token}
	code, out, errs = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"usage": 2`) || !strings.Contains(out, `"value": 3`) {
		t.Fatalf("quotas get on the copy: exit %d\n%s%s", code, out, errs)
	}
	k, err := m.Engine().FindAccessKey(ctx, "AKIAZZZZ")
	if err != nil || k.Secret != "secret-z" {
		t.Fatalf("access key on the copy = %+v, %v", k, err)
	}
	wantCLIAlarmsServed(t, env, m.Engine())
	code, out, _ = cli(t, env, "requests", "list", "-o", "json")
	var reqs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &reqs) != nil || len(reqs) != 3 {
		t.Fatalf("requests list on the copy: exit %d\n%s", code, out)
	}

	// The source in use by a running server is refused, and so is a
	// destination that is not empty (the copy, served now or not).
	m2, _ := startMain(t, src, nil)
	code, _, errs = cli(t, nil, "migrate", "--from", src, "--to", "sqlite:"+t.TempDir())
	m2.Close()
	if code != 1 || !strings.Contains(errs, "in use") {
		t.Fatalf("migrate of a source in use: exit %d %s", code, errs)
	}
	m.Close()
	held := exportDir(t, dst)
	code, _, errs = cli(t, nil, "migrate", "--from", src, "--to", "sqlite:"+dst)
	if code != 1 || !strings.Contains(errs, "not empty") {
		t.Fatalf("migrate into a store that is not empty: exit %d %s", code, errs)
	}
	if d := storetest.SnapshotDiff(exportDir(t, dst), held); d != "" {
		t.Fatalf("a refused migrate changed the destination: %s", d)
	}
}

// wantCLIAlarms fails t unless snap holds the alarm rule and the webhook,
// with its secret in clear, that fillThroughServer made through the
// command-line client.
func wantCLIAlarms(t *testing.T, where string, snap headroom.Snapshot) {
	t.Helper()
	rule := false
	for _, r := range snap.AlarmRules {
		rule = rule || (r.Account == "123456789012" && r.Code == "L-9A46857E" && r.Thresholds.Warning == 0.9 &&
			r.Thresholds.Critical == 0.95 && r.ThrottleCount == 7)
	}
	hook := false
	for _, w := range snap.Webhooks {
		hook = hook || (w.URL == cliWebhookURL && w.Account == "123456789012" && w.Secret == cliWebhookSecret)
	}
	if !rule || !hook {
		t.Fatalf("%s lacks the alarm rule (%v) or the webhook (%v) made through the CLI: rules %+v, webhooks %+v",
			where, rule, hook, snap.AlarmRules, snap.Webhooks)
	}
}

// wantCLIAlarmsServed fails t unless a server, on env, lists the alarm
// rule and the webhook made through the command-line client, and its
// engine gives the webhook's secret to the dispatcher.
func wantCLIAlarmsServed(t *testing.T, env map[string]string, e *headroom.Engine) {
	t.Helper()
	code, out, errs := cli(t, env, "webhooks", "list", "-o", "json")
	if code != 0 || !strings.Contains(out, cliWebhookURL) {
		t.Fatalf("webhooks list on the copy: exit %d\n%s%s", code, out, errs)
	}
	hooks, err := e.ListWebhooks(context.Background())
	if err != nil || len(hooks) == 0 {
		t.Fatalf("ListWebhooks on the copy = %+v, %v", hooks, err)
	}
	for _, h := range hooks {
		if h.URL != cliWebhookURL {
			continue
		}
		if w, err := e.FindWebhook(context.Background(), h.ID); err != nil || w.Secret != cliWebhookSecret {
			t.Fatalf("FindWebhook(%s) on the copy = %+v, %v; want the secret given to the CLI", h.ID, w, err)
		}
	}
	rules, err := e.ListAlarmRules(context.Background())
	if err != nil || !strings.Contains(fmt.Sprintf("%+v", rules), "L-9A46857E") {
		t.Fatalf("ListAlarmRules on the copy = %+v, %v", rules, err)
	}
}

func exportDir(t *testing.T, dir string) headroom.Snapshot {
	t.Helper()
	snap, err := sqlite.ExportFile(context.Background(), filepath.Join(dir, DatabaseFile), dataKey(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestMigrateErrors: each mistake is refused with a message that names it,
// before anything is written.
func TestMigrateErrors(t *testing.T) {
	src := t.TempDir()
	fillThroughServer(t, src)
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no flags", []string{"migrate"}, exitUsage, "needs --from"},
		{"no --to", []string{"migrate", "--from", src}, exitUsage, "needs --to"},
		{"missing source", []string{"migrate", "--from", filepath.Join(empty, "nope"), "--to", "sqlite:" + filepath.Join(empty, "x")}, exitError, "no such directory"},
		{"no database", []string{"migrate", "--from", empty, "--to", "sqlite:" + filepath.Join(empty, "x")}, exitError, "holds no database"},
		{"unknown scheme", []string{"migrate", "--from", src, "--to", "mysql://db/headroom"}, exitUsage, `unknown kind of store "mysql"`},
		{"no scheme", []string{"migrate", "--from", src, "--to", filepath.Join(empty, "x")}, exitUsage, "names no kind of store"},
		{"source as destination", []string{"migrate", "--from", src, "--to", "sqlite:" + src}, exitUsage, "source directory"},
		{"wrong source key", []string{"migrate", "--from", src, "--to", "sqlite:" + filepath.Join(empty, "x")}, exitError, "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dirFiles(t, src)
			env := map[string]string{}
			if tc.name == "wrong source key" {
				env["HEADROOM_SECRET_KEY"] = strings.Repeat("ab", sqlite.SecretKeySize)
			}
			code, out, errs := cli(t, env, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, want %d; stderr should say %q:\n%s%s", code, tc.code, tc.want, out, errs)
			}
			if after := dirFiles(t, src); after != before {
				t.Fatal("a refused migrate changed the source directory")
			}
			if _, err := os.Stat(filepath.Join(empty, "x")); err == nil {
				t.Fatal("a refused migrate made the destination")
			}
		})
	}
}

// The check after a copy finds any difference, and names where it is; a
// NaN, which SQLite keeps as NULL, equals itself.
func TestSnapshotDiff(t *testing.T) {
	a := headroom.Snapshot{
		Overrides: []headroom.Override{{Account: "123456789012", Code: "L-1", Value: math.NaN()}},
		Audit:     []headroom.AuditEntry{{ID: 1, Action: "a"}, {ID: 2, Action: "b"}},
	}
	b := a
	b.Overrides = []headroom.Override{{Account: "123456789012", Code: "L-1", Value: math.NaN()}}
	b.Audit = []headroom.AuditEntry{{ID: 1, Action: "a"}, {ID: 2, Action: "b"}}
	if d := snapshotDiff(a, b); d != "" {
		t.Fatalf("equal snapshots differ: %s", d)
	}
	b.Audit[1].Detail = "changed"
	if d := snapshotDiff(a, b); !strings.Contains(d, "Audit[1]") {
		t.Fatalf("diff = %q; want it to name Audit[1]", d)
	}
	b.Audit = b.Audit[:1]
	if d := snapshotDiff(a, b); !strings.Contains(d, "the copy has 2 Audit, the source 1") {
		t.Fatalf("diff = %q; want the counts", d)
	}
	c := a
	c.LastAuditID = 9
	if d := snapshotDiff(c, a); !strings.Contains(d, "LastAuditID") {
		t.Fatalf("diff = %q; want it to name LastAuditID", d)
	}
}

// anAttachment is a chat attachment's bytes in a data directory.
type anAttachment struct {
	path string // account/contact/id under attachments/
	data []byte
}

// addAttachment puts a chat attachment's bytes in dir's attachments
// folder, where a node on the SQLite store keeps them.
func addAttachment(t *testing.T, dir string) anAttachment {
	t.Helper()
	a := anAttachment{"123456789012/contact-1/attachment-1", []byte("%PDF-1.4 a receipt")}
	path := filepath.Join(dir, "attachments", filepath.FromSlash(a.path))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, a.data, 0o600); err != nil {
		t.Fatal(err)
	}
	return a
}
