// Package testsvc gives tests the machine's PostgreSQL and Redis: a fresh
// PostgreSQL schema per test, dropped afterwards, and a Redis address with
// a key prefix of its own, or a private redis-server a test may kill.
//
// A service that cannot be reached skips the test on a developer's
// machine, but fails it when CI=true: in CI the suites must run.
package testsvc

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom/internal/ids"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/rueidis"
)

// DefaultPostgres and DefaultRedis are the machine's services; the
// environment variables HEADROOM_TEST_POSTGRES and HEADROOM_TEST_REDIS
// override them.
const (
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedis    = "127.0.0.1:6379"
)

// PostgresBase returns the URL of the test database.
func PostgresBase() string {
	if u := os.Getenv("HEADROOM_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultPostgres
}

// RedisBase returns the address of the test Redis.
func RedisBase() string {
	if a := os.Getenv("HEADROOM_TEST_REDIS"); a != "" {
		return a
	}
	return DefaultRedis
}

// unreachable fails the test under CI=true and skips it elsewhere.
func unreachable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is unreachable under CI=true: %v (.ci/run starts it; see the README)", what, err)
	}
	t.Skipf("%s is unreachable: %v (start it, or run under CI=true to make this a failure)", what, err)
}

// Postgres returns a connection URL whose search_path is a new, empty
// schema of the test database, dropped when the test ends, and whose pool
// is small (pool_max_conns). Stores opened on it see only that schema, so
// tests run side by side.
func Postgres(t testing.TB) string {
	t.Helper()
	base := PostgresBase()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		unreachable(t, "PostgreSQL at "+base, err)
	}
	defer conn.Close(context.Background())
	schema := "t_" + strings.ToLower(ids.Random(8))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	// A small pool per store: the suites open many stores, and several
	// test binaries run at once against one server of 100 connections.
	return WithSearchPath(base, schema) + "&pool_max_conns=" + poolMaxConns
}

// poolMaxConns bounds the pool of each store a test opens on Postgres's
// URL, unless the test asks for another size.
const poolMaxConns = "6"

// WithSearchPath returns url with its search_path set to schema.
func WithSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// Redis returns the address of the machine's Redis and a key prefix that
// no other test uses. Keys under the prefix are deleted when the test ends.
func Redis(t testing.TB) (addr, prefix string) {
	t.Helper()
	addr = RedisBase()
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true, Dialer: net.Dialer{Timeout: 5 * time.Second}})
	if err != nil {
		unreachable(t, "Redis at "+addr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Do(ctx, c.B().Ping().Build()).Error(); err != nil {
		c.Close()
		unreachable(t, "Redis at "+addr, err)
	}
	prefix = "hrtest:" + strings.ToLower(ids.Random(8)) + ":"
	t.Cleanup(func() {
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var cursor uint64
		for {
			e, err := c.Do(ctx, c.B().Scan().Cursor(cursor).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
			if err != nil {
				t.Errorf("clean redis keys %s*: %v", prefix, err)
				return
			}
			if len(e.Elements) > 0 {
				c.Do(ctx, c.B().Del().Key(e.Elements...).Build())
			}
			if cursor = e.Cursor; cursor == 0 {
				return
			}
		}
	})
	return addr, prefix
}

// RedisServer starts a redis-server of the test's own on a free loopback
// port, keeping nothing on disk, and returns its address and the process,
// which the test may kill. It is stopped when the test ends.
func RedisServer(t testing.TB) (addr string, cmd *exec.Cmd) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		unreachable(t, "redis-server", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd = exec.Command(bin, "--bind", "127.0.0.1", "--port", fmt.Sprint(port), "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr, cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a starting process, not timing a test
	}
}

// Connect opens one connection on a URL that Postgres returned, whose pool
// parameters a plain pgx.Connect would send to the server and fail on.
func Connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg.ConnConfig)
}

// Boto3 returns the path of a python3 that can import boto3, the official
// AWS SDK for Python, for tests that drive Headroom with it. Without one it
// fails the test under CI=true (.ci/services installs Debian's
// python3-boto3) and skips it elsewhere.
func Boto3(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import boto3").Run()
	}
	if err != nil {
		unreachable(t, "python3 with boto3", err)
	}
	return py
}

// RunPython runs a unittest script with env (and nothing of the machine's
// AWS configuration: no profile, config file or proxy may change where
// boto3 connects or how it signs) and fails t if it fails or skips a test.
func RunPython(t testing.TB, py, script string, env map[string]string) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(py, script)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	// unittest exits 0 with skipped tests: none may be.
	if strings.Contains(string(out), "skipped") {
		t.Fatalf("%s skipped tests; every step must run", script)
	}
}

// ClockServer starts a loopback HTTP server through which a script (such
// as a boto3 test) moves a test's manual clock: POST ?ms=N calls advance
// with N milliseconds. It returns the server's URL and closes with t.
func ClockServer(t testing.TB, advance func(time.Duration)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.ParseInt(r.URL.Query().Get("ms"), 10, 64)
		if r.Method != http.MethodPost || err != nil || ms < 0 {
			http.Error(w, "POST ?ms=N", http.StatusBadRequest)
			return
		}
		advance(time.Duration(ms) * time.Millisecond)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
