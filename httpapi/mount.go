package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/headroomhq/headroom/internal/httpbody"
)

// HandleAccountJSON mounts fn at pattern (which has an {account} wildcard)
// behind the native API's bearer tokens (operator, or a service token for
// that account); it reads the body with the native body limit, calls fn
// with the authenticated account and actor, and writes fn's result as JSON
// (200) or its error in the native error form. Other APIs add their native
// endpoints with it, such as Connect's simulated traffic. It panics if
// pattern has no {account} wildcard, as the mux does for a bad pattern.
func (s *Server) HandleAccountJSON(pattern string, fn func(ctx context.Context, account, actor string, r *http.Request, body []byte) (any, error)) {
	if !strings.Contains(pattern, "{account}") {
		panic("httpapi: HandleAccountJSON pattern " + pattern + " has no {account} wildcard")
	}
	s.mux.HandleFunc(pattern, s.forAccount(func(w http.ResponseWriter, r *http.Request) {
		body, err := httpbody.Read(w, r, s.cfg.MaxBodyBytes)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := fn(r.Context(), r.PathValue("account"), actor(r), r, body)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}))
}

// WriteError writes err in the native API's error form, for the process
// router's answer to paths no API serves.
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err)
}

// Do sends a request to any native endpoint, as the typed methods do.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	return c.do(ctx, method, path, in, out)
}
