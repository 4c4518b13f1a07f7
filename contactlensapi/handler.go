// Package contactlensapi serves the Amazon Connect Contact Lens API
// (connectcontactlens in the AWS SDKs) on Headroom's one address:
// ListRealtimeContactAnalysisSegments at Contact Lens's own path, under
// /realtime-contact-analysis/, signed with SigV4 for the service name
// "connect" and throttled by the catalog's per-account rate quota. The
// segments it lists are those a simulation added (see SimulateRoutes):
// Headroom transcribes no calls. The package is a transport: it calls the
// engine's services and keeps no state of its own.
package contactlensapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/awserror"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/internal/jsonbody"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// SigningName is the service name in the SigV4 credential scope: Contact
// Lens requests are signed for "connect", like the Connect API's.
const SigningName = "connect"

// API is the name the catalog's rate quotas give this API
// ("contact-lens:ListRealtimeContactAnalysisSegments").
const API = "contact-lens"

// OpListSegments is the one operation served.
const OpListSegments = "ListRealtimeContactAnalysisSegments"

// Path is where the operation is served, with POST.
const Path = "/realtime-contact-analysis/analysis-segments"

// DefaultMaxBodyBytes limits request bodies when Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// Error names of the Contact Lens model.
const (
	errThrottling     = "ThrottlingException"
	errInvalidRequest = "InvalidRequestException"
	errNotFound       = "ResourceNotFoundException"
	errAccessDenied   = "AccessDeniedException"
	errInternal       = "InternalServiceException"
	errUnrecognized   = "UnrecognizedClientException"
	errUnavailable    = "ServiceUnavailableException"
)

// Config configures a Handler.
type Config struct {
	// Engine is required: the domain services.
	Engine headroom.Services
	// Clock is what signatures are checked against and what times
	// segments carry; the system clock if nil.
	Clock headroom.Clock
	// Region is the region requests must be signed for; the engine's if
	// empty.
	Region string
	// MaxBodyBytes limits request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// TokenKey signs the NextToken paging tokens (see connectapi.Config).
	TokenKey []byte
}

// Handler serves the Contact Lens API. It is safe for concurrent use.
type Handler struct {
	engine  headroom.Services
	clock   headroom.Clock
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
	h := &Handler{engine: cfg.Engine, clock: cfg.Clock, maxBody: cfg.MaxBodyBytes, log: cfg.Logger, cursors: cursors}
	if h.clock == nil {
		h.clock = clock.System{}
	}
	region := cfg.Region
	if region == "" {
		region = cfg.Engine.Region()
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.verify = sigv4.Verifier{Service: SigningName, Region: region, Clock: h.clock,
		Keys: func(ctx context.Context, id string) (headroom.AccessKey, error) {
			return h.engine.FindAccessKey(ctx, id)
		}}
	return h, nil
}

// Mux is what Mount mounts the operation on.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount mounts the operation at Contact Lens's method and path.
func (h *Handler) Mount(mux Mux) {
	mux.Handle("POST "+Path, http.HandlerFunc(h.serveList))
}

func (h *Handler) serveList(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", ids.New())
	out, err := h.list(w, r)
	if err != nil {
		h.writeError(w, err)
		return
	}
	data, err := json.Marshal(out)
	if err != nil {
		h.writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// list authenticates, throttles and answers one request.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) (any, error) {
	key, body, err := h.verify.Authenticate(w, r, h.maxBody)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if err := h.engine.CheckAvailable(ctx, key.Account, headroom.CodeConcurrentCalls); err != nil {
		return nil, err
	}
	q, err := h.engine.Catalog().RateQuotaFor(API, OpListSegments)
	if err != nil {
		return nil, err
	}
	if _, err := h.engine.Do(ctx, headroom.Request{Op: headroom.OpTake, Account: key.Account, Code: q.Code, Amount: 1}); err != nil {
		return nil, err
	}
	in, err := DecodeListRequest(body)
	if err != nil {
		return nil, err
	}
	return h.listSegments(ctx, key.Account, in)
}

// writeError writes err with the one AWS error writer, in the names the
// Contact Lens model lists.
func (h *Handler) writeError(w http.ResponseWriter, err error) {
	name, msg := wire(err)
	if name == errInternal {
		h.log.Error("contact lens api request failed", "err", err)
	}
	awserror.Write(w, name, awserror.Status(name), msg)
}

// wire is the model's name and the message of an error.
func wire(err error) (name, message string) {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return se.Kind.ErrorName(), se.Message
	}
	code := headroom.ErrorCodeOf(err)
	switch code {
	case headroom.ETHROTTLED:
		return errThrottling, headroom.ErrorMessage(err)
	case headroom.EINVALID, headroom.EWRONGKIND, headroom.ETOOLARGE, headroom.EPRECONDITION:
		return errInvalidRequest, headroom.ErrorMessage(err)
	case headroom.ENOTFOUND:
		return errNotFound, headroom.ErrorMessage(err)
	case headroom.EFORBIDDEN, headroom.ENOTAVAILABLE:
		return errAccessDenied, headroom.ErrorMessage(err)
	case headroom.EUNKNOWNACCOUNT, headroom.EUNAUTHENTICATED:
		return errUnrecognized, "The security token included in the request is invalid."
	case headroom.EUNAVAILABLE:
		return errUnavailable, "Headroom could not complete the request; try again later"
	}
	return errInternal, "internal error"
}

// decode decodes a JSON body into in; an empty body is an empty object.
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
