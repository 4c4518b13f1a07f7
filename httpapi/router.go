package httpapi

import (
	"net/http"

	"github.com/headroomhq/headroom"
)

// The process router: the one mux that every API of the process shares,
// the mounting of the other APIs on it, and the answer to a path no API
// serves. It is the process's, not the native API's, and moves to the
// server package; until then the native Server carries it.

// Handle mounts another handler on the server's mux, so that other APIs
// share its one address.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mux.ServeHTTP(w, r)
}

// unknownOperation is the AWS error name SDKs read from X-Amzn-ErrorType
// for an operation the endpoint does not serve.
const unknownOperation = "UnknownOperationException"

// routeUnknown answers every path no API serves. Such a call is most likely
// an AWS operation Headroom does not emulate, so the answer says so in both
// the native shape and the one AWS SDKs read (the error name in
// X-Amzn-ErrorType). It is the only place this package writes an AWS error
// header.
func (s *Server) routeUnknown() {
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", unknownOperation)
		s.writeError(w, r, headroom.Errorf(headroom.ENOTFOUND,
			"Headroom does not serve %s %s; see the README for the native, Service Quotas and Amazon Connect operations it does", r.Method, r.URL.Path))
	})
}
