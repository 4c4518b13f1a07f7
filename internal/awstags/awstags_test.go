package awstags

import (
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

func TestCheck(t *testing.T) {
	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many[strings.Repeat("k", i+1)] = "v"
	}
	for _, tc := range []struct {
		name string
		tags map[string]string
		ok   bool
	}{
		{"none", nil, true},
		{"plain", map[string]string{"team": "blue", "cost center": "42", "é": "ü"}, true},
		{"key of 128", map[string]string{strings.Repeat("k", 128): ""}, true},
		{"empty key", map[string]string{"": "x"}, false},
		{"key of 129", map[string]string{strings.Repeat("k", 129): ""}, false},
		{"aws: prefix", map[string]string{"AWS:x": "y"}, false},
		{"bad character", map[string]string{"a*b": "y"}, false},
		{"value of 257", map[string]string{"k": strings.Repeat("v", 257)}, false},
		{"value with a newline", map[string]string{"k": "a\nb"}, false},
		{"51 tags", many, false},
	} {
		err := Check(tc.tags)
		if tc.ok != (err == nil) || err != nil && headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
