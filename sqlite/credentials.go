package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// CreateAccessKey implements headroom.Store: EUNKNOWNACCOUNT, or ECONFLICT
// if the key id exists.
func (s *Store) CreateAccessKey(ctx context.Context, k headroom.AccessKey, audit headroom.AuditEntry) error {
	secret, err := s.sealSecret(k.ID, k.Account, k.Secret)
	if err != nil {
		return err
	}
	return s.write(ctx, func(w *wtx) error {
		if err := accountExists(w, k.Account); err != nil {
			return err
		}
		n, err := w.execN("INSERT INTO access_keys (id, account, secret, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			k.ID, k.Account, secret, dbcodec.EncTime(k.Created))
		if err != nil {
			return s.backendError("create access key", err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ECONFLICT, "access key %s already exists", k.ID)
		}
		return appendAudit(w, audit)
	})
}

// FindAccessKey implements headroom.Store: ENOTFOUND if there is no such
// key.
func (s *Store) FindAccessKey(ctx context.Context, id string) (headroom.AccessKey, error) {
	k := headroom.AccessKey{ID: id}
	var created int64
	err := s.readRow(ctx, "SELECT account, secret, created FROM access_keys WHERE id = ?", id).Scan(&k.Account, &k.Secret, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return headroom.AccessKey{}, headroom.Errorf(headroom.ENOTFOUND, "access key %s does not exist", id)
	}
	if err != nil {
		return headroom.AccessKey{}, s.backendError("find access key", err)
	}
	k.Created = dbcodec.DecTime(created)
	if k.Secret, err = s.openSecret(k.ID, k.Account, k.Secret); err != nil {
		return headroom.AccessKey{}, err
	}
	return k, nil
}

// ListAccessKeys implements headroom.Store: the account's keys in the order
// they were created.
func (s *Store) ListAccessKeys(ctx context.Context, account string) ([]headroom.AccessKey, error) {
	rows, err := s.readRows(ctx, "SELECT id, secret, created FROM access_keys WHERE account = ? ORDER BY seq", account)
	if err != nil {
		return nil, s.backendError("list access keys", err)
	}
	defer rows.Close()
	var out []headroom.AccessKey
	for rows.Next() {
		k := headroom.AccessKey{Account: account}
		var created int64
		if err := rows.Scan(&k.ID, &k.Secret, &created); err != nil {
			return nil, s.backendError("list access keys", err)
		}
		k.Created = dbcodec.DecTime(created)
		if k.Secret, err = s.openSecret(k.ID, k.Account, k.Secret); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list access keys", err)
	}
	return out, nil
}

// CreateToken implements headroom.Store: ECONFLICT if the id or the hash
// exists.
func (s *Store) CreateToken(ctx context.Context, t headroom.Token, audit headroom.AuditEntry) error {
	hash := append([]byte{}, t.Hash...) // never nil: an empty hash is a value, not NULL
	return s.write(ctx, func(w *wtx) error {
		var one int
		err := w.row("SELECT 1 FROM tokens WHERE id = ? OR hash = ?", t.ID, hash).Scan(&one)
		if err == nil {
			return headroom.Errorf(headroom.ECONFLICT, "token %s already exists", t.ID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return s.backendError("create token", err)
		}
		if _, err := w.exec("INSERT INTO tokens (id, name, role, hash, accounts, created) VALUES (?, ?, ?, ?, ?, ?)",
			t.ID, t.Name, string(t.Role), hash, dbcodec.EncList(t.Accounts), dbcodec.EncTime(t.Created)); err != nil {
			return s.backendError("create token", err)
		}
		return appendAudit(w, audit)
	})
}

const tokenSelect = "SELECT id, name, role, hash, accounts, created FROM tokens"

func scanToken(sc interface{ Scan(...any) error }) (headroom.Token, error) {
	var t headroom.Token
	var role, accounts string
	var created int64
	if err := sc.Scan(&t.ID, &t.Name, &role, &t.Hash, &accounts, &created); err != nil {
		return t, err
	}
	t.Role, t.Created = headroom.Role(role), dbcodec.DecTime(created)
	var err error
	t.Accounts, err = dbcodec.DecList(accounts)
	return t, err
}

// FindToken implements headroom.Store: ENOTFOUND if no token has the hash.
func (s *Store) FindToken(ctx context.Context, hash []byte) (headroom.Token, error) {
	t, err := scanToken(s.readRow(ctx, tokenSelect+" WHERE hash = ?", append([]byte{}, hash...)))
	if errors.Is(err, sql.ErrNoRows) {
		return headroom.Token{}, headroom.Errorf(headroom.ENOTFOUND, "no such token")
	}
	if err != nil {
		return headroom.Token{}, s.backendError("find token", err)
	}
	return t, nil
}

// ListTokens implements headroom.Store.
func (s *Store) ListTokens(ctx context.Context) ([]headroom.Token, error) {
	rows, err := s.readRows(ctx, tokenSelect+" ORDER BY id")
	if err != nil {
		return nil, s.backendError("list tokens", err)
	}
	defer rows.Close()
	var out []headroom.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.backendError("list tokens", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list tokens", err)
	}
	return out, nil
}

// DeleteToken implements headroom.Store: ENOTFOUND if there is no such
// token.
func (s *Store) DeleteToken(ctx context.Context, id string, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("DELETE FROM tokens WHERE id = ?", id)
		if err != nil {
			return s.backendError("delete token", err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "token %s does not exist", id)
		}
		return appendAudit(w, audit)
	})
}
