package headroom_test

import (
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

func TestScopeMatch(t *testing.T) {
	for _, tc := range []struct {
		tmpl   headroom.ScopeTemplate
		scope  string
		prefix bool
		ok     bool
	}{
		{"account", "account", false, true},
		{"account", "", false, true},
		{"account", "instance/i-1", false, false},
		{"instance", "instance/i-1", false, true},
		{"instance", "instance/arn:aws:connect:us-east-1:123456789012:instance@x", false, true},
		{"instance", "account", false, false},
		{"instance", "account", true, true},
		{"instance", "instance", false, false},
		{"instance", "instance/", false, false},
		{"instance", "instance/i-1/", false, false},
		{"instance", "queue/q-1", false, false},
		{"instance", "instance/i 1", false, false},
		{"instance", "instance/" + strings.Repeat("x", 257), false, false},
		{"instance/routing-profile", "instance/i-1/routing-profile/rp-1", false, true},
		{"instance/routing-profile", "instance/i-1", false, false},
		{"instance/routing-profile", "instance/i-1", true, true},
		{"instance/routing-profile", "instance/i-1/routing-profile/rp-1/queue/q", false, false},
		{"instance/routing-profile", "instance/i-1/agent/a-1", false, false},
		{"instance/routing-profile", "routing-profile/rp-1", true, false},
	} {
		err := tc.tmpl.Match(tc.scope, tc.prefix)
		if (err == nil) != tc.ok {
			t.Errorf("%q.Match(%q, %v) = %v, want ok=%v", tc.tmpl, tc.scope, tc.prefix, err, tc.ok)
		}
		if err != nil && headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("%q.Match(%q): code %s", tc.tmpl, tc.scope, headroom.ErrorCodeOf(err))
		}
	}
}

func TestScopeTemplateValidate(t *testing.T) {
	for tmpl, ok := range map[headroom.ScopeTemplate]bool{
		"account": true, "instance": true, "instance/agent": true, "domain/object-type": true,
		"": false, "tenant": false, "instance/instance": false, "account/instance": false, "instance/": false,
	} {
		if err := tmpl.Validate(); (err == nil) != ok {
			t.Errorf("%q.Validate() = %v, want ok=%v", tmpl, err, ok)
		}
	}
}

func TestScopeParentsAndDescribe(t *testing.T) {
	got := strings.Join(headroom.ScopeParents("instance/i-1/routing-profile/rp-7"), " | ")
	if got != "instance/i-1/routing-profile/rp-7 | instance/i-1 | account" {
		t.Fatalf("ScopeParents = %s", got)
	}
	if got := headroom.DescribeScope(acct, "instance/i-1/routing-profile/rp-7"); got != "routing-profile rp-7 in instance i-1" {
		t.Fatalf("DescribeScope = %q", got)
	}
	if got := headroom.DescribeScope(acct, "account"); got != "account "+acct {
		t.Fatalf("DescribeScope(account) = %q", got)
	}
}

// FuzzScopeMatch feeds untrusted scopes to the parser: it must never panic,
// and a scope it accepts must describe and split consistently.
func FuzzScopeMatch(f *testing.F) {
	for _, s := range []string{"account", "", "instance/i-1", "instance/i-1/routing-profile/rp-1", "instance//x", "/", "instance/i-1/"} {
		f.Add("instance/routing-profile", s, true)
		f.Add("instance", s, false)
	}
	f.Fuzz(func(t *testing.T, tmpl, scope string, prefix bool) {
		st := headroom.ScopeTemplate(tmpl)
		if st.Validate() != nil {
			return
		}
		if err := st.Match(scope, prefix); err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EINVALID {
				t.Fatalf("code %s", headroom.ErrorCodeOf(err))
			}
			return
		}
		parents := headroom.ScopeParents(scope)
		if parents[len(parents)-1] != headroom.ScopeAccount {
			t.Fatalf("ScopeParents(%q) = %v", scope, parents)
		}
		for _, p := range parents {
			if err := st.Match(p, true); err != nil {
				t.Fatalf("parent %q of accepted %q rejected: %v", p, scope, err)
			}
		}
		_ = headroom.DescribeScope(acct, scope)
	})
}

func TestQuotaValidate(t *testing.T) {
	base := func() headroom.Quota {
		return headroom.Quota{Code: "HR-X", Service: "connect", Name: "X", Kind: headroom.KindCount, Scope: "instance", Unit: headroom.UnitCount, Value: 1, Adjustable: true}
	}
	for _, tc := range []struct {
		name  string
		mod   func(q *headroom.Quota)
		field string
	}{
		{"bad code", func(q *headroom.Quota) { q.Code = "1X" }, "code"},
		{"bad service", func(q *headroom.Quota) { q.Service = "" }, "service"},
		{"no name", func(q *headroom.Quota) { q.Name = " " }, "name"},
		{"unknown kind", func(q *headroom.Quota) { q.Kind = "gauge" }, "kind"},
		{"unknown scope", func(q *headroom.Quota) { q.Scope = "tenant" }, "scope"},
		{"unknown unit", func(q *headroom.Quota) { q.Unit = "Furlongs" }, "unit"},
		{"unit of another kind", func(q *headroom.Quota) { q.Unit = headroom.UnitBytes }, "unit"},
		{"negative", func(q *headroom.Quota) { q.Value = -1 }, "value"},
		{"rate without burst", func(q *headroom.Quota) { q.Kind, q.Unit, q.Value = headroom.KindRate, headroom.UnitPerSecond, 2 }, "burst"},
		{"burst below rate", func(q *headroom.Quota) {
			q.Kind, q.Unit, q.Value, q.Burst = headroom.KindRate, headroom.UnitPerSecond, 2, 1
		}, "burst"},
		{"burst on a count", func(q *headroom.Quota) { q.Burst = 5 }, "burst"},
		{"cohort on fixed quota", func(q *headroom.Quota) {
			q.Adjustable = false
			q.Cohorts = []headroom.Cohort{{CreatedBefore: t0, Value: 1}}
		}, "cohorts"},
		{"set without entries", func(q *headroom.Quota) {
			q.Kind, q.Unit, q.Match = headroom.KindSet, headroom.UnitNone, headroom.MatchExact
		}, "allow"},
		{"bad dial prefix", func(q *headroom.Quota) {
			q.Kind, q.Unit, q.Match, q.Allow = headroom.KindSet, headroom.UnitNone, headroom.MatchDialPrefix, []string{"44"}
		}, "allow"},
	} {
		q := base()
		tc.mod(&q)
		err := q.Validate()
		var he *headroom.Error
		if err == nil || !asError(err, &he) || he.Field != tc.field {
			t.Errorf("%s: %v, want field %s", tc.name, err, tc.field)
		}
	}
	q := base()
	if err := q.Validate(); err != nil {
		t.Fatalf("valid quota: %v", err)
	}
}
