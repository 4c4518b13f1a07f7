package plan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

// Interval is one row of a forecast: what is offered in one interval.
type Interval struct {
	Start   time.Time
	Minutes float64
	// Calls offered in the interval, and their average handle time.
	Calls      float64
	AHTSeconds float64
	// Agents staffed; Sized is true when the forecast left it out and the
	// planner sized the staff.
	Agents int
	Sized  bool
	// Callbacks offered to agents in the interval (they count against
	// concurrent calls only from then).
	Callbacks float64
	// Chats offered, their average duration, and how many chats one agent
	// handles at once (at most 5).
	Chats         float64
	ChatSeconds   float64
	ChatsPerAgent int
	// Tasks created and their average duration.
	Tasks       float64
	TaskSeconds float64
}

// End returns the end of the interval.
func (iv Interval) End() time.Time {
	return iv.Start.Add(time.Duration(iv.Minutes * float64(time.Minute)))
}

// Seconds returns the interval's length in seconds.
func (iv Interval) Seconds() float64 { return iv.Minutes * 60 }

// Forecast columns: the fixed interface of the CSV.
const (
	ColStart         = "start"
	ColMinutes       = "minutes"
	ColCalls         = "calls"
	ColAHT           = "aht_seconds"
	ColAgents        = "agents"
	ColCallbacks     = "callbacks"
	ColChats         = "chats"
	ColChatSeconds   = "chat_seconds"
	ColChatsPerAgent = "chats_per_agent"
	ColTasks         = "tasks"
	ColTaskSeconds   = "task_seconds"
)

var requiredColumns = []string{ColStart, ColMinutes, ColCalls, ColAHT}

var optionalColumns = []string{ColAgents, ColCallbacks, ColChats, ColChatSeconds, ColChatsPerAgent, ColTasks, ColTaskSeconds}

// MaxIntervals bounds a forecast's rows.
const MaxIntervals = 100_000

// MaxChatsPerAgent is Amazon Connect's "Active chats per agent" feature
// specification, which cannot be increased.
const MaxChatsPerAgent = 5

// maxInterval bounds one interval's length: a week.
const maxIntervalMinutes = 7 * 24 * 60

// ReadForecast decodes a forecast CSV (docs/plan.md gives the schema):
// a header row naming the columns in any order, then one interval per row,
// in time order without overlaps. name is the file's name for messages.
// Every error is an *headroom.Error of code EINVALID, with Field "forecast",
// whose message names the file, line and column. ReadForecast is safe for
// concurrent use.
func ReadForecast(name string, r io.Reader) ([]Interval, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, forecastErr(name, 1, 0, "", "is empty: want a header row naming the columns")
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known(h) {
			return nil, forecastErr(name, 1, i+1, h, "is not a forecast column (want %s, and optionally %s)",
				strings.Join(requiredColumns, ", "), strings.Join(optionalColumns, ", "))
		}
		if _, dup := cols[h]; dup {
			return nil, forecastErr(name, 1, i+1, h, "appears twice")
		}
		cols[h] = i
	}
	for _, c := range requiredColumns {
		if _, ok := cols[c]; !ok {
			return nil, forecastErr(name, 1, 0, c, "is missing from the header; the required columns are %s", strings.Join(requiredColumns, ", "))
		}
	}
	var out []Interval
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			return nil, forecastErr(name, line, 0, "", "has %d fields, the header %d", len(rec), len(header))
		}
		if len(out) == MaxIntervals {
			return nil, forecastErr(name, line, 0, "", "is beyond the %d intervals a forecast may have", MaxIntervals)
		}
		iv, err := parseRow(name, line, rec, cols)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && iv.Start.Before(out[n-1].End()) {
			return nil, forecastErr(name, line, cols[ColStart]+1, ColStart, "%s starts before the previous interval ends (%s): intervals must be in time order without overlaps",
				iv.Start.Format(time.RFC3339), out[n-1].End().Format(time.RFC3339))
		}
		out = append(out, iv)
	}
	if len(out) == 0 {
		return nil, forecastErr(name, 2, 0, "", "is missing: the forecast has no intervals")
	}
	return out, nil
}

func known(c string) bool {
	for _, k := range requiredColumns {
		if c == k {
			return true
		}
	}
	for _, k := range optionalColumns {
		if c == k {
			return true
		}
	}
	return false
}

// parseRow decodes one record.
func parseRow(name string, line int, rec []string, cols map[string]int) (Interval, error) {
	var iv Interval
	field := func(c string) (string, int, bool) {
		i, ok := cols[c]
		if !ok {
			return "", 0, false
		}
		return strings.TrimSpace(rec[i]), i + 1, true
	}
	s, col, _ := field(ColStart)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return iv, forecastErr(name, line, col, ColStart, "%q is not an RFC 3339 time such as 2026-01-05T08:00:00Z", s)
	}
	iv.Start = t.UTC()
	num := func(c string, max float64, positive bool) (float64, error) {
		s, col, ok := field(c)
		if !ok || (s == "" && c != ColMinutes) {
			return 0, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			return 0, forecastErr(name, line, col, c, "%q is not a number", s)
		case positive && v <= 0:
			return 0, forecastErr(name, line, col, c, "%s must be above zero", s)
		case v < 0:
			return 0, forecastErr(name, line, col, c, "%s must not be negative", s)
		case v > max:
			return 0, forecastErr(name, line, col, c, "%s is above the most the planner accepts, %g", s, max)
		}
		return v, nil
	}
	integer := func(c string, max float64) (int, error) {
		v, err := num(c, max, false)
		if err != nil {
			return 0, err
		}
		if v != math.Trunc(v) {
			s, col, _ := field(c)
			return 0, forecastErr(name, line, col, c, "%s is not a whole number", s)
		}
		return int(v), nil
	}
	const big = 1e9
	if iv.Minutes, err = num(ColMinutes, maxIntervalMinutes, true); err != nil {
		return iv, err
	}
	if iv.Calls, err = num(ColCalls, big, false); err != nil {
		return iv, err
	}
	if iv.AHTSeconds, err = num(ColAHT, 7*86400, false); err != nil {
		return iv, err
	}
	if iv.Callbacks, err = num(ColCallbacks, big, false); err != nil {
		return iv, err
	}
	if iv.Chats, err = num(ColChats, big, false); err != nil {
		return iv, err
	}
	if iv.ChatSeconds, err = num(ColChatSeconds, 25*3600, false); err != nil {
		return iv, err
	}
	if iv.Tasks, err = num(ColTasks, big, false); err != nil {
		return iv, err
	}
	if iv.TaskSeconds, err = num(ColTaskSeconds, 7*86400, false); err != nil {
		return iv, err
	}
	if iv.ChatsPerAgent, err = integer(ColChatsPerAgent, big); err != nil {
		return iv, err
	}
	if iv.ChatsPerAgent > MaxChatsPerAgent {
		s, col, _ := field(ColChatsPerAgent)
		return iv, forecastErr(name, line, col, ColChatsPerAgent, "%s is above %d, Amazon Connect's active chats per agent, which cannot be increased", s, MaxChatsPerAgent)
	}
	if s, _, ok := field(ColAgents); !ok || s == "" {
		iv.Sized = true
	} else if iv.Agents, err = integer(ColAgents, maxAgents); err != nil {
		return iv, err
	}
	// A load without a duration is a mistake in the forecast, not zero load.
	for _, p := range [][3]any{{iv.Calls + iv.Callbacks, iv.AHTSeconds, ColAHT}, {iv.Chats, iv.ChatSeconds, ColChatSeconds}, {iv.Tasks, iv.TaskSeconds, ColTaskSeconds}} {
		if p[0].(float64) > 0 && p[1].(float64) <= 0 {
			c := p[2].(string)
			_, col, _ := field(c)
			return iv, forecastErr(name, line, col, c, "must be above zero when the interval offers contacts of its kind")
		}
	}
	if iv.Chats > 0 && iv.ChatsPerAgent == 0 {
		iv.ChatsPerAgent = 1
	}
	return iv, nil
}

// forecastErr is the EINVALID error for a bad forecast: file, line and,
// when col > 0, the column's number and name.
func forecastErr(file string, line, col int, column, format string, args ...any) error {
	where := fmt.Sprintf("%s:%d", file, line)
	switch {
	case col > 0:
		where += fmt.Sprintf(":%d: column %s", col, column)
	case column != "":
		where += ": column " + column
	}
	return &headroom.Error{Code: headroom.EINVALID, Field: "forecast", Message: where + ": " + fmt.Sprintf(format, args...)}
}

func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &headroom.Error{Code: headroom.EINVALID, Field: "forecast",
			Message: fmt.Sprintf("%s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)}
	}
	return &headroom.Error{Code: headroom.EINVALID, Field: "forecast", Message: fmt.Sprintf("%s: %v", file, err)}
}
