package connectapi

import (
	"encoding/json"
	"time"

	"github.com/headroomhq/headroom"
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

func (h *Handler) now() time.Time { return h.engine.Clock().Now() }

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

// startContact acquires the contact's slot and stores its record. state
// stateCallback takes no slot (the seed's callback rule).
func (h *Handler) startContact(c *call, d *contactData, ttl time.Duration) error {
	now := h.now()
	if d.Id == "" {
		d.Id = newID()
	}
	d.Arn = h.arn(c.account, "instance/"+d.InstanceId+"/contact/"+d.Id)
	if d.InitialContactId == "" {
		d.InitialContactId = d.Id
	}
	d.Initiated, d.Expires = now, now.Add(ttl)
	leaseState := ""
	if d.State == stateCallback {
		leaseState = headroom.StateCallbackWaiting
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpAcquire, Account: c.account, Code: slotCode(d.Channel),
		Scope: instanceScope(d.InstanceId), LeaseID: d.Id, TTL: ttl, State: leaseState}); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED {
			h.countBreach(c.ctx, c.account, d.InstanceId, d.Channel)
		}
		return err
	}
	if err := h.create(c, kindContact, "Start"+d.Channel+"Contact", d.InstanceId, d.Id, "", "", d); err != nil {
		h.releaseSlot(c, d)
		return err
	}
	return nil
}

// releaseSlot frees a contact's lease; a lease already gone is no error.
func (h *Handler) releaseSlot(c *call, d *contactData) {
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpReleaseLease, Account: c.account, Code: slotCode(d.Channel),
		Scope: instanceScope(d.InstanceId), LeaseID: d.Id}); err != nil {
		h.log.Error("releasing a contact's slot", "contact", d.Id, "err", err)
	}
}

// contact returns a contact of an instance, or ResourceNotFound; a record
// past its retention (24 months from initiation) is purged and gone.
func (h *Handler) contact(c *call, iid, id string) (*contactData, headroom.Resource, error) {
	var d contactData
	if id == "" {
		return nil, headroom.Resource{}, required(errInvalidParameter, "ContactId")
	}
	r, err := h.find(c, kindContact, iid, id, &d)
	if err != nil {
		return nil, r, err
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: headroom.CodeCTRRetention, Start: d.Initiated}); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED || headroom.ErrorCodeOf(err) == headroom.EINVALID {
			h.store.DeleteResource(c.ctx, c.account, kindContact.name, id, nil, h.audit(c, "PurgeContact", headroom.CodeCTRRetention, "", "Contact "+id+" purged after its retention"))
			return nil, r, newError(errNotFound, "Contact not found: %s (contact records are kept 24 months from initiation: %s)", clip(id), headroom.ErrorMessage(err))
		}
		return nil, r, err
	}
	return &d, r, nil
}

// save stores a contact's changed record.
func (h *Handler) save(c *call, r headroom.Resource, d *contactData) error {
	var err error
	if r.Data, err = json.Marshal(d); err != nil {
		return err
	}
	r.Updated = h.now()
	_, err = h.store.UpdateResource(c.ctx, r, nil, nil)
	return err
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
// account's country allow-list (no UK mobile +447 by default), and the call
// takes a concurrent-calls slot.
func startOutboundVoiceContact(h *Handler, c *call) (any, error) {
	var in startOutboundInput
	if err := decode(c.body, &in, errInvalidParameter); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required(errInvalidParameter, "InstanceId")
	case in.ContactFlowId == "":
		return nil, required(errInvalidParameter, "ContactFlowId")
	case in.DestinationPhoneNumber == "":
		return nil, required(errInvalidParameter, "DestinationPhoneNumber")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if err := h.checkAttributes(c, in.Attributes); err != nil {
		return nil, err
	}
	if _, err := h.engine.CheckDestination(c.ctx, c.account, in.DestinationPhoneNumber); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EINVALID {
			return nil, newError(errInvalidParameter, "DestinationPhoneNumber: %s", headroom.ErrorMessage(err))
		}
		return nil, err
	}
	return h.once(c, "StartOutboundVoiceContact", in.ClientToken, kindContact, in.InstanceId, func(id string) (any, error) {
		d := &contactData{Id: id, InstanceId: in.InstanceId, Channel: "VOICE", InitiationMethod: "OUTBOUND", QueueId: in.QueueId,
			RelatedContactId: in.RelatedContactId, Name: in.Name, Description: in.Description, State: stateConnected, Attributes: in.Attributes}
		if err := h.startContact(c, d, callTTL); err != nil {
			return nil, err
		}
		return contactOut(id), nil
	}, contactOut)
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
	if err := decode(c.body, &in, errInvalidParameter); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required(errInvalidParameter, "InstanceId")
	case in.ContactFlowId == "":
		return nil, required(errInvalidParameter, "ContactFlowId")
	case in.ParticipantDetails == nil || in.ParticipantDetails.DisplayName == "":
		return nil, required(errInvalidParameter, "ParticipantDetails.DisplayName")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
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
	chatOut := func(id string) any {
		return map[string]string{"ContactId": id, "ParticipantId": derivedID(id, "participant"), "ParticipantToken": derivedID(id, "participant-token")}
	}
	return h.once(c, "StartChatContact", in.ClientToken, kindContact, in.InstanceId, func(id string) (any, error) {
		d := &contactData{Id: id, InstanceId: in.InstanceId, Channel: "CHAT", InitiationMethod: "API", State: stateQueued,
			RelatedContactId: in.RelatedContactId, Attributes: in.Attributes}
		if err := h.startContact(c, d, dur); err != nil {
			return nil, err
		}
		return chatOut(id), nil
	}, chatOut)
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
	if err := decode(c.body, &in, errInvalidParameter); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required(errInvalidParameter, "InstanceId")
	case in.Name == "":
		return nil, required(errInvalidParameter, "Name")
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
	if err := h.checkAttributes(c, in.Attributes); err != nil {
		return nil, err
	}
	linked := in.PreviousContactId + in.RelatedContactId
	var first *contactData
	if linked != "" {
		var err error
		if first, _, err = h.contact(c, in.InstanceId, linked); err != nil {
			return nil, err
		}
	}
	dur, err := h.maxDuration(c, headroom.CodeTaskDuration)
	if err != nil {
		return nil, err
	}
	return h.once(c, "StartTaskContact", in.ClientToken, kindContact, in.InstanceId, func(id string) (any, error) {
		d := &contactData{Id: id, InstanceId: in.InstanceId, Channel: "TASK", InitiationMethod: "API", State: stateQueued, Name: in.Name,
			Description: in.Description, PreviousContactId: in.PreviousContactId, RelatedContactId: in.RelatedContactId, Attributes: in.Attributes}
		if in.PreviousContactId != "" {
			d.InitialContactId = first.InitialContactId
		}
		if err := h.startContact(c, d, dur); err != nil {
			return nil, err
		}
		if linked != "" {
			// A cumulative count never goes back down, so the task is
			// started first and undone if the link is refused.
			if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpIncrement, Account: c.account, Code: headroom.CodeLinkedTasks,
				Scope: "contact/" + linked, Amount: 1}); err != nil {
				h.undoContact(c, d)
				return nil, err
			}
		}
		return contactOut(id), nil
	}, contactOut)
}

// undoContact removes a contact just started, and frees its slot.
func (h *Handler) undoContact(c *call, d *contactData) {
	h.releaseSlot(c, d)
	if err := h.store.DeleteResource(c.ctx, c.account, kindContact.name, d.Id, nil, h.audit(c, "UndoContact", "", "", "Contact "+d.Id+" undone")); err != nil {
		h.log.Error("removing an undone contact", "contact", d.Id, "err", err)
	}
}
