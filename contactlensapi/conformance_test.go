package contactlensapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/contactlensapi"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/server"
)

const (
	region     = "us-east-1"
	adminToken = "hr_test-operator-secret"
	acctA      = "123456789012"
	acctB      = "210987654321"
	lensCode   = "HR-CONTACT-LENS-SEGMENTS-RATE"
)

// env is a Headroom server started by the server package, as cmd/headroom
// starts it, with an in-memory store and a manual engine clock (buckets
// refill only when a test advances it); signatures are checked against the
// system clock, as clients sign with it.
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
	m.Config.AdminToken, m.Config.Region, m.Config.MaxBodyBytes = adminToken, region, 64<<10
	m.Clock, m.SignClock, m.Stderr = clk, clock.System{}, io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &env{t: t, url: m.URL(), clk: clk, engine: m.Engine(), keys: map[string]headroom.AccessKey{}}
}

func (e *env) account(id string) {
	e.t.Helper()
	_, k, err := e.engine.CreateAccount(context.Background(), headroom.Account{ID: id}, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[id] = k
	e.override(id, "HR-CONNECT-RATE-CreateInstance", 1e6)
}

func (e *env) override(account, code string, v float64) {
	e.t.Helper()
	if err := e.engine.SetOverride(context.Background(), headroom.Override{Account: account, Code: code, Scope: headroom.ScopeAccount, Value: v}, "test"); err != nil {
		e.t.Fatal(err)
	}
}

// connect is the official Connect SDK client acting as account.
func (e *env) connect(account string) *connect.Client {
	k := e.keys[account]
	return connect.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(e.url); o.Retryer = aws.NopRetryer{} })
}

// instance creates a Connect instance.
func (e *env) instance(account string) string {
	e.t.Helper()
	out, err := e.connect(account).CreateInstance(context.Background(), &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged, InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
	if err != nil {
		e.t.Fatal(err)
	}
	return *out.Id
}

// apiError is an error answer: its HTTP status, name and message.
type apiError struct {
	Status        int
	Name, Message string
}

func (a *apiError) Error() string { return fmt.Sprintf("%d %s: %s", a.Status, a.Name, a.Message) }

// list calls ListRealtimeContactAnalysisSegments as the connectcontactlens
// SDK client serializes it: POST to its path, the input as a JSON body,
// signed with SigV4 for "connect".
func (e *env) list(account string, in contactlensapi.ListRequest) (*contactlensapi.ListResponse, error) {
	e.t.Helper()
	body, _ := json.Marshal(struct {
		InstanceId string
		ContactId  string
		MaxResults *int   `json:",omitempty"`
		NextToken  string `json:",omitempty"`
	}{in.InstanceId, in.ContactId, in.MaxResults, in.NextToken})
	status, name, resp := e.raw(account, contactlensapi.Path, body)
	if status != http.StatusOK {
		var m struct{ Message string }
		json.Unmarshal(resp, &m)
		return nil, &apiError{status, name, m.Message}
	}
	var out contactlensapi.ListResponse
	if err := json.Unmarshal(resp, &out); err != nil {
		e.t.Fatal(err)
	}
	return &out, nil
}

func (e *env) raw(account, path string, body []byte) (int, string, []byte) {
	return e.rawFor("connect", account, path, body)
}

// rawFor sends body signed for a service name.
func (e *env) rawFor(service, account, path string, body []byte) (int, string, []byte) {
	e.t.Helper()
	k := e.keys[account]
	r, err := http.NewRequest("POST", e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret},
		r, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b
}

// paginate pages as the SDK's ListRealtimeContactAnalysisSegmentsPaginator
// does: until a page has no NextToken, failing on a token repeated.
func (e *env) paginate(account string, in contactlensapi.ListRequest) ([]contactlensapi.Segment, int) {
	e.t.Helper()
	var all []contactlensapi.Segment
	pages, seen := 0, map[string]bool{}
	for {
		out, err := e.list(account, in)
		if err != nil {
			e.t.Fatal(err)
		}
		pages++
		all = append(all, out.Segments...)
		if out.NextToken == "" {
			return all, pages
		}
		if seen[out.NextToken] {
			e.t.Fatalf("token %q repeated", out.NextToken)
		}
		seen[out.NextToken] = true
		in.NextToken = out.NextToken
	}
}

func (e *env) addSegment(account, iid, contact string, s contactlensapi.TranscriptSegment) error {
	n := &httpapi.Client{BaseURL: e.url, Token: adminToken}
	var out contactlensapi.SegmentAdded
	return n.Do(context.Background(), "POST", "/v1/simulate/"+account+"/instances/"+iid+"/contacts/"+contact+"/transcript-segments", s, &out)
}

func wantAPIError(t *testing.T, err error, name string, status int, msgs ...string) {
	t.Helper()
	ae, ok := err.(*apiError)
	if !ok {
		t.Fatalf("want %s, got %v", name, err)
	}
	if ae.Name != name || ae.Status != status {
		t.Fatalf("got %v, want %s %d", ae, name, status)
	}
	for _, m := range msgs {
		if !strings.Contains(ae.Message, m) {
			t.Errorf("message %q does not contain %q", ae.Message, m)
		}
	}
}

func intp(n int) *int { return &n }

// A contact has no segments until a simulation adds them; added ones list
// in offset order across pages.
func TestSegmentsAddedBySimulationPage(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	e.override(acctA, lensCode, 1e6)
	iid := e.instance(acctA)
	out, err := e.list(acctA, contactlensapi.ListRequest{InstanceId: iid, ContactId: "c-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Segments) != 0 || out.NextToken != "" {
		t.Fatalf("a contact with no simulated segments: %+v", out)
	}
	const n = 7
	for i := n - 1; i >= 0; i-- { // added out of order
		role := []string{"AGENT", "CUSTOMER"}[i%2]
		if err := e.addSegment(acctA, iid, "c-1", contactlensapi.TranscriptSegment{ParticipantRole: role, Content: fmt.Sprintf("line %d", i),
			BeginOffsetMillis: int64(i * 1000), EndOffsetMillis: int64(i*1000 + 900), Sentiment: "POSITIVE"}); err != nil {
			t.Fatal(err)
		}
	}
	// Another contact's segment is not listed.
	if err := e.addSegment(acctA, iid, "c-2", contactlensapi.TranscriptSegment{ParticipantRole: "AGENT", Content: "other", EndOffsetMillis: 5}); err != nil {
		t.Fatal(err)
	}
	segs, pages := e.paginate(acctA, contactlensapi.ListRequest{InstanceId: iid, ContactId: "c-1", MaxResults: intp(3)})
	if pages != 3 || len(segs) != n {
		t.Fatalf("got %d segments in %d pages, want %d in 3", len(segs), pages, n)
	}
	for i, s := range segs {
		tr := s.Transcript
		if tr == nil || tr.Content != fmt.Sprintf("line %d", i) || tr.BeginOffsetMillis != int64(i*1000) || tr.Sentiment != "POSITIVE" || tr.Id == "" || tr.ParticipantId == "" {
			t.Fatalf("segment %d: %+v", i, tr)
		}
	}
	// Bad input is the model's InvalidRequestException; an unknown
	// instance is ResourceNotFoundException.
	_, err = e.list(acctA, contactlensapi.ListRequest{InstanceId: iid, ContactId: "c-1", MaxResults: intp(101)})
	wantAPIError(t, err, "InvalidRequestException", 400, "100")
	_, err = e.list(acctA, contactlensapi.ListRequest{InstanceId: iid, ContactId: "c-1", NextToken: "forged"})
	wantAPIError(t, err, "InvalidRequestException", 400, "NextToken")
	_, err = e.list(acctA, contactlensapi.ListRequest{InstanceId: "no-such-instance", ContactId: "c-1"})
	wantAPIError(t, err, "ResourceNotFoundException", 404, "no-such-instance")
	// Deleting the instance deletes its transcripts and their segments.
	e.override(acctA, "HR-CONNECT-RATE-DeleteInstance", 1e6)
	if _, err := e.connect(acctA).DeleteInstance(context.Background(), &connect.DeleteInstanceInput{InstanceId: aws.String(iid)}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{contactlensapi.KindTranscript, contactlensapi.KindSegment} {
		left, err := e.engine.ListResources(context.Background(), headroom.ResourceFilter{Account: acctA, Kind: kind})
		if err != nil || len(left) != 0 {
			t.Fatalf("%s left after the instance was deleted: %d %v", kind, len(left), err)
		}
	}
	// A simulated segment for an unknown instance is refused.
	if err := e.addSegment(acctA, "no-such-instance", "c-1", contactlensapi.TranscriptSegment{ParticipantRole: "AGENT", Content: "x"}); err == nil {
		t.Fatal("a segment for an unknown instance was added")
	}
}

// The throttle: 1/s with a burst of 2, per account, shared by every
// instance; an override moves it.
func TestThrottleAtItsEdge(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	e.account(acctB)
	i1, i2 := e.instance(acctA), e.instance(acctA)
	ib := e.instance(acctB)
	e.clk.Advance(time.Hour) // every bucket full
	ok := func(account, iid string) {
		t.Helper()
		if _, err := e.list(account, contactlensapi.ListRequest{InstanceId: iid, ContactId: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(account, iid string) {
		t.Helper()
		_, err := e.list(account, contactlensapi.ListRequest{InstanceId: iid, ContactId: "c"})
		wantAPIError(t, err, "ThrottlingException", 429, "1 per second", "burst 2")
	}
	// The burst of 2 is the edge, shared by both instances; the third is
	// one past it.
	ok(acctA, i1)
	ok(acctA, i2)
	refused(acctA, i1)
	refused(acctA, i2)
	// Another account has its own bucket.
	ok(acctB, ib)
	// One second refills one request.
	e.clk.Advance(time.Second)
	ok(acctA, i2)
	refused(acctA, i1)
	// An override (as an approved increase) moves the edge: a rate of 5
	// scales the burst to 10.
	e.override(acctA, lensCode, 5)
	e.clk.Advance(time.Hour)
	for i := 0; i < 10; i++ {
		ok(acctA, []string{i1, i2}[i%2])
	}
	_, err := e.list(acctA, contactlensapi.ListRequest{InstanceId: i1, ContactId: "c"})
	wantAPIError(t, err, "ThrottlingException", 429, "5 per second", "burst 10")
	e.clk.Advance(time.Second)
	for i := 0; i < 5; i++ {
		ok(acctA, i1)
	}
	_, err = e.list(acctA, contactlensapi.ListRequest{InstanceId: i2, ContactId: "c"})
	wantAPIError(t, err, "ThrottlingException", 429, "5 per second")
}

// A request not signed, or signed for another service than "connect", is
// refused by the one SigV4 verifier.
func TestUnsigned(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Post(e.url+contactlensapi.Path, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 && resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") == "" {
		t.Fatalf("unsigned: %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	e.account(acctA)
	iid := e.instance(acctA)
	body := []byte(`{"InstanceId":"` + iid + `","ContactId":"c"}`)
	if status, name, _ := e.rawFor("profile", acctA, contactlensapi.Path, body); status < 400 || status >= 500 || name == "" {
		t.Fatalf("signed for profile: %d %q", status, name)
	}
	if status, name, _ := e.rawFor("connect", acctA, contactlensapi.Path, body); status != 200 {
		t.Fatalf("signed for connect: %d %q", status, name)
	}
}
