package participantapi_test

import (
	"fmt"
	"testing"
	"time"
)

// GetTranscript pages: every item once, in order, in either direction,
// with the NextToken of the previous page.
func TestGetTranscriptPaging(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok) // joins: the first item is the joined event
	for i := 0; i < 40; i++ {
		if i%10 == 0 {
			e.clk.Advance(time.Second)
		}
		ok(t, e.call("/participant/message", ctok, msg(fmt.Sprint("m", i))))
	}
	pages := func(scan, sort string) []string {
		var got []string
		next := ""
		for n := 0; n < 10; n++ {
			in := map[string]any{"MaxResults": 15, "ScanDirection": scan, "SortOrder": sort}
			if next != "" {
				in["NextToken"] = next
			}
			e.clk.Advance(time.Second)
			r := ok(t, e.call("/participant/transcript", ctok, in))
			for _, it := range r.body["Transcript"].([]any) {
				content, _ := it.(map[string]any)["Content"].(string)
				got = append(got, content)
			}
			next, _ = r.body["NextToken"].(string)
			if next == "" {
				return got
			}
		}
		t.Fatal("paging did not end")
		return nil
	}
	fwd := pages("FORWARD", "ASCENDING")
	if len(fwd) != 41 || fwd[0] != "" || fwd[1] != "m0" || fwd[40] != "m39" {
		t.Fatalf("FORWARD ASCENDING = %v", fwd)
	}
	back := pages("BACKWARD", "DESCENDING")
	if len(back) != 41 || back[0] != "m39" || back[39] != "m0" {
		t.Fatalf("BACKWARD DESCENDING = %v", back)
	}
	// The default is the most recent page, in ascending order.
	r := ok(t, e.call("/participant/transcript", ctok, map[string]any{}))
	items := r.body["Transcript"].([]any)
	if len(items) != 15 || items[0].(map[string]any)["Content"] != "m25" || items[14].(map[string]any)["Content"] != "m39" {
		t.Fatalf("default page = %v", items)
	}
	next := r.body["NextToken"].(string)
	wantErr(t, e.call("/participant/transcript", ctok, map[string]any{"NextToken": next, "ScanDirection": "FORWARD"}), "ValidationException", 400, "NextToken")
	wantErr(t, e.call("/participant/transcript", ctok, map[string]any{"NextToken": "x" + next}), "ValidationException", 400, "NextToken")
	wantErr(t, e.call("/participant/transcript", ctok, map[string]any{"MaxResults": 101}), "ValidationException", 400, "100")
	ok(t, e.call("/participant/transcript", ctok, map[string]any{"MaxResults": 100}))
}

// GetTranscript's StartPosition: from an item's Id, from a time, and from
// the MostRecent-th item, in either scan direction; exactly one member.
func TestGetTranscriptStartPosition(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	ids := map[string]string{}
	var times []string
	for i := 0; i < 6; i++ {
		e.clk.Advance(time.Second)
		r := ok(t, e.call("/participant/message", ctok, msg(fmt.Sprint("m", i))))
		ids[fmt.Sprint("m", i)] = r.body["Id"].(string)
		times = append(times, r.body["AbsoluteTime"].(string))
	}
	contents := func(in map[string]any) string {
		t.Helper()
		in["MaxResults"] = 3
		in["SortOrder"] = "ASCENDING"
		r := ok(t, e.call("/participant/transcript", ctok, in))
		s := ""
		for _, it := range r.body["Transcript"].([]any) {
			c, _ := it.(map[string]any)["Content"].(string)
			s += c + " "
		}
		return s
	}
	for _, tc := range []struct {
		scan  string
		start map[string]any
		want  string
	}{
		{"FORWARD", map[string]any{"Id": ids["m2"]}, "m2 m3 m4 "},
		{"BACKWARD", map[string]any{"Id": ids["m2"]}, "m0 m1 m2 "},
		{"FORWARD", map[string]any{"AbsoluteTime": times[3]}, "m3 m4 m5 "},
		{"BACKWARD", map[string]any{"AbsoluteTime": times[3]}, "m1 m2 m3 "},
		{"BACKWARD", map[string]any{"MostRecent": 0}, "m3 m4 m5 "},
		{"BACKWARD", map[string]any{"MostRecent": 2}, "m1 m2 m3 "},
		{"FORWARD", map[string]any{"MostRecent": 1}, "m4 m5 "},
	} {
		if got := contents(map[string]any{"ScanDirection": tc.scan, "StartPosition": tc.start}); got != tc.want {
			t.Errorf("%s from %v = %q, want %q", tc.scan, tc.start, got, tc.want)
		}
	}
	for _, bad := range []map[string]any{
		{},
		{"Id": ids["m1"], "MostRecent": 1},
		{"MostRecent": 101},
		{"AbsoluteTime": "yesterday"},
		{"Id": "not-an-item"},
	} {
		wantErr(t, e.call("/participant/transcript", ctok, map[string]any{"StartPosition": bad}), "ValidationException", 400, "StartPosition")
	}
}
