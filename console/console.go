package console

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/headroomhq/headroom"
)

// DefaultSessionTTL is how long a console session lasts after sign-in.
const DefaultSessionTTL = 12 * time.Hour

// MinKeyBytes is the shortest session key Config accepts.
const MinKeyBytes = 16

// maxFormBytes bounds a form post's body; the console's forms are small.
const maxFormBytes = 16 << 10

// Config configures the console.
type Config struct {
	// Services are the domain services the pages read and change; required.
	Services headroom.Services
	// AdminToken is the operator's secret; required.
	AdminToken string
	// Key authenticates session cookies and CSRF tokens: at least
	// MinKeyBytes bytes. The server keeps it so that sessions survive a
	// restart and work on every node sharing a store.
	Key []byte
	// ErrorStatus maps a Headroom error to its HTTP status: the native
	// API's table (httpapi.HTTPStatus); required.
	ErrorStatus func(error) int
	// SessionTTL is how long a session lasts; DefaultSessionTTL if zero.
	SessionTTL time.Duration
	// Logger receives errors the pages could not show; discarded if nil.
	Logger *slog.Logger
}

// Validate returns an EINVALID error naming the first bad field.
func (c *Config) Validate() error {
	switch {
	case c.Services == nil:
		return headroom.FieldErrorf("Services", "is required")
	case c.AdminToken == "":
		return headroom.FieldErrorf("AdminToken", "is required")
	case len(c.Key) < MinKeyBytes:
		return headroom.FieldErrorf("Key", "must hold at least %d bytes, got %d", MinKeyBytes, len(c.Key))
	case c.ErrorStatus == nil:
		return headroom.FieldErrorf("ErrorStatus", "is required")
	case c.SessionTTL < 0:
		return headroom.FieldErrorf("SessionTTL", "must not be negative, got %s", c.SessionTTL)
	}
	return nil
}

// Handler serves the console under /console/. It is safe for concurrent
// use.
type Handler struct {
	cfg       Config
	svc       headroom.Services
	adminHash []byte
	mux       *http.ServeMux
	pages     *pages
	log       *slog.Logger
}

// New returns the console's handler, or the configuration's first error.
func New(cfg Config) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, svc: cfg.Services, adminHash: headroom.HashToken(cfg.AdminToken), mux: http.NewServeMux(), pages: p, log: log}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	h.mux.HandleFunc("GET /console/{$}", h.handleIndex)
	h.mux.HandleFunc("POST /console/login", h.handleLogin)
	h.mux.HandleFunc("POST /console/logout", h.signedIn(h.handleLogout))
	h.mux.HandleFunc("GET /console/accounts", h.signedIn(h.handleAccounts))
	h.mux.HandleFunc("GET /console/accounts/{account}", h.forAccount(h.handleAccount))
	h.mux.HandleFunc("GET /console/accounts/{account}/quotas/{code}", h.forAccount(h.handleQuota))
	h.mux.HandleFunc("POST /console/accounts/{account}/quotas/{code}/requests", h.forAccount(h.handleRequestIncrease))
	h.mux.HandleFunc("GET /console/accounts/{account}/instances", h.forAccount(h.handleInstances))
	h.mux.HandleFunc("GET /console/requests", h.signedIn(h.handleRequests))
	h.mux.HandleFunc("POST /console/requests/{id}/decision", h.operator(h.handleDecide))
	h.mux.HandleFunc("GET /console/alarms", h.signedIn(h.handleAlarms))
	h.mux.HandleFunc("GET /console/audit", h.signedIn(h.handleAudit))
	h.mux.HandleFunc("GET /console/static/{file}", h.handleStatic)
	h.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, nil, headroom.Errorf(headroom.ENOTFOUND, "the console has no page at %s", r.URL.Path))
	})
}

// ServeHTTP serves a console request, with the security headers every
// answer carries.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows the console's own files only: no inline
// script or style, no framing, forms posted only back to the console.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setSecurityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
}
