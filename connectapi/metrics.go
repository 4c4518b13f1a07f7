package connectapi

import (
	"encoding/json"
	"time"

	"github.com/headroomhq/headroom"
)

// kindAgentState records whether a user (an agent) is online and
// available; the simulated traffic endpoints set it.
var kindAgentState = &kind{name: "connect:agent-state", label: "Agent state"}

type agentState struct {
	UserId    string `json:"UserId"`
	Online    bool   `json:"Online"`
	Available bool   `json:"Available"`
}

type metricFilters struct {
	Queues   []string `json:"Queues"`
	Channels []string `json:"Channels"`
}

type metricName struct {
	Name      string `json:"Name"`
	Unit      string `json:"Unit,omitempty"`
	Statistic string `json:"Statistic,omitempty"`
	Threshold any    `json:"Threshold,omitempty"`
}

// allContacts returns every contact record of an instance, settled at now.
func (h *Handler) allContacts(c *call, iid string) ([]*contactData, error) {
	var out []*contactData
	after := ""
	now := h.now()
	for {
		rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: kindContact.name, Parent: iid, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			d := &contactData{}
			if err := json.Unmarshal(r.Data, d); err != nil {
				return nil, err
			}
			d.ended(now)
			out = append(out, d)
		}
		if len(rs) < 1000 {
			return out, nil
		}
		after = rs[len(rs)-1].ID
	}
}

func (h *Handler) agentStates(c *call, iid string) ([]agentState, error) {
	rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: kindAgentState.name, Parent: iid, Limit: 100000})
	if err != nil {
		return nil, err
	}
	out := make([]agentState, 0, len(rs))
	for _, r := range rs {
		var a agentState
		if err := json.Unmarshal(r.Data, &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// group is one result row: a queue, a channel, both or neither.
type group struct{ queue, channel string }

func (h *Handler) decodeMetricRequest(c *call, in any) (string, error) {
	iid := c.path("InstanceId")
	if err := decode(c.body, in); err != nil {
		return "", err
	}
	if _, err := h.instance(c, iid); err != nil {
		return "", err
	}
	return iid, nil
}

// groups returns the result rows the groupings ask for, over the filters.
func groups(f *metricFilters, groupings []string) ([]group, error) {
	byQueue, byChannel := false, false
	for _, g := range groupings {
		switch g {
		case "QUEUE":
			byQueue = true
		case "CHANNEL":
			byChannel = true
		case "ROUTING_PROFILE", "ROUTING_STEP_EXPRESSION", "AGENT_HIERARCHY_LEVEL_ONE":
		default:
			return nil, newError(errInvalidParameter, "Groupings: unknown grouping %q", clip(g))
		}
	}
	queues, channels := []string{""}, []string{""}
	if byQueue {
		queues = f.Queues
	}
	if byChannel {
		channels = f.Channels
		if len(channels) == 0 {
			channels = []string{"VOICE", "CHAT", "TASK"}
		}
	}
	var out []group
	for _, q := range queues {
		for _, ch := range channels {
			out = append(out, group{q, ch})
		}
	}
	return out, nil
}

// matches reports whether a contact belongs in a row under the filters.
func (f *metricFilters) matches(d *contactData, g group) bool {
	if g.queue != "" && d.QueueId != g.queue {
		return false
	}
	if g.channel != "" && d.Channel != g.channel {
		return false
	}
	if len(f.Queues) > 0 && !contains(f.Queues, d.QueueId) {
		return false
	}
	if len(f.Channels) > 0 && !contains(f.Channels, d.Channel) {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (h *Handler) dimensions(c *call, iid string, g group) map[string]any {
	dims := map[string]any{}
	if g.queue != "" {
		dims["Queue"] = map[string]string{"Id": g.queue, "Arn": h.arn(c.account, "instance/"+iid+"/queue/"+g.queue)}
	}
	if g.channel != "" {
		dims["Channel"] = g.channel
	}
	return dims
}

func checkFilters(f *metricFilters) error {
	if len(f.Queues) > 100 {
		return newError(errInvalidParameter, "Filters.Queues takes at most 100 queues, got %d", len(f.Queues))
	}
	for _, ch := range f.Channels {
		if !validChannel(ch) {
			return newError(errInvalidParameter, "Filters.Channels: unknown channel %q", clip(ch))
		}
	}
	return nil
}

// metricInput checks a metric request's filters and groupings, and reads
// the instance's contacts that both metric operations compute from.
func (h *Handler) metricInput(c *call, iid string, f *metricFilters, groupings []string) ([]group, []*contactData, error) {
	if err := checkFilters(f); err != nil {
		return nil, nil, err
	}
	gs, err := groups(f, groupings)
	if err != nil {
		return nil, nil, err
	}
	contacts, err := h.allContacts(c, iid)
	return gs, contacts, err
}

// getCurrentMetricData returns real-time metrics computed from Headroom's
// state: contacts in queue, agents online, and so on.
func getCurrentMetricData(h *Handler, c *call) (any, error) {
	var in struct {
		Filters        *metricFilters `json:"Filters"`
		Groupings      []string       `json:"Groupings"`
		CurrentMetrics []metricName   `json:"CurrentMetrics"`
	}
	iid, err := h.decodeMetricRequest(c, &in)
	if err != nil {
		return nil, err
	}
	if in.Filters == nil {
		return nil, required("Filters")
	}
	if len(in.CurrentMetrics) == 0 {
		return nil, required("CurrentMetrics")
	}
	gs, contacts, err := h.metricInput(c, iid, in.Filters, in.Groupings)
	if err != nil {
		return nil, err
	}
	agents, err := h.agentStates(c, iid)
	if err != nil {
		return nil, err
	}
	now := h.now()
	results := []any{}
	for _, g := range gs {
		var inQueue, onContact, scheduled, slots int64
		var oldest time.Duration
		busy := map[string]bool{}
		for _, d := range contacts {
			if d.State == stateEnded || !in.Filters.matches(d, g) {
				continue
			}
			switch d.State {
			case stateQueued:
				inQueue++
				oldest = max(oldest, now.Sub(d.Initiated))
			case stateCallback:
				scheduled++
			case stateConnected:
				if d.AgentId != "" {
					busy[d.AgentId] = true
					slots++
				}
			}
		}
		onContact = int64(len(busy))
		var online, available int64
		for _, a := range agents {
			if a.Online {
				online++
				if a.Available && !busy[a.UserId] {
					available++
				}
			}
		}
		var coll []any
		for _, m := range in.CurrentMetrics {
			var v float64
			unit := "COUNT"
			switch m.Name {
			case "CONTACTS_IN_QUEUE":
				v = float64(inQueue)
			case "AGENTS_ONLINE", "AGENTS_STAFFED":
				v = float64(online)
			case "AGENTS_AVAILABLE":
				v = float64(available)
			case "AGENTS_ON_CONTACT", "AGENTS_ON_CALL":
				v = float64(onContact)
			case "SLOTS_ACTIVE":
				v = float64(slots)
			case "SLOTS_AVAILABLE":
				v = float64(available)
			case "CONTACTS_SCHEDULED":
				v = float64(scheduled)
			case "OLDEST_CONTACT_AGE":
				v, unit = float64(oldest.Milliseconds())/1000, "SECONDS"
			case "AGENTS_AFTER_CONTACT_WORK", "AGENTS_ERROR", "AGENTS_NON_PRODUCTIVE":
			default:
				return nil, newError(errInvalidParameter, "CurrentMetrics: unknown metric %q", clip(m.Name))
			}
			coll = append(coll, map[string]any{"Metric": map[string]string{"Name": m.Name, "Unit": unit}, "Value": v})
		}
		results = append(results, map[string]any{"Dimensions": h.dimensions(c, iid, g), "Collections": coll})
	}
	return map[string]any{"MetricResults": results, "DataSnapshotTime": epoch(now), "ApproximateTotalCount": len(results)}, nil
}

// getMetricData returns historical metrics over [StartTime, EndTime) from
// the contact records.
func getMetricData(h *Handler, c *call) (any, error) {
	var in struct {
		StartTime         *float64       `json:"StartTime"`
		EndTime           *float64       `json:"EndTime"`
		Filters           *metricFilters `json:"Filters"`
		Groupings         []string       `json:"Groupings"`
		HistoricalMetrics []metricName   `json:"HistoricalMetrics"`
	}
	iid, err := h.decodeMetricRequest(c, &in)
	if err != nil {
		return nil, err
	}
	switch {
	case in.StartTime == nil:
		return nil, required("StartTime")
	case in.EndTime == nil:
		return nil, required("EndTime")
	case in.Filters == nil:
		return nil, required("Filters")
	case len(in.HistoricalMetrics) == 0:
		return nil, required("HistoricalMetrics")
	}
	start := time.UnixMilli(int64(*in.StartTime * 1000))
	end := time.UnixMilli(int64(*in.EndTime * 1000))
	if !end.After(start) || end.Sub(start) > 24*time.Hour {
		return nil, newError(errInvalidParameter, "EndTime must be after StartTime and at most 24 hours later")
	}
	gs, contacts, err := h.metricInput(c, iid, in.Filters, in.Groupings)
	if err != nil {
		return nil, err
	}
	results := []any{}
	for _, g := range gs {
		n := countHistorical(contacts, in.Filters, g, start, end)
		queued, handled, handledIn, handledOut, abandoned, transferred := n.queued, n.handled, n.handledIn, n.handledOut, n.abandoned, n.transferred
		var coll []any
		for _, m := range in.HistoricalMetrics {
			var v float64
			switch m.Name {
			case "CONTACTS_QUEUED":
				v = float64(queued)
			case "CONTACTS_HANDLED":
				v = float64(handled)
			case "CONTACTS_HANDLED_INCOMING":
				v = float64(handledIn)
			case "CONTACTS_HANDLED_OUTBOUND":
				v = float64(handledOut)
			case "CONTACTS_ABANDONED":
				v = float64(abandoned)
			case "CONTACTS_TRANSFERRED_OUT":
				v = float64(transferred)
			case "CONTACTS_MISSED", "CONTACTS_CONSULTED", "CONTACTS_AGENT_HUNG_UP_FIRST", "CONTACTS_HOLD_ABANDONS",
				"CONTACTS_TRANSFERRED_IN", "CONTACTS_TRANSFERRED_IN_FROM_QUEUE", "CONTACTS_TRANSFERRED_OUT_FROM_QUEUE",
				"CALLBACK_CONTACTS_HANDLED", "API_CONTACTS_HANDLED", "OCCUPANCY", "HANDLE_TIME", "QUEUE_ANSWER_TIME",
				"QUEUED_TIME", "SERVICE_LEVEL", "ABANDON_TIME", "AFTER_CONTACT_WORK_TIME", "HOLD_TIME", "INTERACTION_TIME",
				"INTERACTION_AND_HOLD_TIME", "CONTACTS_ANSWERED_IN_X", "CONTACTS_ABANDONED_IN_X", "CONTACTS_PUT_ON_HOLD",
				"CONTACTS_TRANSFERRED_IN_BY_AGENT", "CONTACTS_TRANSFERRED_OUT_BY_AGENT", "CONTACTS_MISSED_BY_AGENT":
			default:
				return nil, newError(errInvalidParameter, "HistoricalMetrics: unknown metric %q", clip(m.Name))
			}
			coll = append(coll, map[string]any{"Metric": m, "Value": v})
		}
		results = append(results, map[string]any{"Dimensions": h.dimensions(c, iid, g), "Collections": coll})
	}
	return map[string]any{"MetricResults": results}, nil
}

// historical counts the contacts of one result row over [start, end).
type historical struct {
	queued, handled, handledIn, handledOut, abandoned, transferred, created int64
}

func countHistorical(contacts []*contactData, f *metricFilters, g group, start, end time.Time) historical {
	within := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	var n historical
	for _, d := range contacts {
		if !f.matches(d, g) {
			continue
		}
		if within(d.Initiated) {
			n.created++
		}
		if within(d.Initiated) && d.QueueId != "" {
			n.queued++
		}
		if within(d.Disconnected) {
			switch {
			case d.AgentId != "":
				n.handled++
				if d.InitiationMethod == "OUTBOUND" {
					n.handledOut++
				} else {
					n.handledIn++
				}
			case d.QueueId != "":
				n.abandoned++
			}
		}
		if within(d.Initiated) && d.InitiationMethod == "TRANSFER" {
			n.transferred++
		}
	}
	return n
}
