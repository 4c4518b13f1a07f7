package connectapi

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
)

// The other per-instance resources and their count quotas.
var (
	kindContactFlow    = &kind{name: "connect:contact-flow", code: "L-22922690", arnSeg: "contact-flow", label: "Contact flow"}
	kindHours          = &kind{name: "connect:hours-of-operation", code: "L-20CD02F7", arnSeg: "operating-hours", label: "Hours of operation"}
	kindPrompt         = &kind{name: "connect:prompt", code: "L-0865B754", arnSeg: "prompt", label: "Prompt"}
	kindQuickConnect   = &kind{name: "connect:quick-connect", code: "L-68BBE2E8", arnSeg: "transfer-destination", label: "Quick connect"}
	kindSecurity       = &kind{name: "connect:security-profile", code: "L-F325A715", arnSeg: "security-profile", label: "Security profile"}
	kindAgentStatus    = &kind{name: "connect:agent-status", code: "L-D945C9A8", arnSeg: "agent-state", label: "Agent status"}
	kindHierarchyGroup = &kind{name: "connect:user-hierarchy-group", code: "L-D68AAAE4", arnSeg: "agent-group", label: "User hierarchy group"}
	kindPhoneNumber    = &kind{name: "connect:phone-number", code: "L-8F812903", arnSeg: "phone-number", label: "Phone number"}
	kindLambda         = &kind{name: "connect:lambda-function", code: "L-E3D2F503", label: "Lambda function association"}
	kindBot            = &kind{name: "connect:lex-bot", code: "L-B93A6612", label: "Lex bot association"}
)

// simpleSpec describes a per-instance resource created with
// PUT /{seg}/{InstanceId} and deleted with DELETE /{seg}/{InstanceId}/{id}.
type simpleSpec struct {
	op, seg  string
	kind     *kind
	nameKey  string
	required []string
	// idOut and arnOut name the create output's members.
	idOut, arnOut string
	deleteOp      string
	idParam       string
	quotaErr      string
	// check validates more, before anything is stored.
	check func(h *Handler, c *call, iid string, in map[string]json.RawMessage) error
	// uses names the resources a new one uses, which the store checks
	// and keeps from being deleted while it exists.
	uses func(in map[string]json.RawMessage) []headroom.ResourceRef
}

var simpleSpecs = []*simpleSpec{
	{op: "CreateContactFlow", seg: "contact-flows", kind: kindContactFlow, nameKey: "Name", required: []string{"Type", "Content"},
		idOut: "ContactFlowId", arnOut: "ContactFlowArn", deleteOp: "DeleteContactFlow", idParam: "ContactFlowId", quotaErr: errLimitExceeded},
	{op: "CreateHoursOfOperation", seg: "hours-of-operations", kind: kindHours, nameKey: "Name", required: []string{"TimeZone", "Config"},
		idOut: "HoursOfOperationId", arnOut: "HoursOfOperationArn", deleteOp: "DeleteHoursOfOperation", idParam: "HoursOfOperationId", quotaErr: errServiceQuota},
	{op: "CreatePrompt", seg: "prompts", kind: kindPrompt, nameKey: "Name", required: []string{"S3Uri"},
		idOut: "PromptId", arnOut: "PromptARN", deleteOp: "DeletePrompt", idParam: "PromptId", quotaErr: errLimitExceeded},
	{op: "CreateQuickConnect", seg: "quick-connects", kind: kindQuickConnect, nameKey: "Name", required: []string{"QuickConnectConfig"},
		idOut: "QuickConnectId", arnOut: "QuickConnectARN", deleteOp: "DeleteQuickConnect", idParam: "QuickConnectId", quotaErr: errLimitExceeded,
		check: checkQuickConnect, uses: quickConnectUses},
	{op: "CreateSecurityProfile", seg: "security-profiles", kind: kindSecurity, nameKey: "SecurityProfileName",
		idOut: "SecurityProfileId", arnOut: "SecurityProfileArn", deleteOp: "DeleteSecurityProfile", idParam: "SecurityProfileId", quotaErr: errLimitExceeded},
	// Connect has no DeleteAgentStatus: an agent status is disabled, never
	// deleted, and its quota cannot be increased.
	{op: "CreateAgentStatus", seg: "agent-status", kind: kindAgentStatus, nameKey: "Name", required: []string{"State"},
		idOut: "AgentStatusId", arnOut: "AgentStatusARN", quotaErr: errLimitExceeded, check: checkAgentStatus},
	// The quota counts groups across all levels together.
	{op: "CreateUserHierarchyGroup", seg: "user-hierarchy-groups", kind: kindHierarchyGroup, nameKey: "Name",
		idOut: "HierarchyGroupId", arnOut: "HierarchyGroupArn", deleteOp: "DeleteUserHierarchyGroup", idParam: "HierarchyGroupId", quotaErr: errLimitExceeded,
		check: checkParentGroup, uses: parentGroup},
}

func checkAgentStatus(h *Handler, c *call, iid string, in map[string]json.RawMessage) error {
	var state string
	if json.Unmarshal(in["State"], &state) != nil || (state != "ENABLED" && state != "DISABLED") {
		return newError(errInvalidParameter, "State must be ENABLED or DISABLED")
	}
	return nil
}

// quickConnectConfig is what a quick connect names: a queue or a user
// with a flow, or a phone number.
type quickConnectConfig struct {
	QuickConnectType string `json:"QuickConnectType"`
	QueueConfig      *struct {
		QueueId       string `json:"QueueId"`
		ContactFlowId string `json:"ContactFlowId"`
	} `json:"QueueConfig"`
	UserConfig *struct {
		UserId        string `json:"UserId"`
		ContactFlowId string `json:"ContactFlowId"`
	} `json:"UserConfig"`
	PhoneConfig *struct {
		PhoneNumber string `json:"PhoneNumber"`
	} `json:"PhoneConfig"`
}

// refs are the resources a quick connect's configuration names.
func (q *quickConnectConfig) refs() []headroom.ResourceRef {
	switch {
	case q.QuickConnectType == "QUEUE" && q.QueueConfig != nil:
		return []headroom.ResourceRef{{Kind: kindQueue.name, ID: q.QueueConfig.QueueId}, {Kind: kindContactFlow.name, ID: q.QueueConfig.ContactFlowId}}
	case q.QuickConnectType == "USER" && q.UserConfig != nil:
		return []headroom.ResourceRef{{Kind: kindUser.name, ID: q.UserConfig.UserId}, {Kind: kindContactFlow.name, ID: q.UserConfig.ContactFlowId}}
	}
	return nil
}

func checkQuickConnect(h *Handler, c *call, iid string, in map[string]json.RawMessage) error {
	var q quickConnectConfig
	if err := decode(in["QuickConnectConfig"], &q); err != nil {
		return err
	}
	switch {
	case q.QuickConnectType == "QUEUE" && (q.QueueConfig == nil || q.QueueConfig.QueueId == "" || q.QueueConfig.ContactFlowId == ""):
		return newError(errInvalidParameter, "QuickConnectConfig.QueueConfig needs a QueueId and a ContactFlowId")
	case q.QuickConnectType == "USER" && (q.UserConfig == nil || q.UserConfig.UserId == "" || q.UserConfig.ContactFlowId == ""):
		return newError(errInvalidParameter, "QuickConnectConfig.UserConfig needs a UserId and a ContactFlowId")
	case q.QuickConnectType == "PHONE_NUMBER" && (q.PhoneConfig == nil || !e164.MatchString(q.PhoneConfig.PhoneNumber)):
		return newError(errInvalidParameter, "QuickConnectConfig.PhoneConfig needs a PhoneNumber in E.164 format")
	case q.QuickConnectType != "QUEUE" && q.QuickConnectType != "USER" && q.QuickConnectType != "PHONE_NUMBER":
		return newError(errInvalidParameter, "QuickConnectConfig.QuickConnectType must be USER, QUEUE or PHONE_NUMBER, not %q", clip(q.QuickConnectType))
	}
	for _, r := range q.refs() {
		k := kindQueue
		switch r.Kind {
		case kindUser.name:
			k = kindUser
		case kindContactFlow.name:
			k = kindContactFlow
		}
		if _, err := h.find(c, k, iid, r.ID, nil); err != nil {
			return err
		}
	}
	return nil
}

// quickConnectUses keeps a quick connect's queue or user and flow from
// being deleted while it names them.
func quickConnectUses(in map[string]json.RawMessage) []headroom.ResourceRef {
	var q quickConnectConfig
	if json.Unmarshal(in["QuickConnectConfig"], &q) != nil {
		return nil
	}
	return q.refs()
}

func checkParentGroup(h *Handler, c *call, iid string, in map[string]json.RawMessage) error {
	raw, ok := in["ParentGroupId"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var parent string
	if json.Unmarshal(raw, &parent) != nil || parent == "" {
		return newError(errInvalidParameter, "ParentGroupId must be a string")
	}
	_, err := h.find(c, kindHierarchyGroup, iid, parent, nil)
	return err
}

// parentGroup is the use of a group's parent group, if it has one: a group
// is not deleted while it has children.
func parentGroup(in map[string]json.RawMessage) []headroom.ResourceRef {
	var parent string
	if json.Unmarshal(in["ParentGroupId"], &parent) != nil || parent == "" {
		return nil
	}
	return []headroom.ResourceRef{{Kind: kindHierarchyGroup.name, ID: parent}}
}

// decodeObject decodes a body that must be a JSON object.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	in := map[string]json.RawMessage{}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return in, nil
}

// stringMember returns a required string member.
func stringMember(in map[string]json.RawMessage, key string) (string, error) {
	raw, ok := in[key]
	if !ok || string(raw) == "null" {
		return "", required(key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", headroom.Errorf(headroom.EINVALID, "%s must be a string", key)
	}
	if s == "" {
		return "", required(key)
	}
	return s, nil
}

func (h *Handler) createSimple(c *call, s *simpleSpec) (any, error) {
	iid := c.path("InstanceId")
	in, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	name, err := stringMember(in, s.nameKey)
	if err != nil {
		return nil, err
	}
	// Lengths and patterns are the model's, checked before the operation
	// runs (checkModel).
	if err := checkText(s.nameKey, name); err != nil {
		return nil, err
	}
	for _, k := range s.required {
		if raw, ok := in[k]; !ok || string(raw) == "null" {
			return nil, required(k)
		}
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if s.check != nil {
		if err := s.check(h, c, iid, in); err != nil {
			return nil, err
		}
	}
	id := ids.New()
	arn := h.arn(c.account, "instance/"+iid+"/"+s.kind.arnSeg+"/"+id)
	in["Id"], _ = json.Marshal(id)
	in["Arn"], _ = json.Marshal(arn)
	var uses []headroom.ResourceRef
	if s.uses != nil {
		uses = s.uses(in)
	}
	if err := h.create(c, s.kind, s.op, iid, id, name, instanceScope(iid), in, uses...); err != nil {
		return nil, err
	}
	return map[string]string{s.idOut: id, s.arnOut: arn}, nil
}

func (h *Handler) deleteSimple(c *call, s *simpleSpec) (any, error) {
	iid, id := c.path("InstanceId"), c.path(s.idParam)
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	// A group that has child groups is in use: the store refuses its delete
	// in the delete's own transaction.
	if err := h.remove(c, s.kind, s.deleteOp, iid, id, instanceScope(iid)); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EINUSE && s.kind == kindHierarchyGroup && strings.Contains(headroom.ErrorMessage(err), "by "+kindHierarchyGroup.name) {
			return nil, headroom.Errorf(headroom.EINUSE, "User hierarchy group %s has child groups; delete the children first (%s)", clip(id), headroom.ErrorMessage(err))
		}
		if headroom.ErrorCodeOf(err) == headroom.EINUSE {
			return nil, headroom.Errorf(headroom.EINUSE, "%s %s is in use: %s", s.kind.label, clip(id), headroom.ErrorMessage(err))
		}
		return nil, err
	}
	return struct{}{}, nil
}

var (
	instanceARN = regexp.MustCompile(`^arn:aws[a-z-]*:connect:([a-z0-9-]+):([0-9]{12}):instance/([A-Za-z0-9-]{1,100})$`)
	e164        = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	lambdaARN   = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`)
	lexV2Alias  = regexp.MustCompile(`^arn:aws[a-z-]*:lex:[a-z0-9-]+:[0-9]{12}:bot-alias/[A-Za-z0-9]+/[A-Za-z0-9]+$`)
)

// instanceFromARN returns the instance an ARN names, which must be one of
// the caller's in this region.
func (h *Handler) instanceFromARN(c *call, arn, member string) (string, error) {
	m := instanceARN.FindStringSubmatch(arn)
	if m == nil {
		return "", newError(errInvalidParameter, "%s %q is not an instance ARN such as arn:aws:connect:%s:%s:instance/INSTANCE-ID", member, clip(arn), h.region, c.account)
	}
	if m[1] != h.region || m[2] != c.account {
		return "", notFound(kindInstance, arn)
	}
	if _, err := h.instance(c, m[3]); err != nil {
		return "", err
	}
	return m[3], nil
}

// association is an instance's link to an outside resource; its id joins
// the instance and the resource, so the same function or bot may be
// associated with several instances, each holding one slot of its own.
func associationID(iid, target string) string { return iid + "|" + target }

func associateLambdaFunction(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	var in struct {
		FunctionArn string `json:"FunctionArn"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.FunctionArn == "" {
		return nil, required("FunctionArn")
	}
	if !lambdaARN.MatchString(in.FunctionArn) {
		return nil, newError(errInvalidParameter, "FunctionArn %q is not a Lambda function ARN such as arn:aws:lambda:%s:%s:function:NAME", clip(in.FunctionArn), h.region, c.account)
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	err := h.create(c, kindLambda, "AssociateLambdaFunction", iid, associationID(iid, in.FunctionArn), "", instanceScope(iid), in)
	if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
		return nil, headroom.Errorf(headroom.ECONFLICT, "function %s is already associated with instance %s", in.FunctionArn, iid)
	}
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func disassociateLambdaFunction(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	arn := c.r.URL.Query().Get("functionArn")
	if arn == "" {
		return nil, required("FunctionArn")
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if err := h.remove(c, kindLambda, "DisassociateLambdaFunction", iid, associationID(iid, arn), instanceScope(iid)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type botInput struct {
	LexBot *struct {
		Name      string `json:"Name"`
		LexRegion string `json:"LexRegion"`
	} `json:"LexBot"`
	LexV2Bot *struct {
		AliasArn string `json:"AliasArn"`
	} `json:"LexV2Bot"`
}

// botTarget validates an AssociateBot or DisassociateBot body and returns
// the bot it names.
func botTarget(c *call) (botInput, string, error) {
	var in botInput
	if err := decode(c.body, &in); err != nil {
		return in, "", err
	}
	switch {
	case in.LexBot != nil && in.LexV2Bot != nil:
		return in, "", newError(errInvalidRequest, "give LexBot or LexV2Bot, not both")
	case in.LexBot != nil:
		if in.LexBot.Name == "" || in.LexBot.LexRegion == "" {
			return in, "", newError(errInvalidRequest, "LexBot needs a Name and a LexRegion")
		}
		return in, "lex:" + in.LexBot.LexRegion + ":" + in.LexBot.Name, nil
	case in.LexV2Bot != nil:
		if !lexV2Alias.MatchString(in.LexV2Bot.AliasArn) {
			return in, "", newError(errInvalidRequest, "LexV2Bot.AliasArn %q is not a Lex V2 bot alias ARN such as arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT-ID/ALIAS-ID", clip(in.LexV2Bot.AliasArn))
		}
		return in, in.LexV2Bot.AliasArn, nil
	}
	return in, "", newError(errInvalidRequest, "LexBot or LexV2Bot is required")
}

func associateBot(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	in, target, err := botTarget(c)
	if err != nil {
		return nil, err
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	err = h.create(c, kindBot, "AssociateBot", iid, associationID(iid, target), "", instanceScope(iid), in)
	if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
		return nil, headroom.Errorf(headroom.ECONFLICT, "bot %s is already associated with instance %s", target, iid)
	}
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func disassociateBot(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	_, target, err := botTarget(c)
	if err != nil {
		return nil, err
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if err := h.remove(c, kindBot, "DisassociateBot", iid, associationID(iid, target), instanceScope(iid)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
