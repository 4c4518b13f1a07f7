package clock

import (
	"testing"
	"time"
)

func TestManualAdvance(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := NewManual(start)
	if got := m.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	m.Advance(90 * time.Second)
	if got := m.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("after Advance: %v", got)
	}
	m.Set(start)
	if got := m.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %v", got)
	}
}

// TestCoarseNeverAheadNorBackwards checks the two properties the rate limiter
// relies on: readings never decrease and never exceed the system clock.
func TestCoarseNeverAheadNorBackwards(t *testing.T) {
	c := NewCoarse(100 * time.Microsecond)
	defer c.Close()
	prev := c.Now()
	// Watch for at least 20ms, and until the clock has moved (at most 5s,
	// for a loaded machine).
	start := time.Now()
	moved := false
	for time.Since(start) < 20*time.Millisecond || !moved && time.Since(start) < 5*time.Second {
		got := c.Now()
		now := time.Now()
		if got.Before(prev) {
			t.Fatalf("coarse clock went backwards: %v after %v", got, prev)
		}
		if got.After(now) {
			t.Fatalf("coarse clock ahead of system clock: %v > %v", got, now)
		}
		if got.After(prev) {
			moved = true
		}
		prev = got
	}
	if !moved {
		t.Fatal("coarse clock never advanced in 5s")
	}
}
