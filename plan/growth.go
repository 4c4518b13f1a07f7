package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"go.yaml.in/yaml/v3"
)

// Growth is the YAML beside the forecast: the service-level target, the
// callers' patience, resource growth by date, and the API automation.
// docs/plan.md gives the schema.
type Growth struct {
	// ServiceLevel is the target staff is sized for where the forecast gives
	// no agents; DefaultServiceTarget if absent.
	ServiceLevel *ServiceTarget `yaml:"service_level"`
	// PatienceSeconds is callers' mean patience in the queue; with it the
	// voice model is Erlang A, without it Erlang C.
	PatienceSeconds float64 `yaml:"patience_seconds"`
	// Resources are resource totals planned by date.
	Resources []ResourcePoint `yaml:"resources"`
	// Automation is the programs that call the APIs.
	Automation []Automation `yaml:"automation"`
}

// ResourcePoint is the planned total of resources of each kind on a date.
// Between two points the planner interpolates linearly; after the last, the
// totals hold.
type ResourcePoint struct {
	Date   string           `yaml:"date"`
	Counts map[string]int64 `yaml:",inline"`

	at time.Time
}

// Automation is one program calling an API operation: Clients callers each
// polling Every (a dashboard on 20 screens polling GetMetricData every
// 15 s), or a steady RatePerSecond, or a batch of Count requests at At (a
// nightly user import), sent at BatchRate per second (as fast as the bucket
// allows if zero). From and Until bound when the program runs.
type Automation struct {
	Name          string  `yaml:"name"`
	Operation     string  `yaml:"operation"`
	Clients       int     `yaml:"clients"`
	Every         string  `yaml:"every"`
	RatePerSecond float64 `yaml:"rate_per_second"`
	Count         int64   `yaml:"count"`
	At            string  `yaml:"at"`
	BatchRate     float64 `yaml:"batch_rate"`
	From          string  `yaml:"from"`
	Until         string  `yaml:"until"`

	api, op           string
	every             time.Duration
	at, from, until   time.Time
	hasFrom, hasUntil bool
}

// Steady returns the program's steady request rate per second (zero for a
// batch).
func (a *Automation) Steady() float64 {
	switch {
	case a.RatePerSecond > 0:
		return a.RatePerSecond
	case a.every > 0:
		return float64(a.Clients) / a.every.Seconds()
	}
	return 0
}

// Burst returns how many requests the program may send at one instant:
// every client of a poller at once (pollers left alone line up). A steady
// rate and a batch, which goes at the rate it is given or, backing off when
// throttled, at the rate the bucket allows, send one at a time.
func (a *Automation) Burst() float64 {
	if a.every > 0 {
		return float64(a.Clients)
	}
	return 0
}

// runs reports whether the program runs at t.
func (a *Automation) runs(t time.Time) bool {
	return (!a.hasFrom || !t.Before(a.from)) && (!a.hasUntil || t.Before(a.until))
}

// ResourceCodes maps the resource names a growth plan may use to the quota
// each counts against.
var ResourceCodes = map[string]string{
	"instances":                          "L-AA17A6B9",
	"lambda_functions":                   "L-E3D2F503",
	"agent_statuses":                     "L-D945C9A8",
	"lex_bots":                           "L-B93A6612",
	"contact_flows":                      "L-22922690",
	"hours_of_operation":                 "L-20CD02F7",
	"phone_numbers":                      "L-8F812903",
	"prompts":                            "L-0865B754",
	"queues":                             "L-19A87C94",
	"queue_channels_per_routing_profile": "L-516BC0EB",
	"quick_connects":                     "L-68BBE2E8",
	"reports":                            "L-79564E52",
	"routing_profiles":                   "L-D3E7BE26",
	"scheduled_reports":                  "L-986AE5E3",
	"security_profiles":                  "L-F325A715",
	"user_hierarchy_groups":              "L-D68AAAE4",
	"users":                              "L-9A46857E",
}

// MaxGrowthBytes bounds a growth file.
const MaxGrowthBytes = 1 << 20

// ReadGrowth decodes a growth YAML strictly: unknown fields, bad dates,
// durations and operations are *headroom.Error of code EINVALID with Field
// "growth", naming the file and the entry. Empty input is an empty plan.
// It is safe for concurrent use.
func ReadGrowth(name string, r io.Reader) (*Growth, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGrowthBytes+1))
	if err != nil {
		return nil, growthErr(name, "%v", err)
	}
	if len(data) > MaxGrowthBytes {
		return nil, growthErr(name, "is larger than %d bytes", MaxGrowthBytes)
	}
	g := &Growth{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(g); err != nil && !errors.Is(err, io.EOF) {
		return nil, growthErr(name, "%s", yamlMessage(err))
	}
	if err := g.check(); err != nil {
		return nil, growthErr(name, "%s", err.Error())
	}
	return g, nil
}

// yamlMessage is a YAML error without the decoder's Go type names.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	return goType.ReplaceAllString(msg, "")
}

var goType = regexp.MustCompile(` in type [A-Za-z0-9_.\[\]]+`)

func growthErr(file, format string, args ...any) error {
	return &headroom.Error{Code: headroom.EINVALID, Field: "growth", Message: file + ": " + fmt.Sprintf(format, args...)}
}

// Target returns the service-level target in force.
func (g *Growth) Target() ServiceTarget {
	if g == nil || g.ServiceLevel == nil {
		return DefaultServiceTarget
	}
	return *g.ServiceLevel
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-01-05) or an RFC 3339 time", s)
	}
	return t, nil
}

// check validates the plan and fills its parsed fields.
func (g *Growth) check() error {
	if g.ServiceLevel != nil {
		if err := g.ServiceLevel.Validate(); err != nil {
			return fmt.Errorf("service_level.%w", err)
		}
	}
	if !(g.PatienceSeconds >= 0) || math.IsInf(g.PatienceSeconds, 0) {
		return fmt.Errorf("patience_seconds: %v is not a finite number of seconds ≥ 0", g.PatienceSeconds)
	}
	for i := range g.Resources {
		p := &g.Resources[i]
		t, err := parseDate(p.Date)
		if err != nil {
			return fmt.Errorf("resources[%d].date: %w", i, err)
		}
		p.at = t
		if len(p.Counts) == 0 {
			return fmt.Errorf("resources[%d]: names no resources (want some of %s)", i, strings.Join(resourceNames(), ", "))
		}
		for k, v := range p.Counts {
			if _, ok := ResourceCodes[k]; !ok {
				return fmt.Errorf("resources[%d].%s: not a resource the planner knows (want %s)", i, k, strings.Join(resourceNames(), ", "))
			}
			if v < 0 {
				return fmt.Errorf("resources[%d].%s: %d must not be negative", i, k, v)
			}
		}
		if i > 0 && !p.at.After(g.Resources[i-1].at) {
			return fmt.Errorf("resources[%d].date: %s is not after the previous entry's %s", i, p.Date, g.Resources[i-1].Date)
		}
	}
	for i := range g.Automation {
		if err := g.Automation[i].check(); err != nil {
			return fmt.Errorf("automation[%d]: %w", i, err)
		}
	}
	return nil
}

func resourceNames() []string {
	out := make([]string, 0, len(ResourceCodes))
	for k := range ResourceCodes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (a *Automation) check() error {
	api, op, ok := strings.Cut(a.Operation, ":")
	if !ok || api == "" || op == "" || strings.Contains(op, "*") {
		return fmt.Errorf("operation: %q must be api:Operation, such as connect:GetMetricData", a.Operation)
	}
	a.api, a.op = api, op
	kinds := 0
	if a.Every != "" {
		kinds++
		d, err := time.ParseDuration(a.Every)
		if err != nil || d <= 0 {
			return fmt.Errorf("every: %q is not a duration above zero such as 15s", a.Every)
		}
		if a.Clients < 1 {
			return fmt.Errorf("clients: %d; a poller needs at least one client", a.Clients)
		}
		a.every = d
	}
	if a.RatePerSecond != 0 {
		kinds++
		if !(a.RatePerSecond > 0) || math.IsInf(a.RatePerSecond, 0) {
			return fmt.Errorf("rate_per_second: %v is not a rate above zero", a.RatePerSecond)
		}
	}
	if a.Count != 0 {
		kinds++
		if a.Count < 0 {
			return fmt.Errorf("count: %d must be above zero", a.Count)
		}
		if !(a.BatchRate >= 0) || math.IsInf(a.BatchRate, 0) {
			return fmt.Errorf("batch_rate: %v is not a rate ≥ 0", a.BatchRate)
		}
	}
	if kinds != 1 {
		return fmt.Errorf("give exactly one of every (with clients), rate_per_second, or count (a batch)")
	}
	if a.Clients != 0 && a.Every == "" {
		return fmt.Errorf("clients: only a poller (every) has clients")
	}
	var err error
	if a.At != "" {
		if a.Count == 0 {
			return fmt.Errorf("at: only a batch (count) has a time")
		}
		if a.at, err = parseDate(a.At); err != nil {
			return fmt.Errorf("at: %w", err)
		}
	}
	if a.From != "" {
		if a.from, err = parseDate(a.From); err != nil {
			return fmt.Errorf("from: %w", err)
		}
		a.hasFrom = true
	}
	if a.Until != "" {
		if a.until, err = parseDate(a.Until); err != nil {
			return fmt.Errorf("until: %w", err)
		}
		a.hasUntil = true
		if a.hasFrom && !a.until.After(a.from) {
			return fmt.Errorf("until: %s is not after from %s", a.Until, a.From)
		}
	}
	if a.Name == "" {
		a.Name = a.Operation
	}
	return nil
}
