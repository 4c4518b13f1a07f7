package plan

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// Chart geometry, in SVG user units.
const (
	chartWidth  = 760
	panelHeight = 220
	marginLeft  = 64
	marginRight = 24
	marginTop   = 40
	marginBot   = 44
)

// WriteSVG draws one panel per quota the forecast breaks: the forecast (the
// 99th percentile for concurrency, drawn as a step per interval, with the
// 95th lighter; the use for other kinds) against the applied value as a
// red line. The x axis walks the forecast's points in order, so that nights
// and gaps between planned days take no room; each day is labelled where it
// starts. With nothing breaking it draws one panel saying so.
func WriteSVG(w io.Writer, res *Result) error {
	var panels []QuotaPlan
	for _, q := range res.Quotas {
		if q.BreaksAt != nil && len(q.Series) > 0 {
			panels = append(panels, q)
		}
	}
	height := marginTop + panelHeight*max(1, len(panels)) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14" font-weight="bold">Capacity plan for account %s%s: forecast against applied quotas</text>`+"\n",
		marginLeft, esc(res.Account), esc(instanceSuffix(res.Instance)))
	if len(panels) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">The forecast breaks no quota.</text>`+"\n", marginLeft, marginTop+panelHeight/2)
	}
	for i, q := range panels {
		panel(&b, q, marginTop+i*panelHeight)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func instanceSuffix(id string) string {
	if id == "" {
		return ""
	}
	return ", instance " + id
}

func esc(s string) string { return html.EscapeString(s) }

// panel draws one quota's panel with its top at y0.
func panel(b *strings.Builder, q QuotaPlan, y0 int) {
	plotW := float64(chartWidth - marginLeft - marginRight)
	plotH := float64(panelHeight - marginBot - 28)
	top := float64(y0 + 28)
	left := float64(marginLeft)
	ymax := q.Applied
	for _, p := range q.Series {
		ymax = math.Max(ymax, math.Max(p.P99, p.Offered))
	}
	ymax = niceCeil(ymax * 1.1)
	n := len(q.Series)
	step := plotW / float64(n)
	x := func(i int) float64 { return left + float64(i)*step }
	y := func(v float64) float64 { return top + plotH - v/ymax*plotH }
	title := fmt.Sprintf("%s (%s, %s)", q.Name, q.Code, q.Scope)
	fmt.Fprintf(b, `<text x="%g" y="%g" font-size="12" font-weight="bold">%s</text>`+"\n", left, top-10, esc(title))
	// Axes and grid.
	fmt.Fprintf(b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#999"/>`+"\n", left, top, plotW, plotH)
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		v := f * ymax
		fmt.Fprintf(b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#eee"/>`+"\n", left, y(v), left+plotW, y(v))
		fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y(v)+4, number(v))
	}
	// Day labels where a day starts.
	lastDay := ""
	for i, p := range q.Series {
		day := p.At.Format("2006-01-02")
		if day == lastDay {
			continue
		}
		lastDay = day
		fmt.Fprintf(b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#ccc"/>`+"\n", x(i), top, x(i), top+plotH)
		fmt.Fprintf(b, `<text x="%.1f" y="%g">%s</text>`+"\n", x(i)+2, top+plotH+14, day)
	}
	// The forecast: a step per interval; for resource totals, straight lines
	// between the dated totals, as the planner interpolates them.
	series := func(val func(Point) float64, colour string, width float64) {
		var path strings.Builder
		for i, p := range q.Series {
			v := val(p)
			if p.Unstable {
				v = ymax
			}
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			switch {
			case q.Model == ModelCount && i < n-1:
				// Planned totals grow steadily between their dates.
				fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(i), y(v))
			default:
				fmt.Fprintf(&path, "%s%.1f %.1f L%.1f %.1f ", cmd, x(i), y(v), x(i+1), y(v))
			}
		}
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="%g"/>`+"\n", strings.TrimSpace(path.String()), colour, width)
	}
	label := "forecast use"
	if q.Model == ModelVoice || q.Model == ModelChat || q.Model == ModelTasks {
		series(func(p Point) float64 { return p.P95 }, "#9ecae1", 1.5)
		label = "forecast P99 (P95 lighter)"
	}
	series(func(p Point) float64 {
		if q.Model == ModelVoice || q.Model == ModelChat || q.Model == ModelTasks {
			return p.P99
		}
		return p.Offered
	}, "#08519c", 2)
	// Unstable intervals are shaded.
	for i, p := range q.Series {
		if p.Unstable {
			fmt.Fprintf(b, `<rect x="%.1f" y="%g" width="%.1f" height="%g" fill="#fdd" opacity="0.6"/>`+"\n", x(i), top, step, plotH)
		}
	}
	// The quota line.
	fmt.Fprintf(b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#d62728" stroke-width="2" stroke-dasharray="6 3"/>`+"\n",
		left, y(q.Applied), left+plotW, y(q.Applied))
	fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end" fill="#d62728">applied %s</text>`+"\n", left+plotW-4, y(q.Applied)-4, number(q.Applied))
	breaks := "-"
	if q.BreaksAt != nil {
		breaks = q.BreaksAt.Format(time.RFC3339)
	}
	fmt.Fprintf(b, `<text x="%g" y="%g" fill="#555">%s; peak %s; breaks %s</text>`+"\n", left, top+plotH+30, esc(label), number(q.Peak), breaks)
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
