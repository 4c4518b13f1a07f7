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

// DefaultIdleAfter is how long a Coarse clock ticks with nobody reading it
// before it sleeps.
const DefaultIdleAfter = time.Second

// Coarse is a clock for hot paths: reading it is one atomic load instead of a
// system call. A background goroutine advances it every Resolution from the
// monotonic clock, so it never runs backwards and never runs ahead of real
// time; it lags real time by at most one Resolution. When nothing has read
// it for IdleAfter, the goroutine sleeps, so that an idle server uses no CPU;
// the next read refreshes the time itself and wakes it. Safe for concurrent
// use.
type Coarse struct {
	base     time.Time // wall time at start, carrying the monotonic reading
	baseNano int64     // base as unix nanoseconds
	ns       atomic.Int64
	// touched is set by readers, at most once a tick, and cleared by the
	// ticker: a tick that finds it clear saw no reader.
	touched atomic.Bool
	// sleeping is set while the ticker sleeps; the reader that clears it
	// refreshes the time and wakes the ticker.
	sleeping atomic.Bool
	wake     chan struct{}
	stop     chan struct{}
	done     sync.WaitGroup
	once     sync.Once
	// sleeps counts the times the ticker went to sleep.
	sleeps atomic.Int64
}

// NewCoarse starts a coarse clock ticking every resolution (DefaultResolution
// if zero or negative), asleep after DefaultIdleAfter unread. Call Close to
// stop its goroutine.
func NewCoarse(resolution time.Duration) *Coarse {
	return newCoarse(resolution, DefaultIdleAfter)
}

func newCoarse(resolution, idleAfter time.Duration) *Coarse {
	if resolution <= 0 {
		resolution = DefaultResolution
	}
	idleTicks := int(idleAfter / resolution)
	base := time.Now()
	c := &Coarse{base: base, baseNano: base.UnixNano(), stop: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.touched.Store(true)
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(resolution)
		defer t.Stop()
		idle := 0
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			c.advance()
			if c.touched.Swap(false) {
				idle = 0
				continue
			}
			if idle++; idle < idleTicks {
				continue
			}
			// Sleep, unless a reader came in between: the reader sets
			// touched then looks at sleeping, this goroutine sets sleeping
			// then looks at touched, so one of them sees the other.
			c.sleeping.Store(true)
			if c.touched.Load() && c.sleeping.CompareAndSwap(true, false) {
				idle = 0
				continue
			}
			c.sleeps.Add(1)
			select {
			case <-c.stop:
				return
			case <-c.wake:
			}
			idle = 0
			t.Reset(resolution)
		}
	}()
	return c
}

// advance stores the time now, never moving backwards.
func (c *Coarse) advance() {
	now := int64(time.Since(c.base))
	for {
		old := c.ns.Load()
		if now <= old || c.ns.CompareAndSwap(old, now) {
			return
		}
	}
}

// touch marks the clock read; the first read after the ticker fell asleep
// refreshes the time and wakes it.
func (c *Coarse) touch() {
	if c.sleeping.Load() {
		c.advance()
		if c.sleeping.CompareAndSwap(true, false) {
			select {
			case c.wake <- struct{}{}:
			default:
			}
		}
	}
	c.touched.Store(true)
}

// Now returns the last tick's time.
func (c *Coarse) Now() time.Time { return c.base.Add(time.Duration(c.read())) }

func (c *Coarse) read() int64 {
	if !c.touched.Load() {
		c.touch()
	}
	return c.ns.Load()
}

// Sleeps returns how many times the clock has gone to sleep for want of
// readers.
func (c *Coarse) Sleeps() int64 { return c.sleeps.Load() }

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
func (c *Coarse) UnixNano() int64 { return c.baseNano + c.read() }

// UnixNano returns Now as unix nanoseconds.
func (m *Manual) UnixNano() int64 { return m.ns.Load() }
