package memory

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
)

// leaseSet holds the leases of one usage key: id → deadline, plus a min-heap
// of deadlines so that expired leases are dropped in O(log n). Renewed and
// released leases leave stale heap entries, skipped when they surface.
type leaseSet struct {
	m map[string]int64 // lease id → expires, unix nanoseconds
	h expiryHeap
}

type expiry struct {
	at int64
	id string
}

// expiryHeap is a binary min-heap by deadline. It is written out rather than
// driven through container/heap, whose interface boxes every entry.
type expiryHeap []expiry

func (h *expiryHeap) push(e expiry) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].at <= s[i].at {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *expiryHeap) pop() expiry {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s[l].at < s[m].at {
			m = l
		}
		if r < n && s[r].at < s[m].at {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// purge drops the leases expired at now.
func (ls *leaseSet) purge(now int64) {
	for len(ls.h) > 0 && ls.h[0].at <= now {
		e := ls.h.pop()
		if at, ok := ls.m[e.id]; ok && at == e.at {
			delete(ls.m, e.id)
		}
	}
}

// live returns the number of leases live at now, without changing the set.
func (ls *leaseSet) live(now int64) int64 {
	var n int64
	for _, at := range ls.m {
		if at > now {
			n++
		}
	}
	return n
}

func (ls *leaseSet) set(id string, at int64) {
	ls.m[id] = at
	ls.h.push(expiry{at: at, id: id})
	if len(ls.h) > 2*len(ls.m)+64 {
		// Too many stale entries: rebuild from the live map.
		ls.h = ls.h[:0]
		for id, at := range ls.m {
			ls.h.push(expiry{at: at, id: id})
		}
	}
}

// leasesLocked returns the purged lease set of key, creating it if asked.
func (s *Store) leasesLocked(key headroom.UsageKey, now int64, create bool) *leaseSet {
	ls := s.leases[key]
	if ls == nil {
		if !create {
			return nil
		}
		ls = &leaseSet{m: map[string]int64{}}
		s.leases[key] = ls
	}
	ls.purge(now)
	return ls
}

// dropIfEmptyLocked forgets an empty lease set so idle keys cost nothing.
// Only the purge sweep calls it: dropping a set on every release would
// allocate a new one on the next acquire of a busy key.
func (s *Store) dropIfEmptyLocked(key headroom.UsageKey, ls *leaseSet) {
	if len(ls.m) == 0 {
		delete(s.leases, key)
	}
}

// AcquireLease implements headroom.Store.
func (s *Store) AcquireLease(_ context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	now, exp := c.Now.UnixNano(), c.Expires.UnixNano()
	s.umu.Lock()
	defer s.umu.Unlock()
	ls := s.leasesLocked(c.Key, now, true)
	if at, ok := ls.m[c.LeaseID]; ok {
		return headroom.LeaseResult{Applied: true, Replayed: true, Used: int64(len(ls.m)), Expires: unixNano(at)}, nil
	}
	if int64(len(ls.m))+1 > c.Limit {
		return headroom.LeaseResult{Used: int64(len(ls.m))}, nil
	}
	ls.set(c.LeaseID, exp)
	return headroom.LeaseResult{Applied: true, Used: int64(len(ls.m)), Expires: unixNano(c.Expires.UnixNano())}, nil
}

// RenewLease implements headroom.Store.
func (s *Store) RenewLease(_ context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	now := c.Now.UnixNano()
	s.umu.Lock()
	defer s.umu.Unlock()
	ls := s.leasesLocked(c.Key, now, false)
	if ls == nil {
		return headroom.LeaseResult{}, headroom.LeaseNotFound(c)
	}
	if _, ok := ls.m[c.LeaseID]; !ok {
		return headroom.LeaseResult{}, headroom.LeaseNotFound(c)
	}
	ls.set(c.LeaseID, c.Expires.UnixNano())
	return headroom.LeaseResult{Applied: true, Used: int64(len(ls.m)), Expires: unixNano(c.Expires.UnixNano())}, nil
}

// ReleaseLease implements headroom.Store.
func (s *Store) ReleaseLease(_ context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	now := c.Now.UnixNano()
	s.umu.Lock()
	defer s.umu.Unlock()
	ls := s.leasesLocked(c.Key, now, false)
	if ls == nil {
		return headroom.LeaseResult{}, nil
	}
	_, ok := ls.m[c.LeaseID]
	delete(ls.m, c.LeaseID)
	return headroom.LeaseResult{Applied: ok, Used: int64(len(ls.m))}, nil
}

// LeaseUsage implements headroom.Store.
func (s *Store) LeaseUsage(_ context.Context, key headroom.UsageKey, now time.Time) (int64, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	ls := s.leasesLocked(key, now.UnixNano(), false)
	if ls == nil {
		return 0, nil
	}
	return int64(len(ls.m)), nil
}

func unixNano(ns int64) time.Time { return time.Unix(0, ns).UTC() }
