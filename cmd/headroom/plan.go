package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/plan"
)

// cmdPlan asks the server which quotas a forecast breaks, and when to ask
// for more: it sends the forecast CSV and the growth YAML to
// POST /v1/accounts/{id}/plan and prints the plan, writes the chart, and
// with --file-requests has the server file the increase requests.
func cmdPlan(ctx context.Context, g *globals, args []string) error {
	fset := newFlags("plan")
	account := fset.String("account", "", "account id")
	instance := fset.String("instance", "", "Connect instance id; without it, the account-level applied values")
	forecast := fset.String("forecast", "", "forecast CSV (docs/plan.md)")
	growth := fset.String("growth", "", "growth YAML; default: the forecast's name with .yaml, else growth.yaml beside it, if present")
	lead := fset.String("lead-time", httpapi.DefaultLeadTime, "how long an increase takes: 5d, 36h")
	margin := fset.Float64("margin", 0, "share added to a peak to suggest a value (default 0.2)")
	chart := fset.String("chart", "", "write an SVG chart of each breaking quota to this file")
	file := fset.Bool("file-requests", false, "file the increase requests through the workflow (never twice)")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if err := required("plan", "account", *account, "forecast", *forecast); err != nil {
		return err
	}
	if _, err := plan.ParseLeadTime(*lead); err != nil {
		return usageErrorf("plan: --lead-time %q is not a lead time such as 5d or 36h", *lead)
	}
	csvData, err := os.ReadFile(*forecast)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	growthPath := *growth
	if growthPath == "" {
		growthPath = besideForecast(*forecast)
	}
	var growthData []byte
	if growthPath != "" {
		if growthData, err = os.ReadFile(growthPath); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	res, err := g.client().Plan(ctx, *account, httpapi.PlanRequest{Instance: *instance, Forecast: string(csvData), ForecastName: filepath.Base(*forecast),
		Growth: string(growthData), GrowthName: filepath.Base(growthPath), LeadTime: *lead, Margin: *margin, FileRequests: *file})
	if err != nil {
		return err
	}
	if *chart != "" {
		var b strings.Builder
		if err := plan.WriteSVG(&b, res); err != nil {
			return err
		}
		if err := os.WriteFile(*chart, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	if g.output == "json" {
		return plan.WriteJSON(g.stdout, res)
	}
	return plan.WriteTable(g.stdout, res)
}

// besideForecast finds the growth YAML beside a forecast: forecast.yaml
// for forecast.csv, else growth.yaml in the same directory; "" if neither.
func besideForecast(forecast string) string {
	base := strings.TrimSuffix(forecast, filepath.Ext(forecast))
	for _, p := range []string{base + ".yaml", base + ".yml", filepath.Join(filepath.Dir(forecast), "growth.yaml")} {
		if _, err := os.Stat(p); err == nil {
			return p
		} else if !errors.Is(err, fs.ErrNotExist) {
			return p // let the read report it
		}
	}
	return ""
}
