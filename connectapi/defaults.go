package connectapi

import (
	"encoding/json"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
)

// defaultMark is the data member that marks the resources an instance
// comes with. They hold no slot of their kind's count quota (the seed's
// numbers are what a caller may create), so deleting one frees none.
const defaultMark = "HeadroomDefault"

func isDefault(data []byte) bool {
	var d map[string]json.RawMessage
	return json.Unmarshal(data, &d) == nil && string(d[defaultMark]) == "true"
}

// Default flows: Connect's names and types.
var defaultFlows = []struct{ name, typ string }{
	{"Default agent hold", "AGENT_HOLD"}, {"Default agent whisper", "AGENT_WHISPER"}, {"Default agent transfer", "AGENT_TRANSFER"},
	{"Default customer hold", "CUSTOMER_HOLD"}, {"Default customer queue", "CUSTOMER_QUEUE"}, {"Default customer whisper", "CUSTOMER_WHISPER"},
	{"Default outbound", "OUTBOUND_WHISPER"}, {"Default queue transfer", "QUEUE_TRANSFER"},
	{"Sample inbound flow (first contact experience)", "CONTACT_FLOW"},
}

const defaultFlowContent = `{"Version":"2019-10-30","StartAction":"end","Actions":[{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// seedDefaults creates what Amazon Connect creates with an instance, so
// that an application can look it up by name: "Basic Hours" (24/7),
// "BasicQueue", "Basic Routing Profile" (BasicQueue on voice, chat and
// task), the security profiles Admin, Agent, CallCenterManager and
// QualityAnalyst, the agent statuses Available and Offline, and the
// default flows.
func (h *Handler) seedDefaults(c *call, iid string) error {
	arnOf := func(k *kind, id string) string { return h.arn(c.account, "instance/"+iid+"/"+k.arnSeg+"/"+id) }
	put := func(k *kind, id, name string, d any, uses ...headroom.ResourceRef) error {
		res, err := h.newResource(c, k, iid, id, name, d)
		if err != nil {
			return err
		}
		res.Uses = uses
		_, err = h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: res, Note: note(c, "CreateInstance", k.label+" "+id+" created with instance "+iid)})
		return err
	}
	day := func(d string) map[string]any {
		return map[string]any{"Day": d, "StartTime": map[string]int{"Hours": 0, "Minutes": 0}, "EndTime": map[string]int{"Hours": 0, "Minutes": 0}}
	}
	hours := ids.New()
	cfg := []any{}
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
		cfg = append(cfg, day(d))
	}
	if err := put(kindHours, hours, "Basic Hours", map[string]any{"Id": hours, "Arn": arnOf(kindHours, hours), "Name": "Basic Hours",
		"Description": "Basic Hours", "TimeZone": "UTC", "Config": cfg, defaultMark: true}); err != nil {
		return err
	}
	queue := ids.New()
	if err := put(kindQueue, queue, "BasicQueue", queueData{QueueId: queue, QueueArn: arnOf(kindQueue, queue), Name: "BasicQueue",
		Description: "BasicQueue", HoursOfOperationId: hours, Status: "ENABLED", Default: true},
		headroom.ResourceRef{Kind: kindHours.name, ID: hours}); err != nil {
		return err
	}
	rp := ids.New()
	if err := put(kindRoutingProfile, rp, "Basic Routing Profile", routingProfileData{RoutingProfileId: rp, RoutingProfileArn: arnOf(kindRoutingProfile, rp),
		Name: "Basic Routing Profile", Description: "Basic Routing Profile", DefaultOutboundQueueId: queue,
		MediaConcurrencies: []mediaConcurrency{{"VOICE", 1}, {"CHAT", 2}, {"TASK", 1}}, Default: true},
		headroom.ResourceRef{Kind: kindQueue.name, ID: queue}); err != nil {
		return err
	}
	// BasicQueue's three pairs take their slots of the profile's own quota.
	one := int64(1)
	var pairs []queueConfig
	for _, ch := range []string{"VOICE", "CHAT", "TASK"} {
		pairs = append(pairs, queueConfig{QueueReference: &queueRef{QueueId: queue, Channel: ch}, Priority: &one, Delay: new(int64)})
	}
	if _, err := updateFull(h, c, kindRoutingProfile, iid, rp, func(d *routingProfileData) (headroom.Slots, []headroom.ResourceRef, error) {
		d.Queues = pairs
		return headroom.Slots{Count: pairSlots(iid, rp, len(pairs))}, profileUses(d), nil
	}); err != nil {
		return err
	}
	for _, name := range []string{"Admin", "Agent", "CallCenterManager", "QualityAnalyst"} {
		id := ids.New()
		if err := put(kindSecurity, id, name, map[string]any{"Id": id, "Arn": arnOf(kindSecurity, id), "SecurityProfileName": name, defaultMark: true}); err != nil {
			return err
		}
	}
	for i, s := range []struct{ name, typ string }{{"Available", "ROUTABLE"}, {"Offline", "OFFLINE"}} {
		id := ids.New()
		if err := put(kindAgentStatus, id, s.name, map[string]any{"Id": id, "Arn": arnOf(kindAgentStatus, id), "Name": s.name, "Type": s.typ,
			"State": "ENABLED", "DisplayOrder": i + 1, "Description": s.name, defaultMark: true}); err != nil {
			return err
		}
	}
	for _, f := range defaultFlows {
		id := ids.New()
		if err := put(kindContactFlow, id, f.name, map[string]any{"Id": id, "Arn": arnOf(kindContactFlow, id), "Name": f.name, "Type": f.typ,
			"Content": defaultFlowContent, "Description": f.name, defaultMark: true}); err != nil {
			return err
		}
	}
	return nil
}

// profileUses is what a routing profile uses: its default outbound queue
// and the queues of its pairs.
func profileUses(d *routingProfileData) []headroom.ResourceRef {
	uses := []headroom.ResourceRef{{Kind: kindQueue.name, ID: d.DefaultOutboundQueueId}}
	seen := map[string]bool{d.DefaultOutboundQueueId: true}
	for _, q := range d.Queues {
		if !seen[q.QueueReference.QueueId] {
			seen[q.QueueReference.QueueId] = true
			uses = append(uses, headroom.ResourceRef{Kind: kindQueue.name, ID: q.QueueReference.QueueId})
		}
	}
	return uses
}
