package connectapi

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awstags"
)

// Tags on Connect resources are kept by the engine's TagResource, keyed by
// the resource's ARN, which checks the 50-tag limit (headroom.MaxTags) in
// the same atomic operation as the change.

// taggable maps the resource type of an ARN under an instance
// (instance/ID/TYPE/ID) to its kind.
var taggable = map[string]*kind{}

func init() {
	for _, k := range []*kind{kindUser, kindQueue, kindRoutingProfile, kindContactFlow, kindHours, kindPrompt,
		kindQuickConnect, kindSecurity, kindAgentStatus, kindHierarchyGroup} {
		taggable[k.arnSeg] = k
	}
}

var (
	connectARN = regexp.MustCompile(`^arn:aws[a-z-]*:connect:([a-z0-9-]+):([0-9]{12}):(.+)$`)
)

// taggedResource checks that an ARN names an existing resource of the
// caller's: an instance, a resource under one, or a claimed phone number.
func (h *Handler) taggedResource(c *call, arn string) error {
	m := connectARN.FindStringSubmatch(arn)
	if m == nil {
		return headroom.Errorf(headroom.EINVALID, "resourceArn %q is not an Amazon Connect ARN such as arn:aws:connect:%s:%s:instance/INSTANCE-ID", clip(arn), h.region, c.account)
	}
	if m[1] != h.region || m[2] != c.account {
		return headroom.Errorf(headroom.ENOTFOUND, "resource not found: %s", clip(arn))
	}
	parts := strings.Split(m[3], "/")
	switch {
	case len(parts) == 2 && parts[0] == "instance":
		_, err := h.instance(c, parts[1])
		return err
	case len(parts) == 4 && parts[0] == "instance" && taggable[parts[2]] != nil:
		if _, err := h.instance(c, parts[1]); err != nil {
			return err
		}
		_, err := h.find(c, taggable[parts[2]], parts[1], parts[3], nil)
		return err
	case len(parts) == 2 && parts[0] == "phone-number":
		_, err := h.engine.FindResource(c.ctx, c.account, kindPhoneNumber.name, parts[1])
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return notFound(kindPhoneNumber, parts[1])
		}
		return err
	}
	return headroom.Errorf(headroom.ENOTFOUND, "resource not found: %s", clip(arn))
}

func tagConnectResource(h *Handler, c *call) (any, error) {
	arn := c.path("resourceArn")
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, required("tags")
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	if err := h.taggedResource(c, arn); err != nil {
		return nil, err
	}
	// The route names the limit's EQUOTAEXCEEDED InvalidParameterException,
	// as TagResource's model lists no quota error.
	if err := h.engine.TagResource(c.ctx, c.account, arn, in.Tags); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func untagConnectResource(h *Handler, c *call) (any, error) {
	arn := c.path("resourceArn")
	keys := c.r.URL.Query()["tagKeys"]
	if len(keys) == 0 {
		return nil, required("tagKeys")
	}
	if len(keys) > headroom.MaxTags {
		return nil, headroom.Errorf(headroom.EINVALID, "at most %d tagKeys are allowed, got %d", headroom.MaxTags, len(keys))
	}
	for _, k := range keys {
		if err := awstags.CheckKey(k); err != nil {
			return nil, err
		}
	}
	if err := h.taggedResource(c, arn); err != nil {
		return nil, err
	}
	if err := h.engine.UntagResource(c.ctx, c.account, arn, keys); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func listConnectTags(h *Handler, c *call) (any, error) {
	arn := c.path("resourceArn")
	if err := h.taggedResource(c, arn); err != nil {
		return nil, err
	}
	tags, err := h.engine.ListTags(c.ctx, c.account, arn)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return map[string]any{"tags": tags}, nil
}

// createTags reads and checks the Tags member of a create call, before the
// create, so that bad tags refuse the call and store nothing. Absent or
// empty is nil.
func createTags(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var tags map[string]string
	if err := json.Unmarshal(raw, &tags); err != nil {
		return nil, headroom.FieldErrorf("Tags", "must map tag keys to string values")
	}
	if err := awstags.Check(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

// tagCreated gives a created resource the tags of its create call, as
// the engine's tags keyed by its ARN: the ones ListTagsForResource,
// UntagResource and the searches' tag filters see.
func (h *Handler) tagCreated(c *call, arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	return h.engine.TagResource(c.ctx, c.account, arn, tags)
}

// currentTags is a resource's tags for a Describe answer, as JSON: the
// engine's, keyed by its ARN.
func (h *Handler) currentTags(c *call, arn string) (json.RawMessage, error) {
	tags, err := h.engine.ListTags(c.ctx, c.account, arn)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	b, _ := json.Marshal(tags) // a map of strings always marshals
	return b, nil
}
