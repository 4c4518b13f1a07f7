package awsapi

import (
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/arn"
)

// contextType is one kind of resource a per-resource quota is read and
// raised for with a ContextId: the resource's ARN on the AWS side, a scope
// segment on Headroom's.
type contextType struct {
	// arnService and arnResource form the ARN
	// arn:aws:<arnService>:REGION:ACCOUNT:<arnResource>/ID.
	arnService  string
	arnResource string
	// scopeType is the Headroom scope segment: scope "<scopeType>/ID".
	scopeType string
	// awsType is the QuotaContext's ContextScopeType.
	awsType string
	// dimension is the metric dimension that names the resource.
	dimension string
}

var contextTypes = []contextType{
	{arnService: "connect", arnResource: "instance", scopeType: "instance", awsType: "AWS::Connect::Instance", dimension: "InstanceId"},
	{arnService: "profile", arnResource: "domains", scopeType: "domain", awsType: "AWS::CustomerProfiles::Domain", dimension: "DomainName"},
}

// resourceContext is a resolved ContextId.
type resourceContext struct {
	typ   *contextType
	id    string
	arn   string
	scope string
}

func (rc *resourceContext) info() *quotaContext {
	if rc == nil {
		return nil
	}
	return &quotaContext{ContextScope: "RESOURCE", ContextScopeType: rc.typ.awsType, ContextId: rc.arn}
}

// resourceARN returns the ARN of a resource of account in the handler's
// region.
func (h *Handler) resourceARN(t *contextType, account, id string) string {
	return arn.Build(t.arnService, h.region, account, t.arnResource+"/"+id)
}

// scopeContext returns the context of an override's scope, or nil when the
// scope is not a single resource a ContextId can name.
func (h *Handler) scopeContext(account, scope string) *resourceContext {
	typ, id, ok := strings.Cut(scope, "/")
	if !ok || strings.Contains(id, "/") {
		return nil
	}
	for i := range contextTypes {
		t := &contextTypes[i]
		if t.scopeType == typ {
			return &resourceContext{typ: t, id: id, arn: h.resourceARN(t, account, id), scope: scope}
		}
	}
	return nil
}

// parseContext resolves a ContextId for quota q read or raised by c. The ARN
// must name a resource of the caller's account, in this region, of a kind
// the quota is counted in.
func (h *Handler) parseContext(c *caller, q *headroom.Quota, text string) (*resourceContext, error) {
	a, ok := arn.Parse(text)
	if !ok || a.Partition != "aws" {
		return nil, illegal("ContextId", "%q is not a resource ARN such as arn:aws:connect:%s:%s:instance/INSTANCE-ID", clip(text), h.region, c.Account)
	}
	service, region, account, resource := a.Service, a.Region, a.Account, a.Resource
	var t *contextType
	for i := range contextTypes {
		if contextTypes[i].arnService == service {
			t = &contextTypes[i]
		}
	}
	rtype, id, _ := strings.Cut(resource, "/")
	if t == nil || rtype != t.arnResource || !headroom.ValidScopeID(id) {
		return nil, illegal("ContextId", "%q is not an Amazon Connect instance ARN (arn:aws:connect:%s:%s:instance/INSTANCE-ID) or a Customer Profiles domain ARN (arn:aws:profile:%s:%s:domains/NAME)",
			clip(text), h.region, c.Account, h.region, c.Account)
	}
	if region != h.region {
		return nil, illegal("ContextId", "%q is in region %q; this endpoint serves %s", clip(text), clip(region), h.region)
	}
	if account != c.Account {
		return nil, newError(errAccessDenied, "ContextId %q names a resource of another account; you may read and request quotas of account %s only", clip(text), c.Account)
	}
	scope := t.scopeType + "/" + id
	if q.Scope == headroom.ScopeAccount {
		return nil, illegal("ContextId", "%s (%s) applies to the whole account and takes no ContextId", q.Name, q.Code)
	}
	if err := q.Scope.Match(scope, true); err != nil {
		return nil, illegal("ContextId", "%s (%s) is counted per %s; a %s does not apply to it", q.Name, q.Code, q.Scope, t.awsType)
	}
	return &resourceContext{typ: t, id: id, arn: text, scope: scope}, nil
}

// quotaARN is the ARN of a quota as applied to account; the AWS default
// variant, for account "", has no account field.
func (h *Handler) quotaARN(q *headroom.Quota, account string) string {
	return arn.Build("servicequotas", h.region, account, q.Service+"/"+q.Code)
}

// parseQuotaARN resolves a ResourceARN naming one of the caller's applied
// quotas: IllegalArgumentException if it is no quota ARN at all,
// NoSuchResourceException if it is not the caller's or names no quota.
func (h *Handler) parseQuotaARN(c *caller, text string) (*headroom.Quota, string, error) {
	if text == "" || len(text) > 1011 {
		return nil, "", illegal("ResourceARN", "must be 1 to 1011 characters")
	}
	a, ok := arn.Parse(text)
	if !ok || a.Partition != "aws" || a.Service != "servicequotas" || !headroom.ValidAccountID(a.Account) {
		return nil, "", illegal("ResourceARN", "%q is not a quota ARN such as arn:aws:servicequotas:%s:%s:connect/L-9A46857E", clip(text), h.region, c.Account)
	}
	region, account, resource := a.Region, a.Account, a.Resource
	service, code, ok := strings.Cut(resource, "/")
	if !ok || !headroom.ValidServiceCode(service) || !headroom.ValidQuotaCode(code) {
		return nil, "", illegal("ResourceARN", "%q is not a quota ARN such as arn:aws:servicequotas:%s:%s:connect/L-9A46857E", clip(text), h.region, c.Account)
	}
	notFound := newError(errNoSuchResource, "ResourceARN %q names no quota of account %s in %s", clip(text), c.Account, h.region)
	if region != h.region || account != c.Account {
		return nil, "", notFound
	}
	q, err := h.catalog.Quota(code)
	if err != nil || q.Service != service {
		return nil, "", notFound
	}
	return q, h.quotaARN(q, account), nil
}
