package server

import (
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/postgres"
)

// PagingKeyFile is where the key that authenticates paging tokens is kept,
// in the data directory, readable by its owner only. Tokens signed with it
// survive a restart; deleting it invalidates every token issued.
const PagingKeyFile = "paging-key"

// ConsoleKeyFile is where the key that authenticates the console's
// session cookies and CSRF tokens is kept, in the data directory, readable
// by its owner only. Sessions signed with it survive a restart; deleting
// it ends every console session.
const ConsoleKeyFile = "console-key"

// pagingKey returns the key of the APIs' paging tokens: Config.PagingKey
// (hex, from HEADROOM_PAGING_KEY), else the one kept in the data directory,
// else a new one written there; on a PostgreSQL store, the key kept in the
// database for every node. Without a data directory (the memory store) it
// is nil, a random key per run.
func (m *Server) pagingKey(ctx context.Context) ([]byte, error) {
	return m.serverKey(ctx, storedKey{env: "HEADROOM_PAGING_KEY", value: m.Config.PagingKey, file: PagingKeyFile,
		shared: pagingKeyName, what: "paging key"})
}

// consoleKey returns the key of the console's sessions, found as the
// paging key is: Config.ConsoleKey (HEADROOM_CONSOLE_KEY), else
// ConsoleKeyFile in the data directory, else on PostgreSQL a key shared
// through the database, so that a session works on every node. Without a
// data directory it is nil, a random key per run.
func (m *Server) consoleKey(ctx context.Context) ([]byte, error) {
	return m.serverKey(ctx, storedKey{env: "HEADROOM_CONSOLE_KEY", value: m.Config.ConsoleKey, file: ConsoleKeyFile,
		shared: consoleKeyName, what: "console key"})
}

// storedKey says where one of the server's keys comes from.
type storedKey struct {
	// env and value are the environment variable and its configured value.
	env, value string
	// file is the key's file in the data directory; shared its name in a
	// PostgreSQL database.
	file, shared string
	what         string
}

// serverKey returns a key: the configured value (hex), else on a
// PostgreSQL store the key kept in the database for every node, else the
// one kept in the data directory, else a new one written there. Without a
// data directory (the memory store) it is nil.
func (m *Server) serverKey(ctx context.Context, k storedKey) ([]byte, error) {
	if k.value != "" {
		return decodeKey(k.env, k.value)
	}
	if s, ok := m.store.(*postgres.Store); ok {
		// Nodes sharing a database share its key, made once by the first.
		return s.SharedKey(ctx, k.shared, 32)
	}
	if m.Config.Store == "memory" && m.Config.DataDir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create data directory %s: %v", m.Config.DataDir, err)
	}
	path := filepath.Join(m.Config.DataDir, k.file)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return decodeKey(path, strings.TrimSpace(string(data)))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot read %s file %s: %v", k.what, path, err)
	}
	key := ids.Random(32)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot write %s file %s: %v", k.what, path, err)
	}
	return hex.DecodeString(key)
}

func decodeKey(where, s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < 16 {
		return nil, headroom.Errorf(headroom.EINVALID, "%s must hold at least 32 hex digits (16 bytes); delete the file, or unset the variable, to have a new key made", where)
	}
	return b, nil
}
