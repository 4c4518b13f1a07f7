package connectapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/server"
)

const (
	region     = "us-east-1"
	adminToken = "hr_test-operator-secret"
	acctA      = "123456789012"
	acctB      = "210987654321"
)

// env is a Headroom server started by the server package, as cmd/headroom
// starts it, on a loopback address with an in-memory store: the Connect
// API beside the native API (with the simulate endpoints and GET /metrics)
// and the Service Quotas API. The engine's
// clock is manual (rate buckets refill only when a test advances it); the
// signatures are checked against the system clock, as the SDK signs with it.
type env struct {
	t      testing.TB
	url    string
	clk    *clock.Manual
	engine *headroom.Engine
	keys   map[string]headroom.AccessKey // account → key
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clk := clock.NewManual(time.Now())
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir = "127.0.0.1:0", "memory", ""
	m.Config.AdminToken, m.Config.Region, m.Config.MaxBodyBytes = adminToken, region, 64<<10
	m.Clock, m.SignClock, m.Stderr = clk, clock.System{}, io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &env{t: t, url: m.URL(), clk: clk, engine: m.Engine(), keys: map[string]headroom.AccessKey{}}
}

// account creates an account and remembers its access key. Unless
// throttled, the account's API rate is raised so that the test is not
// throttled; the throttling tests leave it at the seed's 2/s burst 5.
func (e *env) account(id string, throttled bool, partner string) headroom.AccessKey {
	e.t.Helper()
	ctx := context.Background()
	_, k, err := e.engine.CreateAccount(ctx, headroom.Account{ID: id, Partner: partner}, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[id] = k
	if !throttled {
		for _, code := range e.connectRates() {
			e.override(id, code, "", 1e6)
		}
	}
	return k
}

// connectRates lists the codes of the Amazon Connect API's rate quotas:
// one per operation, the metric ones and the fallback.
func (e *env) connectRates() []string {
	var codes []string
	for _, q := range e.engine.Catalog().Quotas() {
		for _, op := range q.Operations {
			if strings.HasPrefix(op, "connect:") {
				codes = append(codes, q.Code)
				break
			}
		}
	}
	return codes
}

// seedRates takes back the lifted rates of an account made with
// throttled false, and lets an hour pass so that every bucket is full.
func (e *env) seedRates(account string) {
	e.t.Helper()
	for _, code := range e.connectRates() {
		if err := e.engine.DeleteOverride(context.Background(), account, code, headroom.ScopeAccount, "test"); err != nil {
			e.t.Fatal(err)
		}
	}
	e.clk.Advance(time.Hour)
}

// override sets an applied value, as an approved increase would.
func (e *env) override(account, code, scope string, v float64) {
	e.t.Helper()
	if scope == "" {
		scope = headroom.ScopeAccount
	}
	if err := e.engine.SetOverride(context.Background(), headroom.Override{Account: account, Code: code, Scope: scope, Value: v}, "test"); err != nil {
		e.t.Fatal(err)
	}
}

// client returns an SDK client acting as account, retries off.
func (e *env) client(account string, opts ...func(*connect.Options)) *connect.Client {
	k := e.keys[account]
	return e.clientWithKey(k, opts...)
}

func (e *env) clientWithKey(k headroom.AccessKey, opts ...func(*connect.Options)) *connect.Client {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")}
	opts = append([]func(*connect.Options){func(o *connect.Options) {
		o.BaseEndpoint = aws.String(e.url)
		o.Retryer = aws.NopRetryer{}
	}}, opts...)
	return connect.NewFromConfig(cfg, opts...)
}

// apiErr returns the error's AWS name, message and HTTP status.
func apiErr(t testing.TB, err error) (string, string, int) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got none")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), status
}

// wantErr checks an error's name and status, and that its message
// contains each of msgs.
func wantErr(t testing.TB, err error, name string, status int, msgs ...string) {
	t.Helper()
	gotName, msg, gotStatus := apiErr(t, err)
	if gotName != name || gotStatus != status {
		t.Fatalf("got %s %d (%s), want %s %d", gotName, gotStatus, msg, name, status)
	}
	for _, m := range msgs {
		if !strings.Contains(msg, m) {
			t.Errorf("message %q does not contain %q", msg, m)
		}
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// instance creates an instance for account and returns its id.
func (e *env) instance(account string) string {
	e.t.Helper()
	out, err := e.client(account).CreateInstance(context.Background(), &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged, InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.learnDefaults(account, *out.Id)
	return *out.Id
}

// instanceDefaults are the ids of resources a new instance comes with.
type instanceDefaults struct {
	hours, queue, routingProfile, agent, admin, flow string
}

var defaultsByInstance sync.Map // instance id → instanceDefaults

// defaultsOf returns the defaults of an instance e.instance created.
func defaultsOf(iid string) instanceDefaults {
	v, _ := defaultsByInstance.Load(iid)
	d, _ := v.(instanceDefaults)
	return d
}

// learnDefaults reads an instance's defaults from the engine, so that no
// API token is spent on them.
func (e *env) learnDefaults(account, iid string) {
	e.t.Helper()
	find := func(kind, name string) string {
		rs, err := e.engine.ListResources(context.Background(), headroom.ResourceFilter{Account: account, Kind: kind, Parent: iid})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range rs {
			if r.Name == name {
				return r.ID
			}
		}
		e.t.Fatalf("instance %s has no %s %q", iid, kind, name)
		return ""
	}
	defaultsByInstance.Store(iid, instanceDefaults{hours: find("connect:hours-of-operation", "Basic Hours"), queue: find("connect:queue", "BasicQueue"),
		routingProfile: find("connect:routing-profile", "Basic Routing Profile"), agent: find("connect:security-profile", "Agent"),
		admin: find("connect:security-profile", "Admin"), flow: find("connect:contact-flow", "Sample inbound flow (first contact experience)")})
}

// raw sends a raw request signed as account, and returns the status, the
// error name and the body.
func (e *env) raw(account, method, path, body string) (int, string, string) {
	e.t.Helper()
	k := e.keys[account]
	r, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret},
		r, hex.EncodeToString(sum[:]), "connect", region, time.Now()); err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b.String()
}
