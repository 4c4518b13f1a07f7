package headroom_test

import (
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/memory"
)

// TestOutboundNumberSpellings checks the default allow-list (+1 and +44,
// not the UK mobile range +447) against many spellings of allowed,
// refused and invalid numbers: each is normalised to E.164 with the trunk
// prefix and formatting removed before the list is matched.
func TestOutboundNumberSpellings(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		number string
		want   headroom.ErrorCode
	}{
		// +1: allowed in any spelling.
		{"+12065550100", ""},
		{"+1 206 555 0100", ""},
		{"+1 (206) 555-0100", ""},
		{"+1-206-555-0100", ""},
		{"+1.206.555.0100", ""},
		{" +12065550100 ", ""},
		{"+1 416 555 0199", ""},
		// +44 landlines: allowed, with or without the trunk zero.
		{"+442079460000", ""},
		{"+44 20 7946 0000", ""},
		{"+44 (0)20 7946 0000", ""},
		{"+44020 7946 0000", ""},
		{"+44 (0) 161 496 0000", ""},
		// +447 UK mobiles: refused by default in every spelling.
		{"+447700900123", headroom.ENOTALLOWED},
		{"+44 7700 900123", headroom.ENOTALLOWED},
		{"+44 (0)7700 900123", headroom.ENOTALLOWED},
		{"+4407700900123", headroom.ENOTALLOWED},
		{"+44 (0) 7700-900-123", headroom.ENOTALLOWED},
		{"+44.7700.900.123", headroom.ENOTALLOWED},
		// Other countries: off the default list.
		{"+4915112345678", headroom.ENOTALLOWED},
		{"+49 30 123456", headroom.ENOTALLOWED},
		{"+33 6 12 34 56 78", headroom.ENOTALLOWED},
		{"+61 4 1234 5678", headroom.ENOTALLOWED},
		{"+353 1 234 5678", headroom.ENOTALLOWED},
		{"+91 98765 43210", headroom.ENOTALLOWED},
		// Invalid: refused whatever the list says.
		{"12065550100", headroom.EINVALID},
		{"0044 7700 900123", headroom.EINVALID},
		{"07700 900123", headroom.EINVALID},
		{"+1206555x100", headroom.EINVALID},
		{"+1 800 FLOWERS", headroom.EINVALID},
		{"+12065550100;ext=2", headroom.EINVALID},
		{"+1", headroom.EINVALID},
		{"+", headroom.EINVALID},
		{"", headroom.EINVALID},
		{"+999 123 4567", headroom.EINVALID},
		{"+44 12", headroom.EINVALID},
		{"+1 206 555 01000000", headroom.EINVALID},
		{"++442079460000", headroom.EINVALID},
		{"tel:+12065550100", headroom.EINVALID},
	} {
		_, err := f.e.CheckDestination(f.ctx, acct, "", tc.number)
		if headroom.ErrorCodeOf(err) != tc.want {
			t.Errorf("%q: %v, want %q", tc.number, err, tc.want)
		}
	}
}

// TestOutboundNumberPrefixes checks that an entry matches on the country
// calling code and, beyond it, the national range: "+447" opens UK
// mobiles only, and an entry shorter than a country code matches nothing.
func TestOutboundNumberPrefixes(t *testing.T) {
	f := newFixture(t)
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: headroom.CodeOutboundCountries, Allow: []string{"+447", "+3"}}, "ops"); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]headroom.ErrorCode{
		"+44 (0)7700 900123": "",
		"+4407700900123":     "",
		"+44 20 7946 0000":   "",
		"+33 6 12 34 56 78":  headroom.ENOTALLOWED, // "+3" is shorter than +33
		"+353 1 234 5678":    headroom.ENOTALLOWED,
	} {
		if _, err := f.e.CheckDestination(f.ctx, acct, "", number); headroom.ErrorCodeOf(err) != want {
			t.Errorf("%q: %v, want %q", number, err, want)
		}
	}
}

// TestOutboundWithoutParser: an engine without a number parser refuses a
// dial-prefix check instead of guessing.
func TestOutboundWithoutParser(t *testing.T) {
	f := newFixture(t)
	e, err := headroom.NewEngine(headroom.Config{Catalog: f.e.Catalog(), Store: f.store, Limiter: memory.NewLimiter(f.clk), Clock: f.clk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CheckDestination(f.ctx, acct, "", "+12065550100"); headroom.ErrorCodeOf(err) != headroom.EINTERNAL {
		t.Fatalf("no parser: %v", err)
	}
}
