package server_test

import (
	"io"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/server"
)

// GET /metrics exports headroom_quota_usage_ratio for every usage counter
// above zero: reserved usage over the applied value, an override counted.
func TestUsageRatioGauge(t *testing.T) {
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.AdminToken = "127.0.0.1:0", "memory", adminToken
	m.Stderr = io.Discard
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e := m.Engine()
	if _, _, err := e.CreateAccount(t.Context(), headroom.Account{ID: "123456789012"}, "test"); err != nil {
		t.Fatal(err)
	}
	// 4 of the instance's users, against an override of 5: 0.8.
	if err := e.SetOverride(t.Context(), headroom.Override{Account: "123456789012", Code: headroom.CodeUsers, Scope: "instance/i-1", Value: 5}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Do(t.Context(), headroom.Request{Op: headroom.OpReserve, Account: "123456789012", Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 4}); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, m.URL()+"/metrics")
	want := `headroom_quota_usage_ratio{account="123456789012",code="` + headroom.CodeUsers + `",scope="instance/i-1"} 0.8`
	if !strings.Contains(body, want) {
		t.Fatalf("GET /metrics lacks %s:\n%s", want, grep(body, "headroom_quota_usage_ratio"))
	}
}

func grep(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
