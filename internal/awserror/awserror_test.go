package awserror

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, "ThrottlingException", Status("ThrottlingException"), "Rate exceeded")
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusTooManyRequests || w.Header().Get("X-Amzn-ErrorType") != "ThrottlingException" ||
		body.Type != "ThrottlingException" || body.Message != "Rate exceeded" || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %v %+v", w.Code, w.Header(), body)
	}
	if Status("SomethingElseException") != http.StatusBadRequest {
		t.Fatal("an unknown name is not 400")
	}
}
