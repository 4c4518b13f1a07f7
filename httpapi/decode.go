package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/httpbody"
	"github.com/headroomhq/headroom/internal/jsonerr"
)

// decodeBody reads a JSON request body into v: at most limit bytes, no
// unknown fields, one value only. Errors are *headroom.Error values that name
// the offending field where there is one: ETOOLARGE or EINVALID.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body, err := httpbody.Read(w, r, limit)
	if err != nil {
		return err
	}
	return decodeJSON(body, "", v)
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

func joinField(prefix, field string) string { return jsonerr.Join(prefix, field) }

// jsonError turns an encoding/json error into an *headroom.Error naming the
// field and what was wrong with it.
func jsonError(err error, prefix string) error {
	field, msg := jsonerr.Describe(err, prefix, "field")
	return &headroom.Error{Code: headroom.EINVALID, Field: field, Message: msg}
}

func sortStrings(s []string) { sort.Strings(s) }
