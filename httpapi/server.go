package httpapi

import (
	"context"
	"encoding/json"
	"expvar"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/headroomhq/headroom"
)

// Defaults for Config.
const (
	DefaultMaxBodyBytes  = 1 << 20
	DefaultMaxBatchItems = 1000
	// DefaultLargeBatchBytes is the body size from which an enforce call is
	// a large batch (a batch of 10 is about 1.5 KB).
	DefaultLargeBatchBytes = 64 << 10
	// DefaultLargeBatchesPerToken is how many large batches one token may
	// have decoded at once; more wait their turn.
	DefaultLargeBatchesPerToken = 2
	// DefaultTokenCacheTTL is how long a verified service token is trusted
	// without asking the store again.
	DefaultTokenCacheTTL = 10 * time.Second
)

// Config configures a Server.
type Config struct {
	// Engine is required: the domain services the API runs on (a
	// *headroom.Engine implements them).
	Engine headroom.Services
	// AdminToken is the operator's secret; required.
	AdminToken string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes limits request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64
	// MaxBatchItems limits items per enforce call; DefaultMaxBatchItems if zero.
	MaxBatchItems int
	// LargeBatchBytes is the body size from which an enforce call counts
	// as large (a body of unknown length does too); DefaultLargeBatchBytes
	// if zero.
	LargeBatchBytes int64
	// LargeBatchesPerToken bounds the large enforce calls one token may
	// have decoded at once, so that one tenant sending big batches in a
	// loop cannot crowd out every other caller's small ones;
	// DefaultLargeBatchesPerToken if zero.
	LargeBatchesPerToken int
	// TokenCacheTTL is how long a verified service token is trusted
	// without asking the store again; DefaultTokenCacheTTL if zero, and no
	// caching here if negative: for a store that several nodes share and
	// that keeps its own cache, told of deletions made on other nodes.
	TokenCacheTTL time.Duration
}

// Validate returns an *headroom.Error naming the first bad field.
func (c *Config) Validate() error {
	switch {
	case c.Engine == nil:
		return headroom.FieldErrorf("Engine", "is required")
	case c.AdminToken == "":
		return headroom.FieldErrorf("AdminToken", "is required")
	case c.MaxBodyBytes < 0:
		return headroom.FieldErrorf("MaxBodyBytes", "must not be negative")
	case c.MaxBatchItems < 0:
		return headroom.FieldErrorf("MaxBatchItems", "must not be negative")
	case c.LargeBatchBytes < 0:
		return headroom.FieldErrorf("LargeBatchBytes", "must not be negative")
	case c.LargeBatchesPerToken < 0:
		return headroom.FieldErrorf("LargeBatchesPerToken", "must not be negative")
	}
	return nil
}

// Server is the native API's HTTP handler. It is safe for concurrent use.
type Server struct {
	cfg       Config
	svc       headroom.Services
	log       *slog.Logger
	adminHash []byte
	mux       *http.ServeMux

	tokMu  sync.RWMutex
	tokens map[string]cachedToken // secret hash → token

	large *largeBatches

	// decisions count enforce decisions; metrics is what GET /metrics
	// exposes.
	decisions *decisionCounts
	metrics   *prometheus.Registry
}

type cachedToken struct {
	tok     headroom.Token
	expires time.Time
}

// New returns a server, or the error of cfg.Validate.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBatchItems == 0 {
		cfg.MaxBatchItems = DefaultMaxBatchItems
	}
	if cfg.LargeBatchBytes == 0 {
		cfg.LargeBatchBytes = DefaultLargeBatchBytes
	}
	if cfg.LargeBatchesPerToken == 0 {
		cfg.LargeBatchesPerToken = DefaultLargeBatchesPerToken
	}
	if cfg.TokenCacheTTL == 0 {
		cfg.TokenCacheTTL = DefaultTokenCacheTTL
	}
	s := &Server{cfg: cfg, svc: cfg.Engine, log: cfg.Logger,
		adminHash: headroom.HashToken(cfg.AdminToken), mux: http.NewServeMux(),
		tokens: map[string]cachedToken{}, large: newLargeBatches(cfg.LargeBatchesPerToken),
		decisions: newDecisionCounts(cfg.Engine.Catalog()), metrics: prometheus.NewRegistry()}
	s.metrics.MustRegister(s.decisions)
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.mux.Handle("GET /metrics", s.metricsHandler())
	s.mux.Handle("GET /debug/vars", s.operator(expvar.Handler().ServeHTTP))
	s.mux.Handle("GET /debug/pprof/", s.operator(pprof.Index))
	s.mux.Handle("GET /debug/pprof/profile", s.operator(pprof.Profile))
	s.mux.HandleFunc("POST /v1/enforce", s.authed(s.handleEnforce))
	s.mux.HandleFunc("GET /v1/accounts", s.operator(s.handleListAccounts))
	s.mux.HandleFunc("POST /v1/accounts", s.operator(s.handleCreateAccount))
	s.mux.HandleFunc("GET /v1/accounts/{account}", s.forAccount(s.handleGetAccount))
	s.mux.HandleFunc("POST /v1/accounts/{account}/keys", s.operator(s.handleCreateKey))
	s.mux.HandleFunc("GET /v1/accounts/{account}/quotas", s.forAccount(s.handleListQuotas))
	s.mux.HandleFunc("GET /v1/accounts/{account}/quotas/{code}", s.forAccount(s.handleGetQuota))
	s.mux.HandleFunc("GET /v1/accounts/{account}/overrides", s.forAccount(s.handleListOverrides))
	s.mux.HandleFunc("PUT /v1/accounts/{account}/overrides/{code}", s.operator(s.handleSetOverride))
	s.mux.HandleFunc("DELETE /v1/accounts/{account}/overrides/{code}", s.operator(s.handleDeleteOverride))
	s.mux.HandleFunc("GET /v1/accounts/{account}/usage", s.forAccount(s.handleUsage))
	s.mux.HandleFunc("PUT /v1/accounts/{account}/usage/{code}", s.operator(s.handleReconcile))
	s.mux.HandleFunc("GET /v1/accounts/{account}/usage/{code}/history", s.forAccount(s.handleHistory))

	s.mux.HandleFunc("POST /v1/accounts/{account}/plan", s.forAccount(s.handlePlan))
	s.mux.HandleFunc("GET /v1/tokens", s.operator(s.handleListTokens))
	s.mux.HandleFunc("POST /v1/tokens", s.operator(s.handleCreateToken))
	s.mux.HandleFunc("DELETE /v1/tokens/{id}", s.operator(s.handleDeleteToken))
	s.mux.HandleFunc("GET /v1/audit", s.operator(s.handleAudit))
	s.mux.HandleFunc("POST /v1/requests", s.authed(s.handleCreateRequest))
	s.mux.HandleFunc("GET /v1/requests", s.operator(s.handleListRequests))
	s.mux.HandleFunc("GET /v1/requests/{id}", s.operator(s.handleGetRequest))
	s.mux.HandleFunc("POST /v1/requests/{id}/approve", s.operator(s.handleDecide(headroom.StatusApproved)))
	s.mux.HandleFunc("POST /v1/requests/{id}/deny", s.operator(s.handleDecide(headroom.StatusDenied)))
	s.mux.HandleFunc("POST /v1/requests/{id}/close", s.operator(s.handleDecide(headroom.StatusCaseClosed)))
	s.alarmRoutes()
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, headroom.Errorf(headroom.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorBody(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="headroom"`)
	}
	if d := headroom.ErrorDenial(err); d != nil && d.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfterSeconds(d.RetryAfter))
	}
	writeJSON(w, status, body)
}

func retryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return itoa(secs)
}

// principalKey is the request context key of the authenticated principal.
type principalKey struct{}

// principal is who a request acts as.
type principal struct {
	role headroom.Role
	name string
	tok  headroom.Token
}

func (p *principal) mayAct(account string) bool { return p.tok.MayAct(account) }

func principalOf(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// authenticate finds the principal of a bearer token: the operator, or a
// service token from the store. The secret is hashed first; the operator's
// hash is compared in constant time, and stored tokens are found by hash.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return nil, headroom.Errorf(headroom.EUNAUTHENTICATED, "missing bearer token: send Authorization: Bearer <token>")
	}
	hash := headroom.HashToken(strings.TrimSpace(secret))
	if headroom.SameHash(hash, s.adminHash) {
		return &principal{role: headroom.RoleOperator, name: "operator", tok: headroom.Token{Role: headroom.RoleOperator}}, nil
	}
	tok, err := s.findToken(r.Context(), hash)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, headroom.Errorf(headroom.EUNAUTHENTICATED, "unknown or revoked token")
		}
		return nil, err
	}
	return &principal{role: tok.Role, name: "token:" + tok.ID, tok: tok}, nil
}

func (s *Server) findToken(ctx context.Context, hash []byte) (headroom.Token, error) {
	if s.cfg.TokenCacheTTL < 0 {
		return s.svc.FindToken(ctx, hash)
	}
	now := time.Now()
	s.tokMu.RLock()
	c, ok := s.tokens[string(hash)]
	s.tokMu.RUnlock()
	if ok && now.Before(c.expires) {
		return c.tok, nil
	}
	tok, err := s.svc.FindToken(ctx, hash)
	if err != nil {
		return headroom.Token{}, err
	}
	if !headroom.SameHash(tok.Hash, hash) {
		return headroom.Token{}, headroom.Errorf(headroom.ENOTFOUND, "no such token")
	}
	s.tokMu.Lock()
	s.tokens[string(hash)] = cachedToken{tok: tok, expires: now.Add(s.cfg.TokenCacheTTL)}
	s.tokMu.Unlock()
	return tok, nil
}

// forgetTokens empties the token cache, after a token is deleted.
func (s *Server) forgetTokens() {
	s.tokMu.Lock()
	s.tokens = map[string]cachedToken{}
	s.tokMu.Unlock()
}

// authed requires any valid token.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// operator requires the operator token.
func (s *Server) operator(h http.HandlerFunc) http.HandlerFunc {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		if principalOf(r.Context()).role != headroom.RoleOperator {
			s.writeError(w, r, headroom.Errorf(headroom.EFORBIDDEN, "this call needs the operator token"))
			return
		}
		h(w, r)
	})
}

// forAccount requires a token that may act for the {account} in the path.
func (s *Server) forAccount(h http.HandlerFunc) http.HandlerFunc {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		if acct := r.PathValue("account"); !principalOf(r.Context()).mayAct(acct) {
			s.writeError(w, r, headroom.Errorf(headroom.EFORBIDDEN, "this token may not act for account %s", acct))
			return
		}
		h(w, r)
	})
}

// actor names the principal in the audit log.
func actor(r *http.Request) string { return principalOf(r.Context()).name }

// ServeHTTP serves the native API: /v1/, /healthz, /metrics and /debug/.
// The server package mounts it beside the other APIs on one router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
