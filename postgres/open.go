package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/secretbox"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the PostgreSQL headroom.Store. Open returns one; Close releases
// it. All its methods are safe for concurrent use. After Close every method
// returns an EUNAVAILABLE error.
type Store struct {
	cfg        Config
	log        *slog.Logger
	pool       *pgxpool.Pool
	connCfg    *pgx.ConnConfig // for the listening connection
	schema     string
	channel    string
	maxRetries int
	box        *secretbox.Box

	cache cache

	closed    atomic.Bool
	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	ops chan *countOp // to the batch workers

	internalErrors atomic.Int64
	batches        atomic.Int64
	batched        atomic.Int64
	reloads        atomic.Int64
	notifications  atomic.Int64
}

var (
	_ headroom.Store      = (*Store)(nil)
	_ headroom.Pinger     = (*Store)(nil)
	_ headroom.Membership = (*Store)(nil)
)

// Open connects to cfg.URL, migrates the current schema, checks the secret
// key, loads the cache, starts listening for the changes of other nodes and
// starts the heartbeat. ctx bounds the opening only.
//
// It returns an *headroom.Error: EINVALID for a bad Config, a URL that
// does not parse, a connection without a current schema, a schema written
// by a newer Headroom (naming both versions), or a secret key that is not
// the one the database's secrets were sealed with (then errors.Is(err,
// ErrWrongSecretKey)); EUNAVAILABLE when PostgreSQL cannot be reached.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	cfg = cfg.withDefaults()
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, headroom.FieldErrorf("URL", "is not a PostgreSQL connection string: %v", err)
	}
	switch {
	case cfg.MaxConns > 0:
		pcfg.MaxConns = cfg.MaxConns
	case !strings.Contains(cfg.URL, "pool_max_conns"):
		pcfg.MaxConns = DefaultMaxConns
	}
	pcfg.ConnConfig.ConnectTimeout = cfg.OpTimeout
	// A commit is acknowledged only once it is durable, whatever the
	// server's or the role's default.
	pcfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	pcfg.ConnConfig.RuntimeParams["application_name"] = "headroom"
	s := &Store{cfg: cfg, log: cfg.Logger, connCfg: pcfg.ConnConfig.Copy(), maxRetries: DefaultMaxRetries, stop: make(chan struct{})}
	if len(cfg.SecretKey) > 0 {
		if s.box, err = secretbox.New(cfg.SecretKey); err != nil {
			return nil, headroom.Errorf(headroom.EINTERNAL, "cannot use the secret key: %v", err)
		}
	}
	if err := s.setup(ctx, pcfg); err != nil {
		if s.pool != nil {
			s.pool.Close()
		}
		return nil, err
	}
	return s, nil
}

// setup migrates, checks the key, connects the pool, loads the cache and
// starts the background goroutines.
func (s *Store) setup(ctx context.Context, pcfg *pgxpool.Config) error {
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return s.openError(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema *string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return s.openError(err)
	}
	if schema == nil {
		return headroom.Errorf(headroom.EINVALID,
			"the connection has no current schema: the schemas of its search_path do not exist; create the schema, or set search_path in the URL to one that exists")
	}
	s.schema = *schema
	s.channel = "headroom_" + s.schema
	if len(s.channel) > 63 {
		s.channel = s.channel[:63]
	}
	if err := migrate(ctx, conn, s.schema); err != nil {
		return s.openError(err)
	}
	if err := s.setupSecrets(ctx, conn); err != nil {
		return err
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return s.openError(err)
	}
	l, err := s.listen(ctx)
	if err != nil {
		return s.openError(err)
	}
	if err := s.heartbeat(ctx); err != nil {
		l.Close(context.WithoutCancel(ctx))
		return s.openError(err)
	}
	s.ops = make(chan *countOp, maxBatch)
	s.wg.Add(2 + batchWorkers)
	go s.listenLoop(l)
	go s.heartbeatLoop()
	for range batchWorkers {
		go s.batchLoop()
	}
	return nil
}

// openError explains a failure during Open.
func (s *Store) openError(err error) error {
	return s.backendError("open the store", err)
}

// Close stops the listener and the heartbeat, removes this node from the
// nodes table and closes the pool. It is safe to call more than once and
// concurrently with other methods; calls that come after it fail with
// EUNAVAILABLE.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.OpTimeout)
		defer cancel()
		// A second try runs on a new connection if the first found its
		// connection dead (backendError resets the pool).
		for try := 0; try < 2; try++ {
			_, err := s.pool.Exec(ctx, "DELETE FROM nodes WHERE id = $1", s.cfg.NodeID)
			if s.closeErr = s.backendError("remove this node", err); err == nil || ctx.Err() != nil {
				break
			}
		}
		s.closed.Store(true)
		s.pool.Close()
	})
	return s.closeErr
}

// Ping implements headroom.Pinger: a trivial query within the operation
// timeout; EUNAVAILABLE if PostgreSQL does not answer it.
func (s *Store) Ping(ctx context.Context) error {
	return s.read(ctx, "ping", func(ctx context.Context, q querier) error {
		var one int
		return q.QueryRow(ctx, "SELECT 1").Scan(&one)
	})
}

// Schema returns the schema that holds the store's tables.
func (s *Store) Schema() string { return s.schema }

// Stats are counters of a Store's work since Open.
type Stats struct {
	// InternalErrors counts the failures answered with EINTERNAL.
	InternalErrors int64
	// Reloads counts the full reloads of the cache: at Open and on every
	// reconnection of the listening connection.
	Reloads int64
	// Notifications counts the change notifications received.
	Notifications int64
	// Batches counts the group commits of reserves and releases without
	// idempotency keys; Batched the changes they carried.
	Batches, Batched int64
	// AcquiredConns, IdleConns and TotalConns are the connection pool's
	// counters.
	AcquiredConns, IdleConns, TotalConns int32
}

// Stats returns the store's counters. It is safe for concurrent use.
func (s *Store) Stats() Stats {
	st := s.pool.Stat()
	return Stats{
		InternalErrors: s.internalErrors.Load(),
		Reloads:        s.reloads.Load(),
		Notifications:  s.notifications.Load(),
		Batches:        s.batches.Load(),
		Batched:        s.batched.Load(),
		AcquiredConns:  st.AcquiredConns(),
		IdleConns:      st.IdleConns(),
		TotalConns:     st.TotalConns(),
	}
}
