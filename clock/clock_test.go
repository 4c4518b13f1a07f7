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

// An unread coarse clock sleeps; the next read wakes it and is fresh at
// once, not as old as the sleep.
func TestCoarseSleepsWhenIdle(t *testing.T) {
	c := newCoarse(100*time.Microsecond, 5*time.Millisecond)
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Sleeps() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("an unread clock never went to sleep")
		}
		time.Sleep(time.Millisecond)
	}
	// Asleep: the stored time goes stale while real time runs on.
	stale := c.base.Add(time.Duration(c.ns.Load()))
	for time.Since(stale) < 50*time.Millisecond {
		time.Sleep(time.Millisecond)
	}
	before := time.Now()
	got := c.Now()
	if got.Before(before.Add(-time.Millisecond)) || got.After(time.Now()) {
		t.Fatalf("first read after a sleep = %v, want about %v (the stale tick was %v)", got, before, stale)
	}
	// And it ticks again: the reading moves without another wake.
	first := c.Now()
	for !c.Now().After(first) {
		if time.Now().After(deadline) {
			t.Fatal("the clock did not tick again after waking")
		}
		time.Sleep(time.Millisecond)
	}
}
