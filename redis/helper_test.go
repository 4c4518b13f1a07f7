package redis

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom/internal/testsvc"
)

// logBuffer is a slog handler target that tests read back.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// count returns how many logged lines contain s.
func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testOpTimeout is the tests' OpTimeout unless they set one: the race
// detector on two cores can hold a call well past the default, and a test
// of decisions in Redis must not see one made by the fail policy.
const testOpTimeout = 5 * time.Second

// open opens a Limiter on cfg, closed when the test ends. An empty
// cfg.Addr means the machine's Redis, with a key prefix of the test's own.
func open(t testing.TB, cfg Config) *Limiter {
	t.Helper()
	if cfg.OpTimeout == 0 {
		cfg.OpTimeout = testOpTimeout
	}
	if cfg.Addr == "" {
		cfg.Addr, cfg.Prefix = testsvc.Redis(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = (&logBuffer{}).logger()
	}
	l, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
