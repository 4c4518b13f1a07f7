package httpapi

import (
	"errors"
	"net/http"
	"sort"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/httpbody"
	"github.com/headroomhq/headroom/internal/jsonbody"
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
	switch err := jsonbody.Decode(data, v, jsonbody.Rules{Strict: true}); {
	case errors.Is(err, jsonbody.ErrEmpty), errors.Is(err, jsonbody.ErrTrailing):
		return headroom.Errorf(headroom.EINVALID, "%v", err)
	case err != nil:
		return jsonError(err, prefix)
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
