package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom/internal/testsvc"
)

// boto3Script is the Python test of the main Connect flow.
var boto3Script = filepath.Join("..", "..", "tests", "python", "test_connect_boto3.py")

// TestBoto3 runs tests/python/test_connect_boto3.py with boto3 against the
// real server started in process, with an account's access key from
// `accounts create`. Without python3 or boto3 it fails under CI=true and
// skips otherwise (testsvc.Boto3).
func TestBoto3(t *testing.T) {
	py := testsvc.Boto3(t)
	dir := t.TempDir()
	m, logs := startMain(t, dir, nil)
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
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	}()
	testsvc.RunPython(t, py, boto3Script, map[string]string{
		"HEADROOM_URL": m.URL(), "AWS_ACCESS_KEY_ID": k.ID, "AWS_SECRET_ACCESS_KEY": k.Secret})
}
