package httpapi

import (
	"context"
	"net/http"
)

// HandleForAccount mounts h at pattern, which must have an {account}
// wildcard, behind the native API's bearer tokens: the operator's, or a
// service token that may act for that account. Other APIs use it to add
// native endpoints, such as Connect's simulated traffic.
func (s *Server) HandleForAccount(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, s.forAccount(h))
}

// WriteError writes err in the native API's error form.
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err)
}

// WriteJSON writes v as the native API's JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// Actor names the principal of an authenticated request, for the audit
// log.
func Actor(r *http.Request) string {
	if p := principalOf(r.Context()); p != nil {
		return p.name
	}
	return ""
}

// Do sends a request to any native endpoint, as the typed methods do.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	return c.do(ctx, method, path, in, out)
}
