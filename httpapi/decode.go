package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/headroomhq/headroom"
)

// decodeBody reads a JSON request body into v: at most limit bytes, no
// unknown fields, one value only. Errors are *headroom.Error values that name
// the offending field where there is one: ETOOLARGE or EINVALID.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body, err := readBody(w, r, limit)
	if err != nil {
		return err
	}
	return decodeJSON(body, "", v)
}

// readBody reads at most limit bytes of the request body; ETOOLARGE beyond.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, headroom.Errorf(headroom.ETOOLARGE, "request body is over the limit of %d bytes", limit)
		}
		return nil, headroom.Errorf(headroom.EINVALID, "reading request body: %v", err)
	}
	return body, nil
}

// decodeJSON decodes data strictly into v. prefix is prepended to field
// names in errors, as "items[3]".
func decodeJSON(data []byte, prefix string, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return headroom.Errorf(headroom.EINVALID, "request body is empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, prefix)
	}
	if _, err := dec.Token(); err != io.EOF {
		return headroom.Errorf(headroom.EINVALID, "unexpected data after the JSON value")
	}
	return nil
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// jsonError turns an encoding/json error into an *headroom.Error naming the
// field and what was wrong with it.
func jsonError(err error, prefix string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &headroom.Error{Code: headroom.EINVALID, Field: prefix, Message: fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))}
	case errors.As(err, &typ):
		field := joinField(prefix, typ.Field)
		if strings.HasPrefix(typ.Value, "number") && (strings.HasPrefix(typ.Type.String(), "int") || strings.HasPrefix(typ.Type.String(), "uint")) {
			return &headroom.Error{Code: headroom.EINVALID, Field: field, Message: fmt.Sprintf("%s is not a whole number in range", strings.TrimPrefix(typ.Value, "number "))}
		}
		return &headroom.Error{Code: headroom.EINVALID, Field: field, Message: fmt.Sprintf("want %s, got %s", jsonTypeName(typ.Type.String()), typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &headroom.Error{Code: headroom.EINVALID, Field: prefix, Message: "malformed JSON: unexpected end of input"}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &headroom.Error{Code: headroom.EINVALID, Field: joinField(prefix, strings.Trim(name, `"`)), Message: "unknown field"}
	}
	if strings.Contains(msg, "parsing time") {
		return &headroom.Error{Code: headroom.EINVALID, Field: prefix, Message: "bad time: want RFC 3339, as 2026-03-01T12:00:00Z"}
	}
	return &headroom.Error{Code: headroom.EINVALID, Field: prefix, Message: "malformed JSON: " + strings.TrimPrefix(msg, "json: ")}
}

func jsonTypeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "*"):
		return jsonTypeName(goType[1:])
	}
	return "an object"
}

func sortStrings(s []string) { sort.Strings(s) }
