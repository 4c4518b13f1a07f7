package connectapi

import (
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// GetMetricDataV2 computes the same historical counts as GetMetricData
// from the instance's contact records, in V2's shapes: the instance by
// ResourceArn, filters and groupings by key, results paged.

type filterV2 struct {
	FilterKey    string   `json:"FilterKey"`
	FilterValues []string `json:"FilterValues"`
}

type metricV2 struct {
	Name          string `json:"Name"`
	Threshold     any    `json:"Threshold,omitempty"`
	MetricFilters any    `json:"MetricFilters,omitempty"`
}

// filterKeysV2 are the model's filter keys; groupingsV2 the groupings.
var (
	filterKeysV2 = map[string]bool{"QUEUE": true, "ROUTING_PROFILE": true, "AGENT": true, "CHANNEL": true,
		"AGENT_HIERARCHY_LEVEL_ONE": true, "AGENT_HIERARCHY_LEVEL_TWO": true, "AGENT_HIERARCHY_LEVEL_THREE": true,
		"AGENT_HIERARCHY_LEVEL_FOUR": true, "AGENT_HIERARCHY_LEVEL_FIVE": true, "FEATURE": true, "INITIATION_METHOD": true,
		"ROUTING_STEP_EXPRESSION": true, "Q_CONNECT_ENABLED": true, "DISCONNECT_REASON": true}
	groupingsV2 = filterKeysV2
	// filterRequiredV2 are the keys of which a request must filter on one.
	filterRequiredV2 = map[string]bool{"QUEUE": true, "ROUTING_PROFILE": true, "AGENT": true,
		"AGENT_HIERARCHY_LEVEL_ONE": true, "AGENT_HIERARCHY_LEVEL_TWO": true, "AGENT_HIERARCHY_LEVEL_THREE": true,
		"AGENT_HIERARCHY_LEVEL_FOUR": true, "AGENT_HIERARCHY_LEVEL_FIVE": true}
	// zeroMetricsV2 are metrics Headroom's records do not carry: they are
	// answered as 0.
	zeroMetricsV2 = map[string]bool{"ABANDONMENT_RATE": true, "AGENT_ADHERENT_TIME": true, "AGENT_ANSWER_RATE": true,
		"AGENT_NON_ADHERENT_TIME": true, "AGENT_NON_RESPONSE": true, "AGENT_OCCUPANCY": true, "AGENT_SCHEDULE_ADHERENCE": true,
		"AVG_ABANDON_TIME": true, "AVG_AFTER_CONTACT_WORK_TIME": true, "AVG_AGENT_CONNECTING_TIME": true, "AVG_HANDLE_TIME": true,
		"AVG_HOLD_TIME": true, "AVG_INTERACTION_TIME": true, "AVG_QUEUE_ANSWER_TIME": true, "AVG_TALK_TIME": true,
		"CONTACTS_HOLD_ABANDONS": true, "CONTACTS_ON_HOLD_AGENT_DISCONNECT": true, "CONTACTS_PUT_ON_HOLD": true,
		"CONTACTS_TRANSFERRED_OUT_BY_AGENT": true, "MAX_QUEUED_TIME": true, "SERVICE_LEVEL": true, "SUM_CONTACTS_ANSWERED_IN_X": true,
		"SUM_CONTACTS_ABANDONED_IN_X": true, "SUM_CONTACTS_DISCONNECTED": true, "SUM_RETRY_CALLBACK_ATTEMPTS": true}
)

func getMetricDataV2(h *Handler, c *call) (any, error) {
	var in struct {
		ResourceArn string     `json:"ResourceArn"`
		StartTime   *float64   `json:"StartTime"`
		EndTime     *float64   `json:"EndTime"`
		Interval    any        `json:"Interval"`
		Filters     []filterV2 `json:"Filters"`
		Groupings   []string   `json:"Groupings"`
		Metrics     []metricV2 `json:"Metrics"`
		NextToken   string     `json:"NextToken"`
		MaxResults  *int       `json:"MaxResults"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ResourceArn == "":
		return nil, required("ResourceArn")
	case in.StartTime == nil:
		return nil, required("StartTime")
	case in.EndTime == nil:
		return nil, required("EndTime")
	case len(in.Filters) == 0:
		return nil, required("Filters")
	case len(in.Metrics) == 0:
		return nil, required("Metrics")
	case len(in.Filters) > 5:
		return nil, headroom.Errorf(headroom.EINVALID, "Filters takes at most 5 filters, got %d", len(in.Filters))
	case len(in.Groupings) > 4:
		return nil, headroom.Errorf(headroom.EINVALID, "Groupings takes at most 4 groupings, got %d", len(in.Groupings))
	case in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 100):
		return nil, headroom.Errorf(headroom.EINVALID, "MaxResults must be from 1 to 100, got %d", *in.MaxResults)
	}
	start := time.UnixMilli(int64(*in.StartTime * 1000))
	end := time.UnixMilli(int64(*in.EndTime * 1000))
	now := h.now()
	switch {
	case !end.After(start):
		return nil, headroom.Errorf(headroom.EINVALID, "EndTime must be after StartTime")
	case end.Sub(start) > 35*24*time.Hour:
		return nil, headroom.Errorf(headroom.EINVALID, "the time range between StartTime and EndTime must be at most 35 days")
	case start.Before(now.Add(-93 * 24 * time.Hour)):
		return nil, headroom.Errorf(headroom.EINVALID, "StartTime must be within the last 3 months")
	}
	f := &metricFilters{}
	found := false
	for i, fl := range in.Filters {
		if !filterKeysV2[fl.FilterKey] {
			return nil, headroom.Errorf(headroom.EINVALID, "Filters[%d].FilterKey: unknown key %q", i, clip(fl.FilterKey))
		}
		if len(fl.FilterValues) == 0 || len(fl.FilterValues) > 100 {
			return nil, headroom.Errorf(headroom.EINVALID, "Filters[%d].FilterValues must hold 1 to 100 values, got %d", i, len(fl.FilterValues))
		}
		found = found || filterRequiredV2[fl.FilterKey]
		switch fl.FilterKey {
		case "QUEUE":
			f.Queues = append(f.Queues, fl.FilterValues...)
		case "CHANNEL":
			f.Channels = append(f.Channels, fl.FilterValues...)
		}
	}
	if !found {
		return nil, headroom.Errorf(headroom.EINVALID, "Filters must filter on at least one of QUEUE, ROUTING_PROFILE, AGENT or an AGENT_HIERARCHY_LEVEL")
	}
	var v1 []string
	for _, g := range in.Groupings {
		if !groupingsV2[g] {
			return nil, headroom.Errorf(headroom.EINVALID, "Groupings: unknown grouping %q", clip(g))
		}
		if g == "QUEUE" || g == "CHANNEL" {
			v1 = append(v1, g)
		}
	}
	for i, m := range in.Metrics {
		if _, ok := countV2(historical{}, m.Name); !ok {
			return nil, headroom.Errorf(headroom.EINVALID, "Metrics[%d].Name: unknown metric %q", i, clip(m.Name))
		}
	}
	iid, err := h.instanceFromARN(c, in.ResourceArn, "ResourceArn")
	if err != nil {
		return nil, err
	}
	limit := 100
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{iid, strconv.FormatFloat(*in.StartTime, 'f', -1, 64), strconv.FormatFloat(*in.EndTime, 'f', -1, 64)}}
	after, ok := h.cursors.Decode(q, in.NextToken)
	offset := 0
	if after != "" {
		offset, _ = strconv.Atoi(after)
	}
	if !ok || in.NextToken != "" && offset <= 0 {
		return nil, headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned", clip(in.NextToken))
	}
	gs, contacts, err := h.metricInput(c, iid, f, v1)
	if err != nil {
		return nil, err
	}
	if offset > len(gs) {
		offset = len(gs)
	}
	results := []any{}
	next := ""
	for i := offset; i < len(gs); i++ {
		if len(results) == limit {
			next = h.cursors.Encode(q, strconv.Itoa(i))
			break
		}
		g := gs[i]
		n := countHistorical(contacts, f, g, start, end)
		coll := []any{}
		for _, m := range in.Metrics {
			v, _ := countV2(n, m.Name)
			coll = append(coll, map[string]any{"Metric": m, "Value": v})
		}
		dims := map[string]string{}
		if g.queue != "" {
			dims["QUEUE"] = g.queue
			dims["QUEUE_ARN"] = h.arn(c.account, "instance/"+iid+"/queue/"+g.queue)
		}
		if g.channel != "" {
			dims["CHANNEL"] = g.channel
		}
		results = append(results, map[string]any{"Dimensions": dims,
			"MetricInterval": map[string]any{"Interval": "TOTAL", "StartTime": epoch(start), "EndTime": epoch(end)},
			"Collections":    coll})
	}
	out := map[string]any{"MetricResults": results}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// countV2 is the value of a V2 metric from a row's counts; false for a
// metric the model does not list.
func countV2(n historical, name string) (float64, bool) {
	switch name {
	case "CONTACTS_QUEUED":
		return float64(n.queued), true
	case "CONTACTS_HANDLED":
		return float64(n.handled), true
	case "CONTACTS_CREATED":
		return float64(n.created), true
	case "CONTACTS_ABANDONED":
		return float64(n.abandoned), true
	case "CONTACTS_TRANSFERRED_OUT":
		return float64(n.transferred), true
	}
	return 0, zeroMetricsV2[name]
}
