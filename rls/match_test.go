package rls

import (
	"strings"
	"testing"
)

// parse parses a configuration or fails the test.
func parse(t testing.TB, yml string) *Domain {
	t.Helper()
	d, err := ParseDomain("test.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// entries turns "k=v,k2=v2" into a descriptor.
func entries(s string) []Entry {
	if s == "" {
		return nil
	}
	var out []Entry
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, Entry{Key: k, Value: v})
	}
	return out
}

// The configurations of envoyproxy/ratelimit's README examples.
const (
	example2 = `
domain: messaging
descriptors:
  - key: message_type
    value: marketing
    descriptors:
      - key: to_number
        rate_limit:
          unit: day
          requests_per_unit: 5
  - key: to_number
    rate_limit:
      unit: day
      requests_per_unit: 100
`
	example3 = `
domain: edge_proxy_per_ip
descriptors:
  - key: remote_address
    rate_limit:
      unit: second
      requests_per_unit: 10
  - key: remote_address
    value: 50.0.0.5
    rate_limit:
      unit: second
      requests_per_unit: 0
`
	example4 = `
domain: example4
descriptors:
  - key: key
    value: value
    rate_limit:
      requests_per_unit: 300
      unit: second
  - key: nested
    value: value
    descriptors:
      - key: subkey
        rate_limit:
          requests_per_unit: 300
          unit: Second
`
	example5 = `
domain: internal
descriptors:
  - key: ldap
    rate_limit:
      unlimited: true
  - key: azure
    rate_limit:
      unit: MINUTE
      requests_per_unit: 100
`
	example8 = `
domain: example8
descriptors:
  - key: key1
    detailed_metric: true
    rate_limit:
      unit: minute
      requests_per_unit: 10
  - key: key1
    value: value1
    rate_limit:
      unit: minute
      requests_per_unit: 20
`
	example9 = `
domain: example9
descriptors:
  - key: key1
    value: value*
    rate_limit:
      unit: minute
      requests_per_unit: 20
  - key: key1
    value: val*
    rate_limit:
      unit: minute
      requests_per_unit: 30
  - key: key1
    value: value_exact
    rate_limit:
      unit: minute
      requests_per_unit: 40
  - key: key1
    rate_limit:
      unit: minute
      requests_per_unit: 50
`
)

// TestMatch checks descriptor matching against envoyproxy/ratelimit's
// documented behaviour; each case names the README passage it follows.
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		name, doc, config, descriptor string
		// rpu is the matched rule's requests_per_unit; -1 for no rule.
		rpu       int
		unlimited bool
		statKey   string
	}{
		{"nested: marketing to one number", "example 2: (message_type, marketing),(to_number, X) gets 5 per day", example2,
			"message_type=marketing,to_number=2061111111", 5, false, "message_type_marketing.to_number"},
		{"nested: any number", "example 2: (to_number, X) gets 100 per day", example2,
			"to_number=2062222222", 100, false, "to_number"},
		{"nested: placeholder has no limit", "example 2: (message_type, marketing) alone is just a placeholder", example2,
			"message_type=marketing", -1, false, ""},
		{"nested: other message type", "example 2: no descriptor for message_type=transactional", example2,
			"message_type=transactional,to_number=2061111111", -1, false, ""},
		{"key only matches any value", "example 3: (remote_address, 50.0.0.1) gets 10 per second", example3,
			"remote_address=50.0.0.1", 10, false, "remote_address"},
		{"exact value beats key only", "example 3: key/value is always attempted before just key", example3,
			"remote_address=50.0.0.5", 0, false, "remote_address_50.0.0.5"},
		{"longer descriptor than the tree", "example 4: two tuples do not match a one-level rule", example4,
			"key=value,subkey=subvalue", -1, false, ""},
		{"same depth", "example 4: one tuple matches the one-level rule", example4,
			"key=value", 300, false, "key_value"},
		{"nested depth matches", "example 4: two tuples match the two-level rule", example4,
			"nested=value,subkey=subvalue", 300, false, "nested_value.subkey"},
		{"shorter descriptor than the rule", "example 4: the rule is at the second level", example4,
			"nested=value", -1, false, ""},
		{"unlimited", "example 5: an unlimited descriptor", example5,
			"ldap=anything", 0, true, "ldap"},
		{"case-insensitive unit", "example 5 with unit MINUTE", example5,
			"azure=x", 100, false, "azure"},
		{"unknown key", "a descriptor that matches no rule counts nothing", example5,
			"gcp=x", -1, false, ""},
		{"detailed metric", "example 8: key1_unspecified_value", example8,
			"key1=unspecified_value", 10, false, "key1_unspecified_value"},
		{"detailed metric, exact value", "example 8: key1_value1", example8,
			"key1=value1", 20, false, "key1_value1"},
		{"wildcard", "example 9: value* matches value_1", example9,
			"key1=value_1", 20, false, "key1_value*"},
		{"first wildcard in file order", "example 9: value* is written before val*", example9,
			"key1=value_2", 20, false, "key1_value*"},
		{"shorter wildcard", "example 9: val* matches valid", example9,
			"key1=valid", 30, false, "key1_val*"},
		{"exact beats wildcard", "example 3's rule (key/value before key) with example 9's wildcard", example9,
			"key1=value_exact", 40, false, "key1_value_exact"},
		{"key only after wildcard", "example 3: just key when nothing more specific matches", example9,
			"key1=other", 50, false, "key1"},
		{"empty descriptor", "a descriptor with no entries selects nothing", example9,
			"", -1, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := parse(t, c.config)
			r, key := d.Match(entries(c.descriptor))
			if c.rpu < 0 {
				if r != nil {
					t.Fatalf("%s: matched %s, want no rule", c.doc, r.StatKey)
				}
				return
			}
			if r == nil {
				t.Fatalf("%s: no rule, want %d per unit", c.doc, c.rpu)
			}
			if int(r.RequestsPerUnit) != c.rpu || r.Unlimited != c.unlimited || key != c.statKey {
				t.Fatalf("%s: got %d/unlimited=%v key %q, want %d/%v %q", c.doc, r.RequestsPerUnit, r.Unlimited, key, c.rpu, c.unlimited, c.statKey)
			}
		})
	}
}

// TestReplaces follows the README's example 7: with both matched, the
// replacing rule applies and the replaced one is not evaluated.
func TestReplaces(t *testing.T) {
	d := parse(t, `
domain: example7
descriptors:
  - key: key_1
    value: value_1
    descriptors:
      - key: user
        value: bkthomps
        rate_limit:
          name: specific_limit
          requests_per_unit: 5
          unit: second
  - key: key_2
    value: value_2
    descriptors:
      - key: user
        value: bkthomps
        rate_limit:
          replaces:
            - name: specific_limit
          requests_per_unit: 10
          unit: second
`)
	match := func(descs ...string) []pending {
		ps := make([]pending, len(descs))
		for i, s := range descs {
			ps[i].rule, _ = d.Match(entries(s))
		}
		dropReplaced(ps)
		return ps
	}
	one := match("key_1=value_1,user=bkthomps")
	if one[0].rule == nil || one[0].rule.RequestsPerUnit != 5 {
		t.Fatalf("(key_1, value_1), (user, bkthomps) alone: %+v, want 5/sec", one[0].rule)
	}
	both := match("key_1=value_1,user=bkthomps", "key_2=value_2,user=bkthomps")
	if both[0].rule != nil {
		t.Fatalf("the replaced rule was kept: %+v", both[0].rule)
	}
	if both[1].rule == nil || both[1].rule.RequestsPerUnit != 10 {
		t.Fatalf("the replacing rule: %+v, want 10/sec", both[1].rule)
	}
}

func TestBucketScope(t *testing.T) {
	for in, want := range map[string]string{
		"a=x":             "descriptor/vx",
		"a=x,b=/api/v1 z": "descriptor/vx+=2Fapi=2Fv1=20z",
		"a=":              "descriptor/v",
		"a=+,b=":          "descriptor/v=2B+",
		"a=,b=+":          "descriptor/v+=2B",
	} {
		if got := BucketScope(entries(in)); got != want {
			t.Errorf("BucketScope(%s) = %q, want %q", in, got, want)
		}
	}
	long := BucketScope([]Entry{{"k", strings.Repeat("/", 200)}})
	if !strings.HasPrefix(long, "descriptor/=H") || len(long) != len("descriptor/=H")+64 {
		t.Errorf("long value: %q", long)
	}
}

func TestQuotaCode(t *testing.T) {
	a, b := QuotaCode("edge", "path_/a"), QuotaCode("edge", "path_.a")
	if a == b || !strings.HasPrefix(a, "RLS-edge-path-a-") || a != QuotaCode("edge", "path_/a") {
		t.Fatalf("codes %q and %q", a, b)
	}
	if long := QuotaCode(strings.Repeat("d", 300), "k"); len(long) > 129 {
		t.Fatalf("code of %d bytes", len(long))
	}
}
