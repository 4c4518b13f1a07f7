package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
)

func TestParseFailPolicy(t *testing.T) {
	for in, want := range map[string]FailPolicy{"local": FailLocal, "open": FailOpen, "closed": FailClosed, " Closed ": FailClosed} {
		got, err := ParseFailPolicy(in)
		if err != nil || got != want {
			t.Errorf("ParseFailPolicy(%q) = %v, %v; want %v", in, got, err, want)
		}
		if err == nil && got.String() != want.String() {
			t.Errorf("String() = %q", got.String())
		}
	}
	for _, in := range []string{"", "redis", "fail-open"} {
		if _, err := ParseFailPolicy(in); headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("ParseFailPolicy(%q) error %v, want %s", in, err, headroom.EINVALID)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"addr", Config{Addr: "127.0.0.1:6379"}, true},
		{"url", Config{Addr: "redis://127.0.0.1:6379/0"}, true},
		{"all set", Config{Addr: "h:1", Fail: FailClosed, ProbeInterval: time.Second, OpTimeout: time.Second}, true},
		{"no addr", Config{}, false},
		{"no port", Config{Addr: "localhost"}, false},
		{"bad url", Config{Addr: "http://127.0.0.1:6379"}, false},
		{"bad policy", Config{Addr: "h:1", Fail: FailPolicy(9)}, false},
		{"slow probe", Config{Addr: "h:1", ProbeInterval: 2 * time.Second}, false},
		{"negative probe", Config{Addr: "h:1", ProbeInterval: -1}, false},
		{"negative timeout", Config{Addr: "h:1", OpTimeout: -1}, false},
	} {
		err := tc.cfg.Validate()
		if tc.ok && err != nil || !tc.ok && headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
	}
	if _, err := Open(context.Background(), Config{}); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("Open with no addr: %v, want %s", err, headroom.EINVALID)
	}
}

// TestOpenURL: a redis:// URL works as an address does, and Ping, Close
// and takes after Close behave as documented.
func TestOpenURL(t *testing.T) {
	addr, prefix := testsvc.Redis(t)
	l := open(t, Config{Addr: "redis://" + addr + "/0", Prefix: prefix})
	if l.Mode() != ModeRedis {
		t.Fatalf("mode %v, want redis", l.Mode())
	}
	if err := l.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	lim := headroom.RateLimit{Rate: 1, Burst: 1}
	if r, err := l.Take(context.Background(), testKey, lim, 1); err != nil || !r.Allowed {
		t.Fatalf("Take = %+v, %v", r, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Take(context.Background(), testKey, lim, 1); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Take after Close: %v, want %s", err, headroom.EUNAVAILABLE)
	}
}

// TestCanceledContext: a take whose own context is done fails with
// EUNAVAILABLE and does not count against Redis.
func TestCanceledContext(t *testing.T) {
	l := open(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Take(ctx, testKey, headroom.RateLimit{Rate: 1, Burst: 1}, 1); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Take with a canceled context: %v, want %s", err, headroom.EUNAVAILABLE)
	}
	if l.Mode() != ModeRedis {
		t.Fatalf("mode %v after a canceled take, want redis", l.Mode())
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{ModeRedis: "redis", ModeLocal: "local", ModeOpen: "open", ModeClosed: "closed", Mode(7): "Mode(7)"} {
		if m.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(m), m.String(), want)
		}
	}
	if ModeRedis.Degraded() || !ModeLocal.Degraded() {
		t.Error("Degraded is wrong")
	}
}

// TestErrorReplyIsNotAnOutage: Redis answering with an error (here, a
// bucket key holding a list) fails the take with EUNAVAILABLE but leaves the
// limiter on Redis: Redis is up.
func TestErrorReplyIsNotAnOutage(t *testing.T) {
	addr, prefix := testsvc.Redis(t)
	l := open(t, Config{Addr: addr, Prefix: prefix})
	ctx := context.Background()
	if err := l.client.Do(ctx, l.client.B().Lpush().Key(bucketKey(prefix, testKey)).Element("x").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	_, err := l.Take(ctx, testKey, headroom.RateLimit{Rate: 1, Burst: 1}, 1)
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || l.Mode() != ModeRedis {
		t.Fatalf("Take on a list: %v in mode %v, want %s in redis", err, l.Mode(), headroom.EUNAVAILABLE)
	}
	t.Log(err)
}

// TestPasswordNotLogged: a URL's password stays out of the log and the
// errors.
func TestPasswordNotLogged(t *testing.T) {
	p, err := newCutProxy(t, testsvc.RedisBase())
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	l := open(t, Config{Addr: "redis://user:s3cret@" + p.Addr() + "/0", Logger: logs.logger(), OpTimeout: time.Second})
	if l.Mode() != ModeLocal {
		t.Fatalf("mode %v, want local", l.Mode())
	}
	perr := l.Ping(context.Background())
	if logs.count("s3cret") != 0 || perr == nil || strings.Contains(perr.Error(), "s3cret") {
		t.Fatalf("the password shows: log %q, ping %v", logs.buf.String(), perr)
	}
}
