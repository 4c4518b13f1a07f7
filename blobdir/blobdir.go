// Package blobdir keeps headroom blobs (chat attachments' bytes) as files
// in a directory: one file per account and key, written to a temporary
// file, synced and renamed into place, so that a reader sees the old bytes
// or the new and a crash leaves no part of a file behind.
//
// It suits a single node with the SQLite store; nodes that share a
// PostgreSQL database keep their blobs in it instead.
package blobdir

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/headroomhq/headroom"
)

// Store is a directory of blobs. It is safe for concurrent use: every
// write is a rename, which the file system makes atomic.
type Store struct {
	dir string
}

var _ headroom.BlobStore = (*Store)(nil)

// Open returns the blob store in dir, creating it (mode 0700) if missing;
// EUNAVAILABLE if it cannot be created.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, headroom.FieldErrorf("dir", "is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create the blob directory %s: %v", dir, err)
	}
	return &Store{dir: dir}, nil
}

// path is where (account, key) lives. The engine has already refused
// keys with empty, "." or ".." elements, so the path stays under dir.
func (s *Store) path(account, key string) string {
	return filepath.Join(s.dir, account, filepath.FromSlash(key))
}

// PutBlob writes data under (account, key) atomically and durably.
func (s *Store) PutBlob(_ context.Context, account, key string, data []byte) error {
	path := s.path(account, key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "put blob: %v", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "put blob: %v", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "put blob: %v", err)
	}
	return nil
}

// GetBlob reads (account, key); ENOTFOUND if there is no such blob.
func (s *Store) GetBlob(_ context.Context, account, key string) ([]byte, error) {
	data, err := os.ReadFile(s.path(account, key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "no blob %s", key)
	}
	if err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "get blob: %v", err)
	}
	return data, nil
}

// DeleteBlob removes (account, key), if it exists.
func (s *Store) DeleteBlob(_ context.Context, account, key string) error {
	err := os.Remove(s.path(account, key))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return headroom.Errorf(headroom.EUNAVAILABLE, "delete blob: %v", err)
	}
	return nil
}
