package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/secretbox"
)

// SecretKeySize is the size of Config.SecretKey: an AES-256 key.
const SecretKeySize = secretbox.KeySize

// ErrWrongSecretKey is in the chain of Open's error (errors.Is) when
// Config.SecretKey is not the key of the database's secrets. Open has then
// written nothing.
var ErrWrongSecretKey = errors.New("the secret key does not match the database")

// settingSecretKeyCheck is the settings row that holds the check value of
// the key the secrets are encrypted with.
const settingSecretKeyCheck = "secret_key_check"

// sealSecret returns the secret as stored: sealed with the key, or as given
// by a store without one.
func (s *Store) sealSecret(id, account, secret string) (string, error) {
	if s.box == nil {
		return secret, nil
	}
	stored, err := s.box.Seal(id, account, secret)
	if err != nil {
		s.noteError(err)
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
		s.noteError(errors.New("sealed secret without a key"))
		return "", headroom.Errorf(headroom.EINTERNAL, "the secret of access key %s is encrypted and the store has no key", id)
	}
	plain, err := s.box.Open(id, account, stored)
	if err != nil {
		s.noteError(err)
		return "", headroom.Errorf(headroom.EINTERNAL,
			"cannot decrypt the secret of access key %s (%v): its row was changed outside Headroom", id, err)
	}
	return plain, nil
}

// checkSecretKey runs at Open before anything is written: it refuses a key
// that is not the one the database's secrets are encrypted with, and a
// database with encrypted secrets opened without a key. It reports whether
// the database records a key's check value.
func (s *Store) checkSecretKey(ctx context.Context, conn *sql.Conn) (bool, error) {
	var tables int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'settings'").Scan(&tables); err != nil {
		return false, s.openError(err)
	}
	if tables == 0 {
		return false, nil // a new database, or one older than the settings
	}
	var check string
	err := conn.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", settingSecretKeyCheck).Scan(&check)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.openError(err)
	}
	if s.box == nil {
		return true, headroom.Errorf(headroom.EINVALID,
			"database %s keeps its access-key secrets encrypted, and no secret key was given: give the key it was written with (HEADROOM_SECRET_KEY, or the secret-key file of its data directory); Headroom left the database untouched", s.path)
	}
	if !s.box.Matches(check) {
		return true, withCause(headroom.Errorf(headroom.EINVALID,
			"the secret key does not match database %s: its access-key secrets were encrypted with another key. Give the key that belongs to this database (HEADROOM_SECRET_KEY, or the secret-key file of its data directory, restored from the same backup); Headroom left the database untouched", s.path), ErrWrongSecretKey)
	}
	return true, nil
}

// setupSecrets runs at Open, after the migrations and before the writer
// starts, when a key is given (and checkSecretKey accepted it): it records
// the key's check value in a database that has none and encrypts in place
// any secret stored in plaintext.
func (s *Store) setupSecrets(ctx context.Context, conn *sql.Conn, has bool) (err error) {
	if s.box == nil {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return s.openError(err)
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	type plainKey struct {
		seq                 int64
		id, account, secret string
	}
	rows, err := conn.QueryContext(ctx, "SELECT seq, id, account, secret FROM access_keys WHERE secret NOT LIKE 'v1:%'")
	if err != nil {
		return s.openError(err)
	}
	var plain []plainKey
	for rows.Next() {
		var k plainKey
		if err := rows.Scan(&k.seq, &k.id, &k.account, &k.secret); err != nil {
			rows.Close()
			return s.openError(err)
		}
		plain = append(plain, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s.openError(err)
	}
	for _, k := range plain {
		sealed, err := s.sealSecret(k.id, k.account, k.secret)
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "UPDATE access_keys SET secret = ? WHERE seq = ?", sealed, k.seq); err != nil {
			return s.openError(err)
		}
	}
	if !has {
		if _, err := conn.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES (?, ?)", settingSecretKeyCheck, s.box.Check()); err != nil {
			return s.openError(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return s.openError(err)
	}
	if len(plain) == 0 {
		return nil
	}
	// The plaintext is gone from the rows but may linger in free space of
	// their pages, in free pages and in the WAL: rebuild the file and empty
	// the WAL.
	s.log.Info("encrypted access-key secrets stored in plaintext", "path", s.path, "keys", len(plain))
	if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
		return s.openError(err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return s.openError(err)
	}
	return nil
}
