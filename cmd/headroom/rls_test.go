package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRLSSettings: the rate-limit service's settings come from the config
// file and HEADROOM_RLS_*, the environment over the file.
func TestRLSSettings(t *testing.T) {
	c := DefaultConfig()
	path := filepath.Join(t.TempDir(), "headroom.yaml")
	os.WriteFile(path, []byte("rls_addr: 127.0.0.1:8081\nrls_config: /etc/ratelimit\nrls_headers: true\n"), 0o600)
	if err := loadConfigFile(&c, path); err != nil || c.RLSAddr != "127.0.0.1:8081" || c.RLSConfig != "/etc/ratelimit" || !c.RLSHeaders {
		t.Fatalf("config file: %+v %v", c, err)
	}
	env := map[string]string{"HEADROOM_RLS_ADDR": "0.0.0.0:9091", "HEADROOM_RLS_CONFIG": "/srv/rl", "HEADROOM_RLS_HEADERS": "false"}
	if err := applyEnv(&c, func(k string) string { return env[k] }); err != nil || c.RLSAddr != "0.0.0.0:9091" || c.RLSConfig != "/srv/rl" || c.RLSHeaders {
		t.Fatalf("env: %+v %v", c, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	env["HEADROOM_RLS_HEADERS"] = "sometimes"
	if err := applyEnv(&c, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "HEADROOM_RLS_HEADERS") {
		t.Fatalf("bad HEADROOM_RLS_HEADERS: %v", err)
	}
}
