package server_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/smithy-go"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/internal/tcpproxy"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/server"
)

// proxiedPostgres returns a fresh schema's URL that goes through a proxy
// the test can cut.
func proxiedPostgres(t *testing.T) (*tcpproxy.Proxy, string) {
	t.Helper()
	raw := testsvc.Postgres(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tcpproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	u.Host = p.Addr()
	return p, u.String()
}

// While PostgreSQL cannot be reached, calls that need it fail fast with
// unavailable: 503 on the native API, ServiceUnavailableException on the
// AWS APIs, within the store timeout, never hanging; /readyz fails; and
// the node serves again by itself once PostgreSQL is back.
func TestPostgresOutage(t *testing.T) {
	proxy, pg := proxiedPostgres(t)
	const timeout = 500 * time.Millisecond
	m, _ := start(t, func(m *server.Server) {
		m.Config.Store, m.Config.DataDir, m.Config.StoreTimeout = pg, t.TempDir(), timeout
		m.SignClock = clock.System{} // the SDK signs with the real time
	})
	ctx := context.Background()
	c := &httpapi.Client{BaseURL: m.URL(), Token: adminToken}
	const acct = "123456789012"
	created, err := c.CreateAccount(ctx, httpapi.AccountCreate{AccountID: acct})
	if err != nil {
		t.Fatal(err)
	}
	reserve := []httpapi.EnforceItem{{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}}
	if rs, err := c.Enforce(ctx, reserve); err != nil || !rs[0].Allowed {
		t.Fatalf("reserve with PostgreSQL up: %+v %v", rs, err)
	}
	if status, body := get(t, m.URL()+"/readyz"); status != 200 || !strings.Contains(body, "store: ok (postgres ") {
		t.Fatalf("/readyz with PostgreSQL up: %d %q", status, body)
	}

	proxy.Cut()
	bound := timeout + 2*time.Second // the store's timeout, and slack for a loaded machine
	began := time.Now()
	rs, err := c.Enforce(ctx, reserve)
	if took := time.Since(began); took > bound {
		t.Fatalf("a reserve during the outage took %v, over %v", took, bound)
	}
	if err != nil || rs[0].Allowed || rs[0].Error == nil || rs[0].Error.Code != string(headroom.EUNAVAILABLE) {
		t.Fatalf("reserve during the outage: %+v %v; want unavailable", rs, err)
	}
	if _, err := c.Usage(ctx, acct); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("usage during the outage: %v; want unavailable (503)", err)
	}
	if status, body := get(t, m.URL()+"/readyz"); status != 503 || !strings.Contains(body, "store: unavailable") {
		t.Fatalf("/readyz during the outage: %d %q", status, body)
	}
	if status, _ := get(t, m.URL()+"/healthz"); status != 200 {
		t.Fatalf("/healthz during the outage: %d; liveness must not depend on the store", status)
	}
	// The Connect API, through the SDK, answers 503 ServiceUnavailableException.
	cl := connect.NewFromConfig(aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(created.AccessKeyID, created.SecretAccessKey, "")},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(m.URL()); o.Retryer = aws.NopRetryer{} })
	began = time.Now()
	_, err = cl.ListInstances(ctx, &connect.ListInstancesInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailableException" {
		t.Fatalf("ListInstances during the outage: %v; want ServiceUnavailableException", err)
	}
	if took := time.Since(began); took > bound {
		t.Fatalf("ListInstances during the outage took %v, over %v", took, bound)
	}

	proxy.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rs, err := c.Enforce(ctx, reserve)
		if err == nil && rs[0].Allowed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PostgreSQL back for 10 s, reserve still %+v %v", rs, err)
		}
		time.Sleep(50 * time.Millisecond) // polling; the deadline is the assertion
	}
	if status, body := get(t, m.URL()+"/readyz"); status != 200 {
		t.Fatalf("/readyz after the outage: %d %q", status, body)
	}
	if _, err := cl.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
		t.Fatalf("ListInstances after the outage: %v", err)
	}

	// A database that answers too slowly is an outage too: the call ends
	// at the store timeout instead of waiting.
	proxy.SetDelay(4 * timeout)
	began = time.Now()
	rs, err = c.Enforce(ctx, reserve)
	if took := time.Since(began); took > bound {
		t.Fatalf("a reserve against a slow database took %v, over %v", took, bound)
	}
	if err != nil || rs[0].Error == nil || rs[0].Error.Code != string(headroom.EUNAVAILABLE) {
		t.Fatalf("reserve against a slow database: %+v %v; want unavailable", rs, err)
	}
	proxy.SetDelay(0)
}
