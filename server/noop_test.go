//go:build !headroom_bench

package server_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/headroomhq/headroom/server"
)

// A production build refuses the no-op enforce switch.
func TestNoopEnforceRefused(t *testing.T) {
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", "memory", "", adminToken
	m.Stderr, m.NoopEnforce = io.Discard, true
	err := m.Run(context.Background())
	if err == nil {
		m.Close()
		t.Fatal("a production build started with the no-op enforce switch")
	}
	if !strings.Contains(err.Error(), "headroom_bench") {
		t.Fatalf("error %q does not say how to get the switch", err)
	}
}
