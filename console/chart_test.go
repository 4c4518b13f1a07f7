package console

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// The chart draws the steps' maximum and mean, the applied value as a
// line at its height, and labels; its table has the steps with usage.
func TestDrawChart(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cr := rangeOf("48h")
	to := from.Add(cr.Span)
	points := []headroom.HistoryPoint{
		{Time: from.Add(30 * time.Minute), Max: 40, Mean: 20},
		{Time: from.Add(time.Hour), Max: 90, Mean: 85.5},
		{Time: from.Add(-time.Hour), Max: 500}, // before the range: ignored
	}
	c := drawChart("Users per instance", points, 100, from, to, cr, false)
	if c.Peak != 90 || c.Empty || len(c.Rows) != 2 || c.Rows[1].Mean != "85.5" {
		t.Fatalf("chart: peak %d, empty %v, rows %+v", c.Peak, c.Empty, c.Rows)
	}
	svg := string(c.SVG)
	// 100 * 1.1 rounds up to 120: the limit line sits at 100/120 of the
	// plot's height from its bottom.
	wantY := marginT + plotH - plotH*100/120
	for _, want := range []string{
		`<title id="chart-title">Users per instance, usage over 48 hours</title>`,
		`class="limit"`, `limit 100`, `>120<`, `class="series-max"`, `class="series-mean"`,
		`y1="` + strconv.FormatFloat(wantY, 'f', 1, 64) + `"`, "Highest usage in the range: 90.",
	} {
		if !strings.Contains(svg, want) {
			t.Fatalf("the chart lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Fatal("the chart has inline style or script, which the CSP forbids")
	}
	empty := drawChart("x", nil, 0, from, to, cr, false)
	if !empty.Empty || strings.Contains(string(empty.SVG), `class="limit"`) {
		t.Fatal("an empty chart without a limit")
	}
}

// niceCeil rounds up to a number whose quarters are round.
func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.5: 1, 1: 1, 1.1: 1.2, 110: 120, 165: 200, 2.2: 2.4, 7000: 8000, 9000: 10000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%g) = %g, want %g", in, got, want)
		}
	}
}
