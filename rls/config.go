package rls

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Unit is a rate limit's unit, as envoyproxy/ratelimit names them.
type Unit int

// The units a configuration file may name (case-insensitively).
const (
	UnitSecond Unit = iota + 1
	UnitMinute
	UnitHour
	UnitDay
)

// Seconds returns the unit's length in seconds.
func (u Unit) Seconds() float64 {
	switch u {
	case UnitMinute:
		return 60
	case UnitHour:
		return 3600
	case UnitDay:
		return 86400
	}
	return 1
}

// String returns the unit as a configuration file writes it.
func (u Unit) String() string {
	switch u {
	case UnitSecond:
		return "second"
	case UnitMinute:
		return "minute"
	case UnitHour:
		return "hour"
	case UnitDay:
		return "day"
	}
	return "unknown"
}

func parseUnit(s string) (Unit, bool) {
	switch strings.ToLower(s) {
	case "second":
		return UnitSecond, true
	case "minute":
		return UnitMinute, true
	case "hour":
		return UnitHour, true
	case "day":
		return UnitDay, true
	}
	return 0, false
}

// Rule is a descriptor that carries a rate_limit block. Rules are immutable
// once loaded and safe for concurrent reads.
type Rule struct {
	// Domain is the rule's domain.
	Domain string
	// StatKey is the rule's path as envoyproxy/ratelimit names it in its
	// statistics: each level's KEY_VALUE (or KEY, for a key-only
	// descriptor), joined by ".".
	StatKey string
	// Code is the Headroom quota code of the rule: RLS-<domain>-<path>,
	// sanitized, with a short hash of the exact domain and path so that
	// two paths never share a code (see QuotaCode).
	Code string
	// Name is the rate_limit's name, for replaces.
	Name string
	// Replaces lists the names of the rules this one replaces.
	Replaces []string
	// Unit and RequestsPerUnit are the limit.
	Unit            Unit
	RequestsPerUnit uint32
	// Unlimited rules answer OK without counting.
	Unlimited bool
	// Shadow rules are decided and counted, but always answer OK.
	Shadow bool
	// Detailed puts the request's own value of a key-only descriptor in
	// the statistics key (detailed_metric).
	Detailed bool
	// File and Line say where the rule is written.
	File string
	Line int

	// metrics are the rule's counters; nil until the service adopts the
	// configuration.
	metrics *ruleMetrics
}

// node is one descriptor of the tree.
type node struct {
	key, value string
	wildcard   bool // value ends in "*": a prefix match on the rest
	rule       *Rule
	children   level
	statKey    string
	detailed   bool
}

// level is the descriptors at one depth under one parent, indexed for
// matching (match.go).
type level struct {
	exact     map[entry]*node
	wildcards []*node // in file order
	keyOnly   map[string]*node
}

type entry struct{ key, value string }

// Domain is one configuration file: a domain and its descriptor tree.
type Domain struct {
	// Name is the domain.
	Name string
	// File is the file it was loaded from.
	File string
	// AccountKey, when set, names the descriptor key whose value is the
	// Headroom account of the request (the account_key extension).
	AccountKey string
	// Rules are the domain's rules in file order.
	Rules []*Rule
	root  level
}

// Config is every domain of a configuration directory. It is immutable
// and safe for concurrent reads.
type Config struct {
	// Domains maps a domain name to its file.
	Domains map[string]*Domain
}

// Rules returns every rule of every domain, domains in name order.
func (c *Config) Rules() []*Rule {
	names := make([]string, 0, len(c.Domains))
	for n := range c.Domains {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*Rule
	for _, n := range names {
		out = append(out, c.Domains[n].Rules...)
	}
	return out
}

// ConfigError is a configuration problem: the file, the line (1-based; 0
// when the file could not be read or parsed at all), the field and what is
// wrong.
type ConfigError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

// Error returns "file:line: field: message".
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// LoadDir loads every *.yaml and *.yml file of dir (not its
// subdirectories; names beginning with "." are skipped), one domain per
// file. Any bad file fails the whole load with a *ConfigError naming the
// file, line and field; a domain in two files is an error too.
func LoadDir(dir string) (*Config, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &ConfigError{File: dir, Msg: fmt.Sprintf("cannot read the configuration directory: %v", err)}
	}
	cfg := &Config{Domains: map[string]*Domain{}}
	for _, de := range ents {
		name := de.Name()
		ext := filepath.Ext(name)
		if strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			continue // a dangling link or a directory named *.yaml
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &ConfigError{File: path, Msg: fmt.Sprintf("cannot read: %v", err)}
		}
		d, err := ParseDomain(path, data)
		if err != nil {
			return nil, err
		}
		if other, dup := cfg.Domains[d.Name]; dup {
			return nil, &ConfigError{File: path, Line: 1, Field: "domain",
				Msg: fmt.Sprintf("domain %q is already configured in %s", d.Name, other.File)}
		}
		cfg.Domains[d.Name] = d
	}
	return cfg, nil
}

// maxDepth bounds the descriptor tree's depth.
const maxDepth = 64

// ParseDomain parses one configuration file's content; file names it in
// errors. Unknown fields, a missing domain or key, a duplicate key/value at
// one level, a rate_limit without unit (unless unlimited) and values of the
// wrong type are *ConfigError values naming the file, line and field.
func ParseDomain(file string, data []byte) (*Domain, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &ConfigError{File: file, Line: 1, Field: "domain", Msg: "the file is empty"}
	}
	p := &parser{file: file}
	d, err := p.domain(doc.Content[0])
	if err != nil {
		return nil, err
	}
	d.File = file
	return d, nil
}

// yamlError turns a YAML syntax error into a *ConfigError with its line.
func yamlError(file string, err error) error {
	msg := err.Error()
	line := 0
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		// "yaml: line 3: mapping values are not allowed in this context"
		if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
			if n, after, ok := strings.Cut(rest, ":"); ok {
				if v, err := strconv.Atoi(n); err == nil {
					line, msg = v, strings.TrimSpace(after)
				}
			}
		}
	}
	return &ConfigError{File: file, Line: line, Msg: msg}
}

type parser struct {
	file string
}

func (p *parser) errf(n *yaml.Node, field, format string, args ...any) error {
	return &ConfigError{File: p.file, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// fields walks a mapping node, calling f for each key in order; a key
// f does not know, or a repeated key, is an error.
func (p *parser) fields(n *yaml.Node, where string, known []string, f func(key string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, where, "must be a mapping")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := k.Value
		if where != "" {
			field = where + "." + k.Value
		}
		if !contains(known, k.Value) {
			return p.errf(k, field, "unknown field (want one of %s)", strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return p.errf(k, field, "is given twice")
		}
		seen[k.Value] = true
		if err := f(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) str(v *yaml.Node, field string) (string, error) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Tag == "!!map" || v.Tag == "!!seq" {
		return "", p.errf(v, field, "must be a string")
	}
	return v.Value, nil
}

func (p *parser) boolean(v *yaml.Node, field string) (bool, error) {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		return false, p.errf(v, field, "must be true or false, got %q", v.Value)
	}
	return b, nil
}

func (p *parser) domain(n *yaml.Node) (*Domain, error) {
	d := &Domain{}
	var descs *yaml.Node
	err := p.fields(n, "", []string{"domain", "descriptors", "account_key"}, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "domain":
			d.Name, err = p.str(v, "domain")
			if err == nil && d.Name == "" {
				err = p.errf(v, "domain", "must not be empty")
			}
		case "account_key":
			d.AccountKey, err = p.str(v, "account_key")
			if err == nil && d.AccountKey == "" {
				err = p.errf(v, "account_key", "must not be empty when given")
			}
		case "descriptors":
			descs = v
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.Name == "" {
		return nil, p.errf(n, "domain", "is required")
	}
	if descs != nil {
		if err := p.descriptors(d, descs, &d.root, "descriptors", "", 1); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (p *parser) descriptors(d *Domain, n *yaml.Node, lv *level, field, parentStat string, depth int) error {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return p.errf(n, field, "must be a list of descriptors")
	}
	if depth > maxDepth {
		return p.errf(n, field, "descriptors nest deeper than %d levels", maxDepth)
	}
	for i, dn := range n.Content {
		where := fmt.Sprintf("%s[%d]", field, i)
		nd, err := p.descriptor(d, dn, where, parentStat, depth)
		if err != nil {
			return err
		}
		if err := lv.add(nd); err != nil {
			return p.errf(dn, where, "%v", err)
		}
	}
	return nil
}

func (p *parser) descriptor(d *Domain, n *yaml.Node, where, parentStat string, depth int) (*node, error) {
	nd := &node{}
	var (
		rl, children *yaml.Node
		hasKey       bool
		shadow       bool
	)
	err := p.fields(n, where, []string{"key", "value", "rate_limit", "shadow_mode", "detailed_metric", "descriptors"},
		func(key string, k, v *yaml.Node) error {
			var err error
			switch key {
			case "key":
				nd.key, err = p.str(v, where+".key")
				hasKey = true
			case "value":
				nd.value, err = p.str(v, where+".value")
			case "rate_limit":
				rl = v
			case "shadow_mode":
				shadow, err = p.boolean(v, where+".shadow_mode")
			case "detailed_metric":
				nd.detailed, err = p.boolean(v, where+".detailed_metric")
			case "descriptors":
				children = v
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	if !hasKey || nd.key == "" {
		return nil, p.errf(n, where+".key", "is required")
	}
	nd.wildcard = strings.HasSuffix(nd.value, "*")
	nd.statKey = nd.key
	if nd.value != "" {
		nd.statKey += "_" + nd.value
	}
	if parentStat != "" {
		nd.statKey = parentStat + "." + nd.statKey
	}
	if rl != nil {
		r, err := p.rateLimit(rl, where+".rate_limit")
		if err != nil {
			return nil, err
		}
		r.Domain, r.StatKey, r.Shadow, r.Detailed, r.File, r.Line = d.Name, nd.statKey, shadow, nd.detailed, p.file, rl.Line
		r.Code = QuotaCode(d.Name, nd.statKey)
		nd.rule = r
		d.Rules = append(d.Rules, r)
	}
	if children != nil {
		if err := p.descriptors(d, children, &nd.children, where+".descriptors", nd.statKey, depth+1); err != nil {
			return nil, err
		}
	}
	return nd, nil
}

func (p *parser) rateLimit(n *yaml.Node, where string) (*Rule, error) {
	r := &Rule{}
	var unitNode, rpuNode *yaml.Node
	err := p.fields(n, where, []string{"unit", "requests_per_unit", "name", "unlimited", "replaces"}, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "unit":
			var s string
			if s, err = p.str(v, where+".unit"); err == nil {
				var ok bool
				if r.Unit, ok = parseUnit(s); !ok {
					err = p.errf(v, where+".unit", "unknown unit %q (want second, minute, hour or day)", s)
				}
			}
			unitNode = v
		case "requests_per_unit":
			var u uint64
			if v.Kind != yaml.ScalarNode || v.Decode(&u) != nil || u > math.MaxUint32 {
				err = p.errf(v, where+".requests_per_unit", "must be a whole number from 0 to %d, got %q", uint32(math.MaxUint32), v.Value)
			}
			r.RequestsPerUnit = uint32(u)
			rpuNode = v
		case "name":
			r.Name, err = p.str(v, where+".name")
		case "unlimited":
			r.Unlimited, err = p.boolean(v, where+".unlimited")
		case "replaces":
			err = p.replaces(v, where+".replaces", r)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case r.Unlimited && unitNode != nil:
		return nil, p.errf(unitNode, where+".unit", "an unlimited rate_limit has no unit")
	case r.Unlimited && rpuNode != nil:
		return nil, p.errf(rpuNode, where+".requests_per_unit", "an unlimited rate_limit has no requests_per_unit")
	case !r.Unlimited && unitNode == nil:
		return nil, p.errf(n, where+".unit", "is required (second, minute, hour or day)")
	case !r.Unlimited && rpuNode == nil:
		return nil, p.errf(n, where+".requests_per_unit", "is required")
	}
	return r, nil
}

func (p *parser) replaces(v *yaml.Node, where string, r *Rule) error {
	if v.Kind != yaml.SequenceNode {
		return p.errf(v, where, "must be a list of {name: ...}")
	}
	for i, item := range v.Content {
		w := fmt.Sprintf("%s[%d]", where, i)
		var name string
		err := p.fields(item, w, []string{"name"}, func(key string, k, v *yaml.Node) error {
			var err error
			name, err = p.str(v, w+".name")
			return err
		})
		if err != nil {
			return err
		}
		if name == "" {
			return p.errf(item, w+".name", "is required")
		}
		r.Replaces = append(r.Replaces, name)
	}
	return nil
}

// add indexes a descriptor at its level; the same key and value twice at
// one level is an error, as in envoyproxy/ratelimit.
func (lv *level) add(nd *node) error {
	switch {
	case nd.value == "":
		if lv.keyOnly == nil {
			lv.keyOnly = map[string]*node{}
		}
		if _, dup := lv.keyOnly[nd.key]; dup {
			return fmt.Errorf("duplicate descriptor key %q (without value) at this level", nd.key)
		}
		lv.keyOnly[nd.key] = nd
	case nd.wildcard:
		for _, w := range lv.wildcards {
			if w.key == nd.key && w.value == nd.value {
				return fmt.Errorf("duplicate descriptor %s=%s at this level", nd.key, nd.value)
			}
		}
		lv.wildcards = append(lv.wildcards, nd)
	default:
		if lv.exact == nil {
			lv.exact = map[entry]*node{}
		}
		e := entry{nd.key, nd.value}
		if _, dup := lv.exact[e]; dup {
			return fmt.Errorf("duplicate descriptor %s=%s at this level", nd.key, nd.value)
		}
		lv.exact[e] = nd
	}
	return nil
}

// QuotaCode returns the Headroom quota code of a rule: "RLS-", the domain
// and the statistics key with every character outside [A-Za-z0-9] turned
// into "-", cut to fit, then "-" and 8 hex digits of the SHA-256 of the
// exact domain and key. It is stable across reloads and processes: an
// override or an approved increase for the code keeps applying while the
// rule stays in its file.
func QuotaCode(domain, statKey string) string {
	sum := sha256.Sum256([]byte(domain + "\x00" + statKey))
	var b strings.Builder
	b.WriteString("RLS-")
	last := byte('-')
	for _, c := range []byte(domain + "-" + statKey) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			c = '-'
		}
		if c == '-' && last == '-' {
			continue
		}
		b.WriteByte(c)
		last = c
		if b.Len() >= 100 {
			break
		}
	}
	s := strings.TrimRight(b.String(), "-")
	return s + "-" + hex.EncodeToString(sum[:4])
}
