package sqlite

import (
	"context"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// settingReadyProbe is the settings row Ready writes.
const settingReadyProbe = "ready_probe"

// Ready reports whether the store can commit a change now: nil, or an
// EUNAVAILABLE *headroom.Error saying why not. It commits a tiny write (one
// settings row) through the writer, as every change is committed, so it
// fails when the store is closed, when the file system refuses the write or
// the fsync (read-only, full, I/O error), when another process holds the
// database's write lock beyond BusyTimeout, or when ctx ends before the
// writer has taken it. It also fails from the moment a read or a write met a
// damaged database, until a restart runs the integrity check again. A
// server's readiness endpoint calls it through
// interface{ Ready(context.Context) error }.
func (s *Store) Ready(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	if p := s.damage.Load(); p != nil {
		return withCause(headroom.Errorf(headroom.EUNAVAILABLE,
			"the sqlite store found %s damaged (%v); stop Headroom, then run \"headroom db check\", and restore a backup or run \"headroom db recover\"", s.path, *p), *p)
	}
	now := strconv.FormatInt(dbcodec.EncTime(s.cfg.Clock.Now()), 10)
	err := s.write(ctx, func(w *wtx) error {
		if _, err := w.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			settingReadyProbe, now); err != nil {
			return w.backendError("write the readiness probe", err)
		}
		return nil
	})
	if err == nil || headroom.ErrorCodeOf(err) == headroom.EUNAVAILABLE {
		return err
	}
	return withCause(headroom.Errorf(headroom.EUNAVAILABLE, "the sqlite store cannot commit: %s", headroom.ErrorMessage(err)), err)
}
