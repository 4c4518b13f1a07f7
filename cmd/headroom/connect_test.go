package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// The Amazon Connect API is served on the server's one address beside the
// native API, the AWS Service Quotas API and the health check.
func TestConnectAPIMounted(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir, nil)
	defer m.Close()
	data, err := os.ReadFile(filepath.Join(dir, AdminTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": strings.TrimSpace(string(data))}
	code, out, stderr := cli(t, env, "accounts", "create", "--id", "123456789012", "-o", "json")
	if code != 0 {
		t.Fatalf("accounts create: %d %s", code, stderr)
	}
	var k struct {
		ID     string `json:"access_key_id"`
		Secret string `json:"secret_access_key"`
	}
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatal(err)
	}
	c := connect.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(m.URL()); o.Retryer = aws.NopRetryer{} })
	ctx := context.Background()
	out1, err := c.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: out1.Id}); err != nil {
		t.Fatal(err)
	}
	// Simulated traffic from the CLI: the 11th inbound call gets a fast
	// busy, and the breach is counted.
	iid := *out1.Id
	for i := 1; i <= 11; i++ {
		code, out, stderr := cli(t, env, "simulate", "inbound-call", "--account", "123456789012", "--instance", iid)
		want := "QUEUED"
		if i == 11 {
			want = "REORDER_TONE"
		}
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("inbound call %d: %d %q %q", i, code, out, stderr)
		}
	}
	code, out, _ = cli(t, env, "simulate", "metrics", "--account", "123456789012", "--instance", iid, "-o", "json")
	if code != 0 || !strings.Contains(out, `"CallsBreachingConcurrencyQuota": 1`) || !strings.Contains(out, `"ConcurrentCalls": 10`) {
		t.Fatalf("simulate metrics: %d %s", code, out)
	}
	code, _, stderr = cli(t, env, "simulate", "end", "--account", "123456789012", "--instance", iid)
	if code == 0 || !strings.Contains(stderr, "--contact") {
		t.Fatalf("simulate end without a contact: %d %s", code, stderr)
	}
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}
