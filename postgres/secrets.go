package postgres

import (
	"context"
	"errors"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/secretbox"
	"github.com/jackc/pgx/v5"
)

// ErrWrongSecretKey is in the chain of Open's error (errors.Is) when
// Config.SecretKey is not the key of the database's secrets. Open has then
// written nothing.
var ErrWrongSecretKey = errors.New("the secret key does not match the database")

// settingSecretKeyCheck is the settings row that holds the check value of
// the key the secrets are sealed with.
const settingSecretKeyCheck = "secret_key_check"

// setupSecrets runs at Open, after the migrations. It refuses a key that is
// not the one the database's secrets are sealed with, and a database with
// sealed secrets opened without a key. With a key, it records the key's
// check value in a database that has none and seals in place any secret
// stored in plaintext, in one transaction.
func (s *Store) setupSecrets(ctx context.Context, conn *pgx.Conn) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Stores opening together on a new database record one check value.
		if _, err := tx.Exec(ctx, "LOCK TABLE settings IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return s.openError(err)
		}
		var check string
		err := tx.QueryRow(ctx, "SELECT value FROM settings WHERE name = $1", settingSecretKeyCheck).Scan(&check)
		has := err == nil
		if err != nil && !noRows(err) {
			return s.openError(err)
		}
		if has && s.box == nil {
			return headroom.Errorf(headroom.EINVALID,
				"the database schema %s keeps its access-key secrets encrypted, and no secret key was given: give the key it was written with (HEADROOM_SECRET_KEY); Headroom left the database untouched", s.schema)
		}
		if s.box == nil {
			return nil
		}
		if has && !s.box.Matches(check) {
			return withCause(headroom.Errorf(headroom.EINVALID,
				"the secret key does not match the database schema %s: its access-key secrets were encrypted with another key. Give the key that belongs to this database (HEADROOM_SECRET_KEY); Headroom left the database untouched", s.schema), ErrWrongSecretKey)
		}
		type plainKey struct {
			seq                 int64
			id, account, secret string
		}
		rows, err := tx.Query(ctx, "SELECT seq, id, account, secret FROM access_keys WHERE secret NOT LIKE 'v1:%'")
		if err != nil {
			return s.openError(err)
		}
		plain, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (plainKey, error) {
			var k plainKey
			err := r.Scan(&k.seq, &k.id, &k.account, &k.secret)
			return k, err
		})
		if err != nil {
			return s.openError(err)
		}
		for _, k := range plain {
			sealed, err := s.sealSecret(k.id, k.account, k.secret)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE access_keys SET secret = $1 WHERE seq = $2", sealed, k.seq); err != nil {
				return s.openError(err)
			}
		}
		if !has {
			if _, err := tx.Exec(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", settingSecretKeyCheck, s.box.Check()); err != nil {
				return s.openError(err)
			}
		}
		if len(plain) > 0 {
			s.log.Info("encrypted access-key secrets stored in plaintext", "schema", s.schema, "keys", len(plain))
		}
		return nil
	})
}

// sealSecret returns the secret as stored: sealed with the key, or as given
// by a store without one.
func (s *Store) sealSecret(id, account, secret string) (string, error) {
	if s.box == nil {
		return secret, nil
	}
	stored, err := s.box.Seal(id, account, secret)
	if err != nil {
		s.internalErrors.Add(1)
		return "", headroom.Errorf(headroom.EINTERNAL, "cannot encrypt the secret of access key %s: %v", id, err)
	}
	return stored, nil
}

// openSecret returns the secret of a stored one: opened if sealed, as it is
// if it is plaintext (written without a key).
func (s *Store) openSecret(id, account, stored string) (string, error) {
	if !secretbox.Sealed(stored) {
		return stored, nil
	}
	if s.box == nil {
		s.internalErrors.Add(1)
		return "", headroom.Errorf(headroom.EINTERNAL, "the secret of access key %s is encrypted and the store has no key", id)
	}
	plain, err := s.box.Open(id, account, stored)
	if err != nil {
		s.internalErrors.Add(1)
		return "", headroom.Errorf(headroom.EINTERNAL,
			"cannot decrypt the secret of access key %s (%v): its row was changed outside Headroom", id, err)
	}
	return plain, nil
}
