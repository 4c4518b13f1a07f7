package sqlite

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/headroomhq/headroom"
	sqlite "modernc.org/sqlite"
)

// Backup writes a consistent copy of the database to w while the store keeps
// serving. The copy holds every change acknowledged before Backup was
// called, and is a complete database: a store opened on it (after writing it
// to a file) is a working Headroom store.
//
// The copy is made with SQLite's online backup API from one read snapshot
// into a temporary file next to the database, then written to w; the
// directory needs room for one more copy of the database. Writes continue
// during the backup. Errors are EUNAVAILABLE (or the error of w).
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	if s.closed.Load() {
		return errClosed
	}
	dir, err := os.MkdirTemp(filepath.Dir(s.path), ".headroom-backup-")
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "cannot create a temporary directory for the backup next to %s: %v", s.path, err)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "backup.db")
	if err := s.backupTo(ctx, tmp); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return s.backendError("back up", err)
	}
	f, err := os.Open(tmp)
	if err != nil {
		return s.backendError("back up", err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("sqlite store: write the backup: %w", err)
	}
	return nil
}

// backuper is the part of the driver's connection that starts a backup.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// backupTo copies the database into the new file dst in one step, that is
// from one read snapshot.
func (s *Store) backupTo(ctx context.Context, dst string) error {
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return s.backendError("back up", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(backuper)
		if !ok {
			return fmt.Errorf("the driver connection %T cannot back up", dc)
		}
		bk, err := b.NewBackup(fileURI(dst))
		if err != nil {
			return err
		}
		if _, err := bk.Step(-1); err != nil {
			bk.Finish()
			return err
		}
		return bk.Finish()
	})
	if err != nil {
		return s.backendError("back up", err)
	}
	return nil
}
