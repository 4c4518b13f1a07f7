// Package jsonbody decodes JSON request bodies for every Headroom API the
// same way: exactly one JSON value, optionally refusing members the target
// has no field for. Each API words the errors in its own protocol's terms,
// with internal/jsonerr describing encoding/json's.
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailing is the error for data after the JSON value.
var ErrTrailing = errors.New("unexpected data after the JSON value")

// ErrEmpty is the error for an empty or blank body, when an empty body is
// not allowed.
var ErrEmpty = errors.New("request body is empty; want a JSON object")

// Rules say how strictly a body is read.
type Rules struct {
	// Strict refuses members the target has no field for.
	Strict bool
	// EmptyOK decodes an empty or blank body as nothing: v is left as it
	// is. Without it such a body is ErrEmpty.
	EmptyOK bool
}

// Decode decodes data into v under r. It returns encoding/json's error as
// it is, ErrTrailing for data after the value, or ErrEmpty. It is safe for
// concurrent use.
func Decode(data []byte, v any, r Rules) error {
	if len(bytes.TrimSpace(data)) == 0 {
		if r.EmptyOK {
			return nil
		}
		return ErrEmpty
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if r.Strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailing
	}
	return nil
}
