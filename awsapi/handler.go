package awsapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/httpbody"
	"github.com/headroomhq/headroom/internal/ids"
)

// DefaultMaxBodyBytes limits request bodies when Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = httpbody.DefaultLimit

// TargetPrefix starts every X-Amz-Target header: the service's awsJson1.1
// target prefix. The operation name follows it after a dot.
const TargetPrefix = "ServiceQuotasV20190624"

// ContentType is the content type of every request and response.
const ContentType = "application/x-amz-json-1.1"

// Config configures a Handler.
type Config struct {
	// Engine is required: the domain services the API runs on (a
	// *headroom.Engine implements them).
	Engine headroom.Services
	// Clock is what signatures' X-Amz-Date is checked against; the system
	// clock if nil.
	Clock headroom.Clock
	// Region is the region requests must be signed for and quota ARNs name;
	// the engine's region if empty. It must equal the engine's region, so
	// that template increases for it reach new accounts.
	Region string
	// ManagementAccount is the account that manages the organization's quota
	// request template; empty means no account may.
	ManagementAccount string
	// MaxBodyBytes limits request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64
	// TokenKey authenticates paging tokens; at least 16 bytes, or empty for
	// a random key (tokens then do not survive a restart).
	TokenKey []byte
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Validate returns an *headroom.Error naming the first bad field.
func (c *Config) Validate() error {
	switch {
	case c.Engine == nil:
		return headroom.FieldErrorf("Engine", "is required")
	case c.Region != "" && !ValidRegion(c.Region):
		return headroom.FieldErrorf("Region", "%q is not a region name such as us-east-1", c.Region)
	case c.Region != "" && c.Region != c.Engine.Region():
		return headroom.FieldErrorf("Region", "%q differs from the engine's region %q", c.Region, c.Engine.Region())
	case c.ManagementAccount != "" && !headroom.ValidAccountID(c.ManagementAccount):
		return headroom.FieldErrorf("ManagementAccount", "%q must be 12 digits", c.ManagementAccount)
	case c.MaxBodyBytes < 0:
		return headroom.FieldErrorf("MaxBodyBytes", "must not be negative")
	case len(c.TokenKey) > 0 && len(c.TokenKey) < cursor.MinKeyLen:
		return headroom.FieldErrorf("TokenKey", "must be at least %d bytes, got %d", cursor.MinKeyLen, len(c.TokenKey))
	}
	return nil
}

// Handler serves the AWS Service Quotas API. Mount it on POST /. It is safe
// for concurrent use.
type Handler struct {
	svc        headroom.Services
	catalog    *headroom.Catalog
	clock      headroom.Clock
	region     string
	management string
	maxBody    int64
	cursors    *cursor.Codec
	log        *slog.Logger
}

// New returns a handler, or the error of cfg.Validate.
func New(cfg Config) (*Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cursors, err := cursor.New(cfg.TokenKey)
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: cfg.Engine, catalog: cfg.Engine.Catalog(), clock: cfg.Clock, region: cfg.Region,
		management: cfg.ManagementAccount, maxBody: cfg.MaxBodyBytes, cursors: cursors, log: cfg.Logger}
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
	return h, nil
}

// ServeHTTP authenticates the request, then decodes and runs the operation
// its X-Amz-Target names.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", ids.New())
	if r.Method != http.MethodPost {
		h.writeError(w, r, newError(errUnknownOperation, "the Service Quotas API takes POST / only, not %s", r.Method))
		return
	}
	c, body, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if ct := r.Header.Get("Content-Type"); !jsonContentType(ct) {
		h.writeError(w, r, illegal("Content-Type", "must be %s, not %q", ContentType, clip(ct)))
		return
	}
	h.dispatch(w, r, c, r.Header.Get("X-Amz-Target"), body)
}

func jsonContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case ContentType, "application/x-amz-json-1.0", "application/json":
		return true
	}
	return false
}

// dispatch decodes and runs an authenticated request for the operation
// target names, and writes the response.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, c *caller, target string, body []byte) {
	name, ok := strings.CutPrefix(target, TargetPrefix+".")
	o, found := operations[name]
	if !ok || !found {
		h.writeError(w, r, newError(errUnknownOperation, "unknown operation %q: X-Amz-Target must be %s.<Operation>", clip(target), TargetPrefix))
		return
	}
	out, err := o.run(h, r.Context(), c, body)
	if err != nil {
		h.writeError(w, r, o.wireError(err))
		return
	}
	data, err := json.Marshal(out)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// opFunc decodes a request body and runs one operation for a caller.
type opFunc func(h *Handler, ctx context.Context, c *caller, body []byte) (any, error)

// operation is one operation of the API: its implementation, and the wire
// names its errors take where they differ from errorNames.
type operation struct {
	run opFunc
	// errorNames overrides the API-wide errorNames for this operation, as
	// TagResource answers a tag limit with TooManyTagsException rather than
	// QuotaExceededException.
	errorNames map[headroom.ErrorCode]string
}

// wireError converts err to its wire form for this operation.
func (o operation) wireError(err error) *apiError {
	e, _ := toAPIError(err, o.errorNames)
	return e
}

// op adapts a typed operation to an operation whose errors take the
// API-wide names.
func op[In, Out any](fn func(*Handler, context.Context, *caller, *In) (*Out, error)) operation {
	return operation{run: func(h *Handler, ctx context.Context, c *caller, body []byte) (any, error) {
		in := new(In)
		if err := decodeInput(body, in); err != nil {
			return nil, err
		}
		return fn(h, ctx, c, in)
	}}
}

// withErrorNames returns o with its own wire names for some error codes.
func (o operation) withErrorNames(names map[headroom.ErrorCode]string) operation {
	o.errorNames = names
	return o
}

// operations maps each operation name to its implementation.
var operations = map[string]operation{
	"ListServices":                                  op((*Handler).listServices),
	"ListServiceQuotas":                             op((*Handler).listServiceQuotas),
	"ListAWSDefaultServiceQuotas":                   op((*Handler).listDefaultQuotas),
	"GetServiceQuota":                               op((*Handler).getServiceQuota),
	"GetAWSDefaultServiceQuota":                     op((*Handler).getDefaultQuota),
	"RequestServiceQuotaIncrease":                   op((*Handler).requestIncrease),
	"GetRequestedServiceQuotaChange":                op((*Handler).getRequest),
	"ListRequestedServiceQuotaChangeHistory":        op((*Handler).listHistory),
	"ListRequestedServiceQuotaChangeHistoryByQuota": op((*Handler).listHistoryByQuota),
	"PutServiceQuotaIncreaseRequestIntoTemplate":    op((*Handler).putTemplateEntry),
	"GetServiceQuotaIncreaseRequestFromTemplate":    op((*Handler).getTemplateEntry),
	"DeleteServiceQuotaIncreaseRequestFromTemplate": op((*Handler).deleteTemplateEntry),
	"ListServiceQuotaIncreaseRequestsInTemplate":    op((*Handler).listTemplateEntries),
	"AssociateServiceQuotaTemplate":                 op((*Handler).associateTemplate),
	"DisassociateServiceQuotaTemplate":              op((*Handler).disassociateTemplate),
	"GetAssociationForServiceQuotaTemplate":         op((*Handler).getTemplateAssociation),
	"TagResource": op((*Handler).tagResource).withErrorNames(map[headroom.ErrorCode]string{
		headroom.EQUOTAEXCEEDED: errTooManyTags,
	}),
	"UntagResource":       op((*Handler).untagResource),
	"ListTagsForResource": op((*Handler).listTags),
}

// writeError writes err as AWS does: the name in X-Amzn-ErrorType and
// __type, the text in Message.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, internal := toAPIError(err, nil)
	if internal {
		h.log.Error("aws api request failed", "target", r.Header.Get("X-Amz-Target"), "err", err)
	}
	data, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"Message"`
	}{e.name, e.message})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-ErrorType", e.name)
	w.WriteHeader(e.status)
	w.Write(data)
}
