package rls

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/headroomhq/headroom"
)

// Entry is one key/value pair of a request's descriptor.
type Entry struct {
	Key, Value string
}

// Match returns the rule a request descriptor selects, or nil, and the
// statistics key its hits count under. As envoyproxy/ratelimit documents
// ("Descriptor list definition", examples 3, 4 and 9), the entries are
// matched one level at a time down the descriptor tree, each against the
// most specific descriptor of its level: the exact key and value, else a
// value ending in "*" whose prefix the value has (the first in file
// order), else the key alone. The rule is that of the node the last entry
// reaches; a descriptor that stops above a rule, goes past the tree, or
// misses at any level selects none. Match is safe for concurrent use.
func (d *Domain) Match(entries []Entry) (*Rule, string) {
	if len(entries) == 0 {
		return nil, ""
	}
	lv := &d.root
	detailed := false
	for i := range entries {
		e := &entries[i]
		nd := lv.find(e)
		if nd == nil {
			return nil, ""
		}
		detailed = detailed || (nd.detailed && nd.value == "")
		if i < len(entries)-1 {
			lv = &nd.children
			continue
		}
		if nd.rule == nil {
			return nil, ""
		}
		if !detailed {
			return nd.rule, nd.rule.StatKey
		}
		return nd.rule, d.detailedKey(entries)
	}
	return nil, ""
}

// find picks the most specific descriptor of the level for one entry.
func (lv *level) find(e *Entry) *node {
	if nd, ok := lv.exact[entry{e.Key, e.Value}]; ok {
		return nd
	}
	for _, w := range lv.wildcards {
		if w.key == e.Key && strings.HasPrefix(e.Value, w.value[:len(w.value)-1]) {
			return w
		}
	}
	return lv.keyOnly[e.Key]
}

// detailedKey is the statistics key of a match through a detailed_metric
// descriptor: a key-only level marked detailed_metric shows the request's
// value, as envoyproxy/ratelimit's example 8 shows.
func (d *Domain) detailedKey(entries []Entry) string {
	var b strings.Builder
	lv := &d.root
	for i := range entries {
		nd := lv.find(&entries[i])
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(nd.key)
		switch {
		case nd.value != "":
			b.WriteByte('_')
			b.WriteString(nd.value)
		case nd.detailed:
			b.WriteByte('_')
			b.WriteString(entries[i].Value)
		}
		lv = &nd.children
	}
	return b.String()
}

// maxScopeID is the longest descriptor id written out; longer ones are
// hashed.
const maxScopeID = 256

// BucketScope returns the Headroom scope of a match's bucket:
// "descriptor/" and the request's values, so that each distinct set of
// values has a bucket of its own, as envoyproxy/ratelimit keys its cache by
// the values. Values are escaped into the characters a scope id allows
// ("=" followed by two hex digits), joined by "+", after a leading "v"; an
// id longer than 256 bytes becomes "=H" and the SHA-256 of the values.
func BucketScope(entries []Entry) string {
	var b strings.Builder
	b.WriteString(headroom.ScopeDescriptor)
	b.WriteString("/v")
	for i := range entries {
		if i > 0 {
			b.WriteByte('+')
		}
		v := entries[i].Value
		for j := 0; j < len(v); j++ {
			c := v[j]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
				c == '.', c == '_', c == ':', c == '@', c == '-':
				b.WriteByte(c)
			default:
				const hexdigits = "0123456789ABCDEF"
				b.WriteByte('=')
				b.WriteByte(hexdigits[c>>4])
				b.WriteByte(hexdigits[c&15])
			}
		}
	}
	s := b.String()
	if len(s)-len(headroom.ScopeDescriptor)-1 <= maxScopeID {
		return s
	}
	h := sha256.New()
	for i := range entries {
		h.Write([]byte(entries[i].Value))
		h.Write([]byte{0})
	}
	return headroom.ScopeDescriptor + "/=H" + hex.EncodeToString(h.Sum(nil))
}
