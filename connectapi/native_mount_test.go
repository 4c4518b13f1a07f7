//go:build nativeapi

// These tests need the native API (httpapi) and the AWS Service Quotas
// API (awsapi) mounted beside the Connect API, as cmd/headroom mounts them:
// run them with -tags nativeapi once those packages build on the domain
// services. The native API mounts the simulate endpoints from
// Handler.SimulateRoutes with its own authentication.

package connectapi_test

import (
	"context"
	"fmt"
	"github.com/headroomhq/headroom/connectapi"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
	"github.com/headroomhq/headroom/httpapi"
)

// nativeEnv is env with the real native API in front: the Connect API and
// the simulate endpoints mounted on it.
func nativeEnv(t *testing.T) (*env, *httpapi.Server) {
	e := newEnv(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api, err := httpapi.New(httpapi.Config{Engine: e.engine, AdminToken: adminToken, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	h, err := connectapi.New(connectapi.Config{Engine: e.engine, Region: region, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	h.Mount(api)
	for _, rt := range h.SimulateRoutes() {
		api.HandleForAccount(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			out, err := rt.Serve(r.Context(), r.PathValue("account"), httpapi.Actor(r), r, body)
			if err != nil {
				api.WriteError(w, r, err)
				return
			}
			httpapi.WriteJSON(w, http.StatusOK, out)
		})
	}
	if err := api.RegisterMetrics(h.Collector()); err != nil {
		t.Fatal(err)
	}
	e.srv.Config.Handler = api
	return e, api
}

// A service token of another account may not simulate traffic of this
// one.
func TestNativeSimulateForAccount(t *testing.T) {
	ctx := context.Background()
	e, _ := nativeEnv(t)
	e.account(acctA, false, "")
	iid := e.instance(acctA)
	e.account(acctB, false, "")
	_, secret, err := e.engine.CreateToken(ctx, "svc", headroom.RoleService, []string{acctB}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var m connectapi.InstanceMetrics
	other := &httpapi.Client{BaseURL: e.srv.URL, Token: secret}
	if err := other.Do(ctx, "GET", simPath(acctA, iid, "/metrics"), nil, &m); headroom.ErrorCodeOf(err) != headroom.EFORBIDDEN {
		t.Errorf("another account's token: %v", err)
	}
}

// GET /metrics counts the native enforce path's decisions and needs the
// operator token.
func TestNativeMetricsDecisions(t *testing.T) {
	ctx := context.Background()
	e, _ := nativeEnv(t)
	e.account(acctA, false, "")
	body := fmt.Sprintf(`{"items":[{"op":"acquire","account":%q,"code":%q,"scope":"instance/x","lease_id":"l1","ttl_seconds":60},{"op":"take","account":%q,"code":"L-NOPE"}]}`,
		acctA, headroom.CodeConcurrentChats, acctA)
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/enforce", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("enforce: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	_, fams := e.scrape(adminToken)
	if got := value(fams, "headroom_decisions_total", "quota", headroom.CodeConcurrentChats, "outcome", "allowed"); got != 1 {
		t.Errorf("allowed decisions = %v, want 1", got)
	}
	if got := value(fams, "headroom_decisions_total", "quota", "other", "outcome", "error"); got != 1 {
		t.Errorf("error decisions on other codes = %v, want 1", got)
	}
	// The service token of an account may not read every account's metrics.
	_, secret, err := e.engine.CreateToken(ctx, "svc", headroom.RoleService, []string{acctA}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := e.scrape(secret); status != http.StatusForbidden {
		t.Errorf("GET /metrics with a service token: %d, want 403", status)
	}
}

// An increase requested through the AWS Service Quotas API with the
// instance's ARN as ContextId, once approved, lifts the limit on the next
// Connect call, for that instance only.
func TestServiceQuotasIncreaseAppliesToInstance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	k := e.account(acctA, false, "")
	c := e.client(acctA)
	i1, i2 := e.instance(acctA), e.instance(acctA)
	e.override(acctA, headroom.CodeUsers, "", 2)
	for _, iid := range []string{i1, i2} {
		for n := 0; n < 2; n++ {
			must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, fmt.Sprint("u", n))))
		}
		_, err := c.CreateUser(ctx, userInput(iid, "u2"))
		wantErr(t, err, "LimitExceededException", 429, "quota of 2")
	}
	// The Service Quotas API on the same server, as cmd/headroom mounts it.
	aws2, err := awsapi.New(awsapi.Config{Engine: e.engine, Region: region, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /{$}", aws2)
	sqSrv := newServer(t, mux)
	sq := servicequotas.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *servicequotas.Options) { o.BaseEndpoint = aws.String(sqSrv); o.Retryer = aws.NopRetryer{} })
	arn := "arn:aws:connect:" + region + ":" + acctA + ":instance/" + i1
	r, err := sq.RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(3), ContextId: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.engine.DecideRequest(ctx, *r.RequestedQuota.Id, headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		t.Fatal(err)
	}
	must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(i1, "u2")))
	_, err = c.CreateUser(ctx, userInput(i1, "u3"))
	wantErr(t, err, "LimitExceededException", 429, "quota of 3")
	_, err = c.CreateUser(ctx, userInput(i2, "u2"))
	wantErr(t, err, "LimitExceededException", 429, "quota of 2")
}
