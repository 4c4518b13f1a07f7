package postgres

import (
	"context"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// CreateAccessKey implements headroom.Store: EUNKNOWNACCOUNT, or ECONFLICT
// if the key id exists.
func (s *Store) CreateAccessKey(ctx context.Context, k headroom.AccessKey, audit headroom.AuditEntry) error {
	secret, err := s.sealSecret(k.ID, k.Account, k.Secret)
	if err != nil {
		return err
	}
	stored := headroom.AccessKey{ID: k.ID, Account: k.Account, Secret: secret, Created: dbcodec.NormTime(k.Created)}
	return s.write(ctx, "create access key", func(w *wtx) error {
		if err := accountExists(w, k.Account); err != nil {
			return err
		}
		n, err := w.exec("INSERT INTO access_keys (id, account, secret, created) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
			k.ID, k.Account, secret, dbcodec.EncTime(k.Created))
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ECONFLICT, "access key %s already exists", k.ID)
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		if err := notifyChange(w, change{What: "key", ID: k.ID}); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.putKey(stored) })
		return nil
	})
}

// accessKeySelect reads keys with their secrets as stored (sealed); the
// cache keeps them so and FindAccessKey opens them.
const accessKeySelect = "SELECT id, account, secret, created FROM access_keys"

func scanAccessKey(r pgx.Row) (headroom.AccessKey, error) {
	var k headroom.AccessKey
	var created int64
	err := r.Scan(&k.ID, &k.Account, &k.Secret, &created)
	k.Created = dbcodec.DecTime(created)
	return k, err
}

// queryKeys returns keys with their secrets as stored.
func (s *Store) queryKeys(ctx context.Context, q querier, sql string, args ...any) ([]headroom.AccessKey, error) {
	return collect(ctx, q, scanAccessKey, sql, args...)
}

// FindAccessKey implements headroom.Store, from memory: ENOTFOUND if there
// is no such key; EINTERNAL if its secret cannot be decrypted.
func (s *Store) FindAccessKey(ctx context.Context, id string) (headroom.AccessKey, error) {
	if s.closed.Load() {
		return headroom.AccessKey{}, errClosed
	}
	k, ok := s.cache.key(id)
	if !ok {
		// Perhaps made on another node a moment ago: keys never change
		// once made, so what the table holds can be cached at once.
		var l []headroom.AccessKey
		err := s.read(ctx, "find access key", func(ctx context.Context, q querier) (err error) {
			l, err = s.queryKeys(ctx, q, accessKeySelect+" WHERE id = $1", id)
			return err
		})
		if err != nil {
			return headroom.AccessKey{}, err
		}
		if len(l) == 0 {
			return headroom.AccessKey{}, headroom.Errorf(headroom.ENOTFOUND, "access key %s does not exist", id)
		}
		k = l[0]
		s.cache.putKey(k)
	}
	var err error
	if k.Secret, err = s.openSecret(k.ID, k.Account, k.Secret); err != nil {
		return headroom.AccessKey{}, err
	}
	return k, nil
}

// ListAccessKeys implements headroom.Store: the account's keys in the order
// they were created.
func (s *Store) ListAccessKeys(ctx context.Context, account string) ([]headroom.AccessKey, error) {
	var out []headroom.AccessKey
	err := s.read(ctx, "list access keys", func(ctx context.Context, q querier) (err error) {
		out, err = s.queryKeys(ctx, q, accessKeySelect+" WHERE account = $1 ORDER BY seq", account)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Secret, err = s.openSecret(out[i].ID, out[i].Account, out[i].Secret); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateToken implements headroom.Store: ECONFLICT if the id or the hash
// exists.
func (s *Store) CreateToken(ctx context.Context, t headroom.Token, audit headroom.AuditEntry) error {
	t.Hash = append([]byte{}, t.Hash...) // never nil: an empty hash is a value, not NULL
	t.Accounts = dbcodec.CopyList(t.Accounts)
	t.Created = dbcodec.NormTime(t.Created)
	return s.write(ctx, "create token", func(w *wtx) error {
		n, err := w.exec("INSERT INTO tokens (id, name, role, hash, accounts, created) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
			t.ID, t.Name, string(t.Role), t.Hash, dbcodec.EncList(t.Accounts), dbcodec.EncTime(t.Created))
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ECONFLICT, "token %s already exists", t.ID)
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		if err := notifyChange(w, change{What: "tokens"}); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.putToken(t) })
		return nil
	})
}

const tokenSelect = "SELECT id, name, role, hash, accounts, created FROM tokens"

func scanToken(r pgx.Row) (headroom.Token, error) {
	var t headroom.Token
	var role, accounts string
	var created int64
	if err := r.Scan(&t.ID, &t.Name, &role, &t.Hash, &accounts, &created); err != nil {
		return t, err
	}
	if t.Hash == nil {
		t.Hash = []byte{}
	}
	t.Role, t.Created = headroom.Role(role), dbcodec.DecTime(created)
	var err error
	t.Accounts, err = dbcodec.DecList(accounts)
	return t, err
}

func queryTokens(ctx context.Context, q querier, sql string, args ...any) ([]headroom.Token, error) {
	return collect(ctx, q, scanToken, sql, args...)
}

// FindToken implements headroom.Store, from memory: ENOTFOUND if no token
// has the hash.
func (s *Store) FindToken(_ context.Context, hash []byte) (headroom.Token, error) {
	if s.closed.Load() {
		return headroom.Token{}, errClosed
	}
	t, ok := s.cache.token(hash)
	if !ok {
		return headroom.Token{}, headroom.Errorf(headroom.ENOTFOUND, "no such token")
	}
	t.Hash = append([]byte{}, t.Hash...)
	t.Accounts = dbcodec.CopyList(t.Accounts)
	return t, nil
}

// ListTokens implements headroom.Store.
func (s *Store) ListTokens(ctx context.Context) ([]headroom.Token, error) {
	var out []headroom.Token
	err := s.read(ctx, "list tokens", func(ctx context.Context, q querier) (err error) {
		out, err = queryTokens(ctx, q, tokenSelect+" ORDER BY id")
		return err
	})
	return out, err
}

// DeleteToken implements headroom.Store: ENOTFOUND if there is no such
// token. Every Store forgets it once the deletion commits.
func (s *Store) DeleteToken(ctx context.Context, id string, audit headroom.AuditEntry) error {
	return s.write(ctx, "delete token", func(w *wtx) error {
		n, err := w.exec("DELETE FROM tokens WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "token %s does not exist", id)
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		if err := notifyChange(w, change{What: "tokens"}); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.deleteToken(id) })
		return nil
	})
}
