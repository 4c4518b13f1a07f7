package profilesapi

import (
	"regexp"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awstags"
	"github.com/headroomhq/headroom/internal/cursor"
)

// Tags are kept by the engine's TagResource under the domain's ARN; it
// checks the 50-tag limit (headroom.MaxTags) in the same atomic operation
// as the change.

var domainARN = regexp.MustCompile(`^arn:aws[a-z-]*:profile:([a-z0-9-]+):([0-9]{12}):domains/([a-zA-Z0-9_-]{1,64})$`)

func (h *Handler) listQuery(c *call, parent string) *cursor.Query {
	return &cursor.Query{Op: c.op, Account: c.account, Params: []string{parent}}
}

// taggedDomain checks that an ARN names a domain of the caller's and
// returns it as the key tags are kept under.
func (h *Handler) taggedDomain(c *call) (string, error) {
	arn := c.path("resourceArn")
	m := domainARN.FindStringSubmatch(arn)
	if m == nil {
		return "", headroom.Errorf(headroom.EINVALID, "resourceArn %q is not a Customer Profiles domain ARN such as arn:aws:profile:%s:%s:domains/DOMAIN", clip(arn), h.region, c.account)
	}
	if m[1] != h.region || m[2] != c.account {
		return "", headroom.Errorf(headroom.ENOTFOUND, "resource not found: %s", clip(arn))
	}
	if _, _, err := h.domain(c, m[3]); err != nil {
		return "", err
	}
	return h.domainARN(c.account, m[3]), nil
}

func tagResource(h *Handler, c *call) (any, error) {
	arn, err := h.taggedDomain(c)
	if err != nil {
		return nil, err
	}
	var in struct{ Tags map[string]string }
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, required("tags")
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	return struct{}{}, h.engine.TagResource(c.ctx, c.account, arn, in.Tags)
}

func untagResource(h *Handler, c *call) (any, error) {
	arn, err := h.taggedDomain(c)
	if err != nil {
		return nil, err
	}
	keys := c.r.URL.Query()["tagKeys"]
	if len(keys) == 0 {
		return nil, required("tagKeys")
	}
	for _, k := range keys {
		if err := awstags.CheckKey(k); err != nil {
			return nil, err
		}
	}
	return struct{}{}, h.engine.UntagResource(c.ctx, c.account, arn, keys)
}

func listTagsForResource(h *Handler, c *call) (any, error) {
	arn, err := h.taggedDomain(c)
	if err != nil {
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
