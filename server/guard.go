package server

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/headroomhq/headroom"
)

// guard bounds what clients that send bodies slowly can hold: at most
// limit requests may be reading a body at once (the others are refused
// with 503 at their first read, at no cost), and a response to a request
// whose body was not read to its end closes the connection, so that the
// server never waits on the rest of a body it has no use for.
type guard struct {
	next    http.Handler
	readers chan struct{}
	// busy counts bodies refused because the readers were all taken.
	busy atomic.Int64
}

func newGuard(next http.Handler, limit int) *guard {
	return &guard{next: next, readers: make(chan struct{}, limit)}
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		g.next.ServeHTTP(w, r)
		return
	}
	b := &guardedBody{rc: r.Body, g: g}
	r.Body = b
	defer b.release()
	g.next.ServeHTTP(&closeUnread{ResponseWriter: w, body: b}, r)
}

// errBusy is what a body read answers when every reader slot is taken.
var errBusy = headroom.Errorf(headroom.EUNAVAILABLE, "too many requests are sending their bodies at once; retry shortly")

// guardedBody takes a reader slot at its first read and gives it back at
// the end of the body, or when the request is done.
type guardedBody struct {
	rc      io.ReadCloser
	g       *guard
	holding bool
	done    bool // read to the end
	refused bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if !b.holding && !b.done {
		if b.refused {
			return 0, errBusy
		}
		select {
		case b.g.readers <- struct{}{}:
			b.holding = true
		default:
			b.refused = true
			b.g.busy.Add(1)
			return 0, errBusy
		}
	}
	n, err := b.rc.Read(p)
	if err != nil {
		if errors.Is(err, io.EOF) {
			b.done = true
		}
		b.release()
	}
	return n, err
}

func (b *guardedBody) Close() error {
	b.release()
	return b.rc.Close()
}

func (b *guardedBody) release() {
	if b.holding {
		b.holding = false
		<-b.g.readers
	}
}

// closeUnread closes the connection of a response whose handler answers
// without having read the request's body to its end: net/http would
// otherwise read the rest of the body, however slowly it comes, to keep
// the connection alive.
type closeUnread struct {
	http.ResponseWriter
	body  *guardedBody
	wrote bool
}

func (c *closeUnread) WriteHeader(status int) {
	if !c.wrote {
		c.wrote = true
		if !c.body.done {
			// Closing alone is not enough: net/http still reads up to
			// 256 KiB of the rest before it closes. A read deadline in the
			// past ends that read at once.
			c.ResponseWriter.Header().Set("Connection", "close")
			http.NewResponseController(c.ResponseWriter).SetReadDeadline(time.Unix(1, 0))
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *closeUnread) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(p)
}

// Flush passes http.Flusher through, for streaming responses.
func (c *closeUnread) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (c *closeUnread) Unwrap() http.ResponseWriter { return c.ResponseWriter }
