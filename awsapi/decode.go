package awsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/jsonbody"
	"github.com/headroomhq/headroom/internal/jsonerr"
)

// decodeInput decodes a request body into v, a pointer to an input struct,
// as strictly as the service model reads it: one JSON object, members named
// exactly (case-sensitively) as the struct's fields, each of its type. An
// empty body is an empty object. Every failure is an
// IllegalArgumentException whose message names the member.
func decodeInput(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := checkMembers(body, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	if err := jsonbody.Decode(body, v, jsonbody.Rules{Strict: true}); err != nil {
		return jsonError(err, "")
	}
	return nil
}

// checkMembers checks that data is one JSON object whose member names are
// exactly fields of t. encoding/json matches names case-insensitively; the
// protocol does not.
func checkMembers(data []byte, t reflect.Type, prefix string) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return jsonError(err, prefix)
	}
	if raw == nil {
		return illegal(orBody(prefix), "must be a JSON object, not null")
	}
	known := fieldNames(t)
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			return illegal(joinField(prefix, k), "unknown member (members are case-sensitive)")
		}
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]bool

// fieldNames returns the JSON member names of struct type t.
func fieldNames(t reflect.Type) map[string]bool {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]bool)
	}
	m := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
			name = tag
		}
		m[name] = true
	}
	fieldCache.Store(t, m)
	return m
}

// UnmarshalJSON decodes one tag strictly: Key and Value only.
func (t *tagInput) UnmarshalJSON(data []byte) error {
	if err := checkMembers(data, reflect.TypeOf(*t), "Tags"); err != nil {
		return err
	}
	type plain tagInput
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return jsonError(err, "Tags")
	}
	*t = tagInput(p)
	return nil
}

func orBody(field string) string {
	if field == "" {
		return "request body"
	}
	return field
}

func joinField(prefix, field string) string { return jsonerr.Join(prefix, field) }

// jsonError turns an encoding/json error into an IllegalArgumentException
// naming the member and what was wrong with it.
func jsonError(err error, prefix string) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	field, msg := jsonerr.Describe(err, prefix, "member")
	return illegal(orBody(field), "%s", msg)
}

// Member checks. Each returns the member's value, or an
// IllegalArgumentException naming it.

// DefaultMaxResults is the page size when a request gives no MaxResults.
const DefaultMaxResults = 100

func required(field string, p *string) (string, error) {
	if p == nil {
		return "", illegal(field, "is required")
	}
	return *p, nil
}

func serviceCodeArg(p *string, isRequired bool) (string, error) {
	if p == nil {
		if isRequired {
			return "", illegal("ServiceCode", "is required")
		}
		return "", nil
	}
	if !headroom.ValidServiceCode(*p) {
		return "", illegal("ServiceCode", "%q must match the pattern [a-zA-Z][a-zA-Z0-9-]{1,63}", clip(*p))
	}
	return *p, nil
}

func quotaCodeArg(p *string, isRequired bool) (string, error) {
	if p == nil {
		if isRequired {
			return "", illegal("QuotaCode", "is required")
		}
		return "", nil
	}
	if !headroom.ValidQuotaCode(*p) {
		return "", illegal("QuotaCode", "%q must match the pattern [a-zA-Z][a-zA-Z0-9-]{1,128}", clip(*p))
	}
	return *p, nil
}

func regionArg(p *string, isRequired bool) (string, error) {
	if p == nil {
		if isRequired {
			return "", illegal("AwsRegion", "is required")
		}
		return "", nil
	}
	if !ValidRegion(*p) {
		return "", illegal("AwsRegion", "%q is not an AWS region name such as us-east-1", clip(*p))
	}
	return *p, nil
}

// ValidRegion reports whether s names an AWS region: one of
// headroom.Regions, not merely a name of the model's AwsRegion pattern.
func ValidRegion(s string) bool { return headroom.ValidRegion(s) }

func maxResultsArg(p *int32) (int, error) {
	if p == nil {
		return DefaultMaxResults, nil
	}
	if *p < 1 || *p > 100 {
		return 0, illegal("MaxResults", "must be between 1 and 100, got %d", *p)
	}
	return int(*p), nil
}

func desiredValueArg(p *float64) (float64, error) {
	if p == nil {
		return 0, illegal("DesiredValue", "is required")
	}
	v := *p
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > headroom.MaxValue {
		return 0, illegal("DesiredValue", "must be a number from 0 to %.0f, got %v", float64(headroom.MaxValue), v)
	}
	return v, nil
}

// The applied levels of the model's AppliedLevelEnum.
const (
	levelAccount  = "ACCOUNT"
	levelResource = "RESOURCE"
	levelAll      = "ALL"
)

func levelArg(field string, p *string) (string, error) {
	if p == nil {
		return levelAccount, nil
	}
	switch *p {
	case levelAccount, levelResource, levelAll:
		return *p, nil
	}
	return "", illegal(field, "%q is not one of ACCOUNT, RESOURCE, ALL", clip(*p))
}

func statusArg(p *string) (headroom.RequestStatus, error) {
	if p == nil {
		return "", nil
	}
	s := headroom.RequestStatus(*p)
	if !s.Valid() {
		return "", illegal("Status", "%q is not one of PENDING, CASE_OPENED, APPROVED, DENIED, CASE_CLOSED, NOT_APPROVED, INVALID_REQUEST", clip(*p))
	}
	return s, nil
}

// validRequestID matches the model's RequestId: [0-9a-zA-Z][a-zA-Z0-9-]{1,128}.
func validRequestID(s string) bool {
	if len(s) < 2 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' && i > 0:
		default:
			return false
		}
	}
	return true
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return fmt.Sprintf("%s…", s[:max])
}
