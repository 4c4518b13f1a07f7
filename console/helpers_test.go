package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/server"
)

const (
	adminToken = "hr_console-test-operator"
	tenantA    = "111111111111"
	tenantB    = "222222222222"
)

// fixture is a running server with two tenants and a service token for
// the first.
type fixture struct {
	m      *server.Server
	clk    *clock.Manual
	url    string
	tokenA string
	tokenB string
}

func start(t *testing.T) *fixture {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", "memory", "", adminToken
	m.Clock, m.Stderr = clk, io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	f := &fixture{m: m, clk: clk, url: m.URL()}
	e := m.Engine()
	for _, id := range []string{tenantA, tenantB} {
		if _, _, err := e.CreateAccount(t.Context(), headroom.Account{ID: id, Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if _, f.tokenA, err = e.CreateToken(t.Context(), "tenant-a", headroom.RoleService, []string{tenantA}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, f.tokenB, err = e.CreateToken(t.Context(), "tenant-b", headroom.RoleService, []string{tenantB}, "test"); err != nil {
		t.Fatal(err)
	}
	return f
}

// newClient returns a client with a cookie jar that does not follow
// redirects, so that tests see them.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the first CSRF field's value of a page.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page has no csrf field:\n%s", body)
	}
	return m[1]
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn signs a client in with a token through the sign-in form and
// returns the session's CSRF token.
func signIn(t *testing.T, c *http.Client, base, token string) string {
	t.Helper()
	_, body := get(t, c, base+"/console/")
	resp, body := post(t, c, base+"/console/login", url.Values{"csrf": {csrfOf(t, body)}, "token": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/accounts" {
		t.Fatalf("sign-in: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	_, body = get(t, c, base+"/console/accounts")
	return csrfOf(t, body)
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Fatalf("the page lacks %q:\n%s", w, body)
		}
	}
}
