package awsapi

import "net/http"

// Dispatch decodes and runs a request as if keyID of account had signed it,
// for the fuzz target, which skips authentication.
func (h *Handler) Dispatch(w http.ResponseWriter, r *http.Request, account, keyID, target string, body []byte) {
	h.dispatch(w, r, &caller{Account: account, KeyID: keyID}, target, body)
}

// OperationNames lists the operations the handler serves.
func OperationNames() []string {
	names := make([]string, 0, len(operations))
	for n := range operations {
		names = append(names, n)
	}
	return names
}
