package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/jackc/pgx/v5"
)

var _ headroom.BlobStore = (*Store)(nil)

// PutBlob stores data under (account, key) in one statement, replacing
// what was there: every node sharing the database serves the same bytes.
func (s *Store) PutBlob(ctx context.Context, account, key string, data []byte) error {
	if data == nil {
		data = []byte{} // the column is NOT NULL; an empty file is still a file
	}
	return s.readWithin(ctx, "put blob", s.blobTimeout(len(data)), func(ctx context.Context, q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO blobs (account, key, data) VALUES ($1, $2, $3)
			ON CONFLICT (account, key) DO UPDATE SET data = excluded.data`, account, key, data)
		return err
	})
}

// blobRateFloor is the slowest transfer a blob call is given time for,
// on top of the operation timeout: a 20 MB attachment may take 20 s more
// than a decision on a busy database before the call gives up.
const blobRateFloor = 1 << 20 // bytes per second

// blobTimeout bounds a blob call moving n bytes.
func (s *Store) blobTimeout(n int) time.Duration {
	return s.cfg.OpTimeout + time.Duration(n)*time.Second/blobRateFloor
}

// GetBlob returns (account, key)'s bytes; ENOTFOUND if none.
func (s *Store) GetBlob(ctx context.Context, account, key string) ([]byte, error) {
	var data []byte
	err := s.readWithin(ctx, "get blob", s.blobTimeout(headroom.MaxBlobBytes), func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, "SELECT data FROM blobs WHERE account = $1 AND key = $2", account, key).Scan(&data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "no blob %s", key)
	}
	return data, err
}

// DeleteBlob removes (account, key), if it exists.
func (s *Store) DeleteBlob(ctx context.Context, account, key string) error {
	return s.read(ctx, "delete blob", func(ctx context.Context, q querier) error {
		_, err := q.Exec(ctx, "DELETE FROM blobs WHERE account = $1 AND key = $2", account, key)
		return err
	})
}
