package connectapi

import (
	"encoding/json"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
)

// queueRef is one queue–channel pair: what "Queues per routing profile per
// instance" counts (BasicQueue-Voice, BasicQueue-Chat and Queue10-Voice
// count three).
type queueRef struct {
	QueueId string `json:"QueueId"`
	Channel string `json:"Channel"`
}

type queueConfig struct {
	QueueReference *queueRef `json:"QueueReference"`
	Priority       *int64    `json:"Priority"`
	Delay          *int64    `json:"Delay"`
}

type mediaConcurrency struct {
	Channel     string `json:"Channel"`
	Concurrency int64  `json:"Concurrency"`
}

type routingProfileData struct {
	RoutingProfileId       string             `json:"RoutingProfileId"`
	RoutingProfileArn      string             `json:"RoutingProfileArn"`
	Name                   string             `json:"Name"`
	Description            string             `json:"Description"`
	DefaultOutboundQueueId string             `json:"DefaultOutboundQueueId"`
	MediaConcurrencies     []mediaConcurrency `json:"MediaConcurrencies"`
	Queues                 []queueConfig      `json:"Queues"`
	Tags                   json.RawMessage    `json:"Tags,omitempty"`
	// Default marks the profile an instance comes with (defaults.go).
	Default bool `json:"HeadroomDefault,omitempty"`
}

func validChannel(ch string) bool {
	switch ch {
	case "VOICE", "CHAT", "TASK", "EMAIL":
		return true
	}
	return false
}

func routingScope(iid, rid string) string { return "instance/" + iid + "/routing-profile/" + rid }

// checkQueueConfigs validates queue configurations: each names a queue of
// the instance and a channel, with priority 1–99 and delay 0–9999.
func (h *Handler) checkQueueConfigs(c *call, iid string, qcs []queueConfig) error {
	if len(qcs) > 10 {
		return newError(errInvalidParameter, "QueueConfigs takes at most 10 entries per call, got %d", len(qcs))
	}
	for i, qc := range qcs {
		if err := h.checkQueueRef(c, iid, qc.QueueReference); err != nil {
			return err
		}
		switch {
		case qc.Priority == nil:
			return newError(errInvalidParameter, "QueueConfigs[%d].Priority is required", i)
		case *qc.Priority < 1 || *qc.Priority > 99:
			return newError(errInvalidParameter, "QueueConfigs[%d].Priority must be 1 to 99, got %d", i, *qc.Priority)
		case qc.Delay == nil:
			return newError(errInvalidParameter, "QueueConfigs[%d].Delay is required", i)
		case *qc.Delay < 0 || *qc.Delay > 9999:
			return newError(errInvalidParameter, "QueueConfigs[%d].Delay must be 0 to 9999, got %d", i, *qc.Delay)
		}
	}
	return nil
}

func (h *Handler) checkQueueRef(c *call, iid string, ref *queueRef) error {
	switch {
	case ref == nil:
		return newError(errInvalidParameter, "QueueReference is required")
	case ref.QueueId == "":
		return newError(errInvalidParameter, "QueueReference.QueueId is required")
	case !validChannel(ref.Channel):
		return newError(errInvalidParameter, "QueueReference.Channel must be VOICE, CHAT, TASK or EMAIL, not %q", clip(ref.Channel))
	}
	_, err := h.find(c, kindQueue, iid, ref.QueueId, nil)
	return err
}

// newPairs returns the configurations whose queue–channel pair is not in
// have yet, each pair once.
func newPairs(have, add []queueConfig) []queueConfig {
	seen := map[queueRef]bool{}
	for _, q := range have {
		seen[*q.QueueReference] = true
	}
	var out []queueConfig
	for _, q := range add {
		if !seen[*q.QueueReference] {
			seen[*q.QueueReference] = true
			out = append(out, q)
		}
	}
	return out
}

// pairSlots is the slot change of n queue–channel pairs of a routing
// profile: taken (n > 0), given back (n < 0) or none.
func pairSlots(iid, rid string, n int) *headroom.Slot {
	if n == 0 {
		return nil
	}
	return &headroom.Slot{Code: headroom.CodeQueuesPerProfile, Scope: routingScope(iid, rid), Amount: int64(n)}
}

func createRoutingProfile(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	var in struct {
		Name                   string             `json:"Name"`
		Description            string             `json:"Description"`
		DefaultOutboundQueueId string             `json:"DefaultOutboundQueueId"`
		QueueConfigs           []queueConfig      `json:"QueueConfigs"`
		MediaConcurrencies     []mediaConcurrency `json:"MediaConcurrencies"`
		Tags                   json.RawMessage    `json:"Tags"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.Name == "":
		return nil, required("Name")
	case in.Description == "":
		return nil, required("Description")
	case in.DefaultOutboundQueueId == "":
		return nil, required("DefaultOutboundQueueId")
	case len(in.MediaConcurrencies) == 0:
		return nil, required("MediaConcurrencies")
	}
	for i, m := range in.MediaConcurrencies {
		if !validChannel(m.Channel) {
			return nil, newError(errInvalidParameter, "MediaConcurrencies[%d].Channel must be VOICE, CHAT, TASK or EMAIL, not %q", i, clip(m.Channel))
		}
		if m.Concurrency < 1 || m.Concurrency > 10 {
			return nil, newError(errInvalidParameter, "MediaConcurrencies[%d].Concurrency must be 1 to 10, got %d", i, m.Concurrency)
		}
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := h.find(c, kindQueue, iid, in.DefaultOutboundQueueId, nil); err != nil {
		return nil, err
	}
	if err := h.checkQueueConfigs(c, iid, in.QueueConfigs); err != nil {
		return nil, err
	}
	tags, err := createTags(in.Tags)
	if err != nil {
		return nil, err
	}
	pairs := newPairs(nil, in.QueueConfigs)
	id := ids.New()
	d := routingProfileData{RoutingProfileId: id, RoutingProfileArn: h.arn(c.account, "instance/"+iid+"/routing-profile/"+id),
		Name: in.Name, Description: in.Description, DefaultOutboundQueueId: in.DefaultOutboundQueueId,
		MediaConcurrencies: in.MediaConcurrencies, Queues: pairs, Tags: in.Tags}
	// The profile is stored first without queues, holding its own slot; its
	// queue–channel pairs are then added with their slots in one update.
	// Each step is atomic in the store, so a profile's recorded pairs and
	// their count never part; if the pairs are refused the profile goes.
	d.Queues = nil
	if err := h.create(c, kindRoutingProfile, "CreateRoutingProfile", iid, id, in.Name, instanceScope(iid), d, profileUses(&d)...); err != nil {
		return nil, err
	}
	if len(pairs) > 0 {
		_, err := updateFull(h, c, kindRoutingProfile, iid, id, func(d *routingProfileData) (headroom.Slots, []headroom.ResourceRef, error) {
			d.Queues = pairs
			return headroom.Slots{Count: pairSlots(iid, id, len(pairs))}, profileUses(d), nil
		})
		if err != nil {
			if derr := h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindRoutingProfile.name, ID: id,
				Free: kindRoutingProfile.slot(instanceScope(iid)), Note: note(c, "CreateRoutingProfile", "routing profile "+id+" removed: its queues were refused")}); derr != nil {
				h.log.Error("removing a routing profile whose queues were refused", "err", derr)
			}
			return nil, err
		}
	}
	if err := h.tagCreated(c, d.RoutingProfileArn, tags); err != nil {
		return nil, err
	}
	return map[string]string{"RoutingProfileId": id, "RoutingProfileArn": d.RoutingProfileArn}, nil
}

// updateProfile changes a routing profile's queues with fn, which says by
// how many pairs, and stores the profile with the pair slots in one
// compare-and-swap, retried if another writer changed the profile first:
// concurrent changes never lose a pair nor count one twice. fn may run
// several times, each on a fresh read, and must have no other effect.
func (h *Handler) updateProfile(c *call, fn func(d *routingProfileData) int) error {
	iid, rid := c.path("InstanceId"), c.path("RoutingProfileId")
	if _, err := h.instance(c, iid); err != nil {
		return err
	}
	_, err := updateFull(h, c, kindRoutingProfile, iid, rid, func(d *routingProfileData) (headroom.Slots, []headroom.ResourceRef, error) {
		n := fn(d)
		return headroom.Slots{Count: pairSlots(iid, rid, n)}, profileUses(d), nil
	})
	return err
}

func associateRoutingProfileQueues(h *Handler, c *call) (any, error) {
	var in struct {
		QueueConfigs []queueConfig `json:"QueueConfigs"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if len(in.QueueConfigs) == 0 {
		return nil, required("QueueConfigs")
	}
	if _, err := h.instance(c, c.path("InstanceId")); err != nil {
		return nil, err
	}
	if err := h.checkQueueConfigs(c, c.path("InstanceId"), in.QueueConfigs); err != nil {
		return nil, err
	}
	err := h.updateProfile(c, func(d *routingProfileData) int {
		add := newPairs(d.Queues, in.QueueConfigs)
		d.Queues = append(d.Queues, add...)
		return len(add)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func disassociateRoutingProfileQueues(h *Handler, c *call) (any, error) {
	var in struct {
		QueueReferences []*queueRef `json:"QueueReferences"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	drop := map[queueRef]bool{}
	for _, ref := range in.QueueReferences {
		if ref == nil || ref.QueueId == "" || !validChannel(ref.Channel) {
			return nil, newError(errInvalidParameter, "QueueReferences entries need a QueueId and a Channel of VOICE, CHAT, TASK or EMAIL")
		}
		drop[*ref] = true
	}
	err := h.updateProfile(c, func(d *routingProfileData) int {
		kept := d.Queues[:0]
		for _, q := range d.Queues {
			if !drop[*q.QueueReference] {
				kept = append(kept, q)
			}
		}
		n := len(d.Queues) - len(kept)
		d.Queues = kept
		return -n
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
