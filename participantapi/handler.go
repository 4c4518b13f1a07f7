// Package participantapi serves the Amazon Connect Participant Service
// (connectparticipant, rest-json) under /participant/ with the seed's
// limits enforced on the way: the per-instance throttles of each
// operation, the 1,024 characters of a chat message and the 25 hours of a
// chat including wait time.
//
// Calls carry X-Amz-Bearer, not SigV4: CreateParticipantConnection the
// ParticipantToken StartChatContact answered, the other calls the
// ConnectionToken CreateParticipantConnection answered. Both are HMAC
// signed with the server's paging key (internal/chattoken), so that every
// node sharing the store and its key verifies them, and each call checks
// the named chat contact's state in the store: a token of an ended,
// expired or other chat is refused with AccessDeniedException. The
// package keeps no state: a chat's transcript is a resource in the store,
// changed with the engine's compare-and-swap.
package participantapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/chattoken"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/httpbody"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/internal/jsonbody"
)

// API is the name the catalog's rate quotas give this API
// ("participant:SendMessage", ...).
const API = "participant"

// BearerHeader carries the participant's or connection's token.
const BearerHeader = "X-Amz-Bearer"

// DefaultMaxBodyBytes limits request bodies when Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Handler.
type Config struct {
	// Engine is required: the domain services.
	Engine headroom.Services
	// TokenKey is the key the chat tokens and paging tokens are signed
	// with: the same key as the Connect API's, which mints the
	// ParticipantToken; at least 16 bytes.
	TokenKey []byte
	// MaxBodyBytes limits request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Handler serves the Participant Service. It is safe for concurrent use.
type Handler struct {
	engine  headroom.Services
	maxBody int64
	log     *slog.Logger
	tokens  *cursor.Codec
}

// New returns a handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Engine == nil {
		return nil, headroom.FieldErrorf("Engine", "is required")
	}
	if len(cfg.TokenKey) == 0 {
		return nil, headroom.FieldErrorf("TokenKey", "is required: the Connect API's key, which signs the ParticipantToken")
	}
	codec, err := cursor.New(cfg.TokenKey)
	if err != nil {
		return nil, err
	}
	h := &Handler{engine: cfg.Engine, maxBody: cfg.MaxBodyBytes, log: cfg.Logger, tokens: codec}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h, nil
}

// Mux is what Mount mounts routes on.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// route is one operation.
type route struct {
	path, op string
	// kind is the token the operation takes.
	kind string
	fn   func(h *Handler, c *call) (any, error)
}

var routes = []route{
	{"/participant/connection", "CreateParticipantConnection", chattoken.Participant, createParticipantConnection},
	{"/participant/message", "SendMessage", chattoken.Connection, sendMessage},
	{"/participant/event", "SendEvent", chattoken.Connection, sendEvent},
	{"/participant/transcript", "GetTranscript", chattoken.Connection, getTranscript},
	{"/participant/disconnect", "DisconnectParticipant", chattoken.Connection, disconnectParticipant},
	{"/participant/start-attachment-upload", "StartAttachmentUpload", chattoken.Connection, startAttachmentUpload},
	{"/participant/complete-attachment-upload", "CompleteAttachmentUpload", chattoken.Connection, completeAttachmentUpload},
	{"/participant/attachment", "GetAttachment", chattoken.Connection, getAttachment},
}

// Mount mounts every operation on mux at the Participant Service's paths,
// all under /participant/.
func (h *Handler) Mount(mux Mux) {
	for i := range routes {
		rt := &routes[i]
		mux.Handle("POST "+rt.path, h.serve(rt))
	}
	mux.Handle("PUT /participant/attachment-files/upload", h.serveFile(chattoken.Upload))
	mux.Handle("GET /participant/attachment-files/download", h.serveFile(chattoken.Download))
	mux.Handle("GET /participant/websocket", h.serveWebsocket())
}

// Operations lists the names of the operations served.
func Operations() []string {
	out := make([]string, len(routes))
	for i := range routes {
		out[i] = routes[i].op
	}
	return out
}

// call is one request whose token checked out.
type call struct {
	ctx   context.Context
	r     *http.Request
	body  []byte
	token string
	who   chattoken.Claims
	chat  *contact
	now   time.Time
}

func (h *Handler) serve(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", ids.New())
		out, err := h.handle(w, r, rt)
		if err != nil {
			h.writeError(w, rt.op, err)
			return
		}
		data, err := json.Marshal(out)
		if err != nil {
			h.writeError(w, rt.op, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(data)
	})
}

// handle checks the token, takes a token of the instance's bucket for the
// operation, reads the body and checks the chat's state, in that order:
// a caller without a good token costs no store read and no bucket token.
func (h *Handler) handle(w http.ResponseWriter, r *http.Request, rt *route) (any, error) {
	tok := r.Header.Get(BearerHeader)
	who, ok := chattoken.Parse(h.tokens, rt.kind, tok)
	if !ok {
		if tok == "" {
			return nil, denied("%s header is required: the %s", BearerHeader, tokenName(rt.kind))
		}
		return nil, denied("Access denied: the %s is not valid", tokenName(rt.kind))
	}
	if err := h.throttle(r.Context(), who, rt.op); err != nil {
		return nil, err
	}
	body, err := httpbody.Read(w, r, h.maxBody)
	if err != nil {
		return nil, err
	}
	c := &call{ctx: r.Context(), r: r, body: body, token: tok, who: who, now: h.engine.Clock().Now()}
	if c.chat, err = h.liveChat(c); err != nil {
		return nil, err
	}
	return rt.fn(h, c)
}

func tokenName(kind string) string {
	if kind == chattoken.Participant {
		return "ParticipantToken from StartChatContact"
	}
	return "ConnectionToken from CreateParticipantConnection"
}

// instanceScope is the scope of the per-instance quotas.
func instanceScope(id string) string { return "instance/" + id }

// throttle takes one token from the instance's bucket for op: its own
// rate quota (HR-PARTICIPANT-*), shared by every participant of the
// instance.
func (h *Handler) throttle(ctx context.Context, who chattoken.Claims, op string) error {
	q, err := h.engine.Catalog().RateQuotaFor(API, op)
	if headroom.ErrorCodeOf(err) == headroom.EUNKNOWNQUOTA {
		return nil // the seed throttles no attachment operation
	}
	if err != nil {
		return err
	}
	_, err = h.engine.Do(ctx, headroom.Request{Op: headroom.OpTake, Account: who.Account, Code: q.Code,
		Scope: instanceScope(who.InstanceID), Amount: 1})
	return err
}

// decode decodes a JSON request body into in; an empty body is an empty
// object. Bad JSON is a ValidationException.
func decode(body []byte, in any) error {
	err := jsonbody.Decode(body, in, jsonbody.Rules{EmptyOK: true})
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jsonbody.ErrTrailing):
		return newError(errValidation, "request body has data after the JSON object")
	case errors.As(err, &te):
		return newError(errValidation, "%s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return newError(errValidation, "request body is not a JSON object: %v", err)
}

// wireTime renders a time as the Participant Service's ISO 8601 strings.
func wireTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
