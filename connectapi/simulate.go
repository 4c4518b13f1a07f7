package connectapi

import (
	"context"
	"net/http"

	"github.com/headroomhq/headroom"
)

// Traffic the public API cannot create, for local testing: inbound calls,
// agents going online, accepting and ending contacts. These are native
// endpoints under /v1/simulate/, authenticated with the operator's or a
// service token, and the `headroom simulate` commands call them.

// Outcomes of a simulated inbound call.
const (
	OutcomeQueued         = "QUEUED"
	OutcomeCallbackQueued = "CALLBACK_QUEUED"
	// OutcomeReorderTone is the fast busy a call gets over the concurrent
	// calls quota.
	OutcomeReorderTone = "REORDER_TONE"
)

// InstanceMetrics is what GET /v1/simulate/{account}/instances/{instance}/metrics
// returns: Connect's CloudWatch quota metrics for the instance. The
// percentages are fractions of the quota, so quota = value / percentage.
type InstanceMetrics struct {
	ConcurrentCalls                 int64   `json:"ConcurrentCalls"`
	ConcurrentCallsPercentage       float64 `json:"ConcurrentCallsPercentage"`
	CallsBreachingConcurrencyQuota  int64   `json:"CallsBreachingConcurrencyQuota"`
	ConcurrentActiveChats           int64   `json:"ConcurrentActiveChats"`
	ConcurrentActiveChatsPercentage float64 `json:"ConcurrentActiveChatsPercentage"`
	ChatsBreachingActiveChatQuota   int64   `json:"ChatsBreachingActiveChatQuota"`
	ConcurrentTasks                 int64   `json:"ConcurrentTasks"`
	ConcurrentTasksPercentage       float64 `json:"ConcurrentTasksPercentage"`
	TasksBreachingConcurrencyQuota  int64   `json:"TasksBreachingConcurrencyQuota"`
	ThrottledCalls                  int64   `json:"ThrottledCalls"`
}

// InboundCall is the body of a simulated inbound call.
type InboundCall struct {
	// QueueID is the queue the call waits in; optional.
	QueueID string `json:"queue_id,omitempty"`
	// Callback queues a callback, which takes no concurrent-calls slot
	// until it is offered to an agent.
	Callback bool `json:"callback,omitempty"`
}

// InboundCallResult is the answer to a simulated inbound call.
type InboundCallResult struct {
	ContactID string `json:"contact_id,omitempty"`
	Outcome   string `json:"outcome"`
	Message   string `json:"message,omitempty"`
}

// AgentState sets an agent online or offline, available or not.
type AgentState struct {
	Online    bool `json:"online"`
	Available bool `json:"available"`
}

// Accept is the body of an agent accepting a contact.
type Accept struct {
	AgentID string `json:"agent_id"`
}

// SimulatePrefix starts every simulate endpoint.
const SimulatePrefix = "/v1/simulate/{account}/instances/{instance}"

// SimulateRoute is one native endpoint of simulated traffic.
type SimulateRoute struct {
	// Pattern is the method and path, with {account}, such as
	// "POST /v1/simulate/{account}/instances/{instance}/inbound-calls".
	Pattern string
	// Serve answers a request of account, made by actor, with its body:
	// a value to write as JSON, or a domain error (*headroom.Error). The
	// caller, the native API, authenticates the account and reads the
	// body first.
	Serve func(ctx context.Context, account, actor string, r *http.Request, body []byte) (any, error)
}

// SimulateRoutes returns the simulated traffic endpoints, for the native
// API to mount.
func (h *Handler) SimulateRoutes() []SimulateRoute {
	route := func(pattern, op string, fn func(c *call) (any, error)) SimulateRoute {
		return SimulateRoute{Pattern: pattern, Serve: func(ctx context.Context, account, actor string, r *http.Request, body []byte) (any, error) {
			// Simulated traffic is Connect traffic: the engine's AISPL
			// rule refuses it as it refuses the Connect API.
			if err := h.engine.CheckAvailable(ctx, account, headroom.CodeConcurrentCalls); err != nil {
				return nil, err
			}
			return fn(&call{ctx: ctx, op: op, account: account, keyID: actor, r: r, body: body})
		}}
	}
	return append([]SimulateRoute{
		route("POST "+SimulatePrefix+"/inbound-calls", "SimulateInboundCall", h.simInboundCall),
		route("PUT "+SimulatePrefix+"/agents/{user}", "SimulateAgentState", h.simAgentState),
		route("POST "+SimulatePrefix+"/contacts/{contact}/accept", "SimulateAccept", h.simAccept),
		route("POST "+SimulatePrefix+"/contacts/{contact}/end", "SimulateEnd", h.simEnd),
		route("GET "+SimulatePrefix+"/metrics", "SimulateMetrics", h.simMetrics),
	}, h.reportRoutes(route)...)
}

// channelThrottled is countBreach's channel for a call refused for the
// API rate.
const channelThrottled = "THROTTLED"

// breachKey is the plain counter of an instance's breach metric, such as
// CallsBreachingConcurrencyQuota: one atomic counter per metric, in the
// instance's scope so that deleting the instance removes it.
func breachKey(account, iid, metric string) headroom.UsageKey {
	return headroom.UsageKey{Account: account, Code: "connect:" + metric, Scope: instanceScope(iid)}
}

// breachMetric is the metric a refused contact of a channel counts in.
func breachMetric(channel string) string {
	switch channel {
	case "VOICE":
		return "CallsBreachingConcurrencyQuota"
	case "CHAT":
		return "ChatsBreachingActiveChatQuota"
	case channelThrottled:
		return "ThrottledCalls"
	}
	return "TasksBreachingConcurrencyQuota"
}

// countBreach adds one to an instance's breach counter for a channel.
func (h *Handler) countBreach(ctx context.Context, account, iid, channel string) {
	if _, err := h.engine.AddCounter(ctx, breachKey(account, iid, breachMetric(channel)), 1); err != nil {
		h.log.Error("counting a breach", "instance", iid, "err", err)
	}
}

// simInboundCall: a call arrives. Over the concurrent calls quota it gets
// a fast busy (REORDER_TONE) and CallsBreachingConcurrencyQuota counts it;
// a callback is queued and takes no slot until offered to an agent.
func (h *Handler) simInboundCall(c *call) (any, error) {
	var in InboundCall
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	iid := c.r.PathValue("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if in.QueueID != "" {
		if _, err := h.find(c, kindQueue, iid, in.QueueID, nil); err != nil {
			return nil, err
		}
	}
	d := &contactData{InstanceId: iid, Channel: "VOICE", InitiationMethod: "INBOUND", QueueId: in.QueueID, State: stateQueued}
	outcome := OutcomeQueued
	if in.Callback {
		d.InitiationMethod, d.State, outcome = "CALLBACK", stateCallback, OutcomeCallbackQueued
	}
	if _, err := h.startContact(c, "SimulateInboundCall", d, callTTL, headroom.ResourceToken{}); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED {
			return InboundCallResult{Outcome: OutcomeReorderTone, Message: headroom.ErrorMessage(err)}, nil
		}
		return nil, err
	}
	return InboundCallResult{ContactID: d.Id, Outcome: outcome}, nil
}

func (h *Handler) simAgentState(c *call) (any, error) {
	var in AgentState
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	iid, uid := c.r.PathValue("instance"), c.r.PathValue("user")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindUser, iid, uid, nil); err != nil {
		return nil, err
	}
	st := agentState{UserId: uid, Online: in.Online, Available: in.Online && in.Available}
	if err := h.putAgentState(c, iid, st); err != nil {
		return nil, err
	}
	return in, nil
}

// putAgentState creates or replaces an agent's state: a create, and
// when another request created it first, an update, until one of them
// holds (a delete in between makes the create the next try).
func (h *Handler) putAgentState(c *call, iid string, st agentState) error {
	id := iid + "|" + st.UserId
	for range maxUpsertTries {
		r, err := h.newResource(c, kindAgentState, iid, id, "", st)
		if err != nil {
			return err
		}
		_, err = h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: r, Note: note(c, "SimulateAgentState", "agent "+st.UserId+" state set")})
		if headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
			if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
				return notFound(kindInstance, iid)
			}
			return err
		}
		_, err = update(h, c, kindAgentState, iid, id, func(d *agentState) (*headroom.Slot, error) {
			*d = st
			return nil, nil
		})
		if headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			return err
		}
	}
	return headroom.Errorf(headroom.ESTALE, "the state of agent %s kept changing while it was set; try again", st.UserId)
}

// maxUpsertTries bounds putAgentState's create-or-update loop.
const maxUpsertTries = 16

// simAccept: an agent accepts a contact. A callback is offered only to an
// agent who is online and available, and is counted against concurrent
// calls from then on; a chat takes one of the agent's 5 chat slots.
func (h *Handler) simAccept(c *call) (any, error) {
	var in Accept
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.AgentID == "" {
		return nil, required("agent_id")
	}
	iid := c.r.PathValue("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindUser, iid, in.AgentID, nil); err != nil {
		return nil, err
	}
	id := c.r.PathValue("contact")
	d, err := h.contact(c, iid, id)
	if err != nil {
		return nil, err
	}
	now := h.now()
	if d.ended(now) {
		return nil, ended(d, false)
	}
	if err := connectable(d); err != nil {
		return nil, err
	}
	if d.State == stateCallback {
		if err := h.offerable(c, iid, in.AgentID, d.Id); err != nil {
			return nil, err
		}
	}
	// The contact is connected with the slot it now takes, in one
	// compare-and-swap: a callback is counted against concurrent calls from
	// now on, a chat against its agent's active chats.
	out, err := h.changeContact(c, iid, id, false, func(d *contactData) (headroom.Slots, error) {
		if err := connectable(d); err != nil {
			return headroom.Slots{}, err
		}
		var slots headroom.Slots
		switch {
		case d.State == stateCallback:
			l := lease(d)
			slots.Acquire = &l
		case d.Channel == "CHAT":
			l := agentLease(d, in.AgentID)
			slots.Acquire = &l
		}
		if slots.Acquire != nil {
			slots.Acquire.TTL = d.Expires.Sub(now)
		}
		d.State, d.AgentId = stateConnected, in.AgentID
		return slots, nil
	})
	if err != nil {
		if dn := headroom.ErrorDenial(err); dn != nil && dn.QuotaCode == headroom.CodeConcurrentCalls {
			h.countBreach(c.ctx, c.account, iid, "VOICE")
		}
		return nil, err
	}
	return map[string]string{"contact_id": out.Id, "state": out.State, "agent_id": out.AgentId}, nil
}

// offerable refuses to offer a waiting callback to an agent who is not
// online and available: the seed counts a callback against concurrent
// calls only once it is offered to an available agent, so until then it
// stays waiting and uncounted. An agent whose state was never set is
// offline. The state is read just before the contact changes, not in the
// same store operation, so an agent going offline at that moment may
// still take the callback, as a real agent might.
func (h *Handler) offerable(c *call, iid, agent, contact string) error {
	var st agentState
	_, err := h.find(c, kindAgentState, iid, iid+"|"+agent, &st)
	if err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		return err
	}
	if !st.Online || !st.Available {
		return headroom.Errorf(headroom.EPRECONDITION,
			"callback %s cannot be offered to agent %s, who is not online and available; it keeps waiting, uncounted against concurrent calls", contact, agent)
	}
	return nil
}

// connectable refuses to connect a contact connected already.
func connectable(d *contactData) error {
	if d.State == stateConnected {
		return headroom.Errorf(headroom.EPRECONDITION, "Contact %s is already connected to agent %s", d.Id, d.AgentId)
	}
	return nil
}

// simEnd: a contact ends, freeing its slots.
func (h *Handler) simEnd(c *call) (any, error) {
	iid := c.r.PathValue("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	d, err := h.endContact(c, iid, c.r.PathValue("contact"))
	if err != nil {
		return nil, err
	}
	return map[string]string{"contact_id": d.Id, "state": d.State}, nil
}

// endContact ends a live contact and frees its slots in one
// compare-and-swap: of concurrent ends, one ends it and the others are
// refused (EPRECONDITION).
func (h *Handler) endContact(c *call, iid, id string) (*contactData, error) {
	now := h.now()
	return h.changeContact(c, iid, id, true, func(d *contactData) (headroom.Slots, error) {
		slots := headroom.Slots{Release: []headroom.Lease{lease(d)}}
		if d.Channel == "CHAT" {
			slots.Release = headroom.ChatLeases(d.InstanceId, d.Id, d.AgentId)
		}
		d.State, d.Disconnected = stateEnded, now
		return slots, nil
	})
}

func (h *Handler) simMetrics(c *call) (any, error) {
	iid := c.r.PathValue("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	return h.Metrics(c.ctx, c.account, iid)
}

// Metrics returns an instance's CloudWatch quota metrics.
func (h *Handler) Metrics(ctx context.Context, account, iid string) (InstanceMetrics, error) {
	var m InstanceMetrics
	for _, b := range []struct {
		metric string
		n      *int64
	}{
		{"CallsBreachingConcurrencyQuota", &m.CallsBreachingConcurrencyQuota},
		{"ChatsBreachingActiveChatQuota", &m.ChatsBreachingActiveChatQuota},
		{"TasksBreachingConcurrencyQuota", &m.TasksBreachingConcurrencyQuota},
		{"ThrottledCalls", &m.ThrottledCalls},
	} {
		n, err := h.engine.Counter(ctx, breachKey(account, iid, b.metric))
		if err != nil {
			return m, err
		}
		*b.n = n
	}
	for _, q := range []struct {
		code string
		used *int64
		pct  *float64
	}{
		{headroom.CodeConcurrentCalls, &m.ConcurrentCalls, &m.ConcurrentCallsPercentage},
		{headroom.CodeConcurrentChats, &m.ConcurrentActiveChats, &m.ConcurrentActiveChatsPercentage},
		{headroom.CodeActiveTasks, &m.ConcurrentTasks, &m.ConcurrentTasksPercentage},
	} {
		used, err := h.engine.Usage(ctx, account, q.code, instanceScope(iid))
		if err != nil {
			return m, err
		}
		a, err := h.engine.Applied(ctx, account, q.code, instanceScope(iid))
		if err != nil {
			return m, err
		}
		*q.used = used
		if a.Value > 0 {
			*q.pct = float64(used) / a.Value
		}
	}
	return m, nil
}
