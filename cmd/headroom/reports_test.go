package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// `headroom simulate report` holds and frees the saved report slots: the
// 500th report is saved, the 501st refused, a delete frees a slot; and
// `headroom simulate transcript` adds a Contact Lens segment.
func TestSimulateReportsCLI(t *testing.T) {
	dir := t.TempDir()
	m, _ := startMain(t, dir, nil)
	defer m.Close()
	data, err := os.ReadFile(filepath.Join(dir, AdminTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": strings.TrimSpace(string(data))}
	const acct = "123456789012"
	code, out, stderr := cli(t, env, "accounts", "create", "--id", acct, "-o", "json")
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
	inst, err := c.CreateInstance(context.Background(), &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	iid := *inst.Id
	save := func(i int) (int, string, string) {
		args := []string{"simulate", "report", "save", "--account", acct, "--instance", iid, "--name", fmt.Sprintf("daily %d", i), "-o", "json"}
		if i%3 == 0 {
			args = append(args, "--personal")
		}
		return cli(t, env, args...)
	}
	var firstID string
	for i := 1; i <= 500; i++ {
		code, out, stderr := save(i)
		if code != 0 {
			t.Fatalf("report %d: %d %s", i, code, stderr)
		}
		if i == 1 {
			var r struct {
				ID string `json:"report_id"`
			}
			json.Unmarshal([]byte(out), &r)
			firstID = r.ID
		}
	}
	code, _, stderr = save(501)
	if code == 0 || !strings.Contains(stderr, "500") {
		t.Fatalf("501st report: %d %s", code, stderr)
	}
	code, _, stderr = cli(t, env, "simulate", "report", "schedule", "--account", acct, "--instance", iid, "--report", firstID, "--frequency", "WEEKLY")
	if code != 0 {
		t.Fatalf("schedule: %d %s", code, stderr)
	}
	code, _, stderr = cli(t, env, "simulate", "report", "delete", "--account", acct, "--instance", iid, "--report", firstID)
	if code != 0 {
		t.Fatalf("delete: %d %s", code, stderr)
	}
	if code, _, stderr := save(501); code != 0 {
		t.Fatalf("after a delete: %d %s", code, stderr)
	}
	code, out, stderr = cli(t, env, "simulate", "transcript", "--account", acct, "--instance", iid, "--contact", "c-1", "--role", "AGENT", "--content", "Hello", "--end", "900")
	if code != 0 || !strings.Contains(out, "SEGMENT") {
		t.Fatalf("transcript: %d %s %s", code, out, stderr)
	}
	code, _, stderr = cli(t, env, "simulate", "transcript", "--account", acct, "--instance", iid, "--contact", "c-1")
	if code == 0 || !strings.Contains(stderr, "--content") {
		t.Fatalf("transcript without content: %d %s", code, stderr)
	}
}
