package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/server"
)

// The server records usage history by the engine's clock, and serves it;
// with history off it records nothing.
func TestHistoryRecording(t *testing.T) {
	ctx := context.Background()
	for _, on := range []bool{true, false} {
		m, clk := start(t, func(m *server.Server) { m.Config.History = on })
		const acct = "123456789012"
		c := &httpapi.Client{BaseURL: m.URL(), Token: adminToken}
		if _, err := c.CreateAccount(ctx, httpapi.AccountCreate{AccountID: acct}); err != nil {
			t.Fatal(err)
		}
		t0 := clk.Now()
		for i := range 3 {
			if _, err := c.Enforce(ctx, []httpapi.EnforceItem{{Op: "reserve", Account: acct, Code: headroom.CodeInstances, Amount: 1}}); err != nil && i < 2 {
				t.Fatal(err)
			}
			n, err := m.RecordHistory(ctx)
			if err != nil || (on && n != 1) || (!on && n != 0) {
				t.Fatalf("history %v: RecordHistory = %d, %v", on, n, err)
			}
			clk.Advance(time.Minute)
		}
		if m.Recorded() != 3 {
			t.Fatalf("Recorded = %d, want 3", m.Recorded())
		}
		h, err := c.History(ctx, acct, headroom.CodeInstances, "", t0, t0.Add(3*time.Minute), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{1, 2, 2} // the third reserve is over the limit of 2
		if !on {
			want = []int64{0, 0, 0}
		}
		for i, p := range h.Points {
			if p.Max != want[i] {
				t.Fatalf("history %v: points = %+v, want max %v", on, h.Points, want)
			}
		}
	}
}

// The default configuration records history; false in the config turns it
// off.
func TestHistoryDefaultOn(t *testing.T) {
	if !server.DefaultConfig().History {
		t.Fatal("history is off by default")
	}
}
