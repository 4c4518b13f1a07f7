package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom/server"
)

// rawRequest opens a connection to m and writes head, a request without
// its body.
func rawRequest(t *testing.T, m *server.Server, head string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(m.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

// A request refused before its body is read closes its connection at once,
// rather than waiting on a body that may never come.
func TestUnreadBodyClosesConnection(t *testing.T) {
	m, _ := start(t, nil)
	conn, br := rawRequest(t, m, "POST /v1/enforce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
		t.Fatalf("no token, body unsent: %d, Connection close %v", resp.StatusCode, resp.Close)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("the connection stayed open: %v", err)
	}
}

// At most MaxBodyReaders requests read their bodies at once; another is
// refused with 503 at its first read, and served again once one is done.
func TestBodyReadersBounded(t *testing.T) {
	m, _ := start(t, func(m *server.Server) { m.Config.MaxBodyReaders = 2 })
	head := "POST /v1/enforce HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + adminToken + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"
	var slow []net.Conn
	for range 2 {
		conn, _ := rawRequest(t, m, head)
		slow = append(slow, conn)
	}
	// The third waits for nothing: it is refused while both slow bodies are
	// being read. Each slow body has started (the server read its "{"), so
	// retry until the refusal shows, with a deadline rather than a sleep.
	body := `{"items":[{"op":"take","account":"123456789012","code":"L-NOPE","amount":1}]}`
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest("POST", m.URL()+"/v1/enforce", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			if !strings.Contains(string(b), "too many requests are sending their bodies") {
				t.Fatalf("503 body %s", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a third body was read while two were: %d %s", resp.StatusCode, b)
		}
	}
	// Finishing one slow body frees its slot.
	padding := strings.Repeat(" ", 199-len(`"items":[{"op":"take","account":"123456789012","code":"L-NOPE","amount":1}]}`))
	fmt.Fprint(slow[0], `"items":[{"op":"take","account":"123456789012","code":"L-NOPE","amount":1}]}`+padding)
	resp, err := http.ReadResponse(bufio.NewReader(slow[0]), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the finished slow body: %v %v", resp, err)
	}
	req, _ := http.NewRequest("POST", m.URL()+"/v1/enforce", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after a slot was freed: %v %v", resp, err)
	}
}

// The read-header timeout closes a connection that never sends its headers.
func TestSlowHeadersTimeOut(t *testing.T) {
	m, _ := start(t, func(m *server.Server) { m.Config.ReadHeaderTimeout = 100 * time.Millisecond })
	conn, br := rawRequest(t, m, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := br.ReadByte()
	if !errors.Is(err, io.EOF) {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("a client that never finished its headers kept its connection for 10 s")
		}
	}
}

// /readyz says whether the store can commit; /healthz only that the
// process answers.
func TestReadyz(t *testing.T) {
	m, _ := start(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(m.URL() + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, b)
		}
		if p == "/readyz" && string(b) != "ready\nstore: ok (memory (not durable))\nlimiter: ok (in process)\n" {
			t.Fatalf("/readyz names each dependency: %q", b)
		}
	}
}

// A batch over the item cap is refused at the first item past the cap,
// without the rest of the body being read or waited for.
func TestEnforceCapStopsReading(t *testing.T) {
	m, _ := start(t, func(m *server.Server) { m.Config.MaxBodyBytes = 1 << 20 })
	item := `{"op":"take","account":"123456789012","code":"L-NOPE","amount":1},`
	// 1,001 items, then a body that never ends.
	conn, br := rawRequest(t, m, "POST /v1/enforce HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+adminToken+
		"\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"items\":["+strings.Repeat(item, 1001))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer while the body was still coming: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "at most 1000 per call") || !resp.Close {
		t.Fatalf("over the cap: %d %s (close %v)", resp.StatusCode, b, resp.Close)
	}
}

// GET /metrics counts bodies refused for want of a reader slot, and the
// SQLite store's internal errors.
func TestServerMetrics(t *testing.T) {
	dir := t.TempDir()
	m := server.New()
	m.Config.Addr, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", dir, adminToken
	m.Stderr = io.Discard
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	req, _ := http.NewRequest("GET", m.URL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"headroom_http_bodies_refused_total 0", "headroom_store_internal_errors_total 0"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
	if resp, err := http.Get(m.URL() + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz on a sound SQLite store: %v %v", resp, err)
	}
}
