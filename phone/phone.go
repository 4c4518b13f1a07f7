// Package phone parses telephone numbers with github.com/nyaruka/phonenumbers,
// a port of Google's libphonenumber, for the engine's outbound country
// allow-list. It lives outside the root package, which imports the standard
// library only, and reaches the engine through headroom.Config.Numbers: the
// engine states what it needs (headroom.NumberParser), and the server, or a
// program that builds an engine itself, gives it this implementation. It is
// a public package, not an internal one, so that such programs can.
package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/headroomhq/headroom"
)

// MaxLength is the longest input accepted, in bytes: an E.164 number has at
// most 15 digits, and formatting seldom doubles that.
const MaxLength = 64

// Parser implements headroom.NumberParser. The zero value is ready to use.
type Parser struct{}

var _ headroom.NumberParser = Parser{}

// ParseNumber parses a number written in international form: a "+", the
// country calling code and the national number, with spaces, dashes, dots,
// slashes and parentheses allowed as formatting, and a national trunk prefix
// such as the UK's (0) removed ("+44 (0)7700 900123" is +447700900123).
//
// A number is refused with an *headroom.Error of code EINVALID when it does
// not start with "+", has letters, an extension or other characters, names
// no assigned country calling code, or has a length that no number of that
// country can have. It is not refused for being unassigned: libphonenumber's
// "possible number" test is applied, not its "valid number" test, so that
// the ranges set aside for fiction and tests (Ofcom's 07700 900xxx, the
// NANP's 555-01xx) can be dialled in tests as they can be written in them.
func (Parser) ParseNumber(s string) (headroom.PhoneNumber, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxLength {
		return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "a phone number of %d bytes is too long (at most %d)", len(s), MaxLength)
	}
	if !strings.HasPrefix(s, "+") {
		return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "%q is not an E.164 number: it must start with + and the country calling code", s)
	}
	digits := 0
	for _, c := range s[1:] {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')':
		default:
			return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "%q is not an E.164 number: unexpected %q", s, c)
		}
	}
	if digits < 3 || digits > 17 {
		return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "%q is not an E.164 number: it has %d digits", s, digits)
	}
	n, err := phonenumbers.Parse(s, "ZZ")
	if err != nil {
		return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "%q is not a phone number: %v", s, err)
	}
	if phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())) == "ZZ" {
		return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "%q has no assigned country calling code", s)
	}
	if r := phonenumbers.IsPossibleNumberWithReason(n); r != phonenumbers.IS_POSSIBLE {
		return headroom.PhoneNumber{}, headroom.FieldErrorf("value", "%q is not a possible number of country code +%d (%s)", s, n.GetCountryCode(), reason(r))
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	cc := strings.TrimPrefix(e164, "+")[:len(strconv.Itoa(int(n.GetCountryCode())))]
	return headroom.PhoneNumber{E164: e164, CountryCode: cc, National: phonenumbers.GetNationalSignificantNumber(n)}, nil
}

func reason(r phonenumbers.ValidationResult) string {
	switch r {
	case phonenumbers.TOO_SHORT:
		return "too short"
	case phonenumbers.TOO_LONG:
		return "too long"
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "no such country code"
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "dialable only locally"
	case phonenumbers.INVALID_LENGTH:
		return "a length no number there has"
	}
	return "not possible"
}
