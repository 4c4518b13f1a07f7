package catalog

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const perOpYAML = `version: 1
extends: default
quotas:
  - code: HR-EX-RATE-{operation}
    service: example
    name: Rate of {operation} requests
    description: Requests per second to {operation}.
    kind: rate
    scope: account
    unit: Count/Second
    value: 2
    burst: 5
    adjustable: true
    per_operation: true
    operations:
      - example:PutWidget
      - example:GetWidget
overrides:
  - code: HR-EX-RATE-GetWidget
    value: 10
    burst: 20
  - code: HR-CONNECT-RATE-CreateUser
    value: 3
`

// A per_operation definition stands for one quota per operation, each
// with its own code, name, description and applied value.
func TestPerOperationExpands(t *testing.T) {
	c, err := Parse("ex.yaml", []byte(perOpYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op, code, name, desc string
		value, burst         float64
	}{
		{"PutWidget", "HR-EX-RATE-PutWidget", "Rate of PutWidget requests", "Requests per second to PutWidget.", 2, 5},
		{"GetWidget", "HR-EX-RATE-GetWidget", "Rate of GetWidget requests", "Requests per second to GetWidget.", 10, 20},
	} {
		q, err := c.RateQuotaFor("example", tc.op)
		if err != nil {
			t.Fatal(err)
		}
		if q.Code != tc.code || q.Name != tc.name || q.Description != tc.desc || q.Value != tc.value || q.Burst != tc.burst ||
			!reflect.DeepEqual(q.Operations, []string{"example:" + tc.op}) {
			t.Errorf("%s: got %s %q %q %v/%v %v", tc.op, q.Code, q.Name, q.Description, q.Value, q.Burst, q.Operations)
		}
	}
	if _, err := c.RateQuotaFor("example", "DeleteWidget"); err == nil {
		t.Errorf("an operation the definition does not list has a quota")
	}
	if _, err := c.Quota("HR-EX-RATE-{operation}"); err == nil {
		t.Errorf("the definition's own code is a quota")
	}
	// An override of one operation of the default catalog leaves the others.
	if q, _ := c.Quota("HR-CONNECT-RATE-CreateUser"); q == nil || q.Value != 3 {
		t.Errorf("override of HR-CONNECT-RATE-CreateUser: %+v", q)
	}
	if q, _ := c.Quota("HR-CONNECT-RATE-ListUsers"); q == nil || q.Value != 2 {
		t.Errorf("HR-CONNECT-RATE-ListUsers after an override of CreateUser's: %+v", q)
	}
}

func TestPerOperationRejects(t *testing.T) {
	base := `version: 1
quotas:
  - code: HR-X-{operation}
    service: xx
    name: Rate of {operation}
    kind: rate
    scope: account
    unit: Count/Second
    value: 1
    burst: 1
    per_operation: true
    operations: ["x:A", "x:B"]
`
	for _, tc := range []struct {
		name, from, to, field, msg string
	}{
		{"not a rate", "kind: rate", "kind: count", "per_operation", "only a rate quota"},
		{"code without placeholder", "code: HR-X-{operation}", "code: HR-X", "code", "names each operation"},
		{"name without placeholder", "name: Rate of {operation}", "name: Rate", "name", "names each operation"},
		{"wildcard", `["x:A", "x:B"]`, `["x:*"]`, "operations", "each operation as api:Operation"},
		{"no operations", `operations: ["x:A", "x:B"]`, `operations: []`, "operations", "lists the operations"},
		{"an expanded code twice", `["x:A", "x:B"]`, `["x:A", "y:A"]`, "code", "duplicate code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yaml := strings.Replace(base, tc.from, tc.to, 1)
			if yaml == base {
				t.Fatalf("%q not in the base catalog", tc.from)
			}
			_, err := Parse("bad.yaml", []byte(yaml))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			found := false
			for _, p := range ve.Problems {
				if p.Field == tc.field && strings.Contains(p.Message, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem on %s with %q:\n%v", tc.field, tc.msg, err)
			}
		})
	}
	if _, err := Parse("ok.yaml", []byte(base)); err != nil {
		t.Fatalf("the base catalog: %v", err)
	}
}
