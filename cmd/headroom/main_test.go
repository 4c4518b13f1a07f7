package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a goroutine-safe buffer for a server's log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startMain runs a server on a random loopback port with its data in dir.
func startMain(t *testing.T, dir string, env map[string]string) (*Main, *lockedBuffer) {
	t.Helper()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = dir
	m.Config.AdminToken = env["HEADROOM_ADMIN_TOKEN"]
	logs := &lockedBuffer{}
	m.Stderr = logs
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v\n%s", err, logs)
	}
	return m, logs
}

// cli runs one client command line against the server and returns the
// exit code, stdout and stderr.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	m, logs := startMain(t, dir, nil)
	defer m.Close()

	// First start: a generated operator token, kept 0600, never logged.
	tokenPath := filepath.Join(dir, AdminTokenFile)
	data, err := os.ReadFile(tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(data))
	if fi, _ := os.Stat(tokenPath); fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v", fi.Mode().Perm())
	}
	if !strings.Contains(logs.String(), tokenPath) || strings.Contains(logs.String(), token) {
		t.Fatalf("log should name the token file, not the token:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "headroom listening") || !strings.Contains(logs.String(), "sqlite") {
		t.Fatalf("no start line naming the store:\n%s", logs)
	}
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": token}

	code, out, stderr := cli(t, env, "accounts", "create", "--id", "123456789012", "--created", "2020-03-01", "-o", "json")
	if code != 0 {
		t.Fatalf("accounts create: %d %s", code, stderr)
	}
	var created struct{ AccountID, AccessKeyID, SecretAccessKey string }
	if err := json.Unmarshal([]byte(out), &struct {
		A *string `json:"account_id"`
		K *string `json:"access_key_id"`
		S *string `json:"secret_access_key"`
	}{&created.AccountID, &created.AccessKeyID, &created.SecretAccessKey}); err != nil || created.AccountID != "123456789012" || created.AccessKeyID == "" || created.SecretAccessKey == "" {
		t.Fatalf("accounts create output: %q %v", out, err)
	}
	// Global flags also after the command, and from flags over env.
	code, out, _ = cli(t, map[string]string{}, "accounts", "list", "--server", m.URL(), "--token", token)
	if code != 0 || !strings.Contains(out, "123456789012") || !strings.HasPrefix(out, "ACCOUNT") {
		t.Fatalf("accounts list: %d %q", code, out)
	}
	code, out, _ = cli(t, env, "accounts", "keys", "create", "--id", "123456789012", "-o", "json")
	if code != 0 || !strings.Contains(out, `"access_key_id"`) || !strings.Contains(out, `"secret_access_key"`) {
		t.Fatalf("keys create: %d %q", code, out)
	}

	code, out, _ = cli(t, env, "quotas", "list", "--account", "123456789012", "--service", "connect", "--scope", "instance/i-1")
	if code != 0 || !regexp.MustCompile(`L-9A46857E\s+Users per instance\s+instance/i-1\s+500\s+0\s+0.0%\s+yes`).MatchString(out) {
		t.Fatalf("quotas list: %d\n%s", code, out)
	}
	code, _, stderr = cli(t, env, "overrides", "set", "--account", "123456789012", "--code", "L-D945C9A8", "--value", "60")
	if code != 1 || !strings.Contains(stderr, "cannot be increased") {
		t.Fatalf("override of a fixed quota: %d %q", code, stderr)
	}
	code, out, _ = cli(t, env, "overrides", "set", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "--value", "3", "-o", "json")
	if code != 0 || !strings.Contains(out, `"level": "resource"`) {
		t.Fatalf("override: %d %q", code, out)
	}

	// Enforcement over plain HTTP, as curl would: the fourth user is refused.
	body := `{"items":[{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1}]}`
	var last map[string]any
	for i := 0; i < 4; i++ {
		last = post(t, m.URL()+"/v1/enforce", token, body)
	}
	res := last["results"].([]any)[0].(map[string]any)
	if res["allowed"] != false || res["error"].(map[string]any)["message"] != "Users per instance quota of 3 reached for instance i-1 (3 in use, 1 requested)" {
		t.Fatalf("fourth user: %v", res)
	}
	code, out, _ = cli(t, env, "usage", "--account", "123456789012")
	if code != 0 || !strings.Contains(out, "100.0%") {
		t.Fatalf("usage: %d %q", code, out)
	}
	code, out, _ = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"usage": 3`) {
		t.Fatalf("quotas get: %d %q", code, out)
	}

	// Usage errors exit 2; server errors exit 1 with the server's message.
	for _, args := range [][]string{{"frobnicate"}, {"quotas", "list", "--bogus"}, {"quotas", "list"}, {"-o", "yaml", "accounts", "list"}, {}} {
		if code, _, stderr := cli(t, env, args...); code != 2 || !strings.Contains(stderr, "Usage:") {
			t.Fatalf("%v: exit %d %q", args, code, stderr)
		}
	}
	if code, _, stderr := cli(t, map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": "hr_wrong"}, "accounts", "list"); code != 1 || !strings.Contains(stderr, "unknown or revoked token") {
		t.Fatalf("wrong token: %d %q", code, stderr)
	}
	if code, _, stderr := cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-NOPE1234"); code != 1 || !strings.Contains(stderr, "no quota with code") {
		t.Fatalf("unknown quota: %d %q", code, stderr)
	}

	// A restart keeps the accounts, usage and the operator token.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m2, _ := startMain(t, dir, nil)
	defer m2.Close()
	env["HEADROOM_SERVER"] = m2.URL()
	code, out, _ = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"usage": 3`) || !strings.Contains(out, `"value": 3`) {
		t.Fatalf("after restart: %d %q", code, out)
	}
}

func post(t *testing.T, url, token, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %s", url, data)
	}
	return m
}

// TestServeCommandStopsOnSignal runs the serve command as main does and
// cancels its context, as SIGTERM would: it must exit 0 after closing.
func TestServeCommandStopsOnSignal(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan int, 1)
	env := map[string]string{"HEADROOM_ADMIN_TOKEN": "hr_e2e-operator"}
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, func(k string) string { return env[k] }, io.Discard, logs)
	}()
	// Wait for the start line, then find the address in it.
	re := regexp.MustCompile(`url=(http://\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	var url string
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", logs)
		}
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			url = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, err := http.Get(url + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	if _, err := os.Stat(filepath.Join(dir, AdminTokenFile)); !os.IsNotExist(err) {
		t.Fatalf("a token file was written although HEADROOM_ADMIN_TOKEN was set: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(logs.String(), "headroom stopped") {
			t.Fatalf("exit %d:\n%s", code, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		mod   func(*Config)
		field string
	}{
		{func(c *Config) { c.Addr = "nope" }, "addr"},
		{func(c *Config) { c.Store = "mysql" }, "store"},
		{func(c *Config) { c.LogLevel = "loud" }, "log_level"},
		{func(c *Config) { c.MaxBodyBytes = 10 }, "max_body_bytes"},
		{func(c *Config) { c.DataDir = "" }, "data"},
		{func(c *Config) { c.Store = "postgres://u:pw@host:5432/db\x7f" }, "store"},
		{func(c *Config) { c.StoreTimeout = -time.Second }, "store_timeout"},
		{func(c *Config) { c.Limiter = "memcached://x" }, "limiter"},
		{func(c *Config) { c.Limiter = "redis://h:6379/%zz" }, "limiter"},
		{func(c *Config) { c.LimiterFail = "maybe" }, "limiter_fail"},
	} {
		c := DefaultConfig()
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("want error naming %s, got %v", tc.field, err)
		}
	}
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// A bad URL's password never shows in the error.
	bad := DefaultConfig()
	bad.Store = "postgres://u:hunter2@host:5432/db\x7f"
	if err := bad.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad postgres URL: %v", err)
	}
	bad.Store = "mysql://u:hunter2@host/db"
	if err := bad.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("unknown store URL: %v", err)
	}
	good := DefaultConfig()
	good.Store, good.Limiter, good.LimiterFail = "postgres://postgres@127.0.0.1:5432/test", "redis://127.0.0.1:6379/0", "closed"
	if err := good.Validate(); err != nil {
		t.Fatalf("postgres and redis URLs: %v", err)
	}
	// A config file with an unknown field is refused, naming it.
	path := filepath.Join(t.TempDir(), "headroom.yaml")
	os.WriteFile(path, []byte("addr: 127.0.0.1:9999\nport: 1\n"), 0o600)
	if err := loadConfigFile(&c, path); err == nil || !strings.Contains(err.Error(), "port") {
		t.Fatalf("unknown config field: %v", err)
	}
	os.WriteFile(path, []byte("addr: 127.0.0.1:9999\nstore: memory\n"), 0o600)
	if err := loadConfigFile(&c, path); err != nil || c.Addr != "127.0.0.1:9999" || c.Store != "memory" {
		t.Fatalf("config file: %+v %v", c, err)
	}
	// Environment overrides the file.
	if err := applyEnv(&c, func(k string) string { return map[string]string{"HEADROOM_ADDR": "127.0.0.1:1234"}[k] }); err != nil || c.Addr != "127.0.0.1:1234" {
		t.Fatalf("env: %+v %v", c, err)
	}
}

func TestRequestsWorkflowCLI(t *testing.T) {
	m, _ := startMain(t, t.TempDir(), map[string]string{"HEADROOM_ADMIN_TOKEN": "hr_ops"})
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": "hr_ops"}
	if code, _, stderr := cli(t, env, "accounts", "create", "--id", "123456789012"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := cli(t, env, "requests", "create", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "--value", "800", "-o", "json")
	if code != 0 || !strings.Contains(out, `"status": "CASE_OPENED"`) {
		t.Fatalf("create: %d %s %s", code, out, stderr)
	}
	var r struct{ ID string }
	json.Unmarshal([]byte(out), &r)
	code, out, _ = cli(t, env, "requests", "list", "--status", "case_opened")
	if code != 0 || !strings.Contains(out, r.ID) || !strings.Contains(out, "CASE_OPENED") {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, _, stderr := cli(t, env, "requests", "deny", r.ID); code != 2 || !strings.Contains(stderr, "--reason") {
		t.Fatalf("deny without reason: %d %s", code, stderr)
	}
	code, out, _ = cli(t, env, "requests", "approve", r.ID, "--value", "700")
	if code != 0 || !strings.Contains(out, "APPROVED") || !strings.Contains(out, "700") {
		t.Fatalf("approve: %d %s", code, out)
	}
	code, out, _ = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"value": 700`) {
		t.Fatalf("after approval: %s", out)
	}
	if code, _, stderr := cli(t, env, "requests", "approve", r.ID); code != 1 || !strings.Contains(stderr, "already APPROVED") {
		t.Fatalf("approve twice: %d %s", code, stderr)
	}
	// Outbound countries, including UK mobiles, through the same intake.
	code, out, _ = cli(t, env, "requests", "create", "--account", "123456789012", "--type", "outbound-countries", "--allow", "49,447", "--deny", "1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"+447"`) {
		t.Fatalf("allow-list request: %d %s", code, out)
	}
	json.Unmarshal([]byte(out), &r)
	if code, _, _ := cli(t, env, "requests", "approve", r.ID); code != 0 {
		t.Fatal("approve allow-list")
	}
	body := `{"items":[{"op":"check","account":"123456789012","code":"HR-CONNECT-OUTBOUND-COUNTRIES","value":"+447700900123"},
		{"op":"check","account":"123456789012","code":"HR-CONNECT-OUTBOUND-COUNTRIES","value":"+12065550100"}]}`
	res := post(t, m.URL()+"/v1/enforce", "hr_ops", body)["results"].([]any)
	if res[0].(map[string]any)["allowed"] != true || res[1].(map[string]any)["allowed"] != false {
		t.Fatalf("allow-list after approval: %v", res)
	}
	// Porting a US number, denied with a reason.
	code, out, _ = cli(t, env, "requests", "create", "--account", "123456789012", "--type", "port-number", "--number", "+12065550100", "-o", "json")
	if code != 0 {
		t.Fatalf("porting: %s", out)
	}
	json.Unmarshal([]byte(out), &r)
	if code, out, _ := cli(t, env, "requests", "deny", r.ID, "--reason", "number is not portable"); code != 0 || !strings.Contains(out, "DENIED") {
		t.Fatalf("deny: %d %s", code, out)
	}
	// The audit log shows every transition with who and what.
	code, out, _ = cli(t, env, "audit", "--account", "123456789012")
	if code != 0 {
		t.Fatalf("audit: exit %d", code)
	}
	for _, want := range []string{"request.case_opened", "request.approved", "request.denied", "500 → 700", "operator"} {
		if !strings.Contains(out, want) {
			t.Fatalf("audit lacks %q:\n%s", want, out)
		}
	}
}

func TestAutoApprovalFromConfig(t *testing.T) {
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.Store, m.Config.AdminToken = "127.0.0.1:0", t.TempDir(), "memory", "hr_ops"
	if err := applyEnv(&m.Config, func(k string) string {
		return map[string]string{"HEADROOM_AUTO_APPROVE": "L-9A46857E, L-12AB7C57"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	m.Stderr = io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": "hr_ops"}
	cli(t, env, "accounts", "create", "--id", "123456789012")
	// Up to 2× the default is approved at once; beyond it goes to review.
	if code, out, _ := cli(t, env, "requests", "create", "--account", "123456789012", "--code", "L-9A46857E", "--value", "1000"); code != 0 || !strings.Contains(out, "APPROVED") {
		t.Fatalf("within policy: %d %s", code, out)
	}
	if code, out, _ := cli(t, env, "requests", "create", "--account", "123456789012", "--code", "L-12AB7C57", "--value", "21"); code != 0 || !strings.Contains(out, "CASE_OPENED") {
		t.Fatalf("beyond policy: %d %s", code, out)
	}
	// A code that cannot be increased is refused at start.
	bad := NewMain()
	bad.Config.Addr, bad.Config.Store, bad.Config.AdminToken, bad.Config.AutoApprove = "127.0.0.1:0", "memory", "x", []string{"L-D945C9A8"}
	bad.Stderr = io.Discard
	if err := bad.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot be increased") {
		bad.Close()
		t.Fatalf("bad policy: %v", err)
	}
}
