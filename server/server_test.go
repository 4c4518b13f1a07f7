package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/server"
)

const adminToken = "hr_test-operator-secret"

// start runs a server on a loopback port with an in-memory store, a
// manual clock and mod applied to it.
func start(t *testing.T, mod func(*server.Server)) (*server.Server, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", "memory", "", adminToken
	m.Clock, m.Stderr = clk, io.Discard
	if mod != nil {
		mod(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, clk
}

// A path no API serves answers in the native shape and with the error
// name AWS SDKs read.
func TestUnknownPaths(t *testing.T) {
	m, _ := start(t, nil)
	req, _ := http.NewRequest("DELETE", m.URL()+"/routing-profiles/i-1/rp-1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" ||
		!strings.Contains(body["message"], "does not serve DELETE /routing-profiles/i-1/rp-1") {
		t.Fatalf("unknown path: %d %v %v", resp.StatusCode, resp.Header, body)
	}
	// Every API answers on the one address.
	for path, want := range map[string]int{"/healthz": 200, "/v1/accounts": 401, "/instance": 403} {
		resp, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// waitMaintained waits until the server has completed n more maintenance
// passes than it had.
func waitMaintained(t *testing.T, m *server.Server, n int64) {
	t.Helper()
	want := m.Maintained() + n
	deadline := time.Now().Add(20 * time.Second)
	for m.Maintained() < want {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d maintenance passes", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// The server purges the memory store as it does every store: old
// idempotency keys are forgotten and old audit entries removed, by the
// engine's clock.
func TestMaintenance(t *testing.T) {
	ctx := context.Background()
	m, clk := start(t, func(m *server.Server) {
		m.Config.MaintainInterval = time.Millisecond
		m.Config.IdempotencyRetention = time.Hour
		m.Config.AuditRetention = 2 * time.Hour
	})
	e := m.Engine()
	const acct = "123456789012"
	if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: acct}, "test"); err != nil {
		t.Fatal(err)
	}
	reserve := func() headroom.Decision {
		d, err := e.Do(ctx, headroom.Request{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeInstances, Amount: 1, IdempotencyKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	reserve()
	// With the clock standing still, the key is kept: a retry replays.
	waitMaintained(t, m, 2)
	if d := reserve(); !d.Replayed || d.Used != 1 {
		t.Fatalf("retry before the retention: %+v, want a replay", d)
	}
	if a, _ := e.ListAudit(ctx, headroom.AuditFilter{Account: acct}); len(a) == 0 {
		t.Fatal("no audit entry for the new account")
	}
	clk.Advance(3 * time.Hour)
	waitMaintained(t, m, 2)
	if d := reserve(); d.Replayed || d.Used != 2 {
		t.Fatalf("retry after the retention: %+v, want counted anew", d)
	}
	if a, _ := e.ListAudit(ctx, headroom.AuditFilter{Account: acct}); len(a) != 0 {
		t.Fatalf("audit entries past the retention: %+v", a)
	}
}

// The paging key is made once in the data directory, readable by its
// owner only, and the same after a restart.
func TestPagingKeyKept(t *testing.T) {
	dir := t.TempDir()
	run := func() string {
		m := server.New()
		m.Config.Addr, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", dir, adminToken
		m.Stderr = io.Discard
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		path := filepath.Join(dir, server.PagingKeyFile)
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("paging key file: %v, %v", st, err)
		}
		b, _ := os.ReadFile(path)
		return string(b)
	}
	first := run()
	if len(strings.TrimSpace(first)) != 64 || run() != first {
		t.Fatalf("paging key changed across a restart, or is not 32 bytes of hex: %q", first)
	}
	// A damaged key is refused with a message that says what to do.
	os.WriteFile(filepath.Join(dir, server.PagingKeyFile), []byte("not hex\n"), 0o600)
	m := server.New()
	m.Config.Addr, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", dir, adminToken
	m.Stderr = io.Discard
	if err := m.Run(context.Background()); headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(err.Error(), "delete the file") {
		t.Fatalf("damaged paging key: %v", err)
	}
}
