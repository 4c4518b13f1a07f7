package plan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/plan"
)

const acct = "123456789012"

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func newEngine(t testing.TB) (*headroom.Engine, *clock.Manual) {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.CreateAccount(context.Background(), headroom.Account{ID: acct, Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, "test"); err != nil {
		t.Fatal(err)
	}
	return e, clk
}

func build(t *testing.T, e *headroom.Engine, csv, growth string, in plan.Input) *plan.Result {
	t.Helper()
	ivs, err := plan.ReadForecast("f.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	g, err := plan.ReadGrowth("g.yaml", strings.NewReader(growth))
	if err != nil {
		t.Fatal(err)
	}
	in.Account, in.Forecast, in.Growth = acct, ivs, g
	if in.Now.IsZero() {
		in.Now = t0
	}
	res, err := plan.Build(context.Background(), e, in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func quota(t *testing.T, res *plan.Result, code string) plan.QuotaPlan {
	t.Helper()
	for _, q := range res.Quotas {
		if q.Code == code {
			return q
		}
	}
	t.Fatalf("no quota %s in %+v", code, res.Quotas)
	return plan.QuotaPlan{}
}

func TestZeroTraffic(t *testing.T) {
	e, _ := newEngine(t)
	res := build(t, e, "start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,0,0\n2027-01-04T08:30:00Z,30,0,300\n", "", plan.Input{Instance: "i-1"})
	if len(res.Quotas) != 1 {
		t.Fatalf("quotas: %+v", res.Quotas)
	}
	q := res.Quotas[0]
	if q.Code != headroom.CodeConcurrentCalls || q.Peak != 0 || q.BreaksAt != nil || q.Applied != 10 || q.Headroom != 10 || q.MaxRefused != 0 {
		t.Fatalf("%+v", q)
	}
	if len(res.Requests) != 0 {
		t.Fatalf("requests for no traffic: %+v", res.Requests)
	}
}

// More load than the staffed agents can take, and nobody abandons: the
// queue is unstable, and the plan says so instead of printing percentiles.
func TestUnstableQueue(t *testing.T) {
	e, _ := newEngine(t)
	res := build(t, e, "start,minutes,calls,aht_seconds,agents\n"+
		"2027-01-04T08:00:00Z,30,10,300,5\n"+ // 1.7 erlangs on 5 agents
		"2027-01-04T08:30:00Z,30,100,300,5\n", // 16.7 erlangs on 5 agents
		"", plan.Input{Instance: "i-1"})
	q := quota(t, res, headroom.CodeConcurrentCalls)
	want := time.Date(2027, 1, 4, 8, 30, 0, 0, time.UTC)
	if q.UnstableAt == nil || !q.UnstableAt.Equal(want) || q.BreaksAt == nil || !q.BreaksAt.Equal(want) {
		t.Fatalf("unstable at %v, breaks at %v", q.UnstableAt, q.BreaksAt)
	}
	if p := q.Series[1]; !p.Unstable || p.P99 != 0 || p.Refused < 0.3 || p.Refused > 1 {
		t.Fatalf("unstable point: %+v", p)
	}
	if math.IsInf(q.Peak, 0) || math.IsNaN(q.Peak) || q.Peak > 10 {
		t.Fatalf("peak %v", q.Peak)
	}
	if len(res.Requests) != 0 {
		t.Fatalf("an increase cannot fix an unstable queue: %+v", res.Requests)
	}
	var b bytes.Buffer
	if err := plan.WriteTable(&b, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "unstable") || !strings.Contains(b.String(), "add agents") || strings.Contains(b.String(), "NaN") || strings.Contains(b.String(), "Inf") {
		t.Fatalf("table:\n%s", b.String())
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("JSON: %v", err)
	}
}

// Intervals of different lengths: the model works on rates, so 60 calls in
// an hour are the same load as 30 in half an hour, and 30 in an hour half.
func TestIntervalLengths(t *testing.T) {
	e, _ := newEngine(t)
	res := build(t, e, "start,minutes,calls,aht_seconds,agents\n"+
		"2027-01-04T08:00:00Z,30,30,300,8\n"+
		"2027-01-04T08:30:00Z,60,60,300,8\n"+
		"2027-01-04T10:00:00Z,60,30,300,8\n"+
		"2027-01-04T11:00:00Z,15,15,300,8\n", "", plan.Input{Instance: "i-1"})
	s := quota(t, res, headroom.CodeConcurrentCalls).Series
	if s[0].Offered != 5 || s[1].Offered != 5 || s[2].Offered != 2.5 || s[3].Offered != 5 {
		t.Fatalf("loads %v %v %v %v", s[0].Offered, s[1].Offered, s[2].Offered, s[3].Offered)
	}
	if s[0].P99 != s[1].P99 || s[0].P99 != s[3].P99 || s[2].P99 >= s[0].P99 {
		t.Fatalf("P99s %v %v %v %v", s[0].P99, s[1].P99, s[2].P99, s[3].P99)
	}
	if !s[1].End.Equal(time.Date(2027, 1, 4, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("end %v", s[1].End)
	}
}

// Overrides count: the plan reads applied values through the engine, and a
// quota raised for the instance does not break.
func TestAppliedValuesAndBreak(t *testing.T) {
	e, _ := newEngine(t)
	csv := "start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,120,300\n2027-01-04T08:30:00Z,30,240,300\n"
	res := build(t, e, csv, "", plan.Input{Instance: "i-1", LeadTime: 5 * 24 * time.Hour})
	q := quota(t, res, headroom.CodeConcurrentCalls)
	if q.Applied != 10 || q.BreaksAt == nil || !q.BreaksAt.Equal(time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", q)
	}
	// 40 erlangs, staffed for 80/20 (46 agents): waiting calls count, so the
	// 99th percentile is well above the agents.
	if q.Peak <= 46 || q.Peak > 80 || q.Peak != q.Series[1].P99 || q.Over != q.Peak-10 {
		t.Fatalf("peak %v over %v", q.Peak, q.Over)
	}
	if len(res.Requests) != 1 {
		t.Fatalf("%+v", res.Requests)
	}
	r := res.Requests[0]
	if r.Code != headroom.CodeConcurrentCalls || r.Scope != "instance/i-1" || r.Value != math.Ceil(q.Peak*1.2) ||
		!r.FileBy.Equal(time.Date(2026, 12, 30, 8, 0, 0, 0, time.UTC)) || r.Late {
		t.Fatalf("request %+v", r)
	}
	// Late: planning on 1 January 2027 for a break on 4 January.
	late := build(t, e, csv, "", plan.Input{Instance: "i-1", LeadTime: 5 * 24 * time.Hour, Now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	if !late.Requests[0].Late {
		t.Fatalf("not late: %+v", late.Requests[0])
	}
	// An override above the peak: nothing breaks, nothing to file.
	if err := e.SetOverride(context.Background(), headroom.Override{Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", Value: 80}, "test"); err != nil {
		t.Fatal(err)
	}
	res = build(t, e, csv, "", plan.Input{Instance: "i-1"})
	if q := quota(t, res, headroom.CodeConcurrentCalls); q.Applied != 80 || q.BreaksAt != nil || len(res.Requests) != 0 {
		t.Fatalf("with the override: %+v, %+v", q, res.Requests)
	}
	// Another instance still has the default.
	res = build(t, e, csv, "", plan.Input{Instance: "i-2"})
	if q := quota(t, res, headroom.CodeConcurrentCalls); q.Applied != 10 {
		t.Fatalf("i-2: %+v", q)
	}
}

func TestUnknownAccount(t *testing.T) {
	e, _ := newEngine(t)
	ivs, _ := plan.ReadForecast("f.csv", strings.NewReader("start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,0,0\n"))
	_, err := plan.Build(context.Background(), e, plan.Input{Account: "999999999999", Forecast: ivs})
	if headroom.ErrorCodeOf(err) != headroom.EUNKNOWNACCOUNT {
		t.Fatalf("%v", err)
	}
}

func TestChatsAndTasks(t *testing.T) {
	e, _ := newEngine(t)
	res := build(t, e, "start,minutes,calls,aht_seconds,chats,chat_seconds,chats_per_agent,tasks,task_seconds,agents\n"+
		"2027-01-04T08:00:00Z,60,0,0,600,600,5,3600,7200,40\n", "", plan.Input{Instance: "i-1"})
	c := quota(t, res, headroom.CodeConcurrentChats)
	// 100 chats in progress on average, on 40 agents × 5 slots.
	if c.Series[0].Offered != 100 || c.Series[0].Servers != 200 || c.Peak <= 100 || c.Peak > 130 || c.BreaksAt == nil {
		t.Fatalf("chats: %+v", c)
	}
	tk := quota(t, res, headroom.CodeActiveTasks)
	// One hour of 1 task/s lasting 2 h on average: m = λD(1 − e^(−L/D)).
	want := 7200 * (1 - math.Exp(-0.5))
	if math.Abs(tk.Series[0].Offered-want) > 1e-6 || tk.Peak < want || tk.BreaksAt == nil || tk.Applied != 2500 {
		t.Fatalf("tasks: %+v, want mean %v", tk, want)
	}
}

func TestAPIBuckets(t *testing.T) {
	e, _ := newEngine(t)
	growth := `automation:
  - name: wallboards
    operation: connect:GetMetricData
    every: 15s
    clients: 20
  - name: agent desktops
    operation: connect:GetMetricData
    rate_per_second: 4
    from: 2027-01-04T09:00:00Z
  - name: nightly user import
    operation: connect:CreateUser
    count: 500
  - name: chat widget
    operation: participant:SendMessage
    rate_per_second: 12
`
	csv := "start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,60,0,0\n2027-01-04T09:00:00Z,60,0,0\n"
	res := build(t, e, csv, growth, plan.Input{Instance: "i-1"})
	gm := quota(t, res, "L-52794498")
	if gm.Scope != "account" || math.Abs(gm.Peak-(20.0/15+4)) > 1e-9 || gm.BreaksAt == nil || !gm.BreaksAt.Equal(time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)) || gm.BurstPeak != 20 {
		t.Fatalf("GetMetricData: %+v", gm)
	}
	pm := quota(t, res, "HR-PARTICIPANT-SEND-MESSAGE-RATE")
	if pm.Scope != "instance/i-1" || pm.Peak != 12 || pm.Applied != 10 || pm.BreaksAt == nil {
		t.Fatalf("SendMessage: %+v", pm)
	}
	notes := strings.Join(res.Notes, "\n")
	if !strings.Contains(notes, "nightly user import: 500 connect:CreateUser requests at 2/s take at least 250 s") {
		t.Fatalf("notes:\n%s", notes)
	}
	if !strings.Contains(notes, "up to 20 requests at one instant against a burst of 8") {
		t.Fatalf("notes:\n%s", notes)
	}
	if !strings.Contains(notes, "one bucket for the whole account") || !strings.Contains(notes, "GetMetricData") {
		t.Fatalf("notes:\n%s", notes)
	}
}

func TestCountDates(t *testing.T) {
	e, _ := newEngine(t)
	growth := `resources:
  - date: 2027-01-01
    users: 450
    agent_statuses: 20
  - date: 2027-03-02
    users: 650
    agent_statuses: 60
`
	res := build(t, e, "start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,0,0\n", growth, plan.Input{Instance: "i-1", LeadTime: 5 * 24 * time.Hour})
	u := quota(t, res, headroom.CodeUsers)
	// 200 more users over 60 days: the 501st is due 15.3 days in, on the 16th.
	if u.Peak != 650 || u.BreaksAt == nil || !u.BreaksAt.Equal(time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("users: %+v", u)
	}
	st := quota(t, res, "L-D945C9A8")
	if st.BreaksAt == nil || st.Adjustable {
		t.Fatalf("agent statuses: %+v", st)
	}
	for _, r := range res.Requests {
		if r.Code == "L-D945C9A8" {
			t.Fatal("a request for a quota that cannot be increased")
		}
	}
	if len(res.Requests) != 1 || res.Requests[0].Value != 780 || !res.Requests[0].FileBy.Equal(time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("requests %+v", res.Requests)
	}
}

// The fixed JSON interface: quotas[].code, name, applied, peak, breaks_at
// (null when nothing breaks), requests[].code, value, file_by.
func TestJSONFields(t *testing.T) {
	e, _ := newEngine(t)
	res := build(t, e, "start,minutes,calls,aht_seconds,tasks,task_seconds\n2027-01-04T08:00:00Z,30,120,300,10,60\n", "", plan.Input{Instance: "i-1", LeadTime: 5 * 24 * time.Hour})
	var b bytes.Buffer
	if err := plan.WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Quotas   []map[string]any `json:"quotas"`
		Requests []map[string]any `json:"requests"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Quotas) != 2 || len(out.Requests) != 1 {
		t.Fatalf("%s", b.String())
	}
	for _, q := range out.Quotas {
		for _, k := range []string{"code", "name", "applied", "peak", "breaks_at"} {
			if _, ok := q[k]; !ok {
				t.Errorf("quota lacks %s: %v", k, q)
			}
		}
	}
	if out.Quotas[0]["code"] != headroom.CodeConcurrentCalls || out.Quotas[0]["breaks_at"] != "2027-01-04T08:00:00Z" || out.Quotas[1]["breaks_at"] != nil {
		t.Errorf("breaks_at: %v / %v", out.Quotas[0]["breaks_at"], out.Quotas[1]["breaks_at"])
	}
	r := out.Requests[0]
	if r["code"] != headroom.CodeConcurrentCalls || r["file_by"] != "2026-12-30T08:00:00Z" || r["value"].(float64) < 12 {
		t.Errorf("request %v", r)
	}
}

// --file-requests files through the workflow, and never twice for the
// same quota and scope.
func TestFileNeverTwice(t *testing.T) {
	e, _ := newEngine(t)
	csv := "start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,120,300\n"
	growth := "resources:\n  - date: 2027-01-01\n    users: 600\n"
	ctx := context.Background()
	res := build(t, e, csv, growth, plan.Input{Instance: "i-1"})
	if err := plan.File(ctx, e, res, "planner"); err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 2 {
		t.Fatalf("%+v", res.Requests)
	}
	ids := map[string]string{}
	for _, r := range res.Requests {
		if r.Filed == nil || r.Filed.Already || r.Filed.Status != string(headroom.StatusCaseOpened) {
			t.Fatalf("filed: %+v", r.Filed)
		}
		ids[r.Code] = r.Filed.ID
	}
	again := build(t, e, csv, growth, plan.Input{Instance: "i-1"})
	if err := plan.File(ctx, e, again, "planner"); err != nil {
		t.Fatal(err)
	}
	for _, r := range again.Requests {
		if r.Filed == nil || !r.Filed.Already || r.Filed.ID != ids[r.Code] {
			t.Fatalf("second run: %+v", r.Filed)
		}
	}
	list, err := e.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Account: acct})
	if err != nil || len(list) != 2 {
		t.Fatalf("%d requests, %v", len(list), err)
	}
	// Another instance is another context: its request is filed.
	other := build(t, e, csv, "", plan.Input{Instance: "i-2"})
	if err := plan.File(ctx, e, other, "planner"); err != nil || other.Requests[0].Filed.Already {
		t.Fatalf("i-2: %+v %v", other.Requests[0].Filed, err)
	}
}

// Large inputs stay cheap or are refused: 200,000 agents on a little
// traffic walk only the states that matter, a quota raised to a billion
// costs nothing, and a forecast beyond the work bound is EINVALID.
func TestLargeInputs(t *testing.T) {
	e, _ := newEngine(t)
	if err := e.SetOverride(context.Background(), headroom.Override{Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", Value: 1e9}, "test"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := build(t, e, "start,minutes,calls,aht_seconds,agents\n2027-01-04T08:00:00Z,30,10,300,200000\n2027-01-04T08:30:00Z,30,50000,300,\n", "", plan.Input{Instance: "i-1"})
	q := quota(t, res, headroom.CodeConcurrentCalls)
	if q.Series[0].P99 > 10 || q.BreaksAt != nil || q.Series[1].Servers < 8333 || q.Series[1].P99 < 8333 {
		t.Fatalf("%+v", q.Series)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	_, err := plan.Build(context.Background(), e, plan.Input{Account: acct, Forecast: []plan.Interval{{Start: t0, Minutes: 60, Calls: 1e9, AHTSeconds: 600}}})
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(headroom.ErrorMessage(err), "too large to plan") {
		t.Fatalf("%v", err)
	}
}

// FuzzBuild: any forecast that decodes plans without a panic, and every
// figure of the plan is a finite number.
func FuzzBuild(f *testing.F) {
	f.Add([]byte("start,minutes,calls,aht_seconds,agents,callbacks,chats,chat_seconds,chats_per_agent,tasks,task_seconds\n" +
		"2027-01-04T08:00:00Z,30,120,300,,10,50,600,3,40,3600\n2027-01-04T08:30:00Z,60,300,240,20,,,,,,\n"))
	f.Add([]byte("start,minutes,calls,aht_seconds,agents\n2027-01-04T08:00:00Z,0.001,1000,1,1\n"))
	e, _ := newEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ivs, err := plan.ReadForecast("fz.csv", bytes.NewReader(data))
		if err != nil {
			return
		}
		res, err := plan.Build(context.Background(), e, plan.Input{Account: acct, Instance: "i-1", Forecast: ivs, LeadTime: time.Hour})
		if err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EINVALID {
				t.Fatalf("%v", err)
			}
			return
		}
		bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
		for _, q := range res.Quotas {
			if bad(q.Peak) || bad(q.Headroom) || bad(q.Over) || bad(q.MaxRefused) || q.MaxRefused < 0 || q.MaxRefused > 1 {
				t.Fatalf("%+v", q)
			}
			for _, p := range q.Series {
				if bad(p.P99) || bad(p.PHit) || bad(p.Refused) || bad(p.Offered) || p.Refused < 0 || p.Refused > 1+1e-9 {
					t.Fatalf("%s: %+v", q.Code, p)
				}
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}
