package console

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

// chartRange is one of the quota page's chart ranges: how far back it
// looks and the step of its points.
type chartRange struct {
	Key   string
	Label string
	Span  time.Duration
	Step  time.Duration
	// Format prints the x axis' times.
	Format string
}

// chartRanges are the quota page's ranges: 48 hours of 15-minute steps
// (minute data), and 90 days of 6-hour steps (hour data).
var chartRanges = []chartRange{
	{Key: "48h", Label: "48 hours", Span: 48 * time.Hour, Step: 15 * time.Minute, Format: "Jan 2 15:04"},
	{Key: "90d", Label: "90 days", Span: 90 * 24 * time.Hour, Step: 6 * time.Hour, Format: "Jan 2"},
}

// rangeOf returns the range a ?range= value names, the first by default.
func rangeOf(key string) chartRange {
	for _, c := range chartRanges {
		if c.Key == key {
			return c
		}
	}
	return chartRanges[0]
}

// The chart's geometry, in SVG user units: the plot area sits inside the
// margins, which hold the axis labels.
const (
	chartW, chartH             = 760.0, 280.0
	marginL, marginR           = 64.0, 44.0
	marginT, marginB           = 16.0, 40.0
	plotW, plotH               = chartW - marginL - marginR, chartH - marginT - marginB
	yTicks                     = 4
	xTicks                     = 6
	chartTitleID, chartDescID  = "chart-title", "chart-desc"
	chartMaxClass, chartAvgCls = "series-max", "series-mean"
)

// chartPoint is one row of the chart's table alternative.
type chartPoint struct {
	Time      string
	Max       int64
	Mean      string
	Allowed   int64
	Throttled int64
}

// chart is a drawn usage chart and its table alternative.
type chart struct {
	SVG template.HTML
	// Rows are the steps with any usage, for the table; Empty says there
	// were none.
	Rows  []chartPoint
	Empty bool
	// Peak is the highest usage in the range.
	Peak int64
	// Rate says the quota is a rate: the table then shows decisions.
	Rate bool
}

// drawChart draws usage (the maximum of each step as a filled step line,
// the mean as a dashed line) from from to to, with the applied value
// as a horizontal line, axis labels and ticks, as inline SVG: no script,
// no style attribute, so that the page's CSP holds. Points outside the
// range are ignored; steps without a point are zero.
func drawChart(name string, points []headroom.HistoryPoint, limit float64, from, to time.Time, cr chartRange, rate bool) chart {
	steps := int(to.Sub(from) / cr.Step)
	if steps < 1 {
		steps = 1
	}
	maxes, means := make([]int64, steps), make([]float64, steps)
	c := chart{Rate: rate}
	for _, p := range points {
		i := int(p.Time.Sub(from) / cr.Step)
		if p.Time.Before(from) || i < 0 || i >= steps {
			continue
		}
		maxes[i] = max(maxes[i], p.Max)
		means[i] = max(means[i], p.Mean)
		if p.Max > c.Peak {
			c.Peak = p.Max
		}
		if p.Max > 0 || p.Mean > 0 || p.Allowed > 0 || p.Throttled > 0 {
			c.Rows = append(c.Rows, chartPoint{Time: p.Time.UTC().Format("2006-01-02 15:04"), Max: p.Max,
				Mean: strconv.FormatFloat(p.Mean, 'f', 1, 64), Allowed: p.Allowed, Throttled: p.Throttled})
		}
	}
	c.Empty = len(c.Rows) == 0
	top := niceCeil(math.Max(float64(c.Peak), limit) * 1.1)
	x := func(i int) float64 { return marginL + plotW*float64(i)/float64(steps) }
	y := func(v float64) float64 { return marginT + plotH - plotH*v/top }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %s %s" role="img" aria-labelledby="%s %s" focusable="false">`,
		f(chartW), f(chartH), chartTitleID, chartDescID)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, chartTitleID, template.HTMLEscapeString(name+", usage over "+cr.Label))
	desc := fmt.Sprintf("Highest usage in the range: %d. Applied value: %s.", c.Peak, formatValue(limit))
	if c.Empty {
		desc = "No usage was recorded in the range. Applied value: " + formatValue(limit) + "."
	}
	fmt.Fprintf(&b, `<desc id="%s">%s</desc>`, chartDescID, template.HTMLEscapeString(desc))
	// Grid and y axis labels.
	for i := 0; i <= yTicks; i++ {
		v := top * float64(i) / yTicks
		fmt.Fprintf(&b, `<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/>`, f(marginL), f(marginL+plotW), f(y(v)), f(y(v)))
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="end">%s</text>`, f(marginL-8), f(y(v)+4), formatValue(math.Round(v*100)/100))
	}
	// X axis labels.
	for i := 0; i <= xTicks; i++ {
		step := steps * i / xTicks
		t := from.Add(time.Duration(step) * cr.Step).UTC()
		anchor := "middle"
		fmt.Fprintf(&b, `<line class="tick" x1="%s" x2="%s" y1="%s" y2="%s"/>`, f(x(step)), f(x(step)), f(marginT+plotH), f(marginT+plotH+5))
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="%s">%s</text>`, f(x(step)), f(chartH-12), anchor, t.Format(cr.Format))
	}
	fmt.Fprintf(&b, `<line class="axis-line" x1="%s" x2="%s" y1="%s" y2="%s"/>`, f(marginL), f(marginL+plotW), f(marginT+plotH), f(marginT+plotH))
	// Max per step: a filled step line.
	var area, line strings.Builder
	fmt.Fprintf(&area, "M%s %s", f(x(0)), f(y(0)))
	for i, v := range maxes {
		fmt.Fprintf(&area, " L%s %s L%s %s", f(x(i)), f(y(float64(v))), f(x(i+1)), f(y(float64(v))))
		if i == 0 {
			fmt.Fprintf(&line, "M%s %s", f(x(i)), f(y(float64(v))))
		} else {
			fmt.Fprintf(&line, " L%s %s", f(x(i)), f(y(float64(v))))
		}
		fmt.Fprintf(&line, " L%s %s", f(x(i+1)), f(y(float64(v))))
	}
	fmt.Fprintf(&area, " L%s %s Z", f(x(steps)), f(y(0)))
	fmt.Fprintf(&b, `<path class="%s-area" d="%s"/>`, chartMaxClass, area.String())
	fmt.Fprintf(&b, `<path class="%s" d="%s"/>`, chartMaxClass, line.String())
	// Mean per step: a dashed line through the steps' middles.
	var mean strings.Builder
	for i, v := range means {
		cmd := " L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&mean, "%s%s %s", cmd, f((x(i)+x(i+1))/2), f(y(v)))
	}
	fmt.Fprintf(&b, `<path class="%s" d="%s"/>`, chartAvgCls, strings.TrimSpace(mean.String()))
	// The applied value.
	if limit > 0 {
		fmt.Fprintf(&b, `<line class="limit" x1="%s" x2="%s" y1="%s" y2="%s"/>`, f(marginL), f(marginL+plotW), f(y(limit)), f(y(limit)))
		fmt.Fprintf(&b, `<text class="limit-label" x="%s" y="%s" text-anchor="end">limit %s</text>`, f(marginL+plotW-4), f(y(limit)-6), formatValue(limit))
	}
	b.WriteString(`</svg>`)
	c.SVG = template.HTML(b.String())
	return c
}

// niceCeil rounds v up to 1, 1.2, 1.6, 2, 2.4, 3, 4, 6 or 8 times a power
// of ten, so that the y axis' four ticks are round numbers; at least 1.
func niceCeil(v float64) float64 {
	if !(v > 1) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.6, 2, 2.4, 3, 4, 6, 8, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
