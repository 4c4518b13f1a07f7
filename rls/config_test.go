package rls

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigErrors: each bad file is refused with its file, line and
// field. Unknown fields and duplicates are errors, as ratelimit's loader
// makes them.
func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name, yml string
		line      int
		field     string
	}{
		{"unknown top-level field", "domain: d\nlimits: []\n", 2, "limits"},
		{"missing domain", "descriptors: []\n", 1, "domain"},
		{"empty domain", "domain: \"\"\n", 1, "domain"},
		{"unknown descriptor field", "domain: d\ndescriptors:\n  - key: a\n    vale: x\n", 4, "descriptors[0].vale"},
		{"missing key", "domain: d\ndescriptors:\n  - value: x\n", 3, "descriptors[0].key"},
		{"bad unit", "domain: d\ndescriptors:\n  - key: a\n    rate_limit:\n      unit: fortnight\n      requests_per_unit: 1\n", 5, "descriptors[0].rate_limit.unit"},
		{"missing unit", "domain: d\ndescriptors:\n  - key: a\n    rate_limit:\n      requests_per_unit: 1\n", 5, "descriptors[0].rate_limit.unit"},
		{"negative requests", "domain: d\ndescriptors:\n  - key: a\n    rate_limit:\n      unit: second\n      requests_per_unit: -1\n", 6, "descriptors[0].rate_limit.requests_per_unit"},
		{"unlimited with unit", "domain: d\ndescriptors:\n  - key: a\n    rate_limit:\n      unlimited: true\n      unit: second\n", 6, "descriptors[0].rate_limit.unit"},
		{"bad shadow_mode", "domain: d\ndescriptors:\n  - key: a\n    shadow_mode: maybe\n", 4, "descriptors[0].shadow_mode"},
		{"duplicate key/value", "domain: d\ndescriptors:\n  - key: a\n    value: x\n  - key: a\n    value: x\n", 5, "descriptors[1]"},
		{"duplicate key only", "domain: d\ndescriptors:\n  - key: a\n  - key: a\n", 4, "descriptors[1]"},
		{"nested unknown field", "domain: d\ndescriptors:\n  - key: a\n    descriptors:\n      - key: b\n        rate_limt: {}\n", 6, "descriptors[0].descriptors[0].rate_limt"},
		{"replaces without name", "domain: d\ndescriptors:\n  - key: a\n    rate_limit:\n      unit: second\n      requests_per_unit: 1\n      replaces:\n        - {}\n", 8, "descriptors[0].rate_limit.replaces[0].name"},
		{"repeated field", "domain: d\ndomain: e\n", 2, "domain"},
		{"syntax", "domain: d\ndescriptors:\n  - key: a\n   value: b\n", 2, ""},
		{"descriptors not a list", "domain: d\ndescriptors: {key: a}\n", 2, "descriptors"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseDomain("edge.yaml", []byte(c.yml))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want a *ConfigError", err, err)
			}
			if ce.File != "edge.yaml" || ce.Line != c.line || ce.Field != c.field {
				t.Fatalf("got %s (line %d, field %q), want line %d field %q", ce, ce.Line, ce.Field, c.line, c.field)
			}
			if !strings.HasPrefix(ce.Error(), "edge.yaml:") {
				t.Fatalf("message %q does not begin with the file and line", ce.Error())
			}
		})
	}
}

// TestLoadDir loads several domains, skips other files, and refuses a
// domain configured twice.
func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", "domain: a\naccount_key: tenant\ndescriptors:\n  - key: k\n    rate_limit: {unit: second, requests_per_unit: 1}\n")
	write(t, dir, "b.yml", example2)
	write(t, dir, "notes.txt", "not yaml at all: [")
	write(t, dir, ".hidden.yaml", "not: [valid")
	cfg, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Domains) != 2 || cfg.Domains["a"].AccountKey != "tenant" || cfg.Domains["messaging"] == nil || len(cfg.Rules()) != 3 {
		t.Fatalf("loaded %+v", cfg.Domains)
	}
	write(t, dir, "c.yaml", "domain: a\n")
	_, err = LoadDir(dir)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != filepath.Join(dir, "c.yaml") || ce.Field != "domain" || !strings.Contains(ce.Msg, "a.yaml") {
		t.Fatalf("duplicate domain: %v", err)
	}
	if _, err := LoadDir(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing directory loaded")
	}
}

func write(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func asConfigError(err error, ce **ConfigError) bool { return errors.As(err, ce) }
