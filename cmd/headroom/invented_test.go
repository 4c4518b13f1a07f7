package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestQuotasGetShowsInvented: `quotas get` shows, in its table and in its
// JSON, the defaults Headroom chose where the seed gives none, with source
// headroom; and an allow-list request with --scope instance/ID opens
// +447 for that instance.
func TestQuotasGetShowsInvented(t *testing.T) {
	m, _ := startMain(t, t.TempDir(), map[string]string{"HEADROOM_ADMIN_TOKEN": "hr_ops"})
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": "hr_ops"}
	if code, _, stderr := cli(t, env, "accounts", "create", "--id", "123456789012"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "HR-PROFILE-MODIFICATIONS-RATE")
	if code != 0 || !strings.Contains(out, "Defaults Headroom chose") || !strings.Contains(out, "burst 100 (source: headroom)") {
		t.Fatalf("quotas get: %d %s %s", code, out, stderr)
	}
	code, out, stderr = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "HR-CONNECT-OUTBOUND-COUNTRIES", "-o", "json")
	var q struct {
		Invented []struct{ Field, Value, Source, Note string } `json:"invented"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &q) != nil || len(q.Invented) != 1 || q.Invented[0].Field != "allow" ||
		q.Invented[0].Source != "headroom" || q.Invented[0].Note == "" {
		t.Fatalf("quotas get -o json: %d %s %s", code, out, stderr)
	}
	code, out, _ = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1")
	if code != 0 || strings.Contains(out, "Headroom chose") {
		t.Fatalf("a quota all from the seed: %d %s", code, out)
	}

	// +447 for one instance, natively.
	code, out, stderr = cli(t, env, "requests", "create", "--account", "123456789012", "--type", "outbound-countries", "--allow", "447",
		"--scope", "instance/i-1", "-o", "json")
	var r struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.ID == "" {
		t.Fatalf("requests create: %d %s %s", code, out, stderr)
	}
	if code, out, stderr := cli(t, env, "requests", "approve", r.ID); code != 0 {
		t.Fatalf("approve: %d %s %s", code, out, stderr)
	}
	code, out, _ = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "HR-CONNECT-OUTBOUND-COUNTRIES", "--scope", "instance/i-1")
	if code != 0 || !strings.Contains(out, "allow +1 +44 +447") {
		t.Fatalf("instance list: %d %s", code, out)
	}
	code, out, _ = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "HR-CONNECT-OUTBOUND-COUNTRIES")
	if code != 0 || !strings.Contains(out, "allow +1 +44 deny +447") {
		t.Fatalf("account list: %d %s", code, out)
	}
}
