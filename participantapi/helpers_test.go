package participantapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/server"
)

const (
	region = "us-east-1"
	acctA  = "123456789012"
)

// env is a Headroom server started as cmd/headroom starts it, with an
// in-memory store and a manual engine clock: rate buckets refill and chats
// run out only when a test advances it. Connect requests are signed with
// the system clock, as the SDK signs with it.
type env struct {
	t      testing.TB
	url    string
	clk    *clock.Manual
	engine *headroom.Engine
	keys   map[string]headroom.AccessKey
}

func newEnv(t testing.TB, configure ...func(*server.Server)) *env {
	t.Helper()
	clk := clock.NewManual(time.Now())
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir = "127.0.0.1:0", "memory", ""
	m.Config.AdminToken, m.Config.Region = "hr_test-operator-secret", region
	m.Clock, m.SignClock, m.Stderr = clk, clock.System{}, io.Discard
	for _, f := range configure {
		f(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &env{t: t, url: m.URL(), clk: clk, engine: m.Engine(), keys: map[string]headroom.AccessKey{}}
}

// account creates an account whose Connect API rates are lifted, so that
// only the Participant Service's throttles are met.
func (e *env) account(id string) {
	e.t.Helper()
	_, k, err := e.engine.CreateAccount(context.Background(), headroom.Account{ID: id}, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[id] = k
	for _, q := range e.engine.Catalog().Quotas() {
		for _, op := range q.Operations {
			if strings.HasPrefix(op, "connect:") {
				e.override(id, q.Code, "", 1e6)
				break
			}
		}
	}
}

func (e *env) override(account, code, scope string, v float64) {
	e.t.Helper()
	if scope == "" {
		scope = headroom.ScopeAccount
	}
	if err := e.engine.SetOverride(context.Background(), headroom.Override{Account: account, Code: code, Scope: scope, Value: v}, "test"); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) connect(account string) *connect.Client {
	k := e.keys[account]
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")}
	return connect.NewFromConfig(cfg, func(o *connect.Options) {
		o.BaseEndpoint = aws.String(e.url)
		o.Retryer = aws.NopRetryer{}
	})
}

// instance creates an instance and returns its id.
func (e *env) instance(account string) string {
	e.t.Helper()
	out, err := e.connect(account).CreateInstance(context.Background(), &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged, InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
	if err != nil {
		e.t.Fatal(err)
	}
	return *out.Id
}

// chat starts a chat with StartChatContact and returns its contact id and
// ParticipantToken.
func (e *env) chat(account, iid string) (contactID, participantToken string) {
	e.t.Helper()
	out, err := e.connect(account).StartChatContact(context.Background(), &connect.StartChatContactInput{InstanceId: &iid,
		ContactFlowId: aws.String(e.flow(account, iid)), ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String("Ana")}})
	if err != nil {
		e.t.Fatal(err)
	}
	return *out.ContactId, *out.ParticipantToken
}

// reply is one Participant Service answer.
type reply struct {
	status int
	name   string // X-Amzn-ErrorType
	body   map[string]any
}

func (r reply) message() string { s, _ := r.body["message"].(string); return s }

// call sends a Participant Service request as the SDK's rest-json
// serializers do: POST to the operation's path, the token in X-Amz-Bearer.
func (e *env) call(path, bearer string, body any) reply {
	e.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	r, _ := http.NewRequest("POST", e.url+path, bytes.NewReader(data))
	r.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		r.Header.Set("X-Amz-Bearer", bearer)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := reply{status: resp.StatusCode, name: resp.Header.Get("X-Amzn-ErrorType")}
	json.NewDecoder(resp.Body).Decode(&out.body)
	return out
}

// ok checks that r succeeded.
func ok(t testing.TB, r reply) reply {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("got %d %s %q, want 200", r.status, r.name, r.message())
	}
	return r
}

// wantErr checks r's error name and status, and that its message contains
// each of msgs.
func wantErr(t testing.TB, r reply, name string, status int, msgs ...string) {
	t.Helper()
	if r.name != name || r.status != status {
		t.Fatalf("got %d %s %q, want %d %s", r.status, r.name, r.message(), status, name)
	}
	for _, m := range msgs {
		if !strings.Contains(r.message(), m) {
			t.Errorf("message %q does not contain %q", r.message(), m)
		}
	}
}

// connection connects the participant and returns its ConnectionToken.
func (e *env) connection(participantToken string) string {
	e.t.Helper()
	r := ok(e.t, e.call("/participant/connection", participantToken, map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}, "ConnectParticipant": true}))
	return r.body["ConnectionCredentials"].(map[string]any)["ConnectionToken"].(string)
}

func msg(content string) map[string]any {
	return map[string]any{"ContentType": "text/plain", "Content": content}
}

// flow returns the id of a flow the instance came with, read from the
// engine so that no API token is spent on it.
func (e *env) flow(account, iid string) string {
	e.t.Helper()
	rs, err := e.engine.ListResources(context.Background(), headroom.ResourceFilter{Account: account, Kind: "connect:contact-flow", Parent: iid})
	if err != nil || len(rs) == 0 {
		e.t.Fatalf("the flows of instance %s: %d, %v", iid, len(rs), err)
	}
	return rs[0].ID
}
