package participantapi

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
)

// Resource kinds this package reads or keeps. A chat contact is the
// Connect API's record (connectapi writes it); the package reads only the
// fields of contact.
const (
	kindContact    = "connect:contact"
	kindInstance   = "connect:instance"
	kindTranscript = "connectparticipant:transcript"
)

// contact is the part of the Connect API's contact record a chat's
// participants depend on.
type contact struct {
	Id         string    `json:"Id"`
	InstanceId string    `json:"InstanceId"`
	Channel    string    `json:"Channel"`
	State      string    `json:"State"`
	Initiated  time.Time `json:"Initiated"`
	Expires    time.Time `json:"Expires"`
}

// liveChat returns the chat a token names if it may still be used: it
// exists under the token's instance, is a chat, and has not ended, nor run
// past its duration (at most 25 hours including wait time).
func (h *Handler) liveChat(c *call) (*contact, error) {
	r, err := h.engine.FindResource(c.ctx, c.who.Account, kindContact, c.who.ContactID)
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND || (err == nil && r.Parent != c.who.InstanceID) {
		return nil, denied("Access denied: the chat %s no longer exists", c.who.ContactID)
	}
	if err != nil {
		return nil, err
	}
	var d contact
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return nil, err
	}
	if d.Channel != "CHAT" {
		return nil, denied("Access denied: contact %s is not a chat", d.Id)
	}
	if !d.Expires.IsZero() && !c.now.Before(d.Expires) {
		return nil, denied("Access denied: the chat ended at %s, when its duration of %s ran out (a chat lasts at most 25 hours including wait time)",
			wireTime(d.Expires), hours(d.Expires.Sub(d.Initiated)))
	}
	if d.State == "ENDED" {
		return nil, denied("Access denied: the chat %s has ended", d.Id)
	}
	return &d, nil
}

// hours renders a duration in hours: "25 hours".
func hours(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', -1, 64) + " hours" }

// item is one transcript entry, as GetTranscript and the websocket answer
// it.
type item struct {
	AbsoluteTime    string       `json:"AbsoluteTime"`
	Content         string       `json:"Content,omitempty"`
	ContentType     string       `json:"ContentType"`
	Id              string       `json:"Id"`
	Type            string       `json:"Type"`
	ParticipantId   string       `json:"ParticipantId,omitempty"`
	DisplayName     string       `json:"DisplayName,omitempty"`
	ParticipantRole string       `json:"ParticipantRole,omitempty"`
	Attachments     []attachItem `json:"Attachments,omitempty"`
	ContactId       string       `json:"ContactId,omitempty"`
}

type attachItem struct {
	AttachmentId   string `json:"AttachmentId"`
	AttachmentName string `json:"AttachmentName"`
	ContentType    string `json:"ContentType"`
	Status         string `json:"Status"`
}

// storedItem is an item as stored: with its ClientToken.
type storedItem struct {
	item
	Token string `json:"Token,omitempty"`
}

// transcript is a chat's record: its items in order and its participants'
// state.
type transcript struct {
	Items []storedItem `json:"Items"`
	// Left lists the participants that disconnected.
	Left map[string]bool `json:"Left,omitempty"`
	// Connected lists the participants that connected.
	Connected map[string]bool `json:"Connected,omitempty"`
	// Attachments are the chat's attachments, uploads under way included.
	Attachments []attachment `json:"Attachments,omitempty"`
}

// ensureTranscript stores an empty transcript for the chat unless it has
// one; the transcript lives under the instance, so that it goes with it.
func (h *Handler) ensureTranscript(c *call) error {
	if _, err := h.engine.FindResource(c.ctx, c.who.Account, kindTranscript, c.who.ContactID); err == nil {
		return nil
	} else if headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		return err
	}
	data, _ := json.Marshal(transcript{})
	_, err := h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: headroom.Resource{
		Account: c.who.Account, Kind: kindTranscript, ID: c.who.ContactID, Parent: c.who.InstanceID, ParentKind: kindInstance,
		Data: data, Created: c.now, Updated: c.now},
		Note: headroom.Note{Actor: "participant:" + c.who.ParticipantID, Action: "participant.CreateParticipantConnection", Detail: "Transcript of chat " + c.who.ContactID + " created"}})
	switch headroom.ErrorCodeOf(err) {
	case "", headroom.ECONFLICT:
		return nil
	case headroom.ENOTFOUND:
		return denied("Access denied: the chat's instance %s no longer exists", c.who.InstanceID)
	}
	return err
}

// readTranscript returns the chat's transcript; an empty one if there is
// none yet.
func (h *Handler) readTranscript(c *call) (*transcript, error) {
	r, err := h.engine.FindResource(c.ctx, c.who.Account, kindTranscript, c.who.ContactID)
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return &transcript{}, nil
	}
	if err != nil {
		return nil, err
	}
	var t transcript
	if err := json.Unmarshal(r.Data, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// changeTranscript changes the chat's transcript in one compare-and-swap,
// retried on a concurrent change; change may run several times.
func (h *Handler) changeTranscript(c *call, change func(t *transcript) error) (*transcript, error) {
	if err := h.ensureTranscript(c); err != nil {
		return nil, err
	}
	var out *transcript
	_, err := h.engine.UpdateResource(c.ctx, c.who.Account, kindTranscript, c.who.ContactID, func(r *headroom.Resource) (headroom.Slots, error) {
		t := new(transcript)
		if err := json.Unmarshal(r.Data, t); err != nil {
			return headroom.Slots{}, err
		}
		if err := change(t); err != nil {
			return headroom.Slots{}, err
		}
		data, err := json.Marshal(t)
		if err != nil {
			return headroom.Slots{}, err
		}
		r.Data, r.Updated, out = data, c.now, t
		return headroom.Slots{}, nil
	})
	return out, err
}

// newItem is an item sent by the call's participant now.
func (c *call) newItem(typ, contentType, content string) item {
	return item{AbsoluteTime: wireTime(c.now), Content: content, ContentType: contentType, Id: ids.New(), Type: typ,
		ParticipantId: c.who.ParticipantID, DisplayName: c.who.DisplayName, ParticipantRole: "CUSTOMER", ContactId: c.who.ContactID}
}

// appendItem appends it unless an item with the same ClientToken was sent
// before, which it answers instead; a participant that left is refused.
func (h *Handler) appendItem(c *call, it item, token string) (item, error) {
	var out item
	_, err := h.changeTranscript(c, func(t *transcript) error {
		if t.Left[c.who.ParticipantID] {
			return denied("Access denied: participant %s has disconnected from the chat", c.who.ParticipantID)
		}
		if token != "" {
			for _, s := range t.Items {
				if s.Token == token && s.ParticipantId == c.who.ParticipantID {
					out = s.item
					return nil
				}
			}
		}
		t.Items = append(t.Items, storedItem{item: it, Token: token})
		out = it
		return nil
	})
	return out, err
}

// endChat ends the chat contact when its customer disconnects, as Amazon
// Connect does: the contact's record is marked ENDED and its slots among
// the instance's concurrent active chats and its agent's active chats are
// freed, in one versioned update of the record. Members of the record this
// package does not know are kept as they are.
func (h *Handler) endChat(c *call) error {
	_, err := h.engine.UpdateResource(c.ctx, c.who.Account, kindContact, c.who.ContactID, func(r *headroom.Resource) (headroom.Slots, error) {
		m := map[string]json.RawMessage{}
		if err := json.Unmarshal(r.Data, &m); err != nil {
			return headroom.Slots{}, err
		}
		var state, agent string
		json.Unmarshal(m["State"], &state)
		json.Unmarshal(m["AgentId"], &agent)
		if state == "ENDED" {
			return headroom.Slots{}, nil
		}
		m["State"] = json.RawMessage(`"ENDED"`)
		at, err := json.Marshal(c.now)
		if err != nil {
			return headroom.Slots{}, err
		}
		m["Disconnected"] = at
		if r.Data, err = json.Marshal(m); err != nil {
			return headroom.Slots{}, err
		}
		return headroom.Slots{Release: headroom.ChatLeases(c.who.InstanceID, c.who.ContactID, agent)}, nil
	})
	return err
}
