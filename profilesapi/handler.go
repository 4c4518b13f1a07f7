// Package profilesapi serves the Amazon Connect Customer Profiles API
// (customerprofiles in the AWS SDKs) over the engine's services: domains,
// object types, profiles and their objects, integrations and tags, each
// count limit held as a quota slot in the same store transaction as the
// resource. It is a transport: it calls headroom.Services, never a store.
package profilesapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/awserror"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/internal/jsonbody"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// SigningName is the service name Customer Profiles requests are signed
// for: the credential scope's service, which tells them from Connect's
// where paths meet (/tags/).
const SigningName = "profile"

// DefaultMaxBodyBytes limits request bodies when Config.MaxBodyBytes is
// zero: room for a 5 MB profile's largest object and its envelope.
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Handler.
type Config struct {
	// Engine is required.
	Engine headroom.Services
	// Clock is what signatures are checked against; the system clock if nil.
	Clock headroom.Clock
	// Region is the region requests must be signed for; the engine's if empty.
	Region string
	// MaxBodyBytes limits request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// TokenKey signs NextToken paging tokens; see connectapi.Config.
	TokenKey []byte
}

// Handler serves the Customer Profiles API. It keeps no state of its own.
type Handler struct {
	engine  headroom.Services
	region  string
	maxBody int64
	log     *slog.Logger
	verify  sigv4.Verifier
	cursors *cursor.Codec
}

// New returns a handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Engine == nil {
		return nil, headroom.FieldErrorf("Engine", "is required")
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, headroom.FieldErrorf("MaxBodyBytes", "must not be negative")
	}
	cursors, err := cursor.New(cfg.TokenKey)
	if err != nil {
		return nil, err
	}
	h := &Handler{engine: cfg.Engine, region: cfg.Region, maxBody: cfg.MaxBodyBytes, log: cfg.Logger, cursors: cursors}
	clk := cfg.Clock
	if clk == nil {
		clk = clock.System{}
	}
	if h.region == "" {
		h.region = cfg.Engine.Region()
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.verify = sigv4.Verifier{Service: SigningName, Region: h.region, Clock: clk,
		Keys: func(ctx context.Context, id string) (headroom.AccessKey, error) {
			return h.engine.FindAccessKey(ctx, id)
		}}
	return h, nil
}

// Mux is what Mount mounts routes on.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount mounts every operation but the tag ones on mux at Customer
// Profiles' method and path.
func (h *Handler) Mount(mux Mux) {
	for i := range routes {
		if !routes[i].tags {
			mux.Handle(routes[i].method+" "+routes[i].path, h.serve(&routes[i]))
		}
	}
}

// MountTags mounts TagResource, UntagResource and ListTagsForResource
// (under /tags/, which Amazon Connect's API shares) on mux.
func (h *Handler) MountTags(mux Mux) {
	for i := range routes {
		if routes[i].tags {
			mux.Handle(routes[i].method+" "+routes[i].path, h.serve(&routes[i]))
		}
	}
}

// Operations lists the names of the operations served.
func Operations() []string {
	out := make([]string, len(routes))
	for i := range routes {
		out[i] = routes[i].op
	}
	return out
}

// route is one operation.
type route struct {
	method, path, op string
	fn               func(h *Handler, c *call) (any, error)
	// modifies marks the operations throttled by "Maximum modifications
	// to a profile per second per account".
	modifies bool
	tags     bool
}

// call is one authenticated request.
type call struct {
	ctx     context.Context
	op      string
	account string
	keyID   string
	r       *http.Request
	body    []byte
}

func (c *call) path(name string) string { return c.r.PathValue(name) }

func (h *Handler) serve(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", ids.New())
		out, err := h.run(w, r, rt)
		if err == nil {
			var data []byte
			if data, err = json.Marshal(out); err == nil {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				w.Write(data)
				return
			}
		}
		h.writeError(w, rt, err)
	})
}

func (h *Handler) run(w http.ResponseWriter, r *http.Request, rt *route) (any, error) {
	c, err := h.authenticate(w, r, rt)
	if err != nil {
		return nil, err
	}
	// The AISPL rule: Customer Profiles is part of Amazon Connect.
	if err := h.engine.CheckAvailable(c.ctx, c.account, codeDomains); err != nil {
		return nil, err
	}
	if rt.modifies {
		if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpTake, Account: c.account, Code: codeModifications, Amount: 1}); err != nil {
			return nil, err
		}
	}
	return rt.fn(h, c)
}

// authenticate checks the signature and reads the body it covers.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, rt *route) (*call, error) {
	key, body, err := h.verify.Authenticate(w, r, h.maxBody)
	if err != nil {
		return nil, err
	}
	return &call{ctx: r.Context(), op: rt.op, account: key.Account, keyID: key.ID, r: r, body: body}, nil
}

// Error names of the Customer Profiles model and of the signature layer.
const (
	errBadRequest   = "BadRequestException"
	errNotFound     = "ResourceNotFoundException"
	errThrottling   = "ThrottlingException"
	errAccessDenied = "AccessDeniedException"
	errInternal     = "InternalServerException"
	errUnrecognized = "UnrecognizedClientException"
)

// wireNames maps every domain error code to the model's error.
var wireNames = map[headroom.ErrorCode]string{
	headroom.EINVALID:         errBadRequest,
	headroom.EWRONGKIND:       errBadRequest,
	headroom.ENOTFOUND:        errNotFound,
	headroom.ECONFLICT:        errBadRequest,
	headroom.EIDEMPOTENCY:     errBadRequest,
	headroom.ESTALE:           errBadRequest,
	headroom.EINUSE:           errBadRequest,
	headroom.EPRECONDITION:    errBadRequest,
	headroom.ENOTADJUSTABLE:   errBadRequest,
	headroom.EQUOTAEXCEEDED:   errBadRequest,
	headroom.ETOOLARGE:        errBadRequest,
	headroom.ETHROTTLED:       errThrottling,
	headroom.ENOTALLOWED:      errAccessDenied,
	headroom.ENOTAVAILABLE:    errAccessDenied,
	headroom.EFORBIDDEN:       errAccessDenied,
	headroom.EUNKNOWNACCOUNT:  errUnrecognized,
	headroom.EUNAUTHENTICATED: errUnrecognized,
}

var statusByName = map[string]int{
	errBadRequest:   http.StatusBadRequest,
	errNotFound:     http.StatusNotFound,
	errThrottling:   http.StatusTooManyRequests,
	errAccessDenied: http.StatusForbidden,
	errInternal:     http.StatusInternalServerError,
	errUnrecognized: http.StatusForbidden,
}

// apiError is an error exactly as it goes on the wire.
type apiError struct {
	name, message string
	status        int
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

func newError(name, format string, args ...any) *apiError {
	status, ok := statusByName[name]
	if !ok {
		status = http.StatusBadRequest
	}
	return &apiError{name: name, status: status, message: fmt.Sprintf(format, args...)}
}

func toAPIError(err error) (e *apiError, internal bool) {
	if errors.As(err, &e) {
		return e, e.status >= 500
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return newError(se.Kind.ErrorName(), "%s", se.Message), false
	}
	code := headroom.ErrorCodeOf(err)
	switch code {
	case headroom.EUNKNOWNACCOUNT:
		return newError(errUnrecognized, "The security token included in the request is invalid."), false
	case headroom.EUNAVAILABLE:
		return &apiError{name: errInternal, status: http.StatusServiceUnavailable, message: "Headroom could not complete the request; try again later"}, false
	}
	name, ok := wireNames[code]
	if !ok {
		return newError(errInternal, "internal error"), true
	}
	return newError(name, "%s", headroom.ErrorMessage(err)), false
}

// writeError writes err as rest-json services do, with the one writer
// every AWS-compatible API shares.
func (h *Handler) writeError(w http.ResponseWriter, rt *route, err error) {
	e, internal := toAPIError(err)
	if internal {
		h.log.Error("customer profiles request failed", "operation", rt.op, "err", err)
	}
	awserror.Write(w, e.name, e.status, e.message)
}

// decode decodes a JSON request body into in; an empty body is an empty
// object. Malformed input is EINVALID.
func decode(body []byte, in any) error {
	err := jsonbody.Decode(body, in, jsonbody.Rules{EmptyOK: true})
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jsonbody.ErrTrailing):
		return headroom.Errorf(headroom.EINVALID, "request body has data after the JSON object")
	case errors.As(err, &te):
		return headroom.Errorf(headroom.EINVALID, "%s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return headroom.Errorf(headroom.EINVALID, "request body is not a JSON object: %v", err)
}

func required(field string) error {
	return headroom.Errorf(headroom.EINVALID, "%s is required", field)
}

// maxResults reads the max-results query parameter: def if absent, else a
// whole number in [1, max].
func maxResults(c *call, def, max int) (int, error) {
	v := c.r.URL.Query().Get("max-results")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, headroom.Errorf(headroom.EINVALID, "max-results must be a whole number from 1 to %d, got %q", max, clip(v))
	}
	return n, nil
}

func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
