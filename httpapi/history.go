package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/headroomhq/headroom"
)

// UsageHistory is the answer of GET /v1/accounts/{id}/usage/{code}/history:
// one quota's usage in one scope over time.
type UsageHistory struct {
	Account string `json:"account"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Scope   string `json:"scope"`
	// Applied is the quota's applied value now (for a rate, per second).
	Applied float64 `json:"applied"`
	// Step is the length of each point, as a Go duration ("5m0s").
	Step string `json:"step"`
	// From is the start of the first point and To the end of the range,
	// RFC 3339.
	From   string         `json:"from"`
	To     string         `json:"to"`
	Points []HistoryPoint `json:"points"`
}

// HistoryPoint is one step of a usage history.
type HistoryPoint struct {
	// Time is the start of the step, RFC 3339.
	Time string `json:"time"`
	// Max and Mean are the highest and the average usage in the step.
	Max  int64   `json:"max"`
	Mean float64 `json:"mean"`
	// Allowed and Throttled are a rate quota's decisions in the step;
	// absent for other quotas.
	Allowed   *int64 `json:"allowed,omitempty"`
	Throttled *int64 `json:"throttled,omitempty"`
}

// historySteps are the steps chosen when a request names none, smallest
// first.
var historySteps = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	7 * 24 * time.Hour}

// HistoryQuery is the decoded query of a history request.
type HistoryQuery struct {
	Scope    string
	From, To time.Time
	Step     time.Duration
}

// ParseHistoryQuery decodes the query of a history request: scope, from
// and to (RFC 3339; to defaults to now, from to 24 hours before to), or
// since instead of from (a Go duration: from is since before to), and step (a Go duration such as 5m or 1h). Without a step it picks the
// smallest of 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 24h, 168h
// that gives at most headroom.MaxHistoryPoints points, and an hour or more
// when from is beyond the minute history's retention. Errors are EINVALID
// naming the parameter; History checks the rest.
func ParseHistoryQuery(q url.Values, now time.Time) (HistoryQuery, error) {
	h := HistoryQuery{Scope: q.Get("scope"), To: now}
	var err error
	if v := q.Get("to"); v != "" {
		if h.To, err = time.Parse(time.RFC3339, v); err != nil {
			return h, headroom.FieldErrorf("to", "%q is not an RFC 3339 time such as 2026-03-01T12:00:00Z", v)
		}
	}
	h.From = h.To.Add(-24 * time.Hour)
	if v := q.Get("since"); v != "" {
		since, err := time.ParseDuration(v)
		if err != nil || since <= 0 {
			return h, headroom.FieldErrorf("since", "%q is not a positive duration such as 24h", v)
		}
		if q.Get("from") != "" {
			return h, headroom.FieldErrorf("since", "give from or since, not both")
		}
		h.From = h.To.Add(-since)
	}
	if v := q.Get("from"); v != "" {
		if h.From, err = time.Parse(time.RFC3339, v); err != nil {
			return h, headroom.FieldErrorf("from", "%q is not an RFC 3339 time such as 2026-03-01T12:00:00Z", v)
		}
	}
	if v := q.Get("step"); v != "" {
		if h.Step, err = time.ParseDuration(v); err != nil {
			return h, headroom.FieldErrorf("step", "%q is not a duration such as 5m or 1h", v)
		}
		return h, nil
	}
	span := h.To.Sub(h.From)
	h.Step = historySteps[len(historySteps)-1]
	for _, s := range historySteps {
		if s < headroom.HistoryHour && h.From.Add(-s).Before(now.Add(-headroom.MinuteHistoryRetention)) {
			continue
		}
		if span <= s*headroom.MaxHistoryPoints-s {
			h.Step = s
			break
		}
	}
	return h, nil
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	q, err := ParseHistoryQuery(r.URL.Query(), s.svc.Clock().Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h, err := s.svc.History(r.Context(), r.PathValue("account"), r.PathValue("code"), q.Scope, q.From, q.To, q.Step)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUsageHistory(h))
}

func toUsageHistory(h headroom.UsageHistory) UsageHistory {
	out := UsageHistory{Account: h.Account, Code: h.Code, Name: h.Name, Kind: string(h.Kind), Scope: h.Scope,
		Applied: h.Applied.Value, Step: h.Step.String(), From: h.From.Format(time.RFC3339), To: h.To.Format(time.RFC3339),
		Points: make([]HistoryPoint, len(h.Points))}
	rate := h.Kind == headroom.KindRate
	for i, p := range h.Points {
		out.Points[i] = HistoryPoint{Time: p.Time.Format(time.RFC3339), Max: p.Max, Mean: p.Mean}
		if rate {
			out.Points[i].Allowed, out.Points[i].Throttled = &h.Points[i].Allowed, &h.Points[i].Throttled
		}
	}
	return out
}
