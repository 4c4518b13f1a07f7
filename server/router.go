package server

import (
	"context"
	"expvar"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/contactlensapi"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/internal/sigv4"
	"github.com/headroomhq/headroom/participantapi"
	"github.com/headroomhq/headroom/profilesapi"
	"github.com/headroomhq/headroom/redis"
)

// routedAPIs are the AWS-compatible APIs the router mounts beside the
// native one and Service Quotas.
type routedAPIs struct {
	connect     *connectapi.Handler
	lens        *contactlensapi.Handler
	participant *participantapi.Handler
	profiles    *profilesapi.Handler
	// console is the web console, under /console/.
	console http.Handler
}

// requestCounter counts every request the process serves, whichever API
// answers it; /debug/vars shows it and `headroom bench` reads it.
var requestCounter = expvar.NewInt("headroom_http_requests")

// unknownOperation is the AWS error name SDKs read from X-Amzn-ErrorType
// for an operation the endpoint does not serve.
const unknownOperation = "UnknownOperationException"

// router mounts every API as a sibling on one mux: the native API under
// /v1/ (with Connect's simulated traffic, behind its tokens), /healthz,
// /metrics and /debug/; the AWS Service Quotas API at POST /; and the
// Amazon Connect API at Connect's own paths; the Contact Lens API under
// /realtime-contact-analysis/ (signed for "connect" like the Connect API);
// the Participant Service under /participant/; and the Customer Profiles
// API at its own (/domains/...); and the web console under /console/. Connect and Customer Profiles both serve
// tags under /tags/: a request there goes to the API its SigV4 credential
// scope names.
func router(native *httpapi.Server, serviceQuotas http.Handler, apis routedAPIs, ready func(context.Context) []check) http.Handler {
	connect, lens := apis.connect, apis.lens
	mux := http.NewServeMux()
	for _, rt := range connect.SimulateRoutes() {
		native.HandleAccountJSON(rt.Pattern, rt.Serve)
	}
	for _, rt := range lens.SimulateRoutes() {
		native.HandleAccountJSON(rt.Pattern, rt.Serve)
	}
	for _, p := range []string{"/v1/", "GET /healthz", "GET /metrics", "/debug/"} {
		mux.Handle(p, native)
	}
	// GET /healthz is liveness: the process answers, at no cost. GET
	// /readyz is readiness: one line per dependency, and 503 while one
	// that decisions need (the store) cannot serve.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		checks := ready(r.Context())
		status, first := http.StatusOK, "ready"
		for _, c := range checks {
			if c.fails {
				status, first = http.StatusServiceUnavailable, "not ready"
			}
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s\n", first)
		for _, c := range checks {
			fmt.Fprintf(w, "%s: %s\n", c.name, c.state)
		}
	})
	mux.Handle("POST /{$}", serviceQuotas)
	// The web console, at /console/ (and /console sends the browser
	// there).
	mux.Handle("/console/", apis.console)
	mux.Handle("/console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	connectTags, profileTags := http.NewServeMux(), http.NewServeMux()
	connect.Mount(tagSplitter{mux: mux, tags: connectTags})
	lens.Mount(mux)
	apis.participant.Mount(mux)
	apis.profiles.Mount(mux)
	apis.profiles.MountTags(profileTags)
	mux.Handle("/tags/", tagDispatcher(connectTags, profileTags))
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

// tagSplitter mounts the patterns under /tags/ on tags and the rest on mux.
type tagSplitter struct{ mux, tags *http.ServeMux }

func (t tagSplitter) Handle(pattern string, h http.Handler) {
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		path = pattern
	}
	if strings.HasPrefix(path, "/tags/") {
		t.tags.Handle(pattern, h)
		return
	}
	t.mux.Handle(pattern, h)
}

// tagDispatcher sends a request under /tags/ to Customer Profiles when its
// credential scope names the profile service, else to Amazon Connect
// (which answers an unsigned or malformed request as it does anywhere).
func tagDispatcher(connect, profiles http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sigv4.ScopeService(r) == profilesapi.SigningName {
			profiles.ServeHTTP(w, r)
			return
		}
		connect.ServeHTTP(w, r)
	})
}

// readiness is what a store that can tell whether it can commit now
// implements; a store with neither it nor headroom.Pinger is always ready.
type readiness interface {
	Ready(ctx context.Context) error
}

// check is one dependency's line in /readyz.
type check struct {
	name, state string
	// fails makes the node not ready.
	fails bool
}

// readyTimeout bounds each readiness check, so that /readyz answers even
// while a dependency hangs.
const readyTimeout = 2 * time.Second

// ready checks each dependency: the store must be able to serve now; the
// limiter is reported, and fails nothing, since in a degraded mode it
// still decides by its policy.
func (m *Server) ready(ctx context.Context) []check {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	store := check{name: "store", state: "ok (" + m.storeName + ")"}
	var err error
	switch s := m.store.(type) {
	case readiness:
		err = s.Ready(ctx)
	case headroom.Pinger:
		err = s.Ping(ctx)
	}
	if err != nil {
		store.state, store.fails = "unavailable: "+headroom.ErrorMessage(err), true
	}
	limiter := check{name: "limiter", state: "ok (" + m.limiterName + ")"}
	if l, ok := m.limiter.(*redis.Limiter); ok && l.Mode().Degraded() {
		limiter.state = "degraded, deciding " + l.Mode().String() + " while Redis is unreachable (" + m.limiterName + ")"
	}
	checks := []check{store, limiter}
	if c, ok := m.rlsCheck(); ok {
		checks = append(checks, c)
	}
	return checks
}
