package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// boto3Script is the Python test of the main Connect flow.
var boto3Script = filepath.Join("..", "..", "tests", "python", "test_connect_boto3.py")

// TestBoto3 runs tests/python/test_connect_boto3.py with boto3 against the
// real server started in process, with an account's access key from
// `accounts create`. Without python3 or boto3 it fails under CI=true (the
// CI image must have them: .ci/run installs Debian's python3-boto3) and
// skips otherwise.
func TestBoto3(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with boto3 is required under CI (apt-get install -y python3-boto3): %v", err)
		}
		t.Skipf("python3 with boto3 not available: %v", err)
	}
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
	cmd := exec.Command(py, boto3Script)
	// Only what the test needs: no profile, config file or proxy of the
	// machine's may change where boto3 connects or how it signs.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"HEADROOM_URL=" + m.URL(),
		"AWS_ACCESS_KEY_ID=" + k.ID,
		"AWS_SECRET_ACCESS_KEY=" + k.Secret,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	res, err := cmd.CombinedOutput()
	t.Logf("%s", res)
	if err != nil {
		t.Fatalf("%s: %v\nserver log:\n%s", boto3Script, err, logs)
	}
	// unittest exits 0 with skipped tests: none may be.
	if strings.Contains(string(res), "skipped") {
		t.Fatalf("%s skipped tests; every step of the flow must run", boto3Script)
	}
}
