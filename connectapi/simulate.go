package connectapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
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

// kindBreaches keeps an instance's breach counters, as CloudWatch's Sum
// metrics of the same names.
var kindBreaches = &kind{name: "connect:breaches", label: "Breach counters"}

// Breaches are an instance's counts of refused contacts.
type Breaches struct {
	CallsBreachingConcurrencyQuota int64
	ChatsBreachingActiveChatQuota  int64
	TasksBreachingConcurrencyQuota int64
	// ThrottledCalls counts StartOutboundVoiceContact calls refused for
	// the API rate.
	ThrottledCalls int64
}

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

// MountSimulate mounts the simulated traffic endpoints on the native
// server.
func (h *Handler) MountSimulate(s *httpapi.Server) {
	handle := func(pattern string, fn func(c *call) (any, error)) {
		s.HandleForAccount(pattern, func(w http.ResponseWriter, r *http.Request) {
			c := &call{ctx: r.Context(), account: r.PathValue("account"), keyID: httpapi.Actor(r), r: r}
			body, err := readAll(r, h.maxBody)
			if err == nil {
				c.body = body
				var out any
				if out, err = fn(c); err == nil {
					httpapi.WriteJSON(w, http.StatusOK, out)
					return
				}
			}
			s.WriteError(w, r, toNative(err))
		})
	}
	handle("POST "+SimulatePrefix+"/inbound-calls", h.simInboundCall)
	handle("PUT "+SimulatePrefix+"/agents/{user}", h.simAgentState)
	handle("POST "+SimulatePrefix+"/contacts/{contact}/accept", h.simAccept)
	handle("POST "+SimulatePrefix+"/contacts/{contact}/end", h.simEnd)
	handle("GET "+SimulatePrefix+"/metrics", h.simMetrics)
}

func readAll(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, headroom.Errorf(headroom.EINVALID, "request body could not be read: %v", err)
	}
	if int64(len(b)) > limit {
		return nil, headroom.Errorf(headroom.EINVALID, "request body is over the limit of %d bytes", limit)
	}
	return b, nil
}

// toNative converts a Connect wire error to the engine's error codes, for
// the native API.
func toNative(err error) error {
	var e *apiError
	if !errors.As(err, &e) {
		return err
	}
	code := headroom.EINVALID
	switch e.name {
	case errNotFound:
		code = headroom.ENOTFOUND
	case errDuplicate, errConflict, errInUse:
		code = headroom.ECONFLICT
	case errLimitExceeded, errServiceQuota:
		code = headroom.EQUOTAEXCEEDED
	case errThrottling:
		code = headroom.ETHROTTLED
	case errInternal:
		code = headroom.EINTERNAL
	}
	return &headroom.Error{Code: code, Message: e.message}
}

// channelThrottled is countBreach's channel for a call refused for the
// API rate.
const channelThrottled = "THROTTLED"

// countBreach adds one to an instance's breach counter for a channel.
func (h *Handler) countBreach(ctx context.Context, account, iid, channel string) {
	h.breachMu.Lock()
	defer h.breachMu.Unlock()
	var b Breaches
	r, err := h.store.FindResource(ctx, account, kindBreaches.name, iid)
	exists := err == nil
	if exists {
		json.Unmarshal(r.Data, &b)
	}
	switch channel {
	case "VOICE":
		b.CallsBreachingConcurrencyQuota++
	case "CHAT":
		b.ChatsBreachingActiveChatQuota++
	case channelThrottled:
		b.ThrottledCalls++
	default:
		b.TasksBreachingConcurrencyQuota++
	}
	data, _ := json.Marshal(b)
	now := h.now()
	if exists {
		r.Data, r.Updated = data, now
		_, err = h.store.UpdateResource(ctx, r, nil, nil)
	} else {
		_, err = h.store.CreateResource(ctx, headroom.Resource{Account: account, Kind: kindBreaches.name, ID: iid, Parent: iid, Data: data, Created: now, Updated: now},
			nil, headroom.AuditEntry{Time: now, Actor: "connect", Account: account, Action: "connect.breach", Detail: "breach counters of instance " + iid})
	}
	if err != nil {
		h.log.Error("counting a breach", "instance", iid, "err", err)
	}
}

// simInboundCall: a call arrives. Over the concurrent calls quota it gets
// a fast busy (REORDER_TONE) and CallsBreachingConcurrencyQuota counts it;
// a callback is queued and takes no slot until offered to an agent.
func (h *Handler) simInboundCall(c *call) (any, error) {
	var in InboundCall
	if err := decode(c.body, &in, errInvalidParameter); err != nil {
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
	if err := h.startContact(c, d, callTTL); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED {
			return InboundCallResult{Outcome: OutcomeReorderTone, Message: headroom.ErrorMessage(err)}, nil
		}
		return nil, err
	}
	return InboundCallResult{ContactID: d.Id, Outcome: outcome}, nil
}

func (h *Handler) simAgentState(c *call) (any, error) {
	var in AgentState
	if err := decode(c.body, &in, errInvalidParameter); err != nil {
		return nil, err
	}
	iid, uid := c.r.PathValue("instance"), c.r.PathValue("user")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindUser, iid, uid, nil); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st := agentState{UserId: uid, Online: in.Online, Available: in.Online && in.Available}
	data, _ := json.Marshal(st)
	id := iid + "|" + uid
	now := h.now()
	r, err := h.store.FindResource(c.ctx, c.account, kindAgentState.name, id)
	switch {
	case err == nil:
		r.Data, r.Updated = data, now
		_, err = h.store.UpdateResource(c.ctx, r, nil, nil)
	case headroom.ErrorCodeOf(err) == headroom.ENOTFOUND:
		_, err = h.store.CreateResource(c.ctx, headroom.Resource{Account: c.account, Kind: kindAgentState.name, ID: id, Parent: iid, Data: data, Created: now, Updated: now},
			nil, h.audit(c, "SimulateAgentState", "", "", "agent "+uid+" state set"))
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

// simAccept: an agent accepts a contact. A callback is counted against
// concurrent calls now; a chat takes one of the agent's 5 chat slots.
func (h *Handler) simAccept(c *call) (any, error) {
	var in Accept
	if err := decode(c.body, &in, errInvalidParameter); err != nil {
		return nil, err
	}
	if in.AgentID == "" {
		return nil, required(errInvalidParameter, "agent_id")
	}
	iid := c.r.PathValue("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindUser, iid, in.AgentID, nil); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, r, err := h.contact(c, iid, c.r.PathValue("contact"))
	if err != nil {
		return nil, err
	}
	now := h.now()
	if d.ended(now) {
		return nil, newError(errInvalidRequest, "Contact %s has ended", d.Id)
	}
	if d.State == stateConnected {
		return nil, newError(errInvalidRequest, "Contact %s is already connected to agent %s", d.Id, d.AgentId)
	}
	switch {
	case d.State == stateCallback:
		if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpAcquire, Account: c.account, Code: headroom.CodeConcurrentCalls,
			Scope: instanceScope(iid), LeaseID: d.Id, TTL: d.Expires.Sub(now)}); err != nil {
			if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED {
				h.countBreach(c.ctx, c.account, iid, "VOICE")
			}
			return nil, err
		}
	case d.Channel == "CHAT":
		if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpAcquire, Account: c.account, Code: headroom.CodeChatsPerAgent,
			Scope: instanceScope(iid) + "/agent/" + in.AgentID, LeaseID: d.Id, TTL: d.Expires.Sub(now)}); err != nil {
			return nil, err
		}
	}
	d.State, d.AgentId = stateConnected, in.AgentID
	if err := h.save(c, r, d); err != nil {
		return nil, err
	}
	return map[string]string{"contact_id": d.Id, "state": d.State, "agent_id": d.AgentId}, nil
}

// simEnd: a contact ends, freeing its slots.
func (h *Handler) simEnd(c *call) (any, error) {
	iid := c.r.PathValue("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, r, err := h.contact(c, iid, c.r.PathValue("contact"))
	if err != nil {
		return nil, err
	}
	if d.ended(h.now()) {
		return nil, newError(errInvalidRequest, "Contact %s has already ended", d.Id)
	}
	if err := h.endContact(c, r, d); err != nil {
		return nil, err
	}
	return map[string]string{"contact_id": d.Id, "state": d.State}, nil
}

// endContact frees a live contact's slots and records its end.
func (h *Handler) endContact(c *call, r headroom.Resource, d *contactData) error {
	h.releaseSlot(c, d)
	if d.Channel == "CHAT" && d.AgentId != "" {
		h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpReleaseLease, Account: c.account, Code: headroom.CodeChatsPerAgent,
			Scope: instanceScope(d.InstanceId) + "/agent/" + d.AgentId, LeaseID: d.Id})
	}
	d.State, d.Disconnected = stateEnded, h.now()
	return h.save(c, r, d)
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
	var b Breaches
	if r, err := h.store.FindResource(ctx, account, kindBreaches.name, iid); err == nil {
		json.Unmarshal(r.Data, &b)
	}
	m.CallsBreachingConcurrencyQuota, m.ChatsBreachingActiveChatQuota, m.TasksBreachingConcurrencyQuota, m.ThrottledCalls =
		b.CallsBreachingConcurrencyQuota, b.ChatsBreachingActiveChatQuota, b.TasksBreachingConcurrencyQuota, b.ThrottledCalls
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
