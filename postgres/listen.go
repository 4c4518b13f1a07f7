package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen opens the listening connection, outside the pool, starts
// listening on the store's channel and then loads the whole cache, so that
// no change committed after the load is missed.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := s.opContext(ctx)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	if err := s.loadAll(ctx, conn); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// listenLoop answers notifications on conn until Close, and reconnects
// (reloading everything) whenever the connection fails.
func (s *Store) listenLoop(conn *pgx.Conn) {
	defer s.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	for {
		err := s.serveNotifications(ctx, conn)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("headroom: the postgres change listener lost its connection; reconnecting", "schema", s.schema, "err", err)
		conn = s.reconnect(ctx)
		if conn == nil {
			return
		}
		s.log.Info("headroom: the postgres change listener reconnected and reloaded the cache", "schema", s.schema)
	}
}

// serveNotifications reloads what each notification names, until conn
// fails or ctx ends. A connection that stays quiet for a heartbeat
// interval is pinged, so that a link that died without a word (no reset,
// no close) is found within HeartbeatInterval + OpTimeout, and the cache
// reloaded once a new connection is up.
func (s *Store) serveNotifications(ctx context.Context, conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, s.cfg.HeartbeatInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() == nil && wctx.Err() != nil && !conn.IsClosed() {
			pctx, cancel := s.opContext(ctx)
			err = conn.Ping(pctx)
			cancel()
			if err == nil {
				continue
			}
		}
		if err != nil {
			return err
		}
		s.notifications.Add(1)
		var c change
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil {
			c = change{} // unknown: reload everything
		}
		rctx, cancel := s.opContext(ctx)
		err = s.reload(rctx, conn, c)
		cancel()
		if err != nil {
			return err
		}
	}
}

// reconnect opens the listening connection again, waiting a little longer
// after each failure, up to half a second; nil once ctx ends.
func (s *Store) reconnect(ctx context.Context) *pgx.Conn {
	wait := 50 * time.Millisecond
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		conn, err := s.listen(ctx)
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		if wait *= 2; wait > 500*time.Millisecond {
			wait = 500 * time.Millisecond
		}
	}
}

// notifyChange sends c to every Store when w commits.
func notifyChange(w *wtx, c change) error {
	b, _ := json.Marshal(c) // a change always marshals
	return w.notify(string(b))
}
