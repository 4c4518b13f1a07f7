package connectapi

import (
	"context"
	"net/http"
	"net/url"
)

// Invoke runs operation op as account with the given path values and
// body, skipping authentication and throttling, for the fuzz target. It
// returns the wire error's name and status, or "" and 200.
func (h *Handler) Invoke(ctx context.Context, op, account string, path map[string]string, query string, body []byte) (string, int) {
	for i := range routes {
		rt := &routes[i]
		if rt.op != op {
			continue
		}
		r := (&http.Request{Method: rt.method, URL: &url.URL{Path: "/", RawQuery: query}, Header: http.Header{}}).WithContext(ctx)
		for k, v := range path {
			r.SetPathValue(k, v)
		}
		_, err := rt.fn(h, &call{ctx: ctx, op: op, account: account, keyID: "fuzz", r: r, body: body})
		if err != nil {
			e, _ := toAPIError(err, rt)
			return e.name, e.status
		}
		return "", http.StatusOK
	}
	return "UnknownOperation", http.StatusNotFound
}
