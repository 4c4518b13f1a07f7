package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// TestEnforceAISPL: every native enforce item on a Connect or Customer
// Profiles quota is refused for an AISPL account with the seed's rule;
// another account in the same batch is unaffected. `quotas get` still
// reads.
func TestEnforceAISPL(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.client.CreateAccount(ctx, httpapi.AccountCreate{AccountID: "444455556666", AISPL: true}); err != nil {
		t.Fatal(err)
	}
	body := `{"items":[
		{"op":"reserve","account":"444455556666","code":"L-9A46857E","scope":"instance/i-1","amount":1},
		{"op":"take","account":"444455556666","code":"HR-CONNECT-API-RATE","amount":1},
		{"op":"acquire","account":"444455556666","code":"L-12AB7C57","scope":"instance/i-1","lease_id":"c1","ttl_seconds":60},
		{"op":"check","account":"444455556666","code":"HR-CONNECT-OUTBOUND-COUNTRIES","value":"+12065550100"},
		{"op":"reserve","account":"444455556666","code":"L-6603B252","amount":1},
		{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1}
	]}`
	status, m := e.raw(t, "POST", "/v1/enforce", adminToken, body)
	if status != 200 {
		t.Fatalf("status %d: %v", status, m)
	}
	res := m["results"].([]any)
	for i := 0; i < 5; i++ {
		errm, _ := res[i].(map[string]any)["error"].(map[string]any)
		if errm["code"] != "not_available" || !strings.Contains(errm["message"].(string), headroom.AISPLRule) {
			t.Errorf("item %d: %v", i, res[i])
		}
	}
	if res[5].(map[string]any)["allowed"] != true {
		t.Errorf("other account: %v", res[5])
	}
	if q, err := e.client.GetQuota(ctx, "444455556666", "L-9A46857E", "instance/i-1"); err != nil || q.Value != 500 {
		t.Errorf("read: %+v, %v", q, err)
	}
}
