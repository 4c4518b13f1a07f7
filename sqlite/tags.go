package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headroomhq/headroom"
)

// TagResource implements headroom.Store: it adds tags to a resource of an
// account, replacing the values of keys it already has, in one write that
// first counts the tags the resource would then carry.
func (s *Store) TagResource(ctx context.Context, account, resource string, tags map[string]string, max int) error {
	return s.write(ctx, func(w *wtx) error {
		if max > 0 {
			var have int
			if err := w.row("SELECT count(*) FROM tags WHERE account = ? AND resource = ?", account, resource).Scan(&have); err != nil {
				return s.backendError("count tags", err)
			}
			n := have
			for k := range tags {
				var one int
				err := w.row("SELECT 1 FROM tags WHERE account = ? AND resource = ? AND key = ?", account, resource, k).Scan(&one)
				if errors.Is(err, sql.ErrNoRows) {
					n++
				} else if err != nil {
					return s.backendError("count tags", err)
				}
			}
			if n > max {
				return headroom.TooManyTags(resource, max, have, n)
			}
		}
		for k, v := range tags {
			_, err := w.exec(`INSERT INTO tags (account, resource, key, value) VALUES (?, ?, ?, ?)
				ON CONFLICT (account, resource, key) DO UPDATE SET value = excluded.value`, account, resource, k, v)
			if err != nil {
				return s.backendError("tag resource", err)
			}
		}
		return nil
	})
}

// UntagResource implements headroom.Store: it removes tag keys from a
// resource; absent keys are ignored.
func (s *Store) UntagResource(ctx context.Context, account, resource string, keys []string) error {
	return s.write(ctx, func(w *wtx) error {
		for _, k := range keys {
			if _, err := w.exec("DELETE FROM tags WHERE account = ? AND resource = ? AND key = ?", account, resource, k); err != nil {
				return s.backendError("untag resource", err)
			}
		}
		return nil
	})
}

// ListTags implements headroom.Store: a resource's tags, an empty map if it
// has none.
func (s *Store) ListTags(ctx context.Context, account, resource string) (map[string]string, error) {
	rows, err := s.readRows(ctx, "SELECT key, value FROM tags WHERE account = ? AND resource = ?", account, resource)
	if err != nil {
		return nil, s.backendError("list tags", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, s.backendError("list tags", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list tags", err)
	}
	return out, nil
}
