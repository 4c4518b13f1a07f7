// Package clock provides the clocks Headroom reads time through: the system
// clock, a coarse clock for hot paths, and a manual clock for tests.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// System reads time.Now on every call. It is safe for concurrent use.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// DefaultResolution is the tick of a Coarse clock when none is given.
const DefaultResolution = 500 * time.Microsecond

// Coarse is a clock for hot paths: reading it is one atomic load instead of a
// system call. A background goroutine advances it every Resolution from the
// monotonic clock, so it never runs backwards and never runs ahead of real
// time; it lags real time by at most one Resolution. Safe for concurrent use.
type Coarse struct {
	base     time.Time // wall time at start, carrying the monotonic reading
	baseNano int64     // base as unix nanoseconds
	ns       atomic.Int64
	stop     chan struct{}
	done     sync.WaitGroup
	once     sync.Once
}

// NewCoarse starts a coarse clock ticking every resolution (DefaultResolution
// if zero or negative). Call Close to stop its goroutine.
func NewCoarse(resolution time.Duration) *Coarse {
	if resolution <= 0 {
		resolution = DefaultResolution
	}
	base := time.Now()
	c := &Coarse{base: base, baseNano: base.UnixNano(), stop: make(chan struct{})}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(resolution)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				c.ns.Store(int64(time.Since(c.base)))
			}
		}
	}()
	return c
}

// Now returns the last tick's time.
func (c *Coarse) Now() time.Time { return c.base.Add(time.Duration(c.ns.Load())) }

// Close stops the ticking goroutine. Now keeps returning the last tick.
func (c *Coarse) Close() error {
	c.once.Do(func() { close(c.stop); c.done.Wait() })
	return nil
}

// Manual is a clock that moves only when told. It is for tests, and safe for
// concurrent use.
type Manual struct {
	ns atomic.Int64
}

// NewManual returns a manual clock reading t.
func NewManual(t time.Time) *Manual {
	m := &Manual{}
	m.ns.Store(t.UnixNano())
	return m
}

// Now returns the clock's current reading, in UTC.
func (m *Manual) Now() time.Time { return time.Unix(0, m.ns.Load()).UTC() }

// Advance moves the clock forward by d (backward if d is negative).
func (m *Manual) Advance(d time.Duration) { m.ns.Add(int64(d)) }

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) { m.ns.Store(t.UnixNano()) }

// UnixNano returns Now as unix nanoseconds, without building a time.Time.
func (c *Coarse) UnixNano() int64 { return c.baseNano + c.ns.Load() }

// UnixNano returns Now as unix nanoseconds.
func (m *Manual) UnixNano() int64 { return m.ns.Load() }
