package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/headroomhq/headroom/httpapi"
)

// sparkLevels are the sparkline's bars, lowest first.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkWidth is the most columns a sparkline takes; longer series are
// drawn a group of points per column, at the group's highest value.
const sparkWidth = 60

func cmdUsageHistory(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("usage history")
	account := fs.String("account", "", "account id")
	code := fs.String("code", "", "quota code")
	scope := fs.String("scope", "", "scope, such as instance/i-1 (default: the account)")
	since := fs.Duration("since", 24*time.Hour, "how far back, such as 90m, 24h or 720h")
	step := fs.Duration("step", 0, "length of each point, such as 5m or 1h (default: chosen by the server)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("usage history", "account", *account, "code", *code); err != nil {
		return err
	}
	if *since <= 0 {
		return usageErrorf("usage history needs a positive --since, such as 24h")
	}
	if *step < 0 {
		return usageErrorf("usage history needs a positive --step, such as 5m")
	}
	h, err := g.client().HistorySince(ctx, *account, *code, *scope, *since, *step)
	if err != nil {
		return err
	}
	if g.output == "json" {
		return emit(g, h, nil, nil)
	}
	printHistory(g.stdout, h, *since)
	return nil
}

// printHistory writes a history as a few lines: the quota, the applied
// value, the highest usage and a sparkline scaled to the applied value,
// and for a rate quota the decisions throttled.
func printHistory(w io.Writer, h httpapi.UsageHistory, since time.Duration) {
	step, _ := time.ParseDuration(h.Step)
	fmt.Fprintf(w, "%s (%s) of account %s, scope %s\n", h.Name, h.Code, h.Account, h.Scope)
	fmt.Fprintf(w, "last %s, from %s to %s, by %s\n", since, h.From, h.To, shortDuration(step))
	values := make([]float64, len(h.Points))
	ceiling := h.Applied
	if h.Kind == "rate" {
		// A rate's points are decisions per step; its ceiling is the rate
		// over a step.
		var allowed, throttled int64
		for i, p := range h.Points {
			if p.Allowed != nil && p.Throttled != nil {
				allowed += *p.Allowed
				throttled += *p.Throttled
				values[i] = float64(*p.Allowed)
			}
		}
		ceiling = h.Applied * step.Seconds()
		fmt.Fprintf(w, "applied %g per second; highest %s allowed in a %s\n", h.Applied, num(maxOf(values)), shortDuration(step))
		fmt.Fprintf(w, "%s\n", sparkline(values, ceiling))
		fmt.Fprintf(w, "%d allowed, %d throttled", allowed, throttled)
		if allowed+throttled > 0 {
			fmt.Fprintf(w, " (%.1f%% throttled)", 100*float64(throttled)/float64(allowed+throttled))
		}
		fmt.Fprintln(w)
		return
	}
	for i, p := range h.Points {
		values[i] = float64(p.Max)
	}
	top := maxOf(values)
	fmt.Fprintf(w, "applied %g; highest %s", h.Applied, num(top))
	if h.Applied > 0 {
		fmt.Fprintf(w, " (%.0f%% of applied)", 100*top/h.Applied)
	}
	fmt.Fprintf(w, "\n%s\n", sparkline(values, ceiling))
}

// sparkline draws values as bars from ▁ (zero) to █ (ceiling or above),
// at most sparkWidth columns.
func sparkline(values []float64, ceiling float64) string {
	per := (len(values) + sparkWidth - 1) / sparkWidth
	var b strings.Builder
	for i := 0; i < len(values); i += per {
		v := maxOf(values[i:min(i+per, len(values))])
		level := 0
		if ceiling > 0 {
			level = int(math.Ceil(v / ceiling * float64(len(sparkLevels)-1)))
		} else if v > 0 {
			level = len(sparkLevels) - 1
		}
		b.WriteRune(sparkLevels[max(0, min(level, len(sparkLevels)-1))])
	}
	return b.String()
}

func maxOf(values []float64) float64 {
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	return top
}

// shortDuration writes 5m0s as 5m and 1h0m0s as 1h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
