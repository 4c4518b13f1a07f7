package connectapi_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/connectapi"
)

var update = flag.Bool("update", false, "rewrite the generated operations of HR-CONNECT-RATE-{operation} in catalog/connect.yaml")

const (
	catalogPath = "../catalog/connect.yaml"
	opsBegin    = "      # BEGIN GENERATED OPERATIONS: go test ./connectapi -run TestEveryRouteHasItsOwnRateQuota -update\n"
	opsEnd      = "      # END GENERATED OPERATIONS\n"
	// perOpPrefix is the code of an operation's own rate quota, less the
	// operation's name.
	perOpPrefix = "HR-CONNECT-RATE-"
)

// Every route has a rate quota of its own in the default catalog: one
// account bucket per operation, which no other operation draws from. The
// operations of HR-CONNECT-RATE-{operation} in catalog/connect.yaml are
// generated from the routes; a route added without regenerating them
// fails here (and, until then, is throttled by HR-CONNECT-API-RATE).
func TestEveryRouteHasItsOwnRateQuota(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	generated, problems := ownRateQuotas(cat, connectapi.Operations())
	for _, p := range problems {
		t.Error(p)
	}
	var b strings.Builder
	for _, op := range generated {
		b.WriteString("      - " + connectapi.API + ":" + op + "\n")
	}
	path := filepath.FromSlash(catalogPath)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	begin, end := strings.Index(doc, opsBegin), strings.Index(doc, opsEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the generated operations markers", catalogPath)
	}
	if doc[begin+len(opsBegin):end] == b.String() {
		return
	}
	if !*update {
		t.Fatalf("the generated operations in %s differ from the routes; run go test ./connectapi -run TestEveryRouteHasItsOwnRateQuota -update", catalogPath)
	}
	doc = doc[:begin+len(opsBegin)] + b.String() + doc[end:]
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote %s; run the tests again", catalogPath)
}

// ownRateQuotas checks that each operation has an adjustable account rate
// quota of its own, and returns the operations the per_operation quota of
// connect.yaml must list (all but those with a quota elsewhere in the
// catalog), sorted, and the problems found.
func ownRateQuotas(cat *headroom.Catalog, ops []string) (generated, problems []string) {
	seen := map[string]bool{}
	for _, op := range ops {
		if seen[op] {
			continue
		}
		seen[op] = true
		q, err := cat.RateQuotaFor(connectapi.API, op)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", op, err))
			continue
		}
		// An operation with a quota of its own elsewhere in the catalog
		// (the metric operations) is not in the generated list.
		if q.Code == perOpPrefix+op || q.Code == headroom.CodeConnectAPIRate {
			generated = append(generated, op)
		}
		if len(q.Operations) != 1 || q.Operations[0] != connectapi.API+":"+op {
			problems = append(problems, fmt.Sprintf("%s is throttled by %s, which covers %v: it needs a quota of its own; run go test ./connectapi -run TestEveryRouteHasItsOwnRateQuota -update", op, q.Code, q.Operations))
			continue
		}
		if q.Scope != headroom.ScopeAccount || q.Kind != headroom.KindRate || !q.Adjustable {
			problems = append(problems, fmt.Sprintf("%s: %s is %s per %s, adjustable %v; want an adjustable account rate", op, q.Code, q.Kind, q.Scope, q.Adjustable))
		}
		if want := "Rate of " + op + " API requests"; q.Name != want {
			problems = append(problems, fmt.Sprintf("%s: %s is named %q, want %q", op, q.Code, q.Name, want))
		}
	}
	sort.Strings(generated)
	return generated, problems
}

// A route added without a quota of its own is caught: it falls to the
// shared HR-CONNECT-API-RATE, which the check refuses, and it is among the
// operations to generate.
func TestOwnRateQuotasCatchesANewRoute(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	generated, problems := ownRateQuotas(cat, []string{"CreateUser", "GetMetricData", "ListQueuesNotYetListed"})
	if len(problems) != 1 || !strings.Contains(problems[0], "ListQueuesNotYetListed is throttled by HR-CONNECT-API-RATE") {
		t.Errorf("problems = %q", problems)
	}
	if want := []string{"CreateUser", "ListQueuesNotYetListed"}; !reflect.DeepEqual(generated, want) {
		t.Errorf("generated = %v, want %v", generated, want)
	}
}

// The codes of the operations' own quotas are derived from the operation
// names, so that a script can name them without a table.
func TestPerOperationCodes(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for op, code := range map[string]string{
		"CreateUser":           "HR-CONNECT-RATE-CreateUser",
		"ListUsers":            "HR-CONNECT-RATE-ListUsers",
		"StartChatContact":     "HR-CONNECT-RATE-StartChatContact",
		"GetMetricData":        "L-52794498",
		"GetCurrentMetricData": "L-ED2B0490",
	} {
		q, err := cat.RateQuotaFor(connectapi.API, op)
		if err != nil || q.Code != code {
			t.Errorf("RateQuotaFor(connect, %s) = %v, %v; want %s", op, q, err, code)
			continue
		}
		want := [2]float64{2, 5}
		if strings.HasPrefix(code, "L-") {
			want = [2]float64{5, 8}
		}
		if got := [2]float64{q.Value, q.Burst}; got != want {
			t.Errorf("%s: rate %v burst %v, want %v", code, q.Value, q.Burst, want)
		}
	}
	// An operation with no quota of its own falls back to the account's
	// shared bucket.
	if q, err := cat.RateQuotaFor(connectapi.API, "NotAnOperation"); err != nil || q.Code != headroom.CodeConnectAPIRate {
		t.Errorf("fallback: %v, %v", q, err)
	}
}
