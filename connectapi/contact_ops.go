package connectapi

// The operations on contacts that exist: stop, transfer, describe, update
// attributes and monitor. Starting contacts is in contacts.go.

import (
	"github.com/headroomhq/headroom"
)

// contactInput is the InstanceId and ContactId most contact operations
// take in their body.
type contactInput struct {
	InstanceId string `json:"InstanceId"`
	ContactId  string `json:"ContactId"`
}

func (in *contactInput) check() error {
	switch {
	case in.InstanceId == "":
		return required("InstanceId")
	case in.ContactId == "":
		return required("ContactId")
	}
	return nil
}

// stopContact ends a contact and frees its slot.
func stopContact(h *Handler, c *call) (any, error) {
	var in contactInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if _, err := h.endContact(c, in.InstanceId, in.ContactId); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// transferContact transfers a task to a queue or an agent; a task stops at
// 11 transfers.
func transferContact(h *Handler, c *call) (any, error) {
	var in struct {
		contactInput
		ContactFlowId string `json:"ContactFlowId"`
		QueueId       string `json:"QueueId"`
		UserId        string `json:"UserId"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	switch {
	case in.ContactFlowId == "":
		return nil, required("ContactFlowId")
	case in.QueueId == "" && in.UserId == "":
		return nil, newError(errInvalidRequest, "QueueId or UserId is required")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindContactFlow, in.InstanceId, in.ContactFlowId, nil); err != nil {
		return nil, err
	}
	if in.QueueId != "" {
		if _, err := h.find(c, kindQueue, in.InstanceId, in.QueueId, nil); err != nil {
			return nil, err
		}
	}
	if in.UserId != "" {
		if _, err := h.find(c, kindUser, in.InstanceId, in.UserId, nil); err != nil {
			return nil, err
		}
	}
	// The contact is checked, its transfer counted, then the transfer
	// recorded only if the contact is still live; a contact that ended in
	// between keeps the transfer counted, as a transfer that was tried.
	d, err := h.contact(c, in.InstanceId, in.ContactId)
	if err != nil {
		return nil, err
	}
	if d.Channel != "TASK" {
		return nil, headroom.Errorf(headroom.EPRECONDITION, "only TASK contacts can be transferred with TransferContact; contact %s is %s", d.Id, d.Channel)
	}
	if d.ended(h.now()) {
		return nil, ended(d, false)
	}
	// The transfer is counted against the task's 11 with the change, in
	// one store transaction: a refused count changes nothing.
	if d, err = h.changeContact(c, in.InstanceId, in.ContactId, false, func(d *contactData) (headroom.Slots, error) {
		d.QueueId, d.AgentId, d.State = in.QueueId, in.UserId, stateQueued
		return headroom.Slots{Count: &headroom.Slot{Code: headroom.CodeTaskTransfers, Scope: "contact/" + d.Id, Amount: 1}}, nil
	}); err != nil {
		return nil, err
	}
	return map[string]string{"ContactId": d.Id, "ContactArn": d.Arn}, nil
}

// describeContact returns a contact record; one older than the retention
// (24 months from initiation) is gone.
func describeContact(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	d, err := h.contact(c, iid, c.path("ContactId"))
	if err != nil {
		return nil, err
	}
	d.ended(h.now())
	out := map[string]any{"Arn": d.Arn, "Id": d.Id, "InitialContactId": d.InitialContactId, "Channel": d.Channel,
		"InitiationMethod": d.InitiationMethod, "InitiationTimestamp": epoch(d.Initiated), "LastUpdateTimestamp": epoch(h.now())}
	if d.PreviousContactId != "" {
		out["PreviousContactId"] = d.PreviousContactId
	}
	if d.RelatedContactId != "" {
		out["RelatedContactId"] = d.RelatedContactId
	}
	if d.Name != "" {
		out["Name"] = d.Name
	}
	if d.Description != "" {
		out["Description"] = d.Description
	}
	if !d.Disconnected.IsZero() {
		out["DisconnectTimestamp"] = epoch(d.Disconnected)
	}
	if d.QueueId != "" {
		out["QueueInfo"] = map[string]any{"Id": d.QueueId, "EnqueueTimestamp": epoch(d.Initiated)}
	}
	if d.AgentId != "" {
		out["AgentInfo"] = map[string]any{"Id": d.AgentId}
	}
	return map[string]any{"Contact": out}, nil
}

// attributesSize is the size of a contact's attributes section: the bytes
// of every key and value.
func attributesSize(m map[string]string) int64 {
	var n int64
	for k, v := range m {
		n += int64(len(k) + len(v))
	}
	return n
}

// checkAttributes refuses attributes over the CTR attributes section's
// 32 KB.
func (h *Handler) checkAttributes(c *call, m map[string]string) error {
	if len(m) == 0 {
		return nil
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: headroom.CodeCTRAttributesSize, Size: attributesSize(m)}); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED {
			return newError(errInvalidParameter, "Attributes: %s", headroom.ErrorMessage(err))
		}
		return err
	}
	return nil
}

// updateContactAttributes merges attributes into a contact's; the merged
// section may not exceed 32 KB.
func updateContactAttributes(h *Handler, c *call) (any, error) {
	var in struct {
		InstanceId       string            `json:"InstanceId"`
		InitialContactId string            `json:"InitialContactId"`
		Attributes       map[string]string `json:"Attributes"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.InstanceId == "":
		return nil, required("InstanceId")
	case in.InitialContactId == "":
		return nil, required("InitialContactId")
	case in.Attributes == nil:
		return nil, required("Attributes")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if _, err := h.contact(c, in.InstanceId, in.InitialContactId); err != nil {
		return nil, err
	}
	// The merged section's size is checked in the change, on the
	// attributes the change sees (a check changes nothing), so that no
	// race of updates leaves it over the limit.
	if _, err := update(h, c, kindContact, in.InstanceId, in.InitialContactId, func(d *contactData) (*headroom.Slot, error) {
		merged := map[string]string{}
		for k, v := range d.Attributes {
			merged[k] = v
		}
		for k, v := range in.Attributes {
			merged[k] = v
		}
		if err := h.checkAttributes(c, merged); err != nil {
			return nil, err
		}
		d.Attributes = merged
		return nil, nil
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// monitorContact lets a user listen in on a live call; at most 5 people
// listen to the same call at once.
func monitorContact(h *Handler, c *call) (any, error) {
	var in struct {
		contactInput
		UserId string `json:"UserId"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.UserId == "" {
		return nil, required("UserId")
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindUser, in.InstanceId, in.UserId, nil); err != nil {
		return nil, err
	}
	d, err := h.contact(c, in.InstanceId, in.ContactId)
	if err != nil {
		return nil, err
	}
	if d.ended(h.now()) {
		return nil, ended(d, false)
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpAcquire, Account: c.account, Code: headroom.CodeListenersPerCall,
		Scope: "contact/" + d.Id, LeaseID: in.UserId, TTL: listenerTTL}); err != nil {
		return nil, err
	}
	return map[string]string{"ContactId": d.Id, "ContactArn": d.Arn}, nil
}
