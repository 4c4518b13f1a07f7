package connectapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/arn"
	"github.com/headroomhq/headroom/internal/awserror"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/internal/jsonbody"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// SigningName is the service name requests are signed for.
const SigningName = "connect"

// API is the name the catalog's rate quotas give this API ("connect:*").
const API = "connect"

// DefaultMaxBodyBytes limits request bodies when Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Handler.
type Config struct {
	// Engine is required: the domain services (an *headroom.Engine
	// implements them). The handler keeps no state of its own, so that
	// several nodes may serve one store.
	Engine headroom.Services
	// Clock is what signatures are checked against and what times resources
	// carry; the system clock if nil.
	Clock headroom.Clock
	// Region is the region requests must be signed for and ARNs name; the
	// engine's region if empty.
	Region string
	// MaxBodyBytes limits request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// TokenKey signs the NextToken paging tokens, so that a token is good
	// only for the operation, account and parent it was issued for; at
	// least 16 bytes, or empty for a random key (tokens then do not
	// survive a restart nor cross nodes).
	TokenKey []byte
}

// Handler serves the Amazon Connect API subset. Mount it with Mount. It is
// safe for concurrent use.
type Handler struct {
	engine  headroom.Services
	clock   headroom.Clock
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
	h := &Handler{engine: cfg.Engine, clock: cfg.Clock, region: cfg.Region, maxBody: cfg.MaxBodyBytes, log: cfg.Logger, cursors: cursors}
	if h.clock == nil {
		h.clock = clock.System{}
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
	h.verify = sigv4.Verifier{Service: SigningName, Region: h.region, Clock: h.clock,
		Keys: func(ctx context.Context, id string) (headroom.AccessKey, error) {
			return h.engine.FindAccessKey(ctx, id)
		}}
	return h, nil
}

// Mux is what Mount mounts routes on: an *http.ServeMux or the native
// server.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount mounts every operation on mux at Amazon Connect's method and path.
// No route is under /v1/, /healthz or /debug/, and none is POST /.
func (h *Handler) Mount(mux Mux) {
	for i := range routes {
		rt := &routes[i]
		mux.Handle(rt.method+" "+rt.path, h.serve(rt))
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
		c, err := h.authenticate(w, r, rt)
		if err == nil {
			err = h.throttle(c.ctx, c.account, rt.op)
			if rt.op == "StartOutboundVoiceContact" && headroom.ErrorCodeOf(err) == headroom.ETHROTTLED {
				h.countThrottledCall(c)
			}
		}
		if err == nil {
			err = checkModel(rt.op, c.body)
		}
		var out any
		if err == nil {
			out, err = rt.fn(h, c)
		}
		if err != nil {
			h.writeError(w, rt, err)
			return
		}
		data, err := json.Marshal(out)
		if err != nil {
			h.writeError(w, rt, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(data)
	})
}

// authenticate checks the request's signature and reads its body, which
// the signature covers. A caller its headers do not authenticate (no or a
// malformed Authorization header, another scope, an unknown key, a date
// too far off) is refused before a byte of the body is read.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, rt *route) (*call, error) {
	key, body, err := h.verify.Authenticate(w, r, h.maxBody)
	if err != nil {
		return nil, err
	}
	return &call{ctx: r.Context(), op: rt.op, account: key.Account, keyID: key.ID, r: r, body: body}, nil
}

// throttle takes one token from the account's bucket for op: op's own rate
// quota (HR-CONNECT-RATE-op), shared by every instance and access key.
func (h *Handler) throttle(ctx context.Context, account, op string) error {
	q, err := h.engine.Catalog().RateQuotaFor(API, op)
	if err != nil {
		return err
	}
	_, err = h.engine.Do(ctx, headroom.Request{Op: headroom.OpTake, Account: account, Code: q.Code, Amount: 1})
	return err
}

// countThrottledCall counts a StartOutboundVoiceContact refused for the
// API rate against its instance (CloudWatch's ThrottledCalls), when the
// body names an instance of the caller's.
func (h *Handler) countThrottledCall(c *call) {
	var in struct{ InstanceId string }
	if json.Unmarshal(c.body, &in) != nil || in.InstanceId == "" {
		return
	}
	if _, err := h.instance(c, in.InstanceId); err != nil {
		return
	}
	h.countBreach(c.ctx, c.account, in.InstanceId, channelThrottled)
}

// writeError writes err as rest-json services do: the name in
// X-Amzn-ErrorType and __type, the text in message.
func (h *Handler) writeError(w http.ResponseWriter, rt *route, err error) {
	e, internal := toAPIError(err, rt)
	if internal {
		h.log.Error("connect api request failed", "operation", rt.op, "err", err)
	}
	awserror.Write(w, e.name, e.status, e.message)
}

// decode decodes a JSON request body into in; an empty body is an empty
// object. Wrong types and malformed JSON are bad input (EINVALID, which
// each route names with its own validation error).
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

// required is the EINVALID error of a missing member.
func required(field string) *headroom.Error {
	return headroom.Errorf(headroom.EINVALID, "%s is required", field)
}

// arn builds an Amazon Connect ARN for a resource path such as
// "instance/ID".
func (h *Handler) arn(account, resource string) string {
	return arn.Build(SigningName, h.region, account, resource)
}

// now is the engine's time: what quotas, leases and ClientTokens are
// decided by.
func (h *Handler) now() time.Time { return h.engine.Clock().Now() }

// stamp is the time a new or changed resource carries: the later of the
// handler's clock and the engine's, so that neither sees a resource from
// its future (they are the same clock outside tests).
func (h *Handler) stamp() time.Time {
	t, e := h.clock.Now(), h.now()
	if e.After(t) {
		return e
	}
	return t
}

// epoch renders a time as rest-json timestamps go on the wire: seconds.
func epoch(t interface{ UnixMilli() int64 }) float64 { return float64(t.UnixMilli()) / 1000 }
