package awsapi

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tagPattern is the model's pattern for tag keys and values.
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

func checkTagKey(field, k string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
		return illegal(field, "a tag key must be 1 to 128 characters, got %d", n)
	}
	if !utf8.ValidString(k) || !tagPattern.MatchString(k) {
		return illegal(field, "%q holds characters other than letters, digits, spaces and _.:/=+-@", clip(k))
	}
	if len(k) >= 4 && strings.EqualFold(k[:4], "aws:") {
		return illegal(field, "%q: the aws: prefix is reserved", clip(k))
	}
	return nil
}

func checkTagValue(field, v string) error {
	if n := utf8.RuneCountInString(v); n > 256 {
		return illegal(field, "a tag value must be at most 256 characters, got %d", n)
	}
	if !utf8.ValidString(v) || !tagPattern.MatchString(v) {
		return illegal(field, "%q holds characters other than letters, digits, spaces and _.:/=+-@", clip(v))
	}
	return nil
}

func (h *Handler) tagResource(ctx context.Context, c *caller, in *tagResourceInput) (*empty, error) {
	arn, err := required("ResourceARN", in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, illegal("Tags", "at least one tag is required")
	}
	tags := make(map[string]string, len(in.Tags))
	for i, t := range in.Tags {
		field := "Tags[" + itoa(i) + "]"
		if t.Key == nil {
			return nil, illegal(field+".Key", "is required")
		}
		if t.Value == nil {
			return nil, illegal(field+".Value", "is required")
		}
		if err := checkTagKey(field+".Key", *t.Key); err != nil {
			return nil, err
		}
		if err := checkTagValue(field+".Value", *t.Value); err != nil {
			return nil, err
		}
		tags[*t.Key] = *t.Value
	}
	_, resource, err := h.parseQuotaARN(c, arn)
	if err != nil {
		return nil, err
	}
	// The store applies the tag limit (headroom.MaxTags) in the same atomic
	// operation as the change; the operation names its EQUOTAEXCEEDED
	// TooManyTagsException.
	if err := h.svc.TagResource(ctx, c.Account, resource, tags); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (h *Handler) untagResource(ctx context.Context, c *caller, in *untagResourceInput) (*empty, error) {
	arn, err := required("ResourceARN", in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, illegal("TagKeys", "is required")
	}
	for i, k := range in.TagKeys {
		if err := checkTagKey("TagKeys["+itoa(i)+"]", k); err != nil {
			return nil, err
		}
	}
	_, resource, err := h.parseQuotaARN(c, arn)
	if err != nil {
		return nil, err
	}
	if err := h.svc.UntagResource(ctx, c.Account, resource, in.TagKeys); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (h *Handler) listTags(ctx context.Context, c *caller, in *listTagsInput) (*listTagsOutput, error) {
	arn, err := required("ResourceARN", in.ResourceARN)
	if err != nil {
		return nil, err
	}
	_, resource, err := h.parseQuotaARN(c, arn)
	if err != nil {
		return nil, err
	}
	have, err := h.svc.ListTags(ctx, c.Account, resource)
	if err != nil {
		return nil, err
	}
	out := &listTagsOutput{Tags: make([]tag, 0, len(have))}
	for k, v := range have {
		out.Tags = append(out.Tags, tag{Key: k, Value: v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
