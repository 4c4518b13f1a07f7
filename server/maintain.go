package server

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
)

// DefaultMaintainInterval is how often the server purges expired leases,
// old idempotency keys and resource tokens, and audit entries past their
// retention.
const DefaultMaintainInterval = time.Minute

// startMaintenance runs Engine.Maintain every interval until Close, so that
// every store, the memory store included, is purged the same way.
func (m *Server) startMaintenance(interval time.Duration, r headroom.Retention) {
	m.every(interval, func(ctx context.Context) {
		res, audit, err := m.engine.Maintain(ctx, r)
		if err != nil {
			if ctx.Err() == nil {
				m.log.Error("headroom: maintenance failed; it will run again", "err", err)
			}
			return
		}
		m.maintained.Add(1)
		if res.Leases+res.IdempotencyKeys+res.Tokens > 0 || audit > 0 {
			m.log.Debug("headroom: maintenance", "leases", res.Leases, "keys", res.IdempotencyKeys, "tokens", res.Tokens, "audit", audit)
		}
	})
}

// every runs pass each interval, on a ticker of the machine's clock, until
// Close, which waits for a pass under way. The server's periodic work
// (maintenance, history, alarms) runs this way on every node; each pass
// reads the engine's clock, so tests call the pass instead of waiting.
func (m *Server) every(interval time.Duration, pass func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			pass(ctx)
		}
	}()
	m.closers = append(m.closers, func() error { cancel(); <-done; return nil })
}

// Maintained returns how many maintenance passes have completed.
func (m *Server) Maintained() int64 { return m.maintained.Load() }
