package profilesapi_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles"
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

// env is a Headroom server started by the server package on a loopback
// address with an in-memory store. The engine's clock is manual; the
// signatures are checked against the system clock, as the SDK signs with it.
type env struct {
	t      testing.TB
	url    string
	clk    *clock.Manual
	engine *headroom.Engine
	keys   map[string]headroom.AccessKey
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clk := clock.NewManual(time.Now())
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir = "127.0.0.1:0", "memory", ""
	m.Config.AdminToken, m.Config.Region = adminToken, region
	m.Clock, m.SignClock, m.Stderr = clk, clock.System{}, io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &env{t: t, url: m.URL(), clk: clk, engine: m.Engine(), keys: map[string]headroom.AccessKey{}}
}

// account creates an account and remembers its access key. Its profile
// modification rate is lifted, so that only the throttling test meets it;
// that test uses throttledAccount.
func (e *env) account(id, partner string) {
	e.t.Helper()
	e.throttledAccount(id, partner)
	if partner == "" {
		e.override(id, "HR-PROFILE-MODIFICATIONS-RATE", "", 1e6)
	}
}

// throttledAccount creates an account at the seed's modification rate.
func (e *env) throttledAccount(id, partner string) {
	e.t.Helper()
	_, k, err := e.engine.CreateAccount(context.Background(), headroom.Account{ID: id, Partner: partner}, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[id] = k
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

// client returns a customerprofiles SDK client acting as account, retries off.
func (e *env) client(account string) *customerprofiles.Client {
	k := e.keys[account]
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")}
	return customerprofiles.NewFromConfig(cfg, func(o *customerprofiles.Options) {
		o.BaseEndpoint = aws.String(e.url)
		o.Retryer = aws.NopRetryer{}
	})
}

// wantErr checks an error's name and HTTP status, and that its message
// contains each of msgs.
func wantErr(t testing.TB, err error, name string, status int, msgs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected %s, got no error", name)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	got := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		got = re.HTTPStatusCode()
	}
	if ae.ErrorCode() != name || got != status {
		t.Fatalf("got %s %d (%s), want %s %d", ae.ErrorCode(), got, ae.ErrorMessage(), name, status)
	}
	for _, m := range msgs {
		if !strings.Contains(ae.ErrorMessage(), m) {
			t.Errorf("message %q does not contain %q", ae.ErrorMessage(), m)
		}
	}
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var ctx = context.Background()

// domain creates a domain.
func (e *env) domain(account, name string) {
	e.t.Helper()
	_, err := e.client(account).CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String(name), DefaultExpirationDays: aws.Int32(365)})
	ok(e.t, err)
}

type staticCreds struct{ id, secret string }

func (s staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: s.id, SecretAccessKey: s.secret}, nil
}

func overrideOf(account, code string, v float64) headroom.Override {
	return headroom.Override{Account: account, Code: code, Scope: headroom.ScopeAccount, Value: v}
}

func createDomainInput(name string) *customerprofiles.CreateDomainInput {
	return &customerprofiles.CreateDomainInput{DomainName: aws.String(name), DefaultExpirationDays: aws.Int32(365)}
}
