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

// pagingKey returns the key of the APIs' paging tokens: Config.PagingKey
// (hex, from HEADROOM_PAGING_KEY), else the one kept in the data directory,
// else a new one written there; on a PostgreSQL store, the key kept in the
// database for every node. Without a data directory (the memory store) it
// is nil, a random key per run.
func (m *Server) pagingKey(ctx context.Context) ([]byte, error) {
	if m.Config.PagingKey != "" {
		return decodeKey("HEADROOM_PAGING_KEY", m.Config.PagingKey)
	}
	if s, ok := m.store.(*postgres.Store); ok {
		// Nodes sharing a database share its key, made once by the first.
		return s.SharedKey(ctx, pagingKeyName, 32)
	}
	if m.Config.Store == "memory" && m.Config.DataDir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create data directory %s: %v", m.Config.DataDir, err)
	}
	path := filepath.Join(m.Config.DataDir, PagingKeyFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return decodeKey(path, strings.TrimSpace(string(data)))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot read paging key file %s: %v", path, err)
	}
	key := ids.Random(32)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot write paging key file %s: %v", path, err)
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
