package headroom

import (
	"strings"
)

// ScopeAccount is the scope of account-level usage and overrides.
const ScopeAccount = "account"

// ScopeTypes lists the segment types a scope template may use. A concrete
// scope alternates a type and an id: "instance/i-1/routing-profile/rp-7".
var ScopeTypes = []string{
	"instance", "routing-profile", "agent", "operation", "queue",
	"domain", "object-type", "profile",
	"contact", "task", "chat", "call", "conversation", "participant",
	ScopeDescriptor,
}

// ScopeTemplate is a quota's scope: "account", or segment types joined by
// "/" such as "instance/routing-profile".
type ScopeTemplate string

// Validate reports an *Error with Field "scope" if the template uses an
// unknown segment type or repeats one.
func (t ScopeTemplate) Validate() error {
	if t == ScopeAccount {
		return nil
	}
	if t == "" {
		return FieldErrorf("scope", "must not be empty (use %q for account-wide quotas)", ScopeAccount)
	}
	seen := map[string]bool{}
	for _, seg := range strings.Split(string(t), "/") {
		if !isScopeType(seg) {
			return FieldErrorf("scope", "unknown scope type %q in %q (want account or a path of %v)", seg, t, ScopeTypes)
		}
		if seen[seg] {
			return FieldErrorf("scope", "scope type %q repeats in %q", seg, t)
		}
		seen[seg] = true
	}
	return nil
}

func isScopeType(s string) bool {
	for _, x := range ScopeTypes {
		if x == s {
			return true
		}
	}
	return false
}

// Match checks that scope is a concrete instance of the template: for
// "instance/routing-profile", a scope such as "instance/i-1/routing-profile/rp-7".
// The account template matches "account" and "". With prefix set, scope may
// also stop early ("instance/i-1"), as a resource-level override may.
// It returns an *Error of code EINVALID naming the field "scope".
func (t ScopeTemplate) Match(scope string, prefix bool) error {
	if t == ScopeAccount || scope == "" || scope == ScopeAccount {
		if scope == "" || scope == ScopeAccount {
			if t == ScopeAccount || prefix {
				return nil
			}
			return FieldErrorf("scope", "quota is counted per %s; name one, as %q", t, t.Example())
		}
		return FieldErrorf("scope", "quota is counted per account; scope %q does not apply", scope)
	}
	tmpl := string(t)
	rest := scope
	for {
		// One template segment type against one "type/id" pair of the scope.
		typ, tmplRest, tmplMore := strings.Cut(tmpl, "/")
		styp, after, ok := strings.Cut(rest, "/")
		if !ok || styp != typ {
			return FieldErrorf("scope", "scope %q does not fit %q (want a scope such as %q)", scope, t, t.Example())
		}
		id, scopeRest, scopeMore := strings.Cut(after, "/")
		if !ValidScopeID(id) {
			return FieldErrorf("scope", "bad %s id %q in scope %q", typ, id, scope)
		}
		switch {
		case !scopeMore && !tmplMore:
			return nil
		case !scopeMore && prefix:
			return nil
		case !scopeMore || !tmplMore:
			return FieldErrorf("scope", "scope %q does not fit %q (want a scope such as %q)", scope, t, t.Example())
		}
		tmpl, rest = tmplRest, scopeRest
	}
}

// Example returns a concrete scope for the template, for error messages.
func (t ScopeTemplate) Example() string {
	if t == ScopeAccount {
		return ScopeAccount
	}
	var b strings.Builder
	for i, seg := range strings.Split(string(t), "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(seg)
		b.WriteString("/ID")
	}
	return b.String()
}

// ValidScopeID reports whether id can name a resource in a scope: 1 to 256
// bytes of letters, digits and ._:@+=-.
func ValidScopeID(id string) bool {
	if id == "" || len(id) > 256 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '_' || c == ':' || c == '@' || c == '+' || c == '=' || c == '-':
		default:
			return false
		}
	}
	return true
}

// ScopeParents returns scope followed by each shorter resource prefix and
// finally ScopeAccount: for "instance/i-1/routing-profile/rp-7" it returns
// that scope, "instance/i-1" and "account". Applied values are resolved in
// this order, so the most specific override wins.
func ScopeParents(scope string) []string {
	if scope == "" || scope == ScopeAccount {
		return []string{ScopeAccount}
	}
	out := []string{scope}
	s := scope
	for {
		// Drop one "type/id" pair from the end.
		i := strings.LastIndexByte(s, '/')
		if i < 0 {
			break
		}
		j := strings.LastIndexByte(s[:i], '/')
		if j < 0 {
			break
		}
		s = s[:j]
		out = append(out, s)
	}
	return append(out, ScopeAccount)
}

// DescribeScope renders a scope for messages: "instance i-1",
// "routing-profile rp-7 in instance i-1", or "account 123456789012".
func DescribeScope(account, scope string) string {
	return string(appendScope(nil, account, scope))
}

// appendScope appends DescribeScope's text to b, innermost resource first.
func appendScope(b []byte, account, scope string) []byte {
	if scope == "" || scope == ScopeAccount {
		return append(append(b, "account "...), account...)
	}
	rest := scope
	first := true
	for rest != "" {
		// Take the last "type/id" pair off the end.
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return append(b, rest...) // malformed: show what is left
		}
		i := strings.LastIndexByte(rest[:j], '/')
		if !first {
			b = append(b, " in "...)
		}
		first = false
		b = append(b, rest[i+1:j]...)
		b = append(b, ' ')
		b = append(b, rest[j+1:]...)
		if i < 0 {
			break
		}
		rest = rest[:i]
	}
	return b
}
