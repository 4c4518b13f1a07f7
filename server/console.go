package server

import (
	"context"
	"net/http"

	"github.com/headroomhq/headroom/console"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/internal/ids"
)

// newConsole builds the web console over the engine, with the operator
// token and the console's session key (keys.go). Without a data directory
// (the memory store) the key is random for the process: sessions then end
// with it.
func (m *Server) newConsole(ctx context.Context, adminToken string) (http.Handler, error) {
	key, err := m.consoleKey(ctx)
	if err != nil {
		return nil, err
	}
	if key == nil {
		key = []byte(ids.Random(32))
	}
	return console.New(console.Config{Services: m.engine, AdminToken: adminToken, Key: key,
		ErrorStatus: httpapi.HTTPStatus, Logger: m.log})
}
