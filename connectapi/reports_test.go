package connectapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
)

// Saved reports hold "Reports per instance" slots, personal reports
// included: the 500th is saved, the 501st refused; a delete frees a slot;
// an override moves the edge.
func TestSavedReportsQuota(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	iid, other := e.instance(acctA), e.instance(acctA)
	n := e.native()
	save := func(iid string, i int) (connectapi.Report, error) {
		var out connectapi.Report
		err := n.Do(ctx, "POST", simPath(acctA, iid, "/reports"), connectapi.SaveReport{Name: fmt.Sprintf("report %d", i), Personal: i%2 == 0}, &out)
		return out, err
	}
	var first connectapi.Report
	for i := 1; i <= 500; i++ {
		r, err := save(iid, i)
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		if i == 1 {
			first = r
		}
	}
	_, err := save(iid, 501)
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED || !strings.Contains(headroom.ErrorMessage(err), "500") {
		t.Fatalf("501st report: %v", err)
	}
	if used, _ := e.engine.Usage(ctx, acctA, connectapi.CodeSavedReports, "instance/"+iid); used != 500 {
		t.Fatalf("usage %d, want 500", used)
	}
	// Another instance has its own 500.
	if _, err := save(other, 1); err != nil {
		t.Fatal(err)
	}
	// A name is unique in the instance.
	if _, err := save(other, 1); headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("same name: %v", err)
	}
	// A delete frees the slot.
	if err := n.Do(ctx, "DELETE", simPath(acctA, iid, "/reports/"+first.ReportID), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := n.Do(ctx, "DELETE", simPath(acctA, iid, "/reports/"+first.ReportID), nil, nil); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := save(iid, 501); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
	if _, err := save(iid, 502); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("502nd: %v", err)
	}
	// An override moves the edge.
	e.override(acctA, connectapi.CodeSavedReports, "instance/"+iid, 501)
	if _, err := save(iid, 502); err != nil {
		t.Fatalf("under the override: %v", err)
	}
	if _, err := save(iid, 503); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED || !strings.Contains(headroom.ErrorMessage(err), "501") {
		t.Fatalf("past the override: %v", err)
	}
}

// Scheduled reports hold "Scheduled reports per instance" slots: the 50th
// schedule is taken, the 51st refused; unscheduling or deleting the report
// frees the slot.
func TestScheduledReportsQuota(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	iid := e.instance(acctA)
	n := e.native()
	var reports []connectapi.Report
	for i := 1; i <= 52; i++ {
		var out connectapi.Report
		if err := n.Do(ctx, "POST", simPath(acctA, iid, "/reports"), connectapi.SaveReport{Name: fmt.Sprintf("r%d", i)}, &out); err != nil {
			t.Fatal(err)
		}
		reports = append(reports, out)
	}
	schedule := func(r connectapi.Report) error {
		return n.Do(ctx, "PUT", simPath(acctA, iid, "/reports/"+r.ReportID+"/schedule"), connectapi.ScheduleReport{Frequency: "WEEKLY"}, nil)
	}
	for i := 0; i < 50; i++ {
		if err := schedule(reports[i]); err != nil {
			t.Fatalf("schedule %d: %v", i+1, err)
		}
	}
	err := schedule(reports[50])
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED || !strings.Contains(headroom.ErrorMessage(err), "50") {
		t.Fatalf("51st schedule: %v", err)
	}
	if err := schedule(reports[0]); headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("scheduled twice: %v", err)
	}
	// Deleting a scheduled report frees both its slots.
	if err := n.Do(ctx, "DELETE", simPath(acctA, iid, "/reports/"+reports[0].ReportID), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := schedule(reports[50]); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
	// Unscheduling frees the scheduled slot and keeps the report.
	if err := n.Do(ctx, "DELETE", simPath(acctA, iid, "/reports/"+reports[1].ReportID+"/schedule"), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := schedule(reports[51]); err != nil {
		t.Fatalf("after unscheduling: %v", err)
	}
	for code, want := range map[string]int64{connectapi.CodeScheduledReports: 50, connectapi.CodeSavedReports: 51} {
		if used, _ := e.engine.Usage(ctx, acctA, code, "instance/"+iid); used != want {
			t.Errorf("%s usage %d, want %d", code, used, want)
		}
	}
	if err := schedule(connectapi.Report{ReportID: "no-such-report"}); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("unknown report: %v", err)
	}
	if err := n.Do(ctx, "PUT", simPath(acctA, iid, "/reports/"+reports[1].ReportID+"/schedule"), connectapi.ScheduleReport{Frequency: "HOURLY"}, nil); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("bad frequency: %v", err)
	}
}
