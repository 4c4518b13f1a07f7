package connectapi

import (
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/chattoken"
	"github.com/headroomhq/headroom/internal/ids"
)

// kindContact is a contact record. Contacts hold no count slot: their
// concurrency slots are engine leases named by the contact id.
var kindContact = &kind{name: "connect:contact", arnSeg: "contact", label: "Contact"}

// Lease lifetimes. A chat lives at most 25 hours including wait and a task
// 7 days (the seed's durations, read from the catalog); a call has no
// seeded maximum, so its lease lasts callTTL unless it ends first.
const (
	callTTL     = 24 * time.Hour
	listenerTTL = callTTL
)

// Contact states.
const (
	stateQueued    = "QUEUED"
	stateConnected = "CONNECTED"
	stateCallback  = "CALLBACK_WAITING"
	stateEnded     = "ENDED"
)

// contactData is a contact record as stored.
type contactData struct {
	Id                string            `json:"Id"`
	Arn               string            `json:"Arn"`
	InstanceId        string            `json:"InstanceId"`
	InitialContactId  string            `json:"InitialContactId,omitempty"`
	PreviousContactId string            `json:"PreviousContactId,omitempty"`
	RelatedContactId  string            `json:"RelatedContactId,omitempty"`
	Channel           string            `json:"Channel"`
	InitiationMethod  string            `json:"InitiationMethod"`
	Name              string            `json:"Name,omitempty"`
	Description       string            `json:"Description,omitempty"`
	QueueId           string            `json:"QueueId,omitempty"`
	AgentId           string            `json:"AgentId,omitempty"`
	State             string            `json:"State"`
	Attributes        map[string]string `json:"Attributes,omitempty"`
	Initiated         time.Time         `json:"Initiated"`
	Disconnected      time.Time         `json:"Disconnected,omitzero"`
	// Expires is when the contact's slot lease runs out: the chat's or
	// task's maximum duration, or callTTL.
	Expires time.Time `json:"Expires"`
}

// slotCode is the concurrency quota a contact's channel holds a lease of.
func slotCode(channel string) string {
	switch channel {
	case "CHAT":
		return headroom.CodeConcurrentChats
	case "TASK":
		return headroom.CodeActiveTasks
	}
	return headroom.CodeConcurrentCalls
}

// ended reports whether a contact is over, and settles one whose lifetime
// ran out (a chat at 25 hours, a task at 7 days) as disconnected then.
func (d *contactData) ended(now time.Time) bool {
	if d.State == stateEnded {
		return true
	}
	if !d.Expires.IsZero() && !now.Before(d.Expires) {
		d.State, d.Disconnected = stateEnded, d.Expires
		return true
	}
	return false
}

// ended is the EPRECONDITION error of an operation on a contact that is
// over; already says it was asked to end again.
func ended(d *contactData, already bool) error {
	if already {
		return headroom.Errorf(headroom.EPRECONDITION, "Contact %s has already ended", d.Id)
	}
	return headroom.Errorf(headroom.EPRECONDITION, "Contact %s has ended", d.Id)
}

// lease is a contact's concurrency slot: the instance's calls, chats or
// tasks, named by the contact.
func lease(d *contactData) headroom.Lease {
	return headroom.Lease{Code: slotCode(d.Channel), Scope: instanceScope(d.InstanceId), ID: d.Id}
}

// agentLease is the slot a chat takes of its agent's active chats.
func agentLease(d *contactData, agent string) headroom.Lease {
	return headroom.AgentChatLease(d.InstanceId, d.Id, agent)
}

// startContact stores a contact's record with its slot and the request's
// ClientToken, all in one store transaction: a refused slot stores nothing
// and is counted as a breach. A contact in stateCallback takes no slot
// (the seed's callback rule). On a replayed token it creates nothing and
// returns the id of the contact the first request started.
func (h *Handler) startContact(c *call, op string, d *contactData, ttl time.Duration, tok headroom.ResourceToken) (string, error) {
	now := h.now()
	if d.Id == "" {
		d.Id = ids.New()
	}
	d.Arn = h.arn(c.account, "instance/"+d.InstanceId+"/contact/"+d.Id)
	if d.InitialContactId == "" {
		d.InitialContactId = d.Id
	}
	d.Initiated, d.Expires = now, now.Add(ttl)
	r, err := h.newResource(c, kindContact, d.InstanceId, d.Id, "", d)
	if err != nil {
		return "", err
	}
	l := lease(d)
	l.TTL = ttl
	if d.State == stateCallback {
		l.State = headroom.StateCallbackWaiting
	}
	res, err := h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: r, Lease: &l, Token: tok,
		Note: note(c, op, "Contact "+d.Id+" created")})
	switch headroom.ErrorCodeOf(err) {
	case "":
		return res.ID, nil
	case headroom.EQUOTAEXCEEDED:
		h.countBreach(c.ctx, c.account, d.InstanceId, d.Channel)
	case headroom.ENOTFOUND:
		// The instance went while the contact was started.
		return "", notFound(kindInstance, d.InstanceId)
	}
	return "", err
}

// contact returns a contact of an instance; ENOTFOUND if there is none or
// if its record is past its retention (24 months from initiation), which
// is then purged.
func (h *Handler) contact(c *call, iid, id string) (*contactData, error) {
	var d contactData
	if id == "" {
		return nil, required("ContactId")
	}
	if _, err := h.find(c, kindContact, iid, id, &d); err != nil {
		return nil, err
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: headroom.CodeCTRRetention, Start: d.Initiated}); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED || headroom.ErrorCodeOf(err) == headroom.EINVALID {
			h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindContact.name, ID: id,
				Note: note(c, "PurgeContact", "Contact "+id+" purged after its retention")})
			return nil, headroom.Errorf(headroom.ENOTFOUND, "Contact not found: %s (contact records are kept 24 months from initiation: %s)", clip(id), headroom.ErrorMessage(err))
		}
		return nil, err
	}
	return &d, nil
}

// changeContact checks a live contact and changes its record with change,
// with the slots change returns, in one compare-and-swap, retried on a concurrent change: of several
// concurrent changes each sees the state the previous one left, so that,
// say, only one of many stops ends a contact. change runs on a contact
// that has not ended (ended's error otherwise, with already) and may run
// several times; it must have no other effect. It returns the contact as
// stored.
func (h *Handler) changeContact(c *call, iid, id string, already bool, change func(d *contactData) (headroom.Slots, error)) (*contactData, error) {
	if _, err := h.contact(c, iid, id); err != nil {
		return nil, err
	}
	now := h.now()
	return updateSlots(h, c, kindContact, iid, id, func(d *contactData) (headroom.Slots, error) {
		if d.ended(now) {
			return headroom.Slots{}, ended(d, already)
		}
		return change(d)
	})
}

type startOutboundInput struct {
	InstanceId             string            `json:"InstanceId"`
	ContactFlowId          string            `json:"ContactFlowId"`
	DestinationPhoneNumber string            `json:"DestinationPhoneNumber"`
	QueueId                string            `json:"QueueId"`
	SourcePhoneNumber      string            `json:"SourcePhoneNumber"`
	RelatedContactId       string            `json:"RelatedContactId"`
	Name                   string            `json:"Name"`
	Description            string            `json:"Description"`
	Attributes             map[string]string `json:"Attributes"`
	ClientToken            string            `json:"ClientToken"`
}

// startOutboundVoiceContact places a call: the destination must be on the
// instance's country allow-list (no UK mobile +447 by default), and the call
// takes a concurrent-calls slot.
func startOutboundVoiceContact(h *Handler, c *call) (any, error) {
	var in startOutboundInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required("InstanceId")
	case in.ContactFlowId == "":
		return nil, required("ContactFlowId")
	case in.DestinationPhoneNumber == "":
		return nil, required("DestinationPhoneNumber")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindContactFlow, in.InstanceId, in.ContactFlowId, nil); err != nil {
		return nil, err
	}
	if err := h.checkAttributes(c, in.Attributes); err != nil {
		return nil, err
	}
	if _, err := h.engine.CheckDestination(c.ctx, c.account, in.InstanceId, in.DestinationPhoneNumber); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EINVALID {
			return nil, newError(errInvalidParameter, "DestinationPhoneNumber: %s", headroom.ErrorMessage(err))
		}
		return nil, err
	}
	tok, err := h.clientToken(c, "StartOutboundVoiceContact", in.ClientToken)
	if err != nil {
		return nil, err
	}
	d := &contactData{InstanceId: in.InstanceId, Channel: "VOICE", InitiationMethod: "OUTBOUND", QueueId: in.QueueId,
		RelatedContactId: in.RelatedContactId, Name: in.Name, Description: in.Description, State: stateConnected, Attributes: in.Attributes}
	id, err := h.startContact(c, "StartOutboundVoiceContact", d, callTTL, tok)
	if err != nil {
		return nil, tokenReused(err, "StartOutboundVoiceContact", in.ClientToken)
	}
	return contactOut(id), nil
}

func contactOut(id string) any { return map[string]string{"ContactId": id} }

// startChatContact starts a chat: it takes a concurrent-chats slot (waiting
// chats count) for its whole duration, at most 25 hours including wait.
func startChatContact(h *Handler, c *call) (any, error) {
	var in struct {
		InstanceId         string `json:"InstanceId"`
		ContactFlowId      string `json:"ContactFlowId"`
		ParticipantDetails *struct {
			DisplayName string `json:"DisplayName"`
		} `json:"ParticipantDetails"`
		Attributes            map[string]string `json:"Attributes"`
		ChatDurationInMinutes *int64            `json:"ChatDurationInMinutes"`
		RelatedContactId      string            `json:"RelatedContactId"`
		ClientToken           string            `json:"ClientToken"`
		InitialMessage        *struct {
			ContentType string `json:"ContentType"`
			Content     string `json:"Content"`
		} `json:"InitialMessage"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required("InstanceId")
	case in.ContactFlowId == "":
		return nil, required("ContactFlowId")
	case in.ParticipantDetails == nil || in.ParticipantDetails.DisplayName == "":
		return nil, required("ParticipantDetails.DisplayName")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindContactFlow, in.InstanceId, in.ContactFlowId, nil); err != nil {
		return nil, err
	}
	if err := h.checkAttributes(c, in.Attributes); err != nil {
		return nil, err
	}
	dur, err := h.maxDuration(c, headroom.CodeChatDuration)
	if err != nil {
		return nil, err
	}
	if in.ChatDurationInMinutes != nil {
		asked := time.Duration(*in.ChatDurationInMinutes) * time.Minute
		if *in.ChatDurationInMinutes < 60 {
			return nil, newError(errInvalidParameter, "ChatDurationInMinutes must be at least 60, got %d", *in.ChatDurationInMinutes)
		}
		if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: headroom.CodeChatDuration, Duration: asked}); err != nil {
			return nil, newError(errInvalidParameter, "ChatDurationInMinutes: %s", headroom.ErrorMessage(err))
		}
		dur = asked
	}
	if in.InitialMessage != nil {
		if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: headroom.CodeChatMessageChars, Text: in.InitialMessage.Content}); err != nil {
			return nil, newError(errInvalidParameter, "InitialMessage.Content: %s", headroom.ErrorMessage(err))
		}
	}
	// A chat's participant is named after it, so that a retry that finds
	// the chat answers the same participant.
	// Its ParticipantToken is signed with the paging key for this chat and
	// participant: the Participant API (participantapi) verifies it.
	chatOut := func(id string) any {
		pid := ids.Derived(id, "participant")
		tok := chattoken.Mint(h.cursors, chattoken.Participant, chattoken.Claims{Account: c.account, InstanceID: in.InstanceId,
			ContactID: id, ParticipantID: pid, DisplayName: in.ParticipantDetails.DisplayName})
		return map[string]string{"ContactId": id, "ParticipantId": pid, "ParticipantToken": tok}
	}
	tok, err := h.clientToken(c, "StartChatContact", in.ClientToken)
	if err != nil {
		return nil, err
	}
	d := &contactData{InstanceId: in.InstanceId, Channel: "CHAT", InitiationMethod: "API", State: stateQueued,
		RelatedContactId: in.RelatedContactId, Attributes: in.Attributes}
	id, err := h.startContact(c, "StartChatContact", d, dur, tok)
	if err != nil {
		return nil, tokenReused(err, "StartChatContact", in.ClientToken)
	}
	return chatOut(id), nil
}

// maxDuration reads a duration quota's applied value.
func (h *Handler) maxDuration(c *call, code string) (time.Duration, error) {
	q, err := h.engine.Catalog().Quota(code)
	if err != nil {
		return 0, err
	}
	a, err := h.engine.Applied(c.ctx, c.account, code, "")
	if err != nil {
		return 0, err
	}
	now := h.now()
	return q.Unit.AddTo(now, a.Value).Sub(now), nil
}

// startTaskContact starts a task: it takes an active-tasks slot for at most
// 7 days, and a task linked to a contact (PreviousContactId or
// RelatedContactId) counts against that contact's 11 linked tasks.
func startTaskContact(h *Handler, c *call) (any, error) {
	var in struct {
		InstanceId        string            `json:"InstanceId"`
		ContactFlowId     string            `json:"ContactFlowId"`
		Name              string            `json:"Name"`
		Description       string            `json:"Description"`
		PreviousContactId string            `json:"PreviousContactId"`
		RelatedContactId  string            `json:"RelatedContactId"`
		QuickConnectId    string            `json:"QuickConnectId"`
		TaskTemplateId    string            `json:"TaskTemplateId"`
		Attributes        map[string]string `json:"Attributes"`
		ClientToken       string            `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required("InstanceId")
	case in.Name == "":
		return nil, required("Name")
	case len(in.Name) > 512:
		return nil, newError(errInvalidParameter, "Name must be at most 512 characters")
	case in.ContactFlowId == "" && in.QuickConnectId == "" && in.TaskTemplateId == "":
		return nil, newError(errInvalidParameter, "one of ContactFlowId, QuickConnectId or TaskTemplateId is required")
	case in.PreviousContactId != "" && in.RelatedContactId != "":
		return nil, newError(errInvalidParameter, "give PreviousContactId or RelatedContactId, not both")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if in.ContactFlowId != "" {
		if _, err := h.find(c, kindContactFlow, in.InstanceId, in.ContactFlowId, nil); err != nil {
			return nil, err
		}
	}
	if in.QuickConnectId != "" {
		if _, err := h.find(c, kindQuickConnect, in.InstanceId, in.QuickConnectId, nil); err != nil {
			return nil, err
		}
	}
	if err := h.checkAttributes(c, in.Attributes); err != nil {
		return nil, err
	}
	linked := in.PreviousContactId + in.RelatedContactId
	var first *contactData
	if linked != "" {
		var err error
		if first, err = h.contact(c, in.InstanceId, linked); err != nil {
			return nil, err
		}
	}
	dur, err := h.maxDuration(c, headroom.CodeTaskDuration)
	if err != nil {
		return nil, err
	}
	tok, err := h.clientToken(c, "StartTaskContact", in.ClientToken)
	if err != nil {
		return nil, err
	}
	d := &contactData{InstanceId: in.InstanceId, Channel: "TASK", InitiationMethod: "API", State: stateQueued, Name: in.Name,
		Description: in.Description, PreviousContactId: in.PreviousContactId, RelatedContactId: in.RelatedContactId, Attributes: in.Attributes}
	if in.PreviousContactId != "" {
		d.InitialContactId = first.InitialContactId
	}
	id, err := h.startContact(c, "StartTaskContact", d, dur, tok)
	if err != nil {
		return nil, tokenReused(err, "StartTaskContact", in.ClientToken)
	}
	if linked != "" && id == d.Id {
		// A cumulative count never goes back down, so the task is started
		// first and undone if the link is refused. A replayed token
		// counted its link the first time.
		if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpIncrement, Account: c.account, Code: headroom.CodeLinkedTasks,
			Scope: "contact/" + linked, Amount: 1}); err != nil {
			h.undoContact(c, d)
			return nil, err
		}
	}
	return contactOut(id), nil
}

// undoContact removes a contact just started, with its ClientToken and
// its slot, in one store transaction.
func (h *Handler) undoContact(c *call, d *contactData) {
	if err := h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindContact.name, ID: d.Id,
		Release: []headroom.Lease{lease(d)}, Note: note(c, "UndoContact", "Contact "+d.Id+" removed: its link was refused")}); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		h.log.Error("removing a contact whose link was refused", "contact", d.Id, "err", err)
	}
}
