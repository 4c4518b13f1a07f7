package plan

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

func TestReadForecastColumnsAnyOrder(t *testing.T) {
	in := "aht_seconds,calls,minutes,start,chats,chat_seconds,chats_per_agent\n" +
		"300,40,30,2027-01-04T08:00:00Z,10,600,3\n" +
		"300,55.5,60,2027-01-04T08:30:00+01:00,,,\n" + // 07:30Z: before the first ends? no: 08:30+01 = 07:30Z
		""
	_, err := ReadForecast("f.csv", strings.NewReader(in))
	if err == nil || !strings.Contains(headroom.ErrorMessage(err), "f.csv:3:4: column start") {
		t.Fatalf("overlap: %v", err)
	}
	in = "aht_seconds,calls,minutes,start,chats,chat_seconds,chats_per_agent\n" +
		"300,40,30,2027-01-04T08:00:00Z,10,600,3\n" +
		"300,55.5,60,2027-01-04T09:30:00+01:00,,,\n" +
		"\n" +
		"0,0,15,2027-01-04T10:00:00Z,0,0,0\n"
	ivs, err := ReadForecast("f.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 3 {
		t.Fatalf("%d intervals", len(ivs))
	}
	a, b, c := ivs[0], ivs[1], ivs[2]
	if a.Calls != 40 || a.AHTSeconds != 300 || a.Minutes != 30 || a.Chats != 10 || a.ChatsPerAgent != 3 || !a.Sized || a.Tasks != 0 {
		t.Errorf("row 2: %+v", a)
	}
	if !b.Start.Equal(time.Date(2027, 1, 4, 8, 30, 0, 0, time.UTC)) || b.Calls != 55.5 || b.Minutes != 60 || b.Chats != 0 {
		t.Errorf("row 3: %+v", b)
	}
	if c.Minutes != 15 || c.Calls != 0 {
		t.Errorf("row 5: %+v", c)
	}
	if !b.End().Equal(time.Date(2027, 1, 4, 9, 30, 0, 0, time.UTC)) || b.Seconds() != 3600 {
		t.Errorf("end %v", b.End())
	}
}

// Every bad forecast is EINVALID naming the file, the line and the column.
func TestReadForecastBadRows(t *testing.T) {
	const head = "start,minutes,calls,aht_seconds,agents,chats,chat_seconds,chats_per_agent,tasks,task_seconds\n"
	const ok = "2027-01-04T08:00:00Z,30,10,300,5,1,600,2,1,60\n"
	for _, c := range []struct {
		name, in, want string
	}{
		{"empty", "", "fc.csv:1: is empty"},
		{"unknown column", "start,minutes,calls,aht_seconds,colour\n", "fc.csv:1:5: column colour: is not a forecast column"},
		{"duplicate column", "start,minutes,calls,calls,aht_seconds\n", "fc.csv:1:4: column calls: appears twice"},
		{"missing column", "start,minutes,calls\n" + "2027-01-04T08:00:00Z,30,1\n", "fc.csv:1: column aht_seconds: is missing"},
		{"no rows", head, "fc.csv:2: is missing: the forecast has no intervals"},
		{"bad time", head + "monday,30,10,300,5,1,600,2,1,60\n", "fc.csv:2:1: column start: \"monday\" is not an RFC 3339 time"},
		{"zero minutes", head + "2027-01-04T08:00:00Z,0,10,300,5,1,600,2,1,60\n", "fc.csv:2:2: column minutes: 0 must be above zero"},
		{"empty minutes", head + "2027-01-04T08:00:00Z,,10,300,5,1,600,2,1,60\n", "fc.csv:2:2: column minutes: \"\" is not a number"},
		{"bad calls", head + ok + "2027-01-04T08:30:00Z,30,ten,300,5,1,600,2,1,60\n", "fc.csv:3:3: column calls: \"ten\" is not a number"},
		{"negative calls", head + "2027-01-04T08:00:00Z,30,-1,300,5,1,600,2,1,60\n", "fc.csv:2:3: column calls: -1 must not be negative"},
		{"NaN", head + "2027-01-04T08:00:00Z,30,NaN,300,5,1,600,2,1,60\n", "fc.csv:2:3: column calls: \"NaN\" is not a number"},
		{"fractional agents", head + "2027-01-04T08:00:00Z,30,10,300,5.5,1,600,2,1,60\n", "fc.csv:2:5: column agents: 5.5 is not a whole number"},
		{"six chats per agent", head + "2027-01-04T08:00:00Z,30,10,300,5,1,600,6,1,60\n", "fc.csv:2:8: column chats_per_agent: 6 is above 5"},
		{"calls without aht", head + "2027-01-04T08:00:00Z,30,10,0,5,1,600,2,1,60\n", "fc.csv:2:4: column aht_seconds: must be above zero"},
		{"chats without duration", head + "2027-01-04T08:00:00Z,30,10,300,5,1,,2,1,60\n", "fc.csv:2:7: column chat_seconds: must be above zero"},
		{"tasks without duration", head + "2027-01-04T08:00:00Z,30,10,300,5,1,600,2,1,0\n", "fc.csv:2:10: column task_seconds: must be above zero"},
		{"short row", head + "2027-01-04T08:00:00Z,30,10\n", "fc.csv:2: has 3 fields, the header 10"},
		{"out of order", head + ok + "2027-01-04T07:00:00Z,30,10,300,5,1,600,2,1,60\n", "fc.csv:3:1: column start: 2027-01-04T07:00:00Z starts before"},
		{"too long", head + "2027-01-04T08:00:00Z,20000,10,300,5,1,600,2,1,60\n", "fc.csv:2:2: column minutes: 20000 is above"},
		{"bad quote", head + "2027-01-04T08:00:00Z,\"30,10\n", "fc.csv:2:"},
	} {
		_, err := ReadForecast("fc.csv", strings.NewReader(c.in))
		if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(headroom.ErrorMessage(err), c.want) {
			t.Errorf("%s: %v; want EINVALID containing %q", c.name, err, c.want)
		}
	}
}

func TestReadForecastExample(t *testing.T) {
	f, err := os.Open("../docs/examples/forecast.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ivs, err := ReadForecast("forecast.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	lengths := map[float64]bool{}
	for _, iv := range ivs {
		lengths[iv.Minutes] = true
	}
	if len(lengths) < 2 {
		t.Errorf("the example should have intervals of different lengths: %v", lengths)
	}
}

// FuzzReadForecast: any bytes either decode into intervals in time order
// with finite, non-negative values, or fail with EINVALID naming the file.
func FuzzReadForecast(f *testing.F) {
	f.Add([]byte("start,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,30,10,300\n"))
	f.Add([]byte("start,minutes,calls,aht_seconds,agents,callbacks,chats,chat_seconds,chats_per_agent,tasks,task_seconds\n2027-01-04T08:00:00Z,30,10,300,,1,2,600,5,3,60\n"))
	f.Add([]byte("\ufeffstart,minutes,calls,aht_seconds\n2027-01-04T08:00:00Z,1e3,1e400,300\n"))
	f.Add([]byte("start,minutes\n\"x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ivs, err := ReadForecast("fz.csv", strings.NewReader(string(data)))
		if err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.HasPrefix(headroom.ErrorMessage(err), "forecast: fz.csv:") {
				t.Fatalf("error %v", err)
			}
			return
		}
		for i, iv := range ivs {
			for _, v := range []float64{iv.Minutes, iv.Calls, iv.AHTSeconds, iv.Chats, iv.ChatSeconds, iv.Tasks, iv.TaskSeconds, iv.Callbacks} {
				if !(v >= 0) || v > 1e9 {
					t.Fatalf("interval %d: value %v", i, v)
				}
			}
			if iv.Minutes <= 0 || iv.ChatsPerAgent > MaxChatsPerAgent || iv.Agents < 0 {
				t.Fatalf("interval %d: %+v", i, iv)
			}
			if i > 0 && iv.Start.Before(ivs[i-1].End()) {
				t.Fatalf("interval %d overlaps", i)
			}
		}
	})
}
