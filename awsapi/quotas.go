package awsapi

import (
	"context"
	"maps"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// serviceNames are the names the services of the default catalog go by.
// Services of other catalogs are named by their code.
var serviceNames = map[string]string{
	"connect": "Amazon Connect",
	"profile": "Amazon Connect Customer Profiles",
}

func serviceName(code string) string {
	if n, ok := serviceNames[code]; ok {
		return n
	}
	return code
}

// hasService reports whether the catalog holds quotas of service.
func (h *Handler) hasService(service string) bool {
	for _, s := range h.catalog.Services() {
		if s == service {
			return true
		}
	}
	return false
}

// checkService returns NoSuchResourceException for a service the catalog
// does not hold.
func (h *Handler) checkService(service string) error {
	if !h.hasService(service) {
		return newError(errNoSuchResource, "no service with code %q (ListServices names them)", service)
	}
	return nil
}

// lookupQuota returns quota code of service, or NoSuchResourceException.
func (h *Handler) lookupQuota(service, code string) (*headroom.Quota, error) {
	if err := h.checkService(service); err != nil {
		return nil, err
	}
	q, err := h.catalog.Quota(code)
	if err != nil || q.Service != service {
		return nil, newError(errNoSuchResource, "service %s has no quota with code %q", service, code)
	}
	return q, nil
}

// quotaArgs checks the required ServiceCode and QuotaCode members and
// returns the quota they name.
func (h *Handler) quotaArgs(service, code *string) (*headroom.Quota, error) {
	s, err := serviceCodeArg(service, true)
	if err != nil {
		return nil, err
	}
	c, err := quotaCodeArg(code, true)
	if err != nil {
		return nil, err
	}
	return h.lookupQuota(s, c)
}

// appliedLevel is where a quota applies: ACCOUNT for account-wide quotas,
// ALL for per-resource ones, which take account and resource values.
func appliedLevel(q *headroom.Quota) string {
	if q.Scope == headroom.ScopeAccount {
		return levelAccount
	}
	return levelAll
}

// quotaOut renders a quota with a value. account "" renders the AWS default
// variant; rc, when set, is the resource it was read for.
func (h *Handler) quotaOut(q *headroom.Quota, account string, value float64, rc *resourceContext) serviceQuota {
	out := serviceQuota{ServiceCode: q.Service, ServiceName: serviceName(q.Service), QuotaArn: h.quotaARN(q, account),
		QuotaCode: q.Code, QuotaName: q.Name, Description: q.Description, Value: value, Unit: string(q.Unit),
		Adjustable: q.Adjustable, QuotaAppliedAtLevel: appliedLevel(q), QuotaContext: rc.info()}
	if m := q.Metric; m != nil {
		out.UsageMetric = &metricInfo{MetricNamespace: m.Namespace, MetricName: m.Name, MetricStatisticRecommendation: m.Statistic}
		if len(m.Dimensions) > 0 || rc != nil {
			out.UsageMetric.MetricDimensions = maps.Clone(m.Dimensions)
			if out.UsageMetric.MetricDimensions == nil {
				out.UsageMetric.MetricDimensions = map[string]string{}
			}
			if rc != nil {
				out.UsageMetric.MetricDimensions[rc.typ.dimension] = rc.id
			}
		}
	}
	if q.Kind == headroom.KindRate {
		out.Period = &quotaPeriod{PeriodValue: 1, PeriodUnit: "SECOND"}
	}
	return out
}

func (h *Handler) listServices(ctx context.Context, c *caller, in *listServicesInput) (*listServicesOutput, error) {
	max, err := maxResultsArg(in.MaxResults)
	if err != nil {
		return nil, err
	}
	services := h.catalog.Services()
	start, end, next, err := h.offsetPage(&cursor.Query{Op: "ListServices", Account: c.Account}, in.NextToken, len(services), max)
	if err != nil {
		return nil, err
	}
	out := &listServicesOutput{NextToken: next, Services: []serviceInfo{}}
	for _, s := range services[start:end] {
		out.Services = append(out.Services, serviceInfo{ServiceCode: s, ServiceName: serviceName(s)})
	}
	return out, nil
}

// quotaItem is one entry of a ListServiceQuotas result before its value is
// resolved.
type quotaItem struct {
	q  *headroom.Quota
	rc *resourceContext
}

func (h *Handler) listServiceQuotas(ctx context.Context, c *caller, in *listServiceQuotasInput) (*listQuotasOutput, error) {
	service, err := serviceCodeArg(in.ServiceCode, true)
	if err != nil {
		return nil, err
	}
	code, err := quotaCodeArg(in.QuotaCode, false)
	if err != nil {
		return nil, err
	}
	level, err := levelArg("QuotaAppliedAtLevel", in.QuotaAppliedAtLevel)
	if err != nil {
		return nil, err
	}
	max, err := maxResultsArg(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if code != "" {
		if _, err := h.lookupQuota(service, code); err != nil {
			return nil, err
		}
	} else if err := h.checkService(service); err != nil {
		return nil, err
	}
	items, err := h.quotaItems(ctx, c.Account, service, code, level)
	if err != nil {
		return nil, err
	}
	q := &cursor.Query{Op: "ListServiceQuotas", Account: c.Account, Params: []string{service, code, level}}
	start, end, next, err := h.offsetPage(q, in.NextToken, len(items), max)
	if err != nil {
		return nil, err
	}
	out := &listQuotasOutput{NextToken: next, Quotas: []serviceQuota{}}
	for _, it := range items[start:end] {
		scope := headroom.ScopeAccount
		if it.rc != nil {
			scope = it.rc.scope
		}
		a, err := h.svc.Applied(ctx, c.Account, it.q.Code, scope)
		if err != nil {
			return nil, err
		}
		out.Quotas = append(out.Quotas, h.quotaOut(it.q, c.Account, a.Value, it.rc))
	}
	return out, nil
}

// quotaItems lists the quotas of service (only code, if set) in catalog
// order: at ACCOUNT level each quota once; at RESOURCE level each
// resource-level override of the account; at ALL level both, each quota's
// resource values after its account value.
func (h *Handler) quotaItems(ctx context.Context, account, service, code, level string) ([]quotaItem, error) {
	byCode := map[string][]*resourceContext{}
	if level != levelAccount {
		ovs, err := h.svc.ListOverrides(ctx, account)
		if err != nil {
			return nil, err
		}
		for _, o := range ovs {
			if rc := h.scopeContext(account, o.Scope); rc != nil {
				byCode[o.Code] = append(byCode[o.Code], rc)
			}
		}
	}
	var items []quotaItem
	for _, q := range h.catalog.Quotas() {
		if q.Service != service || code != "" && q.Code != code {
			continue
		}
		if level != levelResource {
			items = append(items, quotaItem{q: q})
		}
		if q.Adjustable {
			for _, rc := range byCode[q.Code] {
				if q.Scope.Match(rc.scope, true) == nil {
					items = append(items, quotaItem{q: q, rc: rc})
				}
			}
		}
	}
	return items, nil
}

func (h *Handler) listDefaultQuotas(ctx context.Context, c *caller, in *listDefaultQuotasInput) (*listQuotasOutput, error) {
	service, err := serviceCodeArg(in.ServiceCode, true)
	if err != nil {
		return nil, err
	}
	max, err := maxResultsArg(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if err := h.checkService(service); err != nil {
		return nil, err
	}
	var quotas []*headroom.Quota
	for _, q := range h.catalog.Quotas() {
		if q.Service == service {
			quotas = append(quotas, q)
		}
	}
	start, end, next, err := h.offsetPage(&cursor.Query{Op: "ListAWSDefaultServiceQuotas", Account: c.Account, Params: []string{service}}, in.NextToken, len(quotas), max)
	if err != nil {
		return nil, err
	}
	out := &listQuotasOutput{NextToken: next, Quotas: []serviceQuota{}}
	for _, q := range quotas[start:end] {
		out.Quotas = append(out.Quotas, h.quotaOut(q, "", q.Value, nil))
	}
	return out, nil
}

func (h *Handler) getServiceQuota(ctx context.Context, c *caller, in *getServiceQuotaInput) (*quotaOutput, error) {
	q, err := h.quotaArgs(in.ServiceCode, in.QuotaCode)
	if err != nil {
		return nil, err
	}
	scope := headroom.ScopeAccount
	var rc *resourceContext
	if in.ContextId != nil {
		if rc, err = h.parseContext(c, q, *in.ContextId); err != nil {
			return nil, err
		}
		scope = rc.scope
	}
	a, err := h.svc.Applied(ctx, c.Account, q.Code, scope)
	if err != nil {
		return nil, err
	}
	return &quotaOutput{Quota: h.quotaOut(q, c.Account, a.Value, rc)}, nil
}

func (h *Handler) getDefaultQuota(ctx context.Context, c *caller, in *getDefaultQuotaInput) (*quotaOutput, error) {
	q, err := h.quotaArgs(in.ServiceCode, in.QuotaCode)
	if err != nil {
		return nil, err
	}
	return &quotaOutput{Quota: h.quotaOut(q, "", q.Value, nil)}, nil
}

// formatValue renders a value in messages.
func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
