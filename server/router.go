package server

import (
	"context"
	"expvar"
	"fmt"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/httpapi"
)

// requestCounter counts every request the process serves, whichever API
// answers it; /debug/vars shows it and `headroom bench` reads it.
var requestCounter = expvar.NewInt("headroom_http_requests")

// unknownOperation is the AWS error name SDKs read from X-Amzn-ErrorType
// for an operation the endpoint does not serve.
const unknownOperation = "UnknownOperationException"

// router mounts every API as a sibling on one mux: the native API under
// /v1/ (with Connect's simulated traffic, behind its tokens), /healthz,
// /metrics and /debug/; the AWS Service Quotas API at POST /; and the
// Amazon Connect API at Connect's own paths.
func router(native *httpapi.Server, serviceQuotas http.Handler, connect *connectapi.Handler, ready func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range connect.SimulateRoutes() {
		native.HandleAccountJSON(rt.Pattern, rt.Serve)
	}
	for _, p := range []string{"/v1/", "GET /healthz", "GET /metrics", "/debug/"} {
		mux.Handle(p, native)
	}
	// GET /healthz is liveness: the process answers. GET /readyz is
	// readiness: the store can commit now.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %s\n", headroom.ErrorMessage(err))
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("POST /{$}", serviceQuotas)
	connect.Mount(mux)
	// A path no API serves is most likely an AWS operation Headroom does
	// not emulate, so the answer says so in both the native shape and the
	// one AWS SDKs read.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", unknownOperation)
		native.WriteError(w, r, headroom.Errorf(headroom.ENOTFOUND,
			"Headroom does not serve %s %s; see the README for the native, Service Quotas and Amazon Connect operations it does", r.Method, r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requestCounter.Add(1)
		mux.ServeHTTP(w, r)
	})
}

// readiness is what a store that can tell whether it can commit now
// implements; a store without it is always ready.
type readiness interface {
	Ready(ctx context.Context) error
}

// ready reports whether the server can serve: its store can commit now.
func (m *Server) ready(ctx context.Context) error {
	if r, ok := m.store.(readiness); ok {
		return r.Ready(ctx)
	}
	return nil
}
