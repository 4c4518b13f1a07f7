// Package awstags checks resource tags as the AWS service models of
// Amazon Connect and Customer Profiles constrain them, once for both APIs.
package awstags

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/headroomhq/headroom"
)

// tagChars is the models' pattern for tag keys and values.
var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// CheckKey checks one tag key: 1 to 128 characters of the models' pattern,
// not starting with the reserved aws: prefix. It returns EINVALID naming
// the rule broken.
func CheckKey(k string) error {
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

// Check checks a tag map: at most headroom.MaxTags tags, each key as
// CheckKey says, each value at most 256 characters of the models'
// pattern. It returns EINVALID naming the first rule broken.
func Check(tags map[string]string) error {
	if len(tags) > headroom.MaxTags {
		return headroom.Errorf(headroom.EINVALID, "at most %d tags are allowed, got %d", headroom.MaxTags, len(tags))
	}
	for k, v := range tags {
		if err := CheckKey(k); err != nil {
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

// clip shortens a caller's string for an error message.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "..."
}
