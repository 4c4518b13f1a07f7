package main

import "testing"

// HEADROOM_SECRET_KEY gives the server the key of access-key secrets.
func TestSecretKeyFromEnv(t *testing.T) {
	cfg := DefaultConfig()
	key := "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	if err := applyEnv(&cfg, func(k string) string { return map[string]string{"HEADROOM_SECRET_KEY": key}[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.SecretKey != key {
		t.Fatalf("SecretKey = %q", cfg.SecretKey)
	}
}
