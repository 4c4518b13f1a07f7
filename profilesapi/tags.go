package profilesapi

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// Tags are kept by the engine's TagResource under the domain's ARN; it
// checks the 50-tag limit (headroom.MaxTags) in the same atomic operation
// as the change.

var (
	domainARN = regexp.MustCompile(`^arn:aws[a-z-]*:profile:([a-z0-9-]+):([0-9]{12}):domains/([a-zA-Z0-9_-]{1,64})$`)
	tagChars  = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

func (h *Handler) listQuery(c *call, parent string) *cursor.Query {
	return &cursor.Query{Op: c.op, Account: c.account, Params: []string{parent}}
}

func checkTagKey(k string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
		return headroom.Errorf(headroom.EINVALID, "a tag key must be 1 to 128 characters, got %d", n)
	}
	if !utf8.ValidString(k) || !tagChars.MatchString(k) {
		return headroom.Errorf(headroom.EINVALID, "tag key %q holds characters other than letters, digits, spaces and _.:/=+-@", clip(k))
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return headroom.Errorf(headroom.EINVALID, "tag key %q: the aws: prefix is reserved for AWS", clip(k))
	}
	return nil
}

// checkTags checks a tag map against the model: at most 50 tags, keys of
// 1 to 128 and values of at most 256 characters.
func checkTags(tags map[string]string) error {
	if len(tags) > headroom.MaxTags {
		return headroom.Errorf(headroom.EINVALID, "at most %d tags are allowed, got %d", headroom.MaxTags, len(tags))
	}
	for k, v := range tags {
		if err := checkTagKey(k); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(v); n > 256 {
			return headroom.Errorf(headroom.EINVALID, "the value of tag %q must be at most 256 characters, got %d", clip(k), n)
		}
		if !utf8.ValidString(v) || !tagChars.MatchString(v) {
			return headroom.Errorf(headroom.EINVALID, "the value of tag %q holds characters other than letters, digits, spaces and _.:/=+-@", clip(k))
		}
	}
	return nil
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
	if err := checkTags(in.Tags); err != nil {
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
		if err := checkTagKey(k); err != nil {
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
