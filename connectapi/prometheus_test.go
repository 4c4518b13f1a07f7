package connectapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
)

// scrape reads GET /metrics with token and returns the families.
func (e *env) scrape(token string) (int, map[string]*dto.MetricFamily) {
	e.t.Helper()
	r, _ := http.NewRequest("GET", e.url+"/metrics", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return 200, fams
}

// value returns the value of the family's series with the given labels
// (name=value pairs), or -1 if there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if got[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Counter != nil:
			return m.Counter.GetValue()
		}
	}
	return -1
}

// GET /metrics exposes, per account and instance, Connect's CloudWatch
// quota metrics, in agreement with the simulate metrics endpoint, and the
// native enforce path's decisions; it needs the operator token.
func TestPrometheusMetrics(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, true, "") // throttled at 2/s, burst 5
	iid := e.instance(acctA)
	n := e.native()

	// Calls: 10 inbound fill the quota, the 11th is a breach.
	for i := 0; i < 11; i++ {
		var out connectapi.InboundCallResult
		if err := n.Do(ctx, "POST", simPath(acctA, iid, "/inbound-calls"), connectapi.InboundCall{}, &out); err != nil {
			t.Fatal(err)
		}
	}
	// Chats: 3 of 100.
	c := e.client(acctA)
	for i := 0; i < 3; i++ {
		must[*connect.StartChatContactOutput](t)(c.StartChatContact(ctx, chatInput(iid, fmt.Sprint("chat-", i), "Ana")))
	}
	// Account B: calls until the API rate throttles one.
	bid := e.instance(acctB)
	cb := e.client(acctB)
	throttled := 0
	for i := 0; i < 8; i++ {
		_, err := cb.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{InstanceId: &bid,
			ContactFlowId: aws.String(defaultsOf(bid).flow), DestinationPhoneNumber: aws.String(fmt.Sprintf("+1206555%04d", i))})
		var te interface{ ErrorCode() string }
		if errors.As(err, &te) && te.ErrorCode() == "ThrottlingException" {
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("no call was throttled")
	}
	// The native enforce path: one allowed decision, one on an unknown code.
	body := fmt.Sprintf(`{"items":[{"op":"acquire","account":%q,"code":%q,"scope":"instance/x","lease_id":"l1","ttl_seconds":60},{"op":"take","account":%q,"code":"L-NOPE"}]}`,
		acctA, headroom.CodeConcurrentChats, acctA)
	req, _ := http.NewRequest("POST", e.url+"/v1/enforce", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("enforce: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()

	if status, _ := e.scrape(""); status != http.StatusUnauthorized {
		t.Fatalf("GET /metrics without a token: %d, want 401", status)
	}
	status, fams := e.scrape(adminToken)
	if status != 200 {
		t.Fatalf("GET /metrics: %d", status)
	}
	var sim connectapi.InstanceMetrics
	if err := n.Do(ctx, "GET", simPath(acctA, iid, "/metrics"), nil, &sim); err != nil {
		t.Fatal(err)
	}
	a := []string{"account", acctA, "instance", iid}
	for _, w := range []struct {
		name string
		want float64
	}{
		{"headroom_connect_concurrent_calls", 10},
		{"headroom_connect_concurrent_calls_percentage", 100},
		{"headroom_connect_calls_breaching_concurrency_quota_total", 1},
		{"headroom_connect_throttled_calls_total", 0},
		{"headroom_connect_concurrent_active_chats", 3},
		{"headroom_connect_concurrent_active_chats_percentage", 3},
		{"headroom_connect_chats_breaching_active_chat_quota_total", 0},
		{"headroom_connect_concurrent_tasks", 0},
		{"headroom_connect_concurrent_tasks_percentage", 0},
		{"headroom_connect_tasks_breaching_concurrency_quota_total", 0},
	} {
		if got := value(fams, w.name, a...); got != w.want {
			t.Errorf("%s{account=%s} = %v, want %v", w.name, acctA, got, w.want)
		}
	}
	// The two views agree.
	if got := value(fams, "headroom_connect_calls_breaching_concurrency_quota_total", a...); got != float64(sim.CallsBreachingConcurrencyQuota) {
		t.Errorf("Prometheus says %v breaches, the simulate endpoint %d", got, sim.CallsBreachingConcurrencyQuota)
	}
	if got := value(fams, "headroom_connect_throttled_calls_total", "account", acctB, "instance", bid); got != float64(throttled) {
		t.Errorf("throttled calls of B = %v, want %d", got, throttled)
	}
	if got := value(fams, "headroom_decisions_total", "quota", headroom.CodeConcurrentChats, "outcome", "allowed"); got != 1 {
		t.Errorf("allowed decisions = %v, want 1", got)
	}
	if got := value(fams, "headroom_decisions_total", "quota", "other", "outcome", "error"); got != 1 {
		t.Errorf("error decisions on other codes = %v, want 1", got)
	}
	if got := value(fams, "headroom_connect_metrics_errors"); got != 0 {
		t.Errorf("collect errors = %v", got)
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
