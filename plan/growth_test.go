package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

func TestReadGrowthExample(t *testing.T) {
	f, err := os.Open("../docs/examples/growth.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := ReadGrowth("growth.yaml", f)
	if err != nil {
		t.Fatal(err)
	}
	if g.Target() != (ServiceTarget{Answered: 0.8, Within: 20}) || g.PatienceSeconds != 180 || len(g.Resources) != 2 || len(g.Automation) != 3 {
		t.Fatalf("%+v", g)
	}
	if g.Resources[1].Counts["users"] != 650 {
		t.Errorf("users: %v", g.Resources[1].Counts)
	}
	wall := g.Automation[0]
	if wall.Steady() != 20.0/15 || wall.Burst() != 20 {
		t.Errorf("wallboards: %v/s, burst %v", wall.Steady(), wall.Burst())
	}
	if imp := g.Automation[2]; imp.Steady() != 0 || imp.Count != 500 {
		t.Errorf("import: %+v", imp)
	}
}

func TestReadGrowthEmpty(t *testing.T) {
	g, err := ReadGrowth("g.yaml", strings.NewReader(""))
	if err != nil || g.Target() != DefaultServiceTarget || len(g.Resources) != 0 {
		t.Fatalf("%+v %v", g, err)
	}
}

func TestReadGrowthBad(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"unknown field", "colour: red\n", "field colour not found"},
		{"unknown resource", "resources:\n  - date: 2027-01-01\n    unicorns: 3\n", "resources[0].unicorns: not a resource"},
		{"bad date", "resources:\n  - date: soon\n    users: 3\n", "resources[0].date: \"soon\" is not a date"},
		{"dates out of order", "resources:\n  - date: 2027-02-01\n    users: 3\n  - date: 2027-01-01\n    users: 4\n", "resources[1].date"},
		{"negative count", "resources:\n  - date: 2027-02-01\n    users: -3\n", "must not be negative"},
		{"no counts", "resources:\n  - date: 2027-02-01\n", "names no resources"},
		{"bad operation", "automation:\n  - operation: GetMetricData\n    every: 15s\n    clients: 2\n", "must be api:Operation"},
		{"bad every", "automation:\n  - operation: connect:GetMetricData\n    every: often\n    clients: 2\n", "every: \"often\""},
		{"no clients", "automation:\n  - operation: connect:GetMetricData\n    every: 15s\n", "clients: 0"},
		{"two kinds", "automation:\n  - operation: connect:GetMetricData\n    every: 15s\n    clients: 2\n    count: 5\n", "exactly one of"},
		{"none", "automation:\n  - operation: connect:GetMetricData\n", "exactly one of"},
		{"bad target", "service_level: {answered: 80, within_seconds: 20}\n", "service_level.answered"},
		{"bad patience", "patience_seconds: -5\n", "patience_seconds"},
		{"until before from", "automation:\n  - operation: connect:CreateUser\n    rate_per_second: 1\n    from: 2027-02-01\n    until: 2027-01-01\n", "until"},
		{"not yaml", "resources: [\n", "growth: g.yaml:"},
	} {
		_, err := ReadGrowth("g.yaml", strings.NewReader(c.in))
		if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(headroom.ErrorMessage(err), c.want) ||
			!strings.HasPrefix(headroom.ErrorMessage(err), "growth: g.yaml: ") {
			t.Errorf("%s: %v; want EINVALID containing %q", c.name, err, c.want)
		}
	}
}

// FuzzReadGrowth: any bytes either decode into a checked plan or fail with
// EINVALID naming the file; never a panic.
func FuzzReadGrowth(f *testing.F) {
	data, err := os.ReadFile("../docs/examples/growth.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("automation:\n  - operation: participant:SendMessage\n    rate_per_second: 3\n"))
	f.Add([]byte("resources:\n  - date: 2027-01-01T00:00:00Z\n    users: 9223372036854775807\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadGrowth("fz.yaml", strings.NewReader(string(data)))
		if err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.HasPrefix(headroom.ErrorMessage(err), "growth: fz.yaml: ") {
				t.Fatalf("error %v", err)
			}
			return
		}
		if err := g.Target().Validate(); err != nil {
			t.Fatal(err)
		}
		for _, a := range g.Automation {
			if a.Steady() < 0 || a.Burst() < 0 || a.api == "" || a.op == "" {
				t.Fatalf("%+v", a)
			}
		}
	})
}
