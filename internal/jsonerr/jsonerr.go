// Package jsonerr describes encoding/json errors for people: which field was
// wrong and how. Headroom's APIs wrap the description in their own error
// types, so every decoder reports bad input the same way.
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Describe returns the field an encoding/json decoding error is about,
// joined to prefix ("items[3]" + "amount" → "items[3].amount"), and a message
// saying what was wrong. unknownWord names an unknown field ("field" or
// "member"). field is prefix when the error is about the document as a whole.
func Describe(err error, prefix, unknownWord string) (field, message string) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return prefix, fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field = Join(prefix, typ.Field)
		if typ.Field == "" && prefix == "" {
			return "", "must be a JSON object, not " + typ.Value
		}
		if strings.HasPrefix(typ.Value, "number") && isInteger(typ.Type) {
			return field, strings.TrimPrefix(typ.Value, "number ") + " is not a whole number in range"
		}
		return field, fmt.Sprintf("want %s, got %s", TypeName(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return prefix, "malformed JSON: unexpected end of input"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return Join(prefix, strings.Trim(name, `"`)), "unknown " + unknownWord
	}
	if strings.Contains(msg, "parsing time") {
		return prefix, "bad time: want RFC 3339, as 2026-03-01T12:00:00Z"
	}
	return prefix, "malformed JSON: " + msg
}

// Join joins a field path: Join("items[3]", "amount") is "items[3].amount".
func Join(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

func isInteger(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// TypeName names a Go type as JSON sees it: "a whole number", "a string"…
func TypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case isInteger(t):
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "a list"
	}
	return "an object"
}
