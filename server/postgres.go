package server

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/postgres"
)

// pagingKeyName is the shared setting that holds the paging key of nodes
// on a PostgreSQL store, so that a NextToken from one node pages on all.
const pagingKeyName = "paging-key"

// consoleKeyName is the shared setting that holds the console's session
// key of nodes on a PostgreSQL store, so that a session works on all.
const consoleKeyName = "console-key"

// openPostgres opens the PostgreSQL store of Config.Store. The access-key
// secrets' key comes from HEADROOM_SECRET_KEY or the data directory, as
// for SQLite; every node of one database needs the same key.
func (m *Server) openPostgres(ctx context.Context) (*postgres.Store, error) {
	if err := m.prepareDataDir(); err != nil {
		return nil, err
	}
	key, made, err := m.secretKey()
	if err != nil {
		return nil, err
	}
	s, err := postgres.Open(ctx, postgres.Config{URL: m.Config.Store, Clock: m.Clock, Logger: m.log, SecretKey: key,
		OpTimeout: m.Config.StoreTimeout})
	if err != nil && errors.Is(err, postgres.ErrWrongSecretKey) {
		hint := "give every node the database's key in HEADROOM_SECRET_KEY"
		if made {
			os.Remove(filepath.Join(m.Config.DataDir, SecretKeyFile))
			hint = "this node had no key, so one was made and removed again; " + hint
		}
		return nil, headroom.Errorf(headroom.EINVALID, "%s: %s", headroom.ErrorMessage(err), hint)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// postgresWhere names a PostgreSQL store for logs and /readyz: host,
// database and schema, never the password.
func postgresWhere(s *postgres.Store, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres"
	}
	return "postgres " + u.Host + u.Path + " schema " + s.Schema()
}
