package connectapi

import (
	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/arn"
	"github.com/headroomhq/headroom/internal/ids"
)

// instanceData is an instance as DescribeInstance returns it.
type instanceData struct {
	Id                     string  `json:"Id"`
	Arn                    string  `json:"Arn"`
	IdentityManagementType string  `json:"IdentityManagementType"`
	InstanceAlias          string  `json:"InstanceAlias,omitempty"`
	CreatedTime            float64 `json:"CreatedTime"`
	ServiceRole            string  `json:"ServiceRole"`
	InstanceStatus         string  `json:"InstanceStatus"`
	InboundCallsEnabled    bool    `json:"InboundCallsEnabled"`
	OutboundCallsEnabled   bool    `json:"OutboundCallsEnabled"`
	InstanceAccessUrl      string  `json:"InstanceAccessUrl,omitempty"`
}

type createInstanceInput struct {
	ClientToken            string `json:"ClientToken"`
	IdentityManagementType string `json:"IdentityManagementType"`
	InstanceAlias          string `json:"InstanceAlias"`
	DirectoryId            string `json:"DirectoryId"`
	InboundCallsEnabled    *bool  `json:"InboundCallsEnabled"`
	OutboundCallsEnabled   *bool  `json:"OutboundCallsEnabled"`
	Tags                   any    `json:"Tags"`
}

func validAlias(s string) bool {
	if len(s) < 1 || len(s) > 45 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' && i > 0 && i < len(s)-1) {
			return false
		}
	}
	return true
}

func createInstance(h *Handler, c *call) (any, error) {
	var in createInstanceInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch in.IdentityManagementType {
	case "":
		return nil, required("IdentityManagementType")
	case "SAML", "CONNECT_MANAGED", "EXISTING_DIRECTORY":
	default:
		return nil, newError(errInvalidRequest, "IdentityManagementType must be SAML, CONNECT_MANAGED or EXISTING_DIRECTORY, not %q", clip(in.IdentityManagementType))
	}
	if in.InboundCallsEnabled == nil {
		return nil, required("InboundCallsEnabled")
	}
	if in.OutboundCallsEnabled == nil {
		return nil, required("OutboundCallsEnabled")
	}
	if in.IdentityManagementType == "EXISTING_DIRECTORY" && in.DirectoryId == "" {
		return nil, newError(errInvalidRequest, "DirectoryId is required when IdentityManagementType is EXISTING_DIRECTORY")
	}
	if in.InstanceAlias != "" && !validAlias(in.InstanceAlias) {
		return nil, newError(errInvalidRequest, "InstanceAlias %q must be 1 to 45 letters, digits and inner hyphens", clip(in.InstanceAlias))
	}
	tok, err := h.clientToken(c, "CreateInstance", in.ClientToken)
	if err != nil {
		return nil, err
	}
	id := ids.New()
	now := h.stamp()
	d := instanceData{Id: id, Arn: h.arn(c.account, "instance/"+id), IdentityManagementType: in.IdentityManagementType,
		InstanceAlias: in.InstanceAlias, CreatedTime: epoch(now), InstanceStatus: "ACTIVE",
		ServiceRole:         arn.Build("iam", "", c.account, "role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect"),
		InboundCallsEnabled: *in.InboundCallsEnabled, OutboundCallsEnabled: *in.OutboundCallsEnabled}
	if in.InstanceAlias != "" {
		d.InstanceAccessUrl = "https://" + in.InstanceAlias + ".my.connect.aws"
	}
	res, err := h.createWith(c, kindInstance, "CreateInstance", "", id, in.InstanceAlias, headroom.ScopeAccount, d, tok)
	switch headroom.ErrorCodeOf(err) {
	case "":
	case headroom.ECONFLICT:
		return nil, headroom.Errorf(headroom.ECONFLICT, "an instance with the alias %q already exists", clip(in.InstanceAlias))
	default:
		return nil, tokenReused(err, "CreateInstance", in.ClientToken)
	}
	if res.ID == id {
		// A new instance, not a replayed token: it comes with Connect's
		// defaults.
		if err := h.seedDefaults(c, id); err != nil {
			return nil, err
		}
	}
	return map[string]string{"Id": res.ID, "Arn": h.arn(c.account, "instance/"+res.ID)}, nil
}

func describeInstance(h *Handler, c *call) (any, error) {
	// The instance is named by its id or its ARN.
	iid, err := h.instanceID(c, c.path("InstanceId"))
	if err != nil {
		return nil, err
	}
	in, err := h.instance(c, iid)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Instance": in}, nil
}

func listInstances(h *Handler, c *call) (any, error) {
	max, err := maxResults(c, 10, 10, errInvalidRequest)
	if err != nil {
		return nil, err
	}
	rs, next, err := h.page(c, kindInstance, "", c.r.URL.Query().Get("nextToken"), max)
	if err != nil {
		return nil, err
	}
	list := make([]instanceData, 0, len(rs))
	for _, r := range rs {
		var d instanceData
		if err := unmarshal(r.Data, &d); err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	out := map[string]any{"InstanceSummaryList": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// deleteInstance deletes an instance with everything under it, freeing
// every slot they held, in one store transaction: a resource created under
// the instance meanwhile is either deleted with it or refused (resources
// under an instance are created only while it exists).
func deleteInstance(h *Handler, c *call) (any, error) {
	id := c.path("InstanceId")
	if _, err := h.instance(c, id); err != nil {
		return nil, err
	}
	_, err := h.engine.DeleteResourceTree(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindInstance.name, ID: id,
		Free: kindInstance.slot(headroom.ScopeAccount), Note: note(c, "DeleteInstance", "Instance "+id+" deleted with everything under it")},
		instanceScope(id))
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil, notFound(kindInstance, id)
	}
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
