package connectapi

import (
	"encoding/json"

	"github.com/headroomhq/headroom/internal/ids"
)

// userData is a user as DescribeUser returns it.
type userData struct {
	Id                 string          `json:"Id"`
	Arn                string          `json:"Arn"`
	Username           string          `json:"Username"`
	IdentityInfo       json.RawMessage `json:"IdentityInfo,omitempty"`
	PhoneConfig        json.RawMessage `json:"PhoneConfig,omitempty"`
	DirectoryUserId    string          `json:"DirectoryUserId,omitempty"`
	SecurityProfileIds []string        `json:"SecurityProfileIds"`
	RoutingProfileId   string          `json:"RoutingProfileId"`
	HierarchyGroupId   string          `json:"HierarchyGroupId,omitempty"`
	Tags               json.RawMessage `json:"Tags,omitempty"`
	LastModifiedTime   float64         `json:"LastModifiedTime"`
}

type createUserInput struct {
	Username     string          `json:"Username"`
	Password     string          `json:"Password"`
	IdentityInfo json.RawMessage `json:"IdentityInfo"`
	PhoneConfig  *struct {
		PhoneType string `json:"PhoneType"`
	} `json:"PhoneConfig"`
	DirectoryUserId    string          `json:"DirectoryUserId"`
	SecurityProfileIds []string        `json:"SecurityProfileIds"`
	RoutingProfileId   string          `json:"RoutingProfileId"`
	HierarchyGroupId   string          `json:"HierarchyGroupId"`
	Tags               json.RawMessage `json:"Tags"`
}

func validUsername(s string) bool {
	if len(s) < 1 || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '@' || c == '+') {
			return false
		}
	}
	return true
}

func createUser(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	var in createUserInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.Username == "":
		return nil, required("Username")
	case !validUsername(in.Username):
		return nil, newError(errInvalidParameter, "Username %q must be 1 to 100 of a-z A-Z 0-9 _ - . @ +", clip(in.Username))
	case in.PhoneConfig == nil:
		return nil, required("PhoneConfig")
	case in.PhoneConfig.PhoneType != "SOFT_PHONE" && in.PhoneConfig.PhoneType != "DESK_PHONE":
		return nil, newError(errInvalidParameter, "PhoneConfig.PhoneType must be SOFT_PHONE or DESK_PHONE, not %q", clip(in.PhoneConfig.PhoneType))
	case len(in.SecurityProfileIds) == 0:
		return nil, required("SecurityProfileIds")
	case len(in.SecurityProfileIds) > 10:
		return nil, newError(errInvalidParameter, "SecurityProfileIds takes at most 10 ids, got %d", len(in.SecurityProfileIds))
	case in.RoutingProfileId == "":
		return nil, required("RoutingProfileId")
	}
	if err := checkText("DirectoryUserId", in.DirectoryUserId); err != nil {
		return nil, err
	}
	if len(in.IdentityInfo) > 0 && string(in.IdentityInfo) != "null" {
		var ii identityInfo
		if err := decode(in.IdentityInfo, &ii); err != nil {
			return nil, err
		}
		if err := ii.check(); err != nil {
			return nil, err
		}
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	// Every id names a resource of the instance; the user then uses them,
	// so none is deleted while it does.
	if err := h.checkRefs(c, iid, kindSecurity, in.SecurityProfileIds...); err != nil {
		return nil, err
	}
	if err := h.checkRefs(c, iid, kindRoutingProfile, in.RoutingProfileId); err != nil {
		return nil, err
	}
	if in.HierarchyGroupId != "" {
		if err := h.checkRefs(c, iid, kindHierarchyGroup, in.HierarchyGroupId); err != nil {
			return nil, err
		}
	}
	tags, err := createTags(in.Tags)
	if err != nil {
		return nil, err
	}
	id := ids.New()
	pc, _ := json.Marshal(in.PhoneConfig)
	d := userData{Id: id, Arn: h.arn(c.account, "instance/"+iid+"/agent/"+id), Username: in.Username, IdentityInfo: in.IdentityInfo,
		PhoneConfig: pc, DirectoryUserId: in.DirectoryUserId, SecurityProfileIds: in.SecurityProfileIds,
		RoutingProfileId: in.RoutingProfileId, HierarchyGroupId: in.HierarchyGroupId, Tags: in.Tags, LastModifiedTime: epoch(h.clock.Now())}
	if err := h.create(c, kindUser, "CreateUser", iid, id, in.Username, instanceScope(iid), d, userUses(&d)...); err != nil {
		return nil, err
	}
	if err := h.tagCreated(c, d.Arn, tags); err != nil {
		return nil, err
	}
	return map[string]string{"UserId": id, "UserArn": d.Arn}, nil
}

func describeUser(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	var d userData
	if _, err := h.find(c, kindUser, iid, c.path("UserId"), &d); err != nil {
		return nil, err
	}
	tags, err := h.currentTags(c, d.Arn)
	if err != nil {
		return nil, err
	}
	d.Tags = tags
	return map[string]any{"User": d}, nil
}

func listUsers(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	max, err := maxResults(c, 100, 1000, errInvalidParameter)
	if err != nil {
		return nil, err
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	rs, next, err := h.page(c, kindUser, iid, c.r.URL.Query().Get("nextToken"), max)
	if err != nil {
		return nil, err
	}
	type summary struct {
		Id, Arn, Username string
	}
	list := make([]summary, 0, len(rs))
	for _, r := range rs {
		var d userData
		if err := unmarshal(r.Data, &d); err != nil {
			return nil, err
		}
		list = append(list, summary{d.Id, d.Arn, d.Username})
	}
	out := map[string]any{"UserSummaryList": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func deleteUser(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if err := h.remove(c, kindUser, "DeleteUser", iid, c.path("UserId"), instanceScope(iid)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
