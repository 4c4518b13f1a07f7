package awsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/smithy-go"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/server"
)

const (
	region     = "us-east-1"
	adminToken = "hr_test-operator-secret"
	mgmt       = "111111111111" // the management account
	acctA      = "123456789012"
	acctB      = "210987654321"
	instance1  = "11111111-2222-3333-4444-555555555555"
)

// env is a Headroom server started by the server package, as
// cmd/headroom starts it, on a loopback address with an in-memory store
// and a manual clock.
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
	m.Config.AdminToken, m.Config.Region, m.Config.ManagementAccount = adminToken, region, mgmt
	m.Clock, m.Stderr = clk, io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	en := &env{t: t, url: m.URL(), clk: clk, engine: m.Engine(), keys: map[string]headroom.AccessKey{}}
	for _, id := range []string{mgmt, acctA, acctB} {
		en.createAccount(id)
	}
	return en
}

// createAccount creates an account and remembers its access key.
func (e *env) createAccount(id string) headroom.AccessKey {
	e.t.Helper()
	_, k, err := e.engine.CreateAccount(context.Background(), headroom.Account{ID: id}, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[id] = k
	return k
}

// client returns an SDK client acting as account, with retries off so that
// errors come back at once.
func (e *env) client(account string, opts ...func(*servicequotas.Options)) *servicequotas.Client {
	k, ok := e.keys[account]
	if !ok {
		e.t.Fatalf("no key for %s", account)
	}
	return e.clientWithKey(k.ID, k.Secret, opts...)
}

func (e *env) clientWithKey(id, secret string, opts ...func(*servicequotas.Options)) *servicequotas.Client {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}
	opts = append([]func(*servicequotas.Options){func(o *servicequotas.Options) {
		o.BaseEndpoint = aws.String(e.url)
		o.Retryer = aws.NopRetryer{}
	}}, opts...)
	return servicequotas.NewFromConfig(cfg, opts...)
}

// instanceARN is the ARN of an Amazon Connect instance of account.
func instanceARN(account, id string) string {
	return "arn:aws:connect:" + region + ":" + account + ":instance/" + id
}

// raw is a raw HTTP request to the AWS API, signed like the SDK signs.
type raw struct {
	target string // operation name, or a whole X-Amz-Target with a dot
	body   string
	// signedAt defaults to now.
	signedAt time.Time
	// region and service of the credential scope; the defaults if empty.
	region, service string
	// tamper changes the request after signing.
	tamper func(*http.Request)
	// noAuth sends no Authorization header.
	noAuth bool
	// contentType defaults to application/x-amz-json-1.1.
	contentType string
}

// do sends r as account and returns the status, the error name (if any)
// and the body.
func (e *env) do(account string, r raw) (int, string, []byte) {
	e.t.Helper()
	k := e.keys[account]
	return e.doWithKey(k.ID, k.Secret, r)
}

func (e *env) doWithKey(id, secret string, r raw) (int, string, []byte) {
	e.t.Helper()
	target := r.target
	if !bytes.ContainsRune([]byte(target), '.') && target != "" {
		target = awsapi.TargetPrefix + "." + target
	}
	req, err := http.NewRequest(http.MethodPost, e.url+"/", bytes.NewReader([]byte(r.body)))
	if err != nil {
		e.t.Fatal(err)
	}
	ct := r.contentType
	if ct == "" {
		ct = awsapi.ContentType
	}
	req.Header.Set("Content-Type", ct)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if !r.noAuth {
		at := r.signedAt
		if at.IsZero() {
			at = time.Now()
		}
		reg, svc := r.region, r.service
		if reg == "" {
			reg = region
		}
		if svc == "" {
			svc = awsapi.SigningName
		}
		sum := sha256.Sum256([]byte(r.body))
		creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), svc, reg, at); err != nil {
			e.t.Fatal(err)
		}
	}
	if r.tamper != nil {
		r.tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	name := resp.Header.Get("X-Amzn-ErrorType")
	if resp.StatusCode != http.StatusOK {
		var eb struct {
			Type    string `json:"__type"`
			Message string
		}
		if err := json.Unmarshal(body, &eb); err != nil || eb.Type != name || eb.Message == "" {
			e.t.Errorf("error body %s does not carry __type %q and a Message (%v)", body, name, err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != awsapi.ContentType {
			e.t.Errorf("error Content-Type %q", ct)
		}
	}
	return resp.StatusCode, name, body
}

// apiCode returns the AWS error code of err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// wantAs fails the test unless err is of the SDK's typed error T.
func wantAs[T error](t testing.TB, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T, code %q) is not a %T", err, err, apiCode(err), target)
	}
	return target
}

func ctx() context.Context { return context.Background() }

func contains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }
