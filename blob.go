package headroom

import (
	"context"
	"strings"
)

// MaxBlobBytes bounds one blob: Amazon Connect's largest chat attachment,
// 20 MB.
const MaxBlobBytes = 20 << 20

// BlobStore keeps opaque byte strings by account and key: the contents of
// chat attachments. A directory on disk keeps them for a single node; a
// PostgreSQL store keeps them in the database, so that every node sharing
// it serves the same bytes. Implementations are safe for concurrent use.
type BlobStore interface {
	// PutBlob stores data under (account, key), replacing what was there,
	// in one atomic step: a reader sees the old bytes or the new, never a
	// part.
	PutBlob(ctx context.Context, account, key string, data []byte) error
	// GetBlob returns the bytes under (account, key); ENOTFOUND if none.
	GetBlob(ctx context.Context, account, key string) ([]byte, error)
	// DeleteBlob removes (account, key); removing nothing is not an error.
	DeleteBlob(ctx context.Context, account, key string) error
}

// BlobService is what transports use to keep bytes: the engine's
// BlobStore behind checks on the key and size.
type BlobService interface {
	PutBlob(ctx context.Context, account, key string, data []byte) error
	GetBlob(ctx context.Context, account, key string) ([]byte, error)
	DeleteBlob(ctx context.Context, account, key string) error
}

var _ BlobService = (*Engine)(nil)

// checkBlob refuses what no BlobStore should be given: an engine without
// one (EUNAVAILABLE), a bad key (EINVALID: empty, over 512 bytes, control
// characters, or path elements a directory store could be led out by).
func (e *Engine) checkBlob(account, key string) error {
	if e.blobs == nil {
		return Errorf(EUNAVAILABLE, "this server keeps no blobs")
	}
	if account == "" || len(account) > MaxIdentifierLength || !cleanBlobKey(account) || strings.Contains(account, "/") {
		return FieldErrorf("account", "must be 1 to %d bytes of letters, digits, '-', '_' and '.'", MaxIdentifierLength)
	}
	if key == "" || len(key) > 512 || !cleanBlobKey(key) {
		return FieldErrorf("key", "must be 1 to 512 bytes of letters, digits, '-', '_', '.' and '/', with no empty, '.' or '..' element")
	}
	return nil
}

func cleanBlobKey(key string) bool {
	start := 0
	for i := 0; i <= len(key); i++ {
		if i == len(key) || key[i] == '/' {
			if el := key[start:i]; el == "" || el == "." || el == ".." {
				return false
			}
			start = i + 1
			continue
		}
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// PutBlob stores data for an account under key. ETOOLARGE over
// MaxBlobBytes; EINVALID for a bad key; EUNAVAILABLE without a BlobStore.
func (e *Engine) PutBlob(ctx context.Context, account, key string, data []byte) error {
	if err := e.checkBlob(account, key); err != nil {
		return err
	}
	if len(data) > MaxBlobBytes {
		return Errorf(ETOOLARGE, "a blob is at most %d bytes, got %d", MaxBlobBytes, len(data))
	}
	return e.blobs.PutBlob(ctx, account, key, data)
}

// GetBlob returns an account's bytes under key; ENOTFOUND if none.
func (e *Engine) GetBlob(ctx context.Context, account, key string) ([]byte, error) {
	if err := e.checkBlob(account, key); err != nil {
		return nil, err
	}
	return e.blobs.GetBlob(ctx, account, key)
}

// DeleteBlob removes an account's bytes under key, if any.
func (e *Engine) DeleteBlob(ctx context.Context, account, key string) error {
	if err := e.checkBlob(account, key); err != nil {
		return err
	}
	return e.blobs.DeleteBlob(ctx, account, key)
}
