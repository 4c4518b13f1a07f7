package jsonerr

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	type item struct {
		Amount int64   `json:"amount"`
		Name   string  `json:"name"`
		Rate   float64 `json:"rate"`
	}
	for _, tc := range []struct {
		body, field, msg string
	}{
		{`{"amount":"two"}`, "items[1].amount", "want a whole number, got string"},
		{`{"amount":1e30}`, "items[1].amount", "1e30 is not a whole number in range"},
		{`{"name":5}`, "items[1].name", "want a string, got number"},
		{`{"rate":true}`, "items[1].rate", "want a number, got bool"},
		{`{"colour":"red"}`, "items[1].colour", "unknown field"},
		{`{"amount":`, "items[1]", "unexpected end of input"},
		{`{"amount" 1}`, "items[1]", "malformed JSON at byte"},
	} {
		dec := json.NewDecoder(strings.NewReader(tc.body))
		dec.DisallowUnknownFields()
		var v item
		err := dec.Decode(&v)
		field, msg := Describe(err, "items[1]", "field")
		if field != tc.field || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: (%q, %q), want (%q, …%q…)", tc.body, field, msg, tc.field, tc.msg)
		}
	}
	var v item
	_, msg := Describe(json.Unmarshal([]byte(`[1]`), &v), "", "field")
	if msg != "must be a JSON object, not array" {
		t.Errorf("top-level array: %q", msg)
	}
}
