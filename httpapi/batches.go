package httpapi

import (
	"context"
	"net/http"
	"sync"
)

// largeBatches gives each principal a few turns at decoding large enforce
// batches. Decoding a batch of a thousand items takes milliseconds of CPU;
// a tenant sending such batches in a loop on many connections would
// otherwise keep every core busy and every other caller's small request
// waiting behind its goroutines. A request waiting its turn is parked, not
// runnable, and has not read its body. This is fairness within one process,
// not a rule about shared state: nothing is counted or stored.
type largeBatches struct {
	per   int
	mu    sync.Mutex
	turns map[string]chan struct{} // principal → its turns
}

func newLargeBatches(per int) *largeBatches {
	return &largeBatches{per: per, turns: map[string]chan struct{}{}}
}

// isLarge reports whether r's body is large, or of unknown length.
func isLarge(r *http.Request, from int64) bool {
	return r.ContentLength < 0 || r.ContentLength >= from
}

// wait takes one of who's turns, or returns ctx's error; release gives it
// back.
func (l *largeBatches) wait(ctx context.Context, who string) (release func(), err error) {
	l.mu.Lock()
	ch := l.turns[who]
	if ch == nil {
		ch = make(chan struct{}, l.per)
		l.turns[who] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
