package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/contactlensapi"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/participantapi"
	"github.com/headroomhq/headroom/phone"
	"github.com/headroomhq/headroom/profilesapi"
	"github.com/headroomhq/headroom/rls"
	"github.com/headroomhq/headroom/webhook"
)

// Server is a running Headroom: it builds the store, limiter and engine from
// its Config, and mounts the native, AWS Service Quotas and Amazon Connect
// APIs as siblings on one router and one address. Run opens everything and
// returns once the server listens; Close stops it gracefully. cmd/headroom
// and every end-to-end test start it the same way. A Server is not safe for
// concurrent Run and Close calls.
type Server struct {
	Config Config
	// Stderr receives the log. Defaults to os.Stderr.
	Stderr io.Writer
	// Clock defaults to a coarse clock.
	Clock headroom.Clock
	// SignClock is what the AWS APIs check request signatures' dates
	// against; Clock if nil. Tests that move Clock by hours keep it on the
	// real time, as the SDKs sign with it.
	SignClock headroom.Clock
	// NoopEnforce answers enforcement without the engine, to measure the
	// HTTP stack alone; only binaries built with -tags headroom_bench
	// accept it.
	NoopEnforce bool

	log      *slog.Logger
	engine   *headroom.Engine
	closers  []func() error
	listener net.Listener
	server   *http.Server
	served   chan error
	handler  http.Handler
	guard    *guard
	store    headroom.Store
	limiter  headroom.Limiter
	// storeName and limiterName say where state is, for logs and /readyz,
	// without credentials.
	storeName, limiterName string
	// maintained counts completed maintenance passes.
	maintained atomic.Int64
	// dispatcher delivers alarm notifications (alarms.go).
	dispatcher *webhook.Dispatcher
	// recorded counts completed usage-history recording passes.
	recorded atomic.Int64
	// RLSOnApply, if set before Run, is called after each rate-limit
	// configuration is adopted or refused (rls.Options.OnApply).
	RLSOnApply func(version uint64, err error)
	rls        *rls.Service
	rlsServer  *rls.GRPCServer
}

// New returns a Server with the default configuration.
func New() *Server { return &Server{Config: DefaultConfig()} }

// URL returns the base URL the server listens on, once Run has returned.
func (m *Server) URL() string { return "http://" + m.listener.Addr().String() }

// Handler returns the router that serves every API, once Run has returned,
// for tests that drive it in process.
func (m *Server) Handler() http.Handler { return m.handler }

// Engine returns the running engine.
func (m *Server) Engine() *headroom.Engine { return m.engine }

// Run validates the configuration, opens the store, builds the engine and
// starts serving. It returns once the server accepts connections, or with
// the first error, having released whatever it opened.
func (m *Server) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			m.closeAll()
		}
	}()
	if m.Stderr == nil {
		m.Stderr = os.Stderr
	}
	if err := m.Config.Validate(); err != nil {
		return err
	}
	m.log = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: parseLevel(m.Config.LogLevel)}))
	if m.Clock == nil {
		c := clock.NewCoarse(0)
		m.Clock = c
		m.closers = append(m.closers, c.Close)
	}
	cat, err := m.loadCatalog()
	if err != nil {
		return err
	}
	store, where, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	m.store, m.storeName = store, where
	m.limiter, m.limiterName, err = m.openLimiter(ctx, store)
	if err != nil {
		return err
	}
	blobs, err := m.openBlobs(store)
	if err != nil {
		return err
	}
	m.engine, err = headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: m.limiter, Clock: m.Clock, Region: m.Config.Region, Numbers: phone.Parser{},
		Blobs: blobs, AutoApproval: headroom.AutoApproval{Codes: m.Config.AutoApprove, Factor: m.Config.AutoApproveFactor},
		NoHistory: !m.Config.History})
	if err != nil {
		return err
	}
	if m.Config.History {
		m.startHistory(HistoryInterval)
	}
	interval := m.Config.MaintainInterval
	if interval == 0 {
		interval = DefaultMaintainInterval
	}
	m.startMaintenance(interval, headroom.Retention{Keys: m.Config.IdempotencyRetention, Audit: m.Config.AuditRetention,
		Notifications: m.Config.NotificationRetention})
	if err := m.startAlarms(); err != nil {
		return err
	}
	token, tokenNote, err := m.adminToken()
	if err != nil {
		return err
	}
	native, err := nativeServices(m.engine, m.NoopEnforce)
	if err != nil {
		return err
	}
	// A store that several nodes share keeps its own token cache, told of
	// deletions on any node: the API must not keep one of its own.
	var tokenTTL time.Duration
	if _, shared := store.(headroom.Membership); shared {
		tokenTTL = -1
	}
	api, err := httpapi.New(httpapi.Config{Engine: native, AdminToken: token, Logger: m.log, MaxBodyBytes: m.Config.MaxBodyBytes,
		TokenCacheTTL: tokenTTL})
	if err != nil {
		return err
	}
	// The AWS Service Quotas–compatible API shares the address: POST /.
	// Both AWS APIs sign their paging tokens with the same key.
	pagingKey, err := m.pagingKey(ctx)
	if err != nil {
		return err
	}
	if pagingKey == nil {
		// A memory store without a data directory: one random key for
		// the process, shared by every API, since the Connect API mints
		// the ParticipantToken that the Participant API verifies.
		pagingKey = []byte(ids.Random(32))
	}
	signClock := m.SignClock
	if signClock == nil {
		signClock = m.Clock
	}
	aws, err := awsapi.New(awsapi.Config{Engine: m.engine, Clock: signClock, Region: m.Config.Region, TokenKey: pagingKey,
		ManagementAccount: m.Config.ManagementAccount, MaxBodyBytes: m.Config.MaxBodyBytes, Logger: m.log})
	if err != nil {
		return err
	}
	// The Amazon Connect–compatible API shares it too, at Connect's own
	// paths (PUT /instance, PUT /users/{InstanceId}, ...), none under /v1/.
	conn, err := connectapi.New(connectapi.Config{Engine: m.engine, Clock: signClock, Region: m.Config.Region,
		MaxBodyBytes: m.Config.MaxBodyBytes, TokenKey: pagingKey, Logger: m.log})
	if err != nil {
		return err
	}
	// The Amazon Connect Participant Service, under /participant/: its
	// chat tokens are signed with the same key.
	part, err := participantapi.New(participantapi.Config{Engine: m.engine, TokenKey: pagingKey,
		MaxBodyBytes: m.Config.MaxBodyBytes, Logger: m.log})
	if err != nil {
		return err
	}
	// The Customer Profiles API too, at /domains/... and (for requests
	// signed for the profile service) /tags/.
	// Its bodies may carry a 250 KB object, JSON-escaped: never less than
	// its own default.
	prof, err := profilesapi.New(profilesapi.Config{Engine: m.engine, Clock: signClock, Region: m.Config.Region,
		MaxBodyBytes: max(m.Config.MaxBodyBytes, profilesapi.DefaultMaxBodyBytes), TokenKey: pagingKey, Logger: m.log})
	if err != nil {
		return err
	}
	if err := api.RegisterMetrics(conn.Collector()); err != nil {
		return err
	}
	m.listener, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "cannot listen on %s: %v (is another server using it? choose another with --addr)", m.Config.Addr, err)
	}
	lens, err := contactlensapi.New(contactlensapi.Config{Engine: m.engine, Clock: signClock, Region: m.Config.Region,
		MaxBodyBytes: m.Config.MaxBodyBytes, TokenKey: pagingKey, Logger: m.log})
	if err != nil {
		return err
	}
	web, err := m.newConsole(ctx, token)
	if err != nil {
		m.listener.Close()
		return err
	}
	m.guard = newGuard(router(api, aws, routedAPIs{connect: conn, lens: lens, participant: part, profiles: prof, console: web}, m.ready),
		m.Config.MaxBodyReaders)
	m.handler = m.guard
	for _, c := range m.serverMetrics(m.store, m.guard) {
		if err := api.RegisterMetrics(c); err != nil {
			return err
		}
	}
	if err := m.startRLS(api); err != nil {
		m.listener.Close()
		return err
	}
	m.server = &http.Server{Handler: m.handler, ReadHeaderTimeout: m.Config.ReadHeaderTimeout, ReadTimeout: m.Config.ReadTimeout,
		WriteTimeout: m.Config.WriteTimeout, IdleTimeout: m.Config.IdleTimeout,
		ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.listener) }()
	m.log.Info("headroom listening", "url", m.URL(), "store", where, "limiter", m.limiterName, "catalog", catalogName(m.Config.Catalog))
	if tokenNote != "" {
		m.log.Info(tokenNote)
	}
	if m.NoopEnforce {
		m.log.Warn("HEADROOM_TEST_NOOP_ENFORCE=1: enforcement answers allowed without deciding; for benchmarks only")
	}
	return nil
}

func catalogName(path string) string {
	if path == "" {
		return "embedded Amazon Connect"
	}
	return path
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	l.UnmarshalText([]byte(s))
	return l
}

func (m *Server) loadCatalog() (*headroom.Catalog, error) {
	if m.Config.Catalog == "" {
		return catalog.Default()
	}
	return catalog.Load(m.Config.Catalog)
}

// openStore opens the configured store and says where it is.
func (m *Server) openStore(ctx context.Context) (headroom.Store, string, error) {
	if m.Config.Store == "memory" {
		return memory.NewStore(), "memory (not durable)", nil
	}
	if isPostgresURL(m.Config.Store) {
		s, err := m.openPostgres(ctx) // postgres.go
		if err != nil {
			return nil, "", err
		}
		m.closers = append(m.closers, s.Close)
		return s, postgresWhere(s, m.Config.Store), nil
	}
	if err := m.prepareDataDir(); err != nil { // files.go: mode 0700, warnings
		return nil, "", err
	}
	path := filepath.Join(m.Config.DataDir, DatabaseFile)
	s, err := m.openSQLite(ctx, path) // files.go: with the secret key
	if err != nil {
		return nil, "", err
	}
	m.closers = append(m.closers, s.Close)
	return s, "sqlite " + path, nil
}

// adminToken returns the operator token: HEADROOM_ADMIN_TOKEN, else the one
// kept in the data directory, else a new one written there with mode 0600.
// The note says where a stored token is, never the token itself.
func (m *Server) adminToken() (token, note string, err error) {
	if m.Config.AdminToken != "" {
		return m.Config.AdminToken, "", nil
	}
	if m.Config.Store == "memory" && m.Config.DataDir == "" {
		return "", "", headroom.FieldErrorf("HEADROOM_ADMIN_TOKEN", "must be set when there is no data directory to keep a generated token in")
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return "", "", headroom.Errorf(headroom.EUNAVAILABLE, "cannot create data directory %s: %v", m.Config.DataDir, err)
	}
	path := filepath.Join(m.Config.DataDir, AdminTokenFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		t := strings.TrimSpace(string(data))
		if t == "" {
			return "", "", headroom.Errorf(headroom.EINVALID, "operator token file %s is empty; delete it to have a new token generated", path)
		}
		return t, "operator token is in " + path, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", "", headroom.Errorf(headroom.EUNAVAILABLE, "cannot read operator token file %s: %v", path, err)
	}
	t, err := headroom.NewTokenSecret()
	if err != nil {
		return "", "", err
	}
	if err := os.WriteFile(path, []byte(t+"\n"), 0o600); err != nil {
		return "", "", headroom.Errorf(headroom.EUNAVAILABLE, "cannot write operator token file %s: %v", path, err)
	}
	return t, fmt.Sprintf("generated an operator token; it is in %s (mode 0600): export HEADROOM_TOKEN=$(cat %s)", path, path), nil
}

// Close stops accepting requests, lets in-flight ones finish (up to
// Config.ShutdownTimeout), then closes the store.
func (m *Server) Close() error {
	var err error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		err = m.server.Shutdown(ctx)
		cancel()
		if serr := <-m.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		m.server = nil
	}
	if cerr := m.closeAll(); err == nil {
		err = cerr
	}
	if m.log != nil {
		m.log.Info("headroom stopped")
	}
	return err
}

func (m *Server) closeAll() error {
	var err error
	for i := len(m.closers) - 1; i >= 0; i-- {
		if cerr := m.closers[i](); cerr != nil && err == nil {
			err = cerr
		}
	}
	m.closers = nil
	return err
}
