package memory

import (
	"context"

	"github.com/headroomhq/headroom"
)

// blobKey is one blob's place.
type blobKey struct{ account, key string }

var _ headroom.BlobStore = (*Store)(nil)

// PutBlob keeps a copy of data under (account, key), replacing what was
// there.
func (s *Store) PutBlob(_ context.Context, account, key string, data []byte) error {
	cp := append([]byte(nil), data...)
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	if s.blobs == nil {
		s.blobs = map[blobKey][]byte{}
	}
	s.blobs[blobKey{account, key}] = cp
	return nil
}

// GetBlob returns (account, key)'s bytes; ENOTFOUND if none. The slice is
// the store's and must not be changed: values are replaced whole, never
// written in place.
func (s *Store) GetBlob(_ context.Context, account, key string) ([]byte, error) {
	s.blobMu.RLock()
	defer s.blobMu.RUnlock()
	b, ok := s.blobs[blobKey{account, key}]
	if !ok {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "no blob %s", key)
	}
	return b, nil
}

// DeleteBlob forgets (account, key).
func (s *Store) DeleteBlob(_ context.Context, account, key string) error {
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	delete(s.blobs, blobKey{account, key})
	return nil
}
