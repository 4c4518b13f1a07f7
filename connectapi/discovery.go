package connectapi

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// listSpec is one List operation over a per-instance kind: GET
// /{seg}/{InstanceId}, paged with maxResults and nextToken, each resource
// rendered by summary into the output member key.
type listSpec struct {
	op, path string
	kind     *kind
	key      string
	max      int
	// filter names a repeated query parameter (queueTypes, say) that keeps
	// the resources whose summary member filterBy is one of its values.
	filter, filterBy string
	summary          func(r headroom.Resource, d map[string]any) map[string]any
}

// describeSpec is one Describe operation: GET {path}/{InstanceId}/{id}.
type describeSpec struct {
	op, path, idParam string
	kind              *kind
	key               string
	render            func(iid string, r headroom.Resource, d map[string]any) map[string]any
}

// basic is the Id, Arn and Name every summary has.
func basic(r headroom.Resource, d map[string]any) map[string]any {
	return map[string]any{"Id": d["Id"], "Arn": d["Arn"], "Name": r.Name, "LastModifiedTime": epoch(r.Updated), "LastModifiedRegion": d["LastModifiedRegion"]}
}

// with is basic plus members copied from d, renamed from→to.
func with(pairs ...string) func(r headroom.Resource, d map[string]any) map[string]any {
	return func(r headroom.Resource, d map[string]any) map[string]any {
		out := basic(r, d)
		for i := 0; i < len(pairs); i += 2 {
			if v, ok := d[pairs[i]]; ok {
				out[pairs[i+1]] = v
			}
		}
		return out
	}
}

// pick copies members of d, renamed from→to, and the name.
func pick(nameKey string, pairs ...string) func(iid string, r headroom.Resource, d map[string]any) map[string]any {
	return func(iid string, r headroom.Resource, d map[string]any) map[string]any {
		out := map[string]any{nameKey: r.Name, "LastModifiedTime": epoch(r.Updated)}
		for i := 0; i < len(pairs); i += 2 {
			if v, ok := d[pairs[i]]; ok && v != nil {
				out[pairs[i+1]] = v
			}
		}
		return out
	}
}

var listSpecs = []*listSpec{
	{op: "ListQueues", path: "/queues-summary/{InstanceId}", kind: kindQueue, key: "QueueSummaryList", max: 1000, filter: "queueTypes", filterBy: "QueueType",
		summary: func(r headroom.Resource, d map[string]any) map[string]any {
			out := basic(r, d)
			out["Id"], out["Arn"], out["QueueType"] = d["QueueId"], d["QueueArn"], "STANDARD"
			return out
		}},
	{op: "ListContactFlows", path: "/contact-flows-summary/{InstanceId}", kind: kindContactFlow, key: "ContactFlowSummaryList", max: 1000,
		filter: "contactFlowTypes", filterBy: "ContactFlowType", summary: func(r headroom.Resource, d map[string]any) map[string]any {
			out := basic(r, d)
			delete(out, "LastModifiedTime")
			delete(out, "LastModifiedRegion")
			out["ContactFlowType"], out["ContactFlowState"], out["ContactFlowStatus"] = d["Type"], flowState(d), "PUBLISHED"
			return out
		}},
	{op: "ListRoutingProfiles", path: "/routing-profiles-summary/{InstanceId}", kind: kindRoutingProfile, key: "RoutingProfileSummaryList", max: 1000,
		summary: func(r headroom.Resource, d map[string]any) map[string]any {
			out := basic(r, d)
			out["Id"], out["Arn"] = d["RoutingProfileId"], d["RoutingProfileArn"]
			return out
		}},
	{op: "ListSecurityProfiles", path: "/security-profiles-summary/{InstanceId}", kind: kindSecurity, key: "SecurityProfileSummaryList", max: 1000, summary: basic},
	{op: "ListHoursOfOperations", path: "/hours-of-operations-summary/{InstanceId}", kind: kindHours, key: "HoursOfOperationSummaryList", max: 1000, summary: basic},
	{op: "ListPrompts", path: "/prompts-summary/{InstanceId}", kind: kindPrompt, key: "PromptSummaryList", max: 1000, summary: basic},
	{op: "ListQuickConnects", path: "/quick-connects/{InstanceId}", kind: kindQuickConnect, key: "QuickConnectSummaryList", max: 1000,
		filter: "QuickConnectTypes", filterBy: "QuickConnectType", summary: func(r headroom.Resource, d map[string]any) map[string]any {
			out := basic(r, d)
			if qc, ok := d["QuickConnectConfig"].(map[string]any); ok {
				out["QuickConnectType"] = qc["QuickConnectType"]
			}
			return out
		}},
	{op: "ListAgentStatuses", path: "/agent-status/{InstanceId}", kind: kindAgentStatus, key: "AgentStatusSummaryList", max: 1000,
		filter: "AgentStatusTypes", filterBy: "Type", summary: func(r headroom.Resource, d map[string]any) map[string]any {
			out := basic(r, d)
			out["Type"] = agentStatusType(d)
			return out
		}},
	{op: "ListUserHierarchyGroups", path: "/user-hierarchy-groups-summary/{InstanceId}", kind: kindHierarchyGroup, key: "UserHierarchyGroupSummaryList", max: 1000, summary: basic},
}

var describeSpecs = []*describeSpec{
	{op: "DescribeQueue", path: "/queues", idParam: "QueueId", kind: kindQueue, key: "Queue",
		render: pick("Name", "QueueId", "QueueId", "QueueArn", "QueueArn", "Description", "Description", "HoursOfOperationId", "HoursOfOperationId",
			"MaxContacts", "MaxContacts", "Status", "Status", "Tags", "Tags", "OutboundCallerConfig", "OutboundCallerConfig")},
	{op: "DescribeContactFlow", path: "/contact-flows", idParam: "ContactFlowId", kind: kindContactFlow, key: "ContactFlow",
		render: func(iid string, r headroom.Resource, d map[string]any) map[string]any {
			out := pick("Name", "Id", "Id", "Arn", "Arn", "Type", "Type", "Description", "Description", "Content", "Content", "Tags", "Tags")(iid, r, d)
			delete(out, "LastModifiedTime")
			out["State"], out["Status"] = flowState(d), "PUBLISHED"
			return out
		}},
	{op: "DescribeRoutingProfile", path: "/routing-profiles", idParam: "RoutingProfileId", kind: kindRoutingProfile, key: "RoutingProfile",
		render: func(iid string, r headroom.Resource, d map[string]any) map[string]any {
			out := pick("Name", "RoutingProfileId", "RoutingProfileId", "RoutingProfileArn", "RoutingProfileArn", "Description", "Description",
				"DefaultOutboundQueueId", "DefaultOutboundQueueId", "MediaConcurrencies", "MediaConcurrencies", "Tags", "Tags")(iid, r, d)
			qs, _ := d["Queues"].([]any)
			out["InstanceId"], out["NumberOfAssociatedQueues"] = iid, len(qs)
			return out
		}},
	{op: "DescribeHoursOfOperation", path: "/hours-of-operations", idParam: "HoursOfOperationId", kind: kindHours, key: "HoursOfOperation",
		render: pick("Name", "Id", "HoursOfOperationId", "Arn", "HoursOfOperationArn", "Description", "Description", "TimeZone", "TimeZone",
			"Config", "Config", "Tags", "Tags")},
	{op: "DescribeAgentStatus", path: "/agent-status", idParam: "AgentStatusId", kind: kindAgentStatus, key: "AgentStatus",
		render: func(iid string, r headroom.Resource, d map[string]any) map[string]any {
			out := pick("Name", "Id", "AgentStatusId", "Arn", "AgentStatusARN", "Description", "Description", "State", "State",
				"DisplayOrder", "DisplayOrder", "Tags", "Tags")(iid, r, d)
			out["Type"] = agentStatusType(d)
			return out
		}},
}

func flowState(d map[string]any) any {
	if s, ok := d["State"]; ok {
		return s
	}
	return "ACTIVE"
}

func agentStatusType(d map[string]any) any {
	if t, ok := d["Type"]; ok {
		return t
	}
	return "CUSTOM"
}

// listOf pages through the resources of s.kind under the path's instance.
func (h *Handler) listOf(c *call, s *listSpec) (any, error) {
	iid := c.path("InstanceId")
	max, err := maxResults(c, 100, s.max, errInvalidParameter)
	if err != nil {
		return nil, err
	}
	if iid, err = h.instanceID(c, iid); err != nil {
		return nil, err
	}
	rs, next, err := h.page(c, s.kind, iid, c.r.URL.Query().Get("nextToken"), max)
	if err != nil {
		return nil, err
	}
	keep := c.r.URL.Query()[s.filter]
	list := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		var d map[string]any
		if err := json.Unmarshal(r.Data, &d); err != nil {
			return nil, err
		}
		sum := s.summary(r, d)
		if s.filter != "" && len(keep) > 0 {
			v, _ := sum[s.filterBy].(string)
			if !slices.Contains(keep, v) {
				continue
			}
		}
		list = append(list, sum)
	}
	return paged(s.key, list, next), nil
}

func paged[T any](key string, list []T, next string) map[string]any {
	out := map[string]any{key: list}
	if next != "" {
		out["NextToken"] = next
	}
	return out
}

func (h *Handler) describeOf(c *call, s *describeSpec) (any, error) {
	iid, err := h.instanceID(c, c.path("InstanceId"))
	if err != nil {
		return nil, err
	}
	var d map[string]any
	r, err := h.find(c, s.kind, iid, c.path(s.idParam), &d)
	if err != nil {
		return nil, err
	}
	out := s.render(iid, r, d)
	// Tags are the engine's, as TagResource left them, not those given at
	// create.
	tags, err := h.currentTags(c, h.arn(c.account, "instance/"+iid+"/"+s.kind.arnSeg+"/"+r.ID))
	if err != nil {
		return nil, err
	}
	out["Tags"] = tags
	return map[string]any{s.key: out}, nil
}

// instanceID returns the id of the caller's instance named by an id or an
// instance ARN.
func (h *Handler) instanceID(c *call, idOrARN string) (string, error) {
	if instanceARN.MatchString(idOrARN) {
		return h.instanceFromARN(c, idOrARN, "InstanceId")
	}
	if _, err := h.instance(c, idOrARN); err != nil {
		return "", err
	}
	return idOrARN, nil
}

func listRoutingProfileQueues(h *Handler, c *call) (any, error) {
	max, err := maxResults(c, 100, 100, errInvalidParameter)
	if err != nil {
		return nil, err
	}
	iid, err := h.instanceID(c, c.path("InstanceId"))
	if err != nil {
		return nil, err
	}
	var d routingProfileData
	rid := c.path("RoutingProfileId")
	if _, err := h.find(c, kindRoutingProfile, iid, rid, &d); err != nil {
		return nil, err
	}
	// The token is the index of the next pair, signed for this profile.
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{iid, rid}}
	start, err := h.decodeIndex(q, c.r.URL.Query().Get("nextToken"))
	if err != nil {
		return nil, err
	}
	list := []map[string]any{}
	next := ""
	for i := start; i < len(d.Queues); i++ {
		if len(list) == max {
			next = h.encodeIndex(q, i)
			break
		}
		qc := d.Queues[i]
		var qd queueData
		if _, err := h.find(c, kindQueue, iid, qc.QueueReference.QueueId, &qd); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			return nil, err
		}
		list = append(list, map[string]any{"QueueId": qc.QueueReference.QueueId, "QueueArn": qd.QueueArn, "QueueName": qd.Name,
			"Channel": qc.QueueReference.Channel, "Priority": qc.Priority, "Delay": qc.Delay})
	}
	return paged("RoutingProfileQueueConfigSummaryList", list, next), nil
}

// listAssociations lists an instance's Lambda functions or bots.
func (h *Handler) listAssociations(c *call, k *kind, key string, render func(data []byte) (any, bool)) (any, error) {
	max, err := maxResults(c, 10, 25, errInvalidParameter)
	if err != nil {
		return nil, err
	}
	iid, err := h.instanceID(c, c.path("InstanceId"))
	if err != nil {
		return nil, err
	}
	rs, next, err := h.page(c, k, iid, c.r.URL.Query().Get("nextToken"), max)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, r := range rs {
		if v, ok := render(r.Data); ok {
			list = append(list, v)
		}
	}
	return paged(key, list, next), nil
}

func listLambdaFunctions(h *Handler, c *call) (any, error) {
	return h.listAssociations(c, kindLambda, "LambdaFunctions", func(data []byte) (any, bool) {
		var d struct{ FunctionArn string }
		return d.FunctionArn, json.Unmarshal(data, &d) == nil
	})
}

func listBots(h *Handler, c *call) (any, error) {
	v := c.r.URL.Query().Get("lexVersion")
	if v != "V1" && v != "V2" {
		return nil, newError(errInvalidRequest, "lexVersion must be V1 or V2, not %q", clip(v))
	}
	return h.listAssociations(c, kindBot, "LexBots", func(data []byte) (any, bool) {
		var d botInput
		if json.Unmarshal(data, &d) != nil || (v == "V1") != (d.LexBot != nil) {
			return nil, false
		}
		return d, true
	})
}

// instanceAttributes are the attributes ListInstanceAttributes reports,
// with the values a new instance has.
var instanceAttributes = []struct{ name, value string }{
	{"INBOUND_CALLS", ""}, {"OUTBOUND_CALLS", ""}, {"CONTACTFLOW_LOGS", "false"}, {"CONTACT_LENS", "false"},
	{"AUTO_RESOLVE_BEST_VOICES", "false"}, {"USE_CUSTOM_TTS_VOICES", "false"}, {"EARLY_MEDIA", "true"},
	{"MULTI_PARTY_CONFERENCE", "false"}, {"HIGH_VOLUME_OUTBOUND", "false"}, {"ENHANCED_CONTACT_MONITORING", "false"},
	{"ENHANCED_CHAT_MONITORING", "false"}, {"MULTI_PARTY_CHAT_CONFERENCE", "false"},
}

func listInstanceAttributes(h *Handler, c *call) (any, error) {
	max, err := maxResults(c, 7, 7, errInvalidParameter)
	if err != nil {
		return nil, err
	}
	iid, err := h.instanceID(c, c.path("InstanceId"))
	if err != nil {
		return nil, err
	}
	in, err := h.instance(c, iid)
	if err != nil {
		return nil, err
	}
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{iid}}
	start, err := h.decodeIndex(q, c.r.URL.Query().Get("nextToken"))
	if err != nil {
		return nil, err
	}
	list := []map[string]string{}
	next := ""
	for i := start; i < len(instanceAttributes); i++ {
		if len(list) == max {
			next = h.encodeIndex(q, i)
			break
		}
		a := instanceAttributes[i]
		v := a.value
		switch a.name {
		case "INBOUND_CALLS":
			v = boolString(in.InboundCallsEnabled)
		case "OUTBOUND_CALLS":
			v = boolString(in.OutboundCallsEnabled)
		}
		list = append(list, map[string]string{"AttributeType": a.name, "Value": v})
	}
	return paged("Attributes", list, next), nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// decodeIndex reads a token that resumes a fixed list at an index.
func (h *Handler) decodeIndex(q *cursor.Query, token string) (int, error) {
	cur, ok := h.cursors.Decode(q, token)
	n, err := strconv.Atoi(cur)
	if !ok || token != "" && (err != nil || n < 0) {
		return 0, newError(errInvalidParameter, "NextToken %q is not a token this API returned", clip(token))
	}
	return n, nil
}

func (h *Handler) encodeIndex(q *cursor.Query, i int) string {
	return h.cursors.Encode(q, strconv.Itoa(i))
}
