package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// heartbeat records that this node is alive now.
func (s *Store) heartbeat(ctx context.Context) error {
	ctx, cancel := s.opContext(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO nodes (id, seen) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET seen = greatest(nodes.seen, excluded.seen)`, s.cfg.NodeID, dbcodec.EncTime(s.cfg.Clock.Now()))
	return err
}

// heartbeatLoop records that this node is alive every HeartbeatInterval
// until Close.
func (s *Store) heartbeatLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.HeartbeatInterval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		err := s.heartbeat(context.Background())
		if err != nil && !failing {
			s.log.Warn("headroom: the postgres store cannot record this node's heartbeat; it will try again", "node", s.cfg.NodeID, "err", err)
		}
		failing = err != nil
	}
}

// LiveNodes implements headroom.Membership: the nodes whose heartbeat is
// at most three intervals old by the configured Clock, and at least 1 (this
// one). EUNAVAILABLE if PostgreSQL cannot be reached.
func (s *Store) LiveNodes(ctx context.Context) (int, error) {
	since := s.cfg.Clock.Now().Add(-3 * s.cfg.HeartbeatInterval)
	var n int
	err := s.read(ctx, "count live nodes", func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, "SELECT count(*) FROM nodes WHERE seen >= $1 OR id = $2", dbcodec.EncTime(since), s.cfg.NodeID).Scan(&n)
	})
	if err != nil {
		return 0, err
	}
	return max(n, 1), nil
}

// SharedKey returns the key called name that every node of the store
// shares, such as the key that signs paging tokens: size random bytes made
// by the first node that asks, kept in the settings table. Nodes asking at
// once all get the one key that was stored first. EINVALID for size below 1
// or above 1024; a stored key of another size is returned as it is.
func (s *Store) SharedKey(ctx context.Context, name string, size int) ([]byte, error) {
	if size < 1 || size > 1024 {
		return nil, headroom.FieldErrorf("size", "must be between 1 and 1024 bytes, got %d", size)
	}
	fresh := make([]byte, size)
	if _, err := rand.Read(fresh); err != nil {
		return nil, headroom.Errorf(headroom.EINTERNAL, "cannot make a random key: %v", err)
	}
	setting := "shared_key:" + name
	var stored string
	err := s.read(ctx, "get shared key "+name, func(ctx context.Context, q querier) error {
		if _, err := q.Exec(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
			setting, base64.StdEncoding.EncodeToString(fresh)); err != nil {
			return err
		}
		return q.QueryRow(ctx, "SELECT value FROM settings WHERE name = $1", setting).Scan(&stored)
	})
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		s.internalErrors.Add(1)
		return nil, headroom.Errorf(headroom.EINTERNAL, "the shared key %s in the settings table is not base64: it was changed outside Headroom", name)
	}
	return key, nil
}
