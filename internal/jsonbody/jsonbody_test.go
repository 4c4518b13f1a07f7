package jsonbody_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/headroomhq/headroom/internal/jsonbody"
)

func TestDecode(t *testing.T) {
	type in struct{ A int }
	for _, tc := range []struct {
		name  string
		body  string
		rules jsonbody.Rules
		want  int
		err   func(error) bool
	}{
		{"value", `{"A":1}`, jsonbody.Rules{}, 1, nil},
		{"unknown member allowed", `{"A":2,"B":3}`, jsonbody.Rules{}, 2, nil},
		{"unknown member refused", `{"A":2,"B":3}`, jsonbody.Rules{Strict: true}, 2, func(err error) bool { return err != nil && err.Error() == `json: unknown field "B"` }},
		{"empty allowed", "  ", jsonbody.Rules{EmptyOK: true}, 0, nil},
		{"empty refused", "", jsonbody.Rules{}, 0, func(err error) bool { return errors.Is(err, jsonbody.ErrEmpty) }},
		{"trailing data", `{"A":1} {}`, jsonbody.Rules{}, 1, func(err error) bool { return errors.Is(err, jsonbody.ErrTrailing) }},
		{"trailing garbage", `{"A":1} x`, jsonbody.Rules{}, 1, func(err error) bool { return errors.Is(err, jsonbody.ErrTrailing) }},
		{"wrong type", `{"A":"x"}`, jsonbody.Rules{}, 0, func(err error) bool { var te *json.UnmarshalTypeError; return errors.As(err, &te) }},
		{"malformed", `{"A":`, jsonbody.Rules{}, 0, func(err error) bool { return err != nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v in
			err := jsonbody.Decode([]byte(tc.body), &v, tc.rules)
			if tc.err == nil && err != nil || tc.err != nil && !tc.err(err) {
				t.Fatalf("Decode(%q) = %v", tc.body, err)
			}
			if v.A != tc.want {
				t.Fatalf("A = %d, want %d", v.A, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"A":1}`))
	f.Add([]byte(`{"A":1} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v struct{ A int }
		jsonbody.Decode(data, &v, jsonbody.Rules{Strict: true})
	})
}
