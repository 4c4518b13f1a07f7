package connectapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
)

// nativeMux stands in for the native API in these tests: it mounts the
// simulate endpoints and GET /metrics, both behind the operator token,
// and writes errors as {"code", "message"}. The native API's own
// authentication (service tokens scoped to accounts) is tested where it
// mounts them (see native_mount_test.go).
func nativeMux(t testing.TB, h *connectapi.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	authorized := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "Bearer "+adminToken {
			writeNative(w, nil, headroom.Errorf(headroom.EUNAUTHENTICATED, "a bearer token is required"))
			return false
		}
		return true
	}
	for _, rt := range h.SimulateRoutes() {
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			if !authorized(w, r) {
				return
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Error(err)
				return
			}
			out, err := rt.Serve(r.Context(), r.PathValue("account"), "operator", r, body)
			writeNative(w, out, err)
		})
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(h.Collector()); err != nil {
		t.Fatal(err)
	}
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if authorized(w, r) {
			metrics.ServeHTTP(w, r)
		}
	})
	return mux
}

// nativeStatus is the test adapter's HTTP status of a domain error.
var nativeStatus = map[headroom.ErrorCode]int{
	headroom.EINVALID: 400, headroom.ENOTFOUND: 404, headroom.ECONFLICT: 409, headroom.EPRECONDITION: 409,
	headroom.EQUOTAEXCEEDED: 429, headroom.EUNAUTHENTICATED: 401, headroom.EFORBIDDEN: 403,
}

type nativeError struct {
	Code    headroom.ErrorCode `json:"code"`
	Message string             `json:"message"`
}

func writeNative(w http.ResponseWriter, out any, err error) {
	status := http.StatusOK
	if err != nil {
		code := headroom.ErrorCodeOf(err)
		if status = nativeStatus[code]; status == 0 {
			status = 500
		}
		out = nativeError{code, headroom.ErrorMessage(err)}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(out)
}

// nativeClient calls the test adapter; an error answer comes back as a
// *headroom.Error.
type nativeClient struct {
	BaseURL, Token string
}

func (e *env) native() *nativeClient {
	return &nativeClient{BaseURL: e.srv.URL, Token: adminToken}
}

func (c *nativeClient) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	r, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e nativeError
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			return err
		}
		return &headroom.Error{Code: e.Code, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
