package headroom

import (
	"unicode"
	"unicode/utf8"
)

// Bounds on the identifiers and names callers give. AWS caps its client
// tokens and ids at 64 to 256 characters; Headroom takes the top of that
// range, so that a caller's own ids fit, and refuses anything longer before
// it reaches a store.
const (
	// MaxIdentifierLength bounds an idempotency key, a lease id, a resource
	// token and a resource id, in bytes.
	MaxIdentifierLength = 256
	// MaxStateLength bounds a session state, in bytes.
	MaxStateLength = 64
	// MaxNameLength bounds a resource name, in characters.
	MaxNameLength = 512
	// MaxValueLength bounds a value checked against a set quota (a file
	// name, a phone number), in bytes.
	MaxValueLength = 1024
)

// checkIdentifier returns the EINVALID error for an identifier that is
// longer than max bytes, not valid UTF-8, or holds control characters; an
// empty one passes (the caller says whether it is required).
func checkIdentifier(field, s string, max int) error {
	if len(s) > max {
		return FieldErrorf(field, "is %d bytes; at most %d", len(s), max)
	}
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "is not valid UTF-8")
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return FieldErrorf(field, "holds the control character %U", c)
		}
	}
	return nil
}

// checkName returns the EINVALID error for a resource name that is longer
// than MaxNameLength characters, not valid UTF-8, or holds control
// characters, as Amazon Connect's name patterns refuse them.
func checkName(name string) error {
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return FieldErrorf("Name", "is %d characters; at most %d", n, MaxNameLength)
	}
	return checkIdentifier("Name", name, 4*MaxNameLength)
}

// checkRequestIdentifiers bounds the identifiers of an enforcement request.
func checkRequestIdentifiers(r *Request) error {
	if r.IdempotencyKey != "" {
		if err := checkIdentifier("idempotency_key", r.IdempotencyKey, MaxIdentifierLength); err != nil {
			return err
		}
	}
	if r.LeaseID != "" {
		if err := checkIdentifier("lease_id", r.LeaseID, MaxIdentifierLength); err != nil {
			return err
		}
	}
	if r.State != "" {
		if err := checkIdentifier("state", r.State, MaxStateLength); err != nil {
			return err
		}
	}
	if len(r.Value) > MaxValueLength {
		return FieldErrorf("value", "is %d bytes; at most %d", len(r.Value), MaxValueLength)
	}
	return nil
}
