package httpapi

import (
	"net/http"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/plan"
)

// PlanRequest is the body of POST /v1/accounts/{id}/plan: the forecast CSV
// and the growth YAML as text (docs/plan.md gives both schemas), with the
// names their errors should give.
type PlanRequest struct {
	Instance     string `json:"instance,omitempty"`
	Forecast     string `json:"forecast"`
	ForecastName string `json:"forecast_name,omitempty"`
	Growth       string `json:"growth,omitempty"`
	GrowthName   string `json:"growth_name,omitempty"`
	// LeadTime is how long an increase takes to come through, "5d" if empty.
	LeadTime string `json:"lead_time,omitempty"`
	// Margin is the share added to a peak to suggest a value; 0.2 if zero.
	Margin float64 `json:"margin,omitempty"`
	// FileRequests files the increase requests through the workflow, never
	// twice for the same quota and scope.
	FileRequests bool `json:"file_requests,omitempty"`
}

// DefaultLeadTime is the lead time when a plan names none: the seed's "up
// to a few days", taken as five.
const DefaultLeadTime = "5d"

// handlePlan answers POST /v1/accounts/{account}/plan with a capacity plan
// (plan.Result). Bad input is EINVALID with a message naming the file,
// line and column; with file_requests, the requests are filed and each
// names the change request filed or found open.
func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	var in PlanRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	account := r.PathValue("account")
	if in.ForecastName == "" {
		in.ForecastName = "forecast"
	}
	if in.GrowthName == "" {
		in.GrowthName = "growth"
	}
	if in.LeadTime == "" {
		in.LeadTime = DefaultLeadTime
	}
	if strings.TrimSpace(in.Forecast) == "" {
		s.writeError(w, r, headroom.FieldErrorf("forecast", "is required: the forecast CSV, header row first"))
		return
	}
	lead, err := plan.ParseLeadTime(in.LeadTime)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ivs, err := plan.ReadForecast(in.ForecastName, strings.NewReader(in.Forecast))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := plan.ReadGrowth(in.GrowthName, strings.NewReader(in.Growth))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := plan.Build(r.Context(), s.svc, plan.Input{Account: account, Instance: in.Instance, Forecast: ivs, Growth: g,
		LeadTime: lead, Now: s.svc.Clock().Now(), Margin: in.Margin})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.FileRequests {
		if err := plan.File(r.Context(), s.svc, res, actor(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, res)
}
