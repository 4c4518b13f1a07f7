package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/console"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/server"
)

// /console/ without a session is the sign-in form: a password field and
// its CSRF field, with the security headers every page carries.
func TestSigninForm(t *testing.T) {
	f := start(t)
	c := newClient(t)
	resp, body := get(t, c, f.url+"/console")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("/console: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = get(t, c, f.url+"/console/")
	if resp.StatusCode != 200 {
		t.Fatalf("/console/: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `type="password"`, `name="token"`, `name="csrf"`, `<html lang="en">`, `href="#main"`)
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"Cache-Control":          "no-store",
		"Content-Type":           "text/html; charset=utf-8",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	var login *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == console.LoginCookie {
			login = ck
		}
	}
	if login == nil || !login.HttpOnly || login.SameSite != http.SameSiteStrictMode || login.Path != "/console/" {
		t.Fatalf("pre-session cookie: %+v", login)
	}
	// Pages without a session send the browser to the form.
	resp, _ = get(t, c, f.url+"/console/accounts/"+tenantA)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("a page without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The stylesheet is served from the binary.
	resp, body = get(t, c, f.url+"/console/static/console.css")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "--text:") {
		t.Fatalf("stylesheet: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// Sign-in sets an HttpOnly, SameSite=Strict session cookie for the
// console's path, without Secure over plain HTTP; a bad token gets 401 and
// the form again.
func TestSigninCookie(t *testing.T) {
	f := start(t)
	c := newClient(t)
	_, body := get(t, c, f.url+"/console/")
	csrf := csrfOf(t, body)
	resp, body := post(t, c, f.url+"/console/login", url.Values{"csrf": {csrf}, "token": {"hr_wrong"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad token: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "That token is not valid", `type="password"`)
	for _, ck := range resp.Cookies() {
		if ck.Name == console.SessionCookie && ck.Value != "" {
			t.Fatalf("a bad token got a session: %+v", ck)
		}
	}
	resp, _ = post(t, c, f.url+"/console/login", url.Values{"csrf": {csrfOf(t, body)}, "token": {f.tokenA}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == console.SessionCookie {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/console/" || sess.Secure {
		t.Fatalf("session cookie: %+v", sess)
	}
	if strings.Contains(sess.Value, f.tokenA) {
		t.Fatal("the session cookie carries the token's secret")
	}
	resp, body = get(t, c, f.url+"/console/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/accounts" {
		t.Fatalf("/console/ with a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// A tenant sees its own accounts only: another account's pages are 403,
// and so is its audit log.
func TestTenantSeesOwnAccounts(t *testing.T) {
	f := start(t)
	c := newClient(t)
	signIn(t, c, f.url, f.tokenA)
	resp, body := get(t, c, f.url+"/console/accounts")
	if resp.StatusCode != 200 || !strings.Contains(body, tenantA) || strings.Contains(body, tenantB) {
		t.Fatalf("accounts: %d\n%s", resp.StatusCode, body)
	}
	for _, p := range []string{
		"/console/accounts/" + tenantB,
		"/console/accounts/" + tenantB + "/quotas/" + headroom.CodeUsers + "?scope=instance/i-1",
		"/console/accounts/" + tenantB + "/instances",
		"/console/audit?account=" + tenantB,
	} {
		resp, body := get(t, c, f.url+p)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "may not see account "+tenantB) {
			t.Fatalf("%s: %d\n%s", p, resp.StatusCode, body)
		}
	}
	resp, body = get(t, c, f.url+"/console/accounts/"+tenantA)
	if resp.StatusCode != 200 {
		t.Fatalf("own account: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `<th scope="col"`, "Amazon Connect instances per account")
	// The operator's queue is not a tenant's.
	resp, _ = post(t, c, f.url+"/console/requests/x/decision", url.Values{"csrf": {csrfOf(t, body)}, "action": {"approve"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a tenant deciding: %d", resp.StatusCode)
	}
}

// A form posted without its CSRF token, or with another session's, is
// refused with 403 and changes nothing; the sign-in form needs its own.
func TestCSRFRefused(t *testing.T) {
	f := start(t)
	c := newClient(t)
	csrf := signIn(t, c, f.url, f.tokenA)
	other := signIn(t, newClient(t), f.url, f.tokenA)
	path := f.url + "/console/accounts/" + tenantA + "/quotas/" + headroom.CodeInstances + "/requests"
	for name, form := range map[string]url.Values{
		"none":          {"desired_value": {"5"}},
		"empty":         {"desired_value": {"5"}, "csrf": {""}},
		"wrong":         {"desired_value": {"5"}, "csrf": {"x" + csrf}},
		"other session": {"desired_value": {"5"}, "csrf": {other}},
	} {
		resp, body := post(t, c, path, form)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
			t.Fatalf("%s: %d\n%s", name, resp.StatusCode, body)
		}
	}
	reqs, err := f.m.Engine().ListChangeRequests(t.Context(), headroom.ChangeRequestFilter{Account: tenantA})
	if err != nil || len(reqs) != 0 {
		t.Fatalf("a refused form filed a request: %v %v", reqs, err)
	}
	// With its token, the form works.
	resp, body := post(t, c, path, url.Values{"desired_value": {"5"}, "csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the token: %d\n%s", resp.StatusCode, body)
	}
	// Sign-in without the pre-session token.
	resp, _ = post(t, newClient(t), f.url+"/console/login", url.Values{"token": {adminToken}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without csrf: %d", resp.StatusCode)
	}
	// Sign-out without it neither.
	resp, _ = post(t, c, f.url+"/console/logout", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without csrf: %d", resp.StatusCode)
	}
}

// Sessions end: at sign-out, after their lifetime, and when their token is
// deleted.
func TestSessionEnds(t *testing.T) {
	f := start(t)
	c := newClient(t)
	csrf := signIn(t, c, f.url, f.tokenA)
	resp, _ := post(t, c, f.url+"/console/logout", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if resp, _ = get(t, c, f.url+"/console/accounts"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", resp.StatusCode)
	}

	signIn(t, c, f.url, f.tokenA)
	f.clk.Advance(console.DefaultSessionTTL - time.Minute)
	if resp, _ = get(t, c, f.url+"/console/accounts"); resp.StatusCode != 200 {
		t.Fatalf("within its lifetime: %d", resp.StatusCode)
	}
	f.clk.Advance(time.Minute)
	if resp, _ = get(t, c, f.url+"/console/accounts"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired: %d", resp.StatusCode)
	}

	signIn(t, c, f.url, f.tokenA)
	toks, err := f.m.Engine().ListTokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if tok.Name == "tenant-a" {
			if err := f.m.Engine().DeleteToken(t.Context(), tok.ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if resp, _ = get(t, c, f.url+"/console/accounts"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deleted token: %d", resp.StatusCode)
	}
}

// The operator sees every account; a forged or tampered session cookie is
// no session.
func TestOperatorAndForgedCookie(t *testing.T) {
	f := start(t)
	c := newClient(t)
	signIn(t, c, f.url, adminToken)
	_, body := get(t, c, f.url+"/console/accounts")
	mustContain(t, body, tenantA, tenantB, "Signed in as operator")
	u, _ := url.Parse(f.url + "/console/")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name != console.SessionCookie {
			continue
		}
		forged := newClient(t)
		v := []byte(ck.Value)
		v[3] ^= 1
		forged.Jar.SetCookies(u, []*http.Cookie{{Name: console.SessionCookie, Value: string(v), Path: "/console/"}})
		if resp, _ := get(t, forged, f.url+"/console/accounts"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("tampered cookie: %d", resp.StatusCode)
		}
		return
	}
	t.Fatal("no session cookie in the jar")
}

// A session survives a restart: the console key is kept in the data
// directory, so the next server accepts the cookie.
func TestSessionSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	run := func() *server.Server {
		m := server.New()
		m.Config.Addr, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", dir, adminToken
		m.Stderr = io.Discard
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := run()
	c := newClient(t)
	signIn(t, c, m.URL(), adminToken)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, server.ConsoleKeyFile)); err != nil {
		t.Fatalf("the console key file: %v", err)
	}
	m = run()
	defer m.Close()
	resp, body := get(t, c, m.URL()+"/console/accounts")
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed in as operator") {
		t.Fatalf("after a restart: %d\n%s", resp.StatusCode, body)
	}
}

// Two nodes on one PostgreSQL database share the console key through it:
// a session started on one works on the other.
func TestSessionOnEveryNode(t *testing.T) {
	pg := testsvc.Postgres(t)
	run := func() *server.Server {
		m := server.New()
		// A data directory each, so that only the database is shared; the
		// access keys' secret key is given, as every node needs it.
		m.Config.Addr, m.Config.Store, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", pg, t.TempDir(), adminToken
		m.Config.SecretKey = strings.Repeat("ab", 32)
		m.Stderr = io.Discard
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := run(), run()
	c := newClient(t)
	signIn(t, c, a.URL(), adminToken)
	resp, body := get(t, c, b.URL()+"/console/accounts")
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed in as operator") {
		t.Fatalf("the other node: %d\n%s", resp.StatusCode, body)
	}
}
