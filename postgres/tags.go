package postgres

import (
	"context"

	"github.com/headroomhq/headroom"
)

// TagResource implements headroom.Store: under the account's advisory lock
// it counts the tags the resource would then carry (EQUOTAEXCEEDED above
// max, and nothing changes), then adds the tags, replacing the values of
// keys it already has.
func (s *Store) TagResource(ctx context.Context, account, resource string, tags map[string]string, max int) error {
	return s.write(ctx, "tag resource", func(w *wtx) error {
		if err := w.lockAccount(account); err != nil {
			return err
		}
		if max > 0 {
			var have int
			if err := w.row("SELECT count(*) FROM tags WHERE account = $1 AND resource = $2", account, resource).Scan(&have); err != nil {
				return err
			}
			keys := make([]string, 0, len(tags))
			for k := range tags {
				keys = append(keys, k)
			}
			var present int
			if err := w.row("SELECT count(*) FROM tags WHERE account = $1 AND resource = $2 AND key = ANY($3)",
				account, resource, keys).Scan(&present); err != nil {
				return err
			}
			if n := have + len(tags) - present; n > max {
				return headroom.TooManyTags(resource, max, have, n)
			}
		}
		for k, v := range tags {
			_, err := w.exec(`INSERT INTO tags (account, resource, key, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (account, resource, key) DO UPDATE SET value = excluded.value`, account, resource, k, v)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// UntagResource implements headroom.Store: it removes tag keys from a
// resource; absent keys are ignored.
func (s *Store) UntagResource(ctx context.Context, account, resource string, keys []string) error {
	if keys == nil {
		keys = []string{}
	}
	return s.write(ctx, "untag resource", func(w *wtx) error {
		if err := w.lockAccount(account); err != nil {
			return err
		}
		_, err := w.exec("DELETE FROM tags WHERE account = $1 AND resource = $2 AND key = ANY($3)", account, resource, keys)
		return err
	})
}

// ListTags implements headroom.Store: a resource's tags, an empty map if it
// has none.
func (s *Store) ListTags(ctx context.Context, account, resource string) (map[string]string, error) {
	out := map[string]string{}
	err := s.read(ctx, "list tags", func(ctx context.Context, q querier) error {
		rows, err := q.Query(ctx, "SELECT key, value FROM tags WHERE account = $1 AND resource = $2", account, resource)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			out[k] = v
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
