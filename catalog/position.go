package catalog

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// tree is the YAML node tree of a catalog file. The loader decodes the file
// twice, once into the typed structs of format.go and once into this tree,
// and reads line numbers from the tree.
type tree struct {
	// root is the top-level mapping, or nil.
	root *yaml.Node
}

// maxDepth bounds how deep the position helpers descend, so that alias
// cycles in a hostile file cannot make them loop.
const maxDepth = 4

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	return n
}

// lookup returns the key and value nodes of key in mapping m, or nils.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// line returns the line of a top-level key, or of the file's first key.
func (t tree) line(key string) int {
	if k, _ := lookup(t.root, key); k != nil {
		return k.Line
	}
	if t.root != nil {
		return t.root.Line
	}
	return 0
}

// items returns the entries of the top-level sequence key ("quotas" or
// "overrides"); entry i decodes to element i of the typed slice.
func (t tree) items(key string) []*yaml.Node {
	_, v := lookup(t.root, key)
	v = resolve(v)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	return v.Content
}

// item returns entry i of items, or nil.
func item(items []*yaml.Node, i int) *yaml.Node {
	if i < len(items) {
		return resolve(items[i])
	}
	return nil
}

// fieldLine returns the line of a field inside entry m, with the field
// written as in Problem.Field ("burst", "cohorts[0].value"). It falls back to
// the deepest part of the path that exists, then to the entry's own line.
func fieldLine(m *yaml.Node, field string) int {
	if m == nil {
		return 0
	}
	line := m.Line
	cur := m
	for depth, seg := range strings.Split(field, ".") {
		if depth >= maxDepth {
			break
		}
		name, idx := splitIndex(seg)
		k, v := lookup(cur, name)
		if k == nil {
			break
		}
		line, cur = k.Line, resolve(v)
		if idx >= 0 {
			if cur == nil || cur.Kind != yaml.SequenceNode || idx >= len(cur.Content) {
				break
			}
			cur = resolve(cur.Content[idx])
			if cur == nil {
				break
			}
			line = cur.Line
		}
	}
	return line
}

// splitIndex splits "cohorts[2]" into "cohorts" and 2; idx is -1 without an
// index.
func splitIndex(seg string) (name string, idx int) {
	open := strings.IndexByte(seg, '[')
	if open < 0 || !strings.HasSuffix(seg, "]") {
		return seg, -1
	}
	n, err := strconv.Atoi(seg[open+1 : len(seg)-1])
	if err != nil || n < 0 {
		return seg, -1
	}
	return seg[:open], n
}

// location is what is on a line of the file.
type location struct {
	// section is "quotas" or "overrides" for a line inside one of their
	// entries, else "".
	section string
	// index is the entry's index in its section.
	index int
	// code is the entry's code, if it has one.
	code string
	// field is the path of the last key at or before the line, inside the
	// entry or at the top level.
	field string
}

// locate finds what is on a line.
func (t tree) locate(line int) location {
	k, v := lastKeyBefore(t.root, line)
	if k == nil {
		return location{}
	}
	v = resolve(v)
	if (k.Value == "quotas" || k.Value == "overrides") && v != nil && v.Kind == yaml.SequenceNode {
		i, entry := lastItemBefore(v, line)
		if entry == nil {
			return location{field: k.Value}
		}
		loc := location{section: k.Value, index: i, field: fieldAt(entry, line, "", 1)}
		if _, c := lookup(entry, "code"); c != nil && resolve(c).Kind == yaml.ScalarNode {
			loc.code = resolve(c).Value
		}
		return loc
	}
	return location{field: fieldAt(t.root, line, "", 0)}
}

// aligned reports whether every entry of "quotas" and "overrides" is a
// mapping. The decoder drops an entry that is not, so only then does entry i
// of the tree decode to element i of the typed slice.
func (t tree) aligned() bool {
	for _, section := range []string{"quotas", "overrides"} {
		for _, e := range t.items(section) {
			if e = resolve(e); e == nil || e.Kind != yaml.MappingNode {
				return false
			}
		}
	}
	return true
}

// fieldAt returns the path of the last key at or before line inside mapping
// m, descending into nested mappings and sequences of mappings.
func fieldAt(m *yaml.Node, line int, prefix string, depth int) string {
	k, v := lastKeyBefore(m, line)
	if k == nil {
		return ""
	}
	name := prefix + k.Value
	v = resolve(v)
	if v == nil || depth >= maxDepth {
		return name
	}
	switch v.Kind {
	case yaml.MappingNode:
		if sub := fieldAt(v, line, name+".", depth+1); sub != "" {
			return sub
		}
	case yaml.SequenceNode:
		if i, e := lastItemBefore(v, line); e != nil && e.Kind == yaml.MappingNode {
			elem := name + "[" + strconv.Itoa(i) + "]"
			if sub := fieldAt(e, line, elem+".", depth+1); sub != "" {
				return sub
			}
			return elem
		}
	}
	return name
}

// lastKeyBefore returns the last key of mapping m that starts at or before
// line, and its value.
func lastKeyBefore(m *yaml.Node, line int) (k, v *yaml.Node) {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Line > line {
			break
		}
		k, v = m.Content[i], m.Content[i+1]
	}
	return k, v
}

// lastItemBefore returns the last entry of sequence s that starts at or
// before line, and its index; nil if there is none.
func lastItemBefore(s *yaml.Node, line int) (int, *yaml.Node) {
	idx, found := -1, (*yaml.Node)(nil)
	for i, e := range s.Content {
		e = resolve(e)
		if e == nil || e.Line > line {
			break
		}
		idx, found = i, e
	}
	return idx, found
}
