package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

// want is one problem a bad catalog must report.
type want struct {
	line        int
	code, field string
	// msg is the start of the problem's message.
	msg string
}

// text is the problem as Problem.Error renders it, up to msg.
func (w want) text(file string) string {
	s := file
	if w.line > 0 {
		s += fmt.Sprintf(":%d", w.line)
	}
	s += ": "
	if w.code != "" {
		s += "quota " + w.code + ": "
	}
	if w.field != "" {
		s += w.field + ": "
	}
	return s + w.msg
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []want
	}{
		{"invented without a note", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
    invented:
      - field: value
        value: "1"
`, []want{{10, "HR-A", "invented", "entry 1 needs a field and a note"}}},
		{"duplicate code", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
  - code: HR-A
    service: test
    name: A again
    kind: count
    scope: instance
    unit: Count
    value: 2
`, []want{{10, "HR-A", "code", "duplicate code: already defined at line 3"}}},

		{"duplicate of a default code", `version: 1
extends: default
quotas:
  - code: L-9A46857E
    service: connect
    name: Users per instance
    kind: count
    scope: instance
    unit: Count
    value: 900
    adjustable: true
`, []want{{4, "L-9A46857E", "code", "duplicate code: the default catalog this file extends already defines it"}}},

		{"unknown kind", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: counter
    scope: instance
    unit: Count
    value: 1
`, []want{{6, "HR-A", "kind", `unknown kind "counter"`}}},

		{"unknown scope type", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance/widget
    unit: Count
    value: 1
`, []want{{7, "HR-A", "scope", `unknown scope type "widget"`}}},

		{"unknown unit", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Widgets
    value: 1
`, []want{{8, "HR-A", "unit", `unknown unit "Widgets"`}}},

		{"negative value", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: -3
`, []want{{9, "HR-A", "value", "must not be negative"}}},

		{"missing value", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
`, []want{{3, "HR-A", "value", "missing"}}},

		{"rate without burst", `version: 1
quotas:
  - code: HR-R
    service: test
    name: R
    kind: rate
    scope: account
    unit: Count/Second
    value: 2
`, []want{{3, "HR-R", "burst", "a rate quota needs a burst"}}},

		{"burst below rate", `version: 1
quotas:
  - code: HR-R
    service: test
    name: R
    kind: rate
    scope: account
    unit: Count/Second
    value: 2
    burst: 1
`, []want{{10, "HR-R", "burst", "burst 1 is below the rate 2"}}},

		{"override for a non-adjustable quota", `version: 1
extends: default
overrides:
  - code: L-D945C9A8
    value: 100
`, []want{{5, "L-D945C9A8", "value", "the quota is not adjustable"}}},

		{"cohort on a non-adjustable quota", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
    adjustable: false
    cohorts:
      - {created_before: 2020-02-01, value: 2}
`, []want{{11, "HR-A", "cohorts", "quota HR-A is not adjustable"}}},

		{"override for an unknown code", `version: 1
extends: default
overrides:
  - code: L-9A46857E
    value: 600
  - code: HR-NOPE
    value: 1
`, []want{{6, "HR-NOPE", "code", "no quota with this code in this catalog or the default catalog it extends"}}},

		{"second override of a quota", `version: 1
extends: default
overrides:
  - code: L-9A46857E
    value: 600
  - code: L-9A46857E
    value: 700
`, []want{{6, "L-9A46857E", "code", "a second override of the quota; the first is at line 4"}}},

		{"override burst on a count", `version: 1
extends: default
overrides:
  - code: L-9A46857E
    value: 600
    burst: 10
`, []want{{6, "L-9A46857E", "burst", "only rate quotas have a burst"}}},

		{"override rate above the burst", `version: 1
extends: default
overrides:
  - code: L-52794498
    value: 9
`, []want{{4, "L-52794498", "burst", "burst 8 is below the rate 9"}}},

		{"override NaN", `version: 1
extends: default
overrides:
  - code: L-9A46857E
    value: .nan
`, []want{{5, "L-9A46857E", "value", "must be a finite number"}}},

		{"unknown YAML field", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
    colour: red
`, []want{{10, "HR-A", "colour", "unknown field (want one of code, service"}}},

		{"unknown nested field", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
    adjustable: true
    cohorts:
      - created_from: 2019-01-01
        valeu: 2
`, []want{{13, "HR-A", "cohorts[0].valeu", "unknown field (want one of created_from, created_before, value)"}}},

		{"unknown top-level field", `version: 1
quota: []
`, []want{{2, "", "quota", "unknown field (want one of version, extends, quotas, overrides)"}}},

		{"wrong type", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: ten
`, []want{{9, "HR-A", "value", "got !!str `ten`, want a number"}}},

		{"missing version", `quotas: []
`, []want{{1, "", "version", "missing"}}},

		{"unsupported version", `version: 2
`, []want{{1, "", "version", "unsupported version 2 (want 1)"}}},

		{"extends another catalog", `version: 1
extends: connect
`, []want{{2, "", "extends", `unknown catalog "connect"`}}},

		{"empty input", "  \n# only a comment\n", []want{{0, "", "", "the catalog is empty"}}},

		{"two documents", "version: 1\n---\nversion: 1\n", []want{{2, "", "", "a catalog file holds one YAML document"}}},

		{"syntax error", `version: 1
quotas:
  - code: HR-A
    service: test
     name: A
`, []want{{5, "", "", "mapping values are not allowed in this context"}}},

		{"NaN value", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: .nan
`, []want{{9, "HR-A", "value", "must be a finite number, not NaN"}}},

		{"infinite burst", `version: 1
quotas:
  - code: HR-R
    service: test
    name: R
    kind: rate
    scope: account
    unit: Count/Second
    value: 1
    burst: .inf
`, []want{{10, "HR-R", "burst", "must be a finite number, not +Inf"}}},

		{"bad date", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
    adjustable: true
    cohorts:
      - created_from: 2019-01-01
        created_before: 2020-13-01
        value: 2
`, []want{{13, "HR-A", "cohorts[0].created_before", `bad date "2020-13-01" (want YYYY-MM-DD)`}}},

		{"operation claimed twice", `version: 1
extends: default
quotas:
  - code: HR-R
    service: test
    name: R
    kind: rate
    scope: account
    unit: Count/Second
    value: 1
    burst: 1
    operations: ["connect:GetMetricData"]
`, []want{{12, "HR-R", "operations", "operation connect:GetMetricData is already throttled by L-52794498"}}},

		{"metric without a name", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: concurrency
    scope: instance
    unit: Count
    value: 1
    metric: {namespace: AWS/Connect}
`, []want{{10, "HR-A", "metric.name", "missing"}}},

		{"unknown partner", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: account
    unit: Count
    value: 1
    unavailable_to: [ACME]
`, []want{{10, "HR-A", "unavailable_to", `unknown partner "ACME" (want AISPL)`}}},

		{"two bad quotas report two problems", `version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: -1
  - code: HR-R
    service: test
    name: R
    kind: rate
    scope: account
    unit: Count/Second
    value: 4
    burst: 2
`, []want{
			{9, "HR-A", "value", "must not be negative"},
			{17, "HR-R", "burst", "burst 2 is below the rate 4"},
		}},

		{"decoding and rule problems together", `version: 1
extends: default
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: [1]
  - code: HR-B
    service: test
    name: B
    kind: count
    scope: galaxy
    unit: Count
    value: 1
overrides:
  - code: HR-A
    value: 3
  - code: L-D945C9A8
    value: 60
`, []want{
			{10, "HR-A", "value", "got !!seq, want a number"},
			{15, "HR-B", "scope", `unknown scope type "galaxy"`},
			{22, "L-D945C9A8", "value", "the quota is not adjustable"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const file = "bad.yaml"
			c, err := Parse(file, []byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse accepted the catalog (%d quotas)", len(c.Quotas()))
			}
			if c != nil {
				t.Errorf("Parse returned a catalog with its error")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError: %v", err, err)
			}
			if len(ve.Problems) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(ve.Problems), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.Contains(err.Error(), w.text(file)) {
					t.Errorf("error lacks %q:\n%v", w.text(file), err)
				}
				if i >= len(ve.Problems) {
					continue
				}
				p := ve.Problems[i]
				if p.File != file || p.Line != w.line || p.Code != w.code || p.Field != w.field {
					t.Errorf("problem %d = {%s %d %s %s}, want {%s %d %s %s}", i, p.File, p.Line, p.Code, p.Field, file, w.line, w.code, w.field)
				}
			}
			var he *headroom.Error
			if !errors.As(err, &he) || he.Code != headroom.EINVALID {
				t.Errorf("errors.As(*headroom.Error) = %v; want code %s", he, headroom.EINVALID)
			} else if he.Field != tc.want[0].field || !strings.HasPrefix(he.Message, file) {
				t.Errorf("*headroom.Error = field %q message %q", he.Field, he.Message)
			}
			if code := headroom.ErrorCodeOf(err); code != headroom.EINVALID {
				t.Errorf("ErrorCodeOf = %s", code)
			}
		})
	}
}

func TestExtendsAndOverrides(t *testing.T) {
	c, err := Parse("custom.yaml", []byte(`version: 1
extends: default
quotas:
  - code: HR-EXAMPLE-WIDGETS
    service: example
    name: Widgets per instance
    description: Widgets in the instance.
    kind: count
    scope: instance
    unit: Count
    value: 20
    adjustable: true
    cohorts: [{created_from: 2019-01-01, created_before: 2020-02-01, value: 10}]
overrides:
  - code: L-9A46857E
    value: 1000
  - code: L-52794498
    value: 10
    burst: 20
  - code: HR-EXAMPLE-WIDGETS
    value: 30
`))
	if err != nil {
		t.Fatal(err)
	}
	def := mustDefault(t)
	if got, want := len(c.Quotas()), len(def.Quotas())+1; got != want {
		t.Errorf("%d quotas, want %d", got, want)
	}
	users, _ := c.Quota("L-9A46857E")
	if users == nil || users.Value != 1000 {
		t.Errorf("users = %+v, want value 1000", users)
	}
	if q, _ := def.Quota("L-9A46857E"); q.Value != 500 {
		t.Errorf("the override changed the shared default catalog: %g", q.Value)
	}
	if q, err := c.RateQuotaFor("connect", "GetMetricData"); err != nil || q.Value != 10 || q.Burst != 20 {
		t.Errorf("GetMetricData rate = %+v, %v; want 10 burst 20", q, err)
	}
	w, err := c.Quota("HR-EXAMPLE-WIDGETS")
	if err != nil {
		t.Fatal(err)
	}
	if w.Value != 30 || len(w.Cohorts) != 1 || w.Cohorts[0].Value != 10 ||
		w.Cohorts[0].CreatedFrom.Format(dateLayout) != "2019-01-01" || w.Cohorts[0].CreatedBefore.Format(dateLayout) != "2020-02-01" {
		t.Errorf("widgets = %+v", w)
	}
	if got := c.Services(); strings.Join(got, ",") != "connect,example,profile" {
		t.Errorf("services = %v", got)
	}
	if q, _ := c.Quota("L-12AB7C57"); q == nil || q.Metric == nil || q.Metric.Dimensions["MetricGroup"] != "VoiceCalls" {
		t.Errorf("an extended quota lost its fields: %+v", q)
	}
}

func TestParseWithoutExtends(t *testing.T) {
	c, err := Parse("own.yaml", []byte(`version: 1
quotas:
  - code: HR-A
    service: test
    name: A
    kind: count
    scope: instance
    unit: Count
    value: 1
    adjustable: true
overrides:
  - code: HR-A
    value: 4
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Quotas()) != 1 {
		t.Fatalf("%d quotas, want 1", len(c.Quotas()))
	}
	if q := c.Quotas()[0]; q.Value != 4 || q.Adjustable != true {
		t.Errorf("quota = %+v", q)
	}
	if _, err := c.Quota("L-9A46857E"); err == nil {
		t.Errorf("a file without extends got the default quotas")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("version: 1\nextends: default\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(good)
	if err != nil || len(c.Quotas()) != len(mustDefault(t).Quotas()) {
		t.Fatalf("Load(good) = %v, %v", c, err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nextends: default\noverrides:\n  - code: HR-NOPE\n    value: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.HasPrefix(err.Error(), bad+":4: quota HR-NOPE: code: ") {
		t.Errorf("Load(bad) = %v; want the path and line", err)
	}

	if _, err := Load(filepath.Join(dir, "none.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v; want os.ErrNotExist", err)
	}
}

// TestEmbeddedCatalogParses checks the embedded file through Parse too, so a
// broken connect.yaml fails with its problems listed.
func TestEmbeddedCatalogParses(t *testing.T) {
	if _, err := parse("connect.yaml", connectYAML, false); err != nil {
		t.Fatal(err)
	}
	if _, err := parse("x.yaml", []byte("version: 1\nextends: default\n"), false); err == nil ||
		!strings.Contains(err.Error(), "x.yaml:2: extends: the default catalog cannot extend itself") {
		t.Errorf("the embedded catalog may extend itself: %v", err)
	}
}
