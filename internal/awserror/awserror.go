// Package awserror writes errors the way AWS rest-json services do, for
// every AWS-compatible API Headroom serves on its one address: the error's
// name in X-Amzn-ErrorType and __type, its text in message, and the HTTP
// status AWS answers the name with.
package awserror

import (
	"encoding/json"
	"net/http"
)

// Statuses is the HTTP status AWS's rest-json services answer each error
// name with. A name missing here is a client error, 400.
var Statuses = map[string]int{
	"ServiceUnavailableException":         http.StatusServiceUnavailable,
	"ThrottlingException":                 http.StatusTooManyRequests,
	"TooManyRequestsException":            http.StatusTooManyRequests,
	"LimitExceededException":              http.StatusTooManyRequests,
	"ServiceQuotaExceededException":       http.StatusPaymentRequired,
	"InvalidRequestException":             http.StatusBadRequest,
	"InvalidParameterException":           http.StatusBadRequest,
	"ResourceNotFoundException":           http.StatusNotFound,
	"DuplicateResourceException":          http.StatusConflict,
	"IdempotencyException":                http.StatusConflict,
	"ResourceConflictException":           http.StatusConflict,
	"ResourceInUseException":              http.StatusConflict,
	"InternalServiceException":            http.StatusInternalServerError,
	"DestinationNotAllowedException":      http.StatusForbidden,
	"AccessDeniedException":               http.StatusForbidden,
	"UnknownOperationException":           http.StatusNotFound,
	"MissingAuthenticationTokenException": http.StatusForbidden,
	"UnrecognizedClientException":         http.StatusForbidden,
	"InvalidSignatureException":           http.StatusForbidden,
	"IncompleteSignatureException":        http.StatusBadRequest,
}

// Status is the HTTP status of an error name: Statuses', or 400.
func Status(name string) int {
	if s, ok := Statuses[name]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Write writes one error.
func Write(w http.ResponseWriter, name string, status int, message string) {
	data, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{name, message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", name)
	w.WriteHeader(status)
	w.Write(data)
}
