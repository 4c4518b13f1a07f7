package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/memory"
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
	simulate := fset.Int("simulate", 0, "also replay the forecast this many times through an in-process engine at the applied values")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if err := required("plan", "account", *account, "forecast", *forecast); err != nil {
		return err
	}
	if *simulate < 0 || *simulate > 1000 {
		return usageErrorf("plan: --simulate %d is not a number of runs from 0 to 1000", *simulate)
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
	if *simulate > 0 {
		if res.Simulation, err = simulatePlan(ctx, res, *account, *instance, filepath.Base(*forecast), csvData, growthData, *simulate); err != nil {
			return err
		}
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

// simulatePlan replays the forecast runs times through an in-process
// engine on the default catalog, the memory store and a manual clock, with
// every quota of the plan overridden to the applied value the server
// reported, and compares what it measures with the plan.
func simulatePlan(ctx context.Context, res *plan.Result, account, instance, name string, csvData, growthData []byte, runs int) (*plan.SimSummary, error) {
	ivs, err := plan.ReadForecast(name, bytes.NewReader(csvData))
	if err != nil {
		return nil, err
	}
	g, err := plan.ReadGrowth("growth", bytes.NewReader(growthData))
	if err != nil {
		return nil, err
	}
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	var results []*plan.SimResult
	cpu0 := cpuTime()
	for i := 0; i < runs; i++ {
		clk := clock.NewManual(ivs[0].Start)
		e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk})
		if err != nil {
			return nil, err
		}
		if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: account}, "plan"); err != nil {
			return nil, fmt.Errorf("simulate: %w", err)
		}
		for _, q := range res.Quotas {
			err := e.SetOverride(ctx, headroom.Override{Account: account, Code: q.Code, Scope: q.Scope, Value: q.Applied}, "plan")
			if err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTADJUSTABLE {
				return nil, fmt.Errorf("simulate: applied value of %s: %w", q.Code, err)
			}
		}
		r, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: account, Instance: instance, Forecast: ivs, Growth: g, Seed: uint64(i + 1)})
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return plan.Summarize(res, ivs, results, cpuTime()-cpu0), nil
}
