package server

import (
	"context"
	"time"
)

// HistoryInterval is how often the server records usage history: the
// history's resolution.
const HistoryInterval = time.Minute

// startHistory runs a recording pass (Engine.RecordHistory) every interval
// until Close. Each pass reads the engine's clock, so tests with a manual
// clock call RecordHistory instead of waiting for the ticker.
func (m *Server) startHistory(interval time.Duration) {
	m.every(interval, func(ctx context.Context) {
		if _, err := m.RecordHistory(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("headroom: recording usage history failed; the next pass records the rate decisions", "err", err)
		}
	})
}

// RecordHistory runs one usage-history recording pass now, at the engine
// clock's current minute, and returns the number of samples stored. The
// server also runs it every HistoryInterval unless Config.History is off
// (then it records nothing). Safe for concurrent use once Run has returned.
func (m *Server) RecordHistory(ctx context.Context) (int, error) {
	n, err := m.engine.RecordHistory(ctx)
	if err == nil {
		m.recorded.Add(1)
	}
	return n, err
}

// Recorded returns how many recording passes have completed.
func (m *Server) Recorded() int64 { return m.recorded.Load() }
