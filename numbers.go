package headroom

import (
	"strings"
)

// PhoneNumber is a telephone number parsed by a NumberParser.
type PhoneNumber struct {
	// E164 is the number in E.164 form: "+", the country calling code and
	// the national significant number, with no trunk prefix or formatting.
	E164 string
	// CountryCode is the country calling code's digits, such as "44".
	CountryCode string
	// National is the national significant number, such as "7700900123".
	National string
}

// NumberParser parses the phone numbers that the outbound country
// allow-list checks. The root package does not parse numbers itself: it
// imports the standard library only, and numbering plans need
// libphonenumber's metadata. The server installs package phone's Parser; a
// program that builds an engine itself sets Config.Numbers to phone.Parser{}.
type NumberParser interface {
	// ParseNumber returns the number normalised, or an *Error of code
	// EINVALID for a number that is not a possible one.
	ParseNumber(s string) (PhoneNumber, error)
}

// parseNumber parses s with the engine's parser; an engine without one
// refuses dial-prefix checks rather than guessing at numbering plans.
func (e *Engine) parseNumber(s string) (PhoneNumber, error) {
	if e.numbers == nil {
		return PhoneNumber{}, Errorf(EINTERNAL, "this engine has no phone number parser (Config.Numbers), so it cannot check %q", s)
	}
	n, err := e.numbers.ParseNumber(s)
	if err != nil {
		return PhoneNumber{}, err
	}
	if !strings.HasPrefix(n.E164, "+"+n.CountryCode+n.National) || n.CountryCode == "" {
		return PhoneNumber{}, Errorf(EINTERNAL, "the phone number parser returned %+v for %q", n, s)
	}
	return n, nil
}

// matchDialPrefix reports the verdict of the longest entry that prefixes
// the number and covers at least its country calling code: "+44" matches
// every UK number, "+447" the UK's national mobile range (national numbers
// starting 7), and an entry shorter than the country code ("+4") matches
// nothing. A number no entry matches is not allowed.
func matchDialPrefix(entries map[string]bool, n PhoneNumber) bool {
	min := 1 + len(n.CountryCode)
	for i := len(n.E164); i >= min; i-- {
		if v, ok := entries[n.E164[:i]]; ok {
			return v
		}
	}
	return false
}
