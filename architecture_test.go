package headroom_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/headroomhq/headroom"

// The package layout's rules. A technology package implements the root's
// interfaces for one technology; a transport speaks one protocol over the
// root's services; only server and cmd/headroom know them all.
var (
	storePackages     = []string{"memory", "sqlite", "postgres", "redis", "blobdir"}
	transportPackages = []string{"httpapi", "awsapi", "connectapi", "contactlensapi", "participantapi", "profilesapi", "rls", "console", "webhook"}

	// domainPackages build on the domain alone: they may import the root
	// package, the standard library and domainImports, and nothing of a
	// technology, so that any transport can serve them.
	domainPackages = []string{"plan"}
	domainImports  = []string{"go.yaml.in/yaml/v3"}

	// allowedTechImports are the exceptions to "a technology package may
	// not import another", each with its reason.
	allowedTechImports = map[[2]string]string{
		// The Redis limiter falls back to the in-process limiter while
		// Redis is unreachable, and makes one when none is given.
		{"redis", "memory"}: "the Redis limiter's default fallback",
	}
)

// techImportAllowed reports whether the technology package from may import
// the technology package to.
func techImportAllowed(from, to string) bool {
	_, ok := allowedTechImports[[2]string{rel(from), rel(to)}]
	return ok
}

type goPackage struct {
	ImportPath string
	Dir        string
	Imports    []string
	GoFiles    []string
	Standard   bool
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	d := json.NewDecoder(bytes.NewReader(out))
	for d.More() {
		var p goPackage
		if err := d.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	return pkgs
}

func rel(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

func isOneOf(path string, names []string) bool {
	for _, n := range names {
		if rel(path) == n {
			return true
		}
	}
	return false
}

// domainImportAllowed reports whether a domain package may import imp.
func domainImportAllowed(imp string) bool {
	if imp == module || !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
		return true // the root, or the standard library
	}
	for _, d := range domainImports {
		if imp == d {
			return true
		}
	}
	return false
}

// TestArchitecture reads the import graph and fails when a technology
// package imports another technology package, a transport imports a store
// package or names headroom.Store, or the root imports anything outside the
// standard library.
func TestArchitecture(t *testing.T) {
	tech := append(append([]string(nil), storePackages...), transportPackages...)
	storeRef := regexp.MustCompile(`\bheadroom\.Store\b`)
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			internal := strings.HasPrefix(imp, module)
			switch {
			case p.ImportPath == module && strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				t.Errorf("the root imports %s: it may import the standard library only", imp)
			case p.ImportPath == module && internal:
				t.Errorf("the root imports %s: it may import the standard library only", rel(imp))
			case isOneOf(p.ImportPath, tech) && internal && isOneOf(imp, tech) && !techImportAllowed(p.ImportPath, imp):
				t.Errorf("%s imports %s: a technology package may not import another", rel(p.ImportPath), rel(imp))
			case isOneOf(p.ImportPath, domainPackages) && !domainImportAllowed(imp):
				t.Errorf("%s imports %s: a domain package may import the root, the standard library and %v only", rel(p.ImportPath), imp, domainImports)
			case isOneOf(p.ImportPath, transportPackages) && internal && isOneOf(imp, storePackages):
				t.Errorf("%s imports the store package %s: transports use the engine's services", rel(p.ImportPath), rel(imp))
			}
		}
		if !isOneOf(p.ImportPath, transportPackages) {
			continue
		}
		for _, f := range p.GoFiles {
			file, err := os.Open(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(file)
			for n := 1; sc.Scan(); n++ {
				if line := sc.Text(); storeRef.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
					t.Errorf("%s/%s:%d names headroom.Store: transports depend on the services, not the store", rel(p.ImportPath), f, n)
				}
			}
			file.Close()
		}
	}
}

// TestArchitectureCatches checks the rules above against a graph that
// breaks each of them, so that the test can fail.
func TestArchitectureCatches(t *testing.T) {
	if !isOneOf(module+"/sqlite", storePackages) || !isOneOf(module+"/connectapi", transportPackages) || isOneOf(module, transportPackages) ||
		!isOneOf(module+"/rls", transportPackages) {
		t.Fatal("package classification is wrong")
	}
	if rel(module) != "." || rel(module+"/internal/sigv4") != "internal/sigv4" {
		t.Fatal("rel is wrong")
	}
	if !techImportAllowed(module+"/redis", module+"/memory") || techImportAllowed(module+"/memory", module+"/redis") ||
		techImportAllowed(module+"/rls", module+"/memory") || techImportAllowed(module+"/rls", module+"/httpapi") ||
		techImportAllowed(module+"/sqlite", module+"/memory") || techImportAllowed(module+"/redis", module+"/postgres") {
		t.Fatal("the allowed technology imports are wrong: only redis may import memory")
	}
	if !domainImportAllowed(module) || !domainImportAllowed("math/big") || !domainImportAllowed("go.yaml.in/yaml/v3") ||
		domainImportAllowed(module+"/memory") || domainImportAllowed(module+"/clock") || domainImportAllowed("github.com/jackc/pgx/v5") {
		t.Fatal("the domain packages' allowed imports are wrong")
	}
}
