package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/blobdir"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/sqlite"
)

// SecretKeyFile is where the key that encrypts access-key secrets in the
// database is kept, in the data directory, readable by its owner only, as
// 64 hex digits. It is made on the first start unless HEADROOM_SECRET_KEY
// gives the key. A database's secrets can only be read with its key: back
// the file up with the database, but keep the copies apart.
const SecretKeyFile = "secret-key"

// prepareDataDir creates the data directory with mode 0700, or warns, one
// log line per path, about an existing directory or file in it that other
// users may read.
func (m *Server) prepareDataDir() error {
	dir := m.Config.DataDir
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return headroom.Errorf(headroom.EUNAVAILABLE, "cannot create data directory %s: %v", dir, err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return headroom.Errorf(headroom.EUNAVAILABLE, "cannot set the mode of data directory %s: %v", dir, err)
		}
		return nil
	}
	m.warnPermissions(dir)
	return nil
}

// warnPermissions logs a warning for the data directory if it is wider
// than 0700 and for each file in it wider than 0600, with the command that
// fixes it.
func (m *Server) warnPermissions(dir string) {
	fi, err := os.Stat(dir)
	if err != nil {
		return
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		m.log.Warn("the data directory is open to other users; it holds secrets", "path", dir,
			"mode", fmt.Sprintf("%04o", perm), "fix", "chmod 700 "+shellQuote(dir))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			p := filepath.Join(dir, e.Name())
			m.log.Warn("a data file is open to other users; it may hold secrets", "path", p,
				"mode", fmt.Sprintf("%04o", perm), "fix", "chmod 600 "+shellQuote(p))
		}
	}
}

// shellQuote quotes a path for a shell command line when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// openSQLite opens the data directory's database with the secret key.
func (m *Server) openSQLite(ctx context.Context, path string) (*sqlite.Store, error) {
	key, made, err := m.secretKey()
	if err != nil {
		return nil, err
	}
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path, Clock: m.Clock, Logger: m.log, SecretKey: key})
	if err != nil && made && errors.Is(err, sqlite.ErrWrongSecretKey) {
		// The database was encrypted with a key whose file is gone. Open
		// wrote nothing: remove the key just made, so that the lost one can
		// be put back.
		kp := filepath.Join(m.Config.DataDir, SecretKeyFile)
		os.Remove(kp)
		return nil, headroom.Errorf(headroom.EINVALID, "%s. There was no key file %s, so a new key was made, and removed again: put back the key file of this database", headroom.ErrorMessage(err), kp)
	}
	return s, err
}

// secretKey returns the key of the access-key secrets: Config.SecretKey
// (hex, from HEADROOM_SECRET_KEY), else the one kept in the data directory,
// else a new one written there; made tells the last case.
func (m *Server) secretKey() (key []byte, made bool, err error) {
	if m.Config.SecretKey != "" {
		key, err := secretKeyOf("HEADROOM_SECRET_KEY", m.Config.SecretKey)
		return key, false, err
	}
	path := filepath.Join(m.Config.DataDir, SecretKeyFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := secretKeyOf(path, strings.TrimSpace(string(data)))
		return key, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, headroom.Errorf(headroom.EUNAVAILABLE, "cannot read secret key file %s: %v", path, err)
	}
	hexKey := ids.Random(sqlite.SecretKeySize)
	if err := writeNewFile(path, []byte(hexKey+"\n")); err != nil {
		return nil, false, headroom.Errorf(headroom.EUNAVAILABLE, "cannot write secret key file %s: %v", path, err)
	}
	m.log.Info("generated the key that encrypts access-key secrets; back it up apart from the database", "path", path)
	key, err = hex.DecodeString(hexKey)
	return key, true, err
}

// secretKeyOf decodes a secret key, which must be exactly SecretKeySize
// bytes of hex.
func secretKeyOf(where, s string) ([]byte, error) {
	key, err := decodeKey(where, s)
	if err != nil {
		return nil, err
	}
	if len(key) != sqlite.SecretKeySize {
		return nil, headroom.Errorf(headroom.EINVALID, "%s must hold %d hex digits (%d bytes), not %d bytes", where, 2*sqlite.SecretKeySize, sqlite.SecretKeySize, len(key))
	}
	return key, nil
}

// writeNewFile writes a file that must not exist, mode 0600 whatever the
// umask, and syncs it.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = f.Chmod(0o600)
	if _, werr := f.Write(data); err == nil {
		err = werr
	}
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// openBlobs chooses where chat attachments' bytes are kept: in the store
// when it keeps blobs itself (PostgreSQL, shared by every node; memory,
// lost on exit as the rest of it is), else in the data directory's
// attachments folder.
func (m *Server) openBlobs(store headroom.Store) (headroom.BlobStore, error) {
	if b, ok := store.(headroom.BlobStore); ok {
		return b, nil
	}
	return blobdir.Open(filepath.Join(m.Config.DataDir, "attachments"))
}
