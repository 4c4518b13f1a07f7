package awsapi

import (
	"context"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// The template association statuses.
const (
	statusAssociated    = "ASSOCIATED"
	statusDisassociated = "DISASSOCIATED"
)

// mayManageTemplate lets the management account through, and refuses every
// other account with AccessDeniedException.
func (h *Handler) mayManageTemplate(c *caller) error {
	if h.management == "" {
		return newError(errAccessDenied, "the quota request template is not available: this Headroom has no management account configured")
	}
	if c.Account != h.management {
		return newError(errAccessDenied, "only the organization's management account may manage the quota request template; account %s is not it", c.Account)
	}
	return nil
}

// actor names the caller in the audit log: its access key id, as
// requests name their requester.
func actor(c *caller) string { return c.KeyID }

func (h *Handler) templateOut(q *headroom.Quota, t *headroom.TemplateEntry) templateEntry {
	return templateEntry{ServiceCode: q.Service, ServiceName: serviceName(q.Service), QuotaCode: q.Code, QuotaName: q.Name,
		DesiredValue: t.DesiredValue, AwsRegion: t.Region, Unit: string(q.Unit)}
}

// templateKey checks the members that name a template entry.
func (h *Handler) templateKey(service, code, region *string) (*headroom.Quota, string, error) {
	s, err := serviceCodeArg(service, true)
	if err != nil {
		return nil, "", err
	}
	qc, err := quotaCodeArg(code, true)
	if err != nil {
		return nil, "", err
	}
	r, err := regionArg(region, true)
	if err != nil {
		return nil, "", err
	}
	q, err := h.lookupQuota(s, qc)
	return q, r, err
}

func (h *Handler) putTemplateEntry(ctx context.Context, c *caller, in *putTemplateInput) (*templateEntryOutput, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	q, region, err := h.templateKey(in.ServiceCode, in.QuotaCode, in.AwsRegion)
	if err != nil {
		return nil, err
	}
	desired, err := desiredValueArg(in.DesiredValue)
	if err != nil {
		return nil, err
	}
	if !q.Adjustable || q.Kind == headroom.KindSet {
		return nil, illegal("QuotaCode", "%s (%s) is not adjustable: it cannot be increased", q.Name, q.Code)
	}
	if desired <= q.Value {
		return nil, illegal("DesiredValue", "%s is not above the default value %s of %s", formatValue(desired), formatValue(q.Value), q.Name)
	}
	t := headroom.TemplateEntry{Service: q.Service, Code: q.Code, Region: region, DesiredValue: desired}
	if err := h.svc.PutTemplateEntry(ctx, t, actor(c)); err != nil {
		return nil, err
	}
	return &templateEntryOutput{ServiceQuotaIncreaseRequestInTemplate: h.templateOut(q, &t)}, nil
}

func (h *Handler) getTemplateEntry(ctx context.Context, c *caller, in *templateKeyInput) (*templateEntryOutput, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	q, region, err := h.templateKey(in.ServiceCode, in.QuotaCode, in.AwsRegion)
	if err != nil {
		return nil, err
	}
	entries, err := h.svc.ListTemplateEntries(ctx)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if t := &entries[i]; t.Service == q.Service && t.Code == q.Code && t.Region == region {
			return &templateEntryOutput{ServiceQuotaIncreaseRequestInTemplate: h.templateOut(q, t)}, nil
		}
	}
	return nil, newError(errNoSuchResource, "the quota request template has no increase for %s %s in %s", q.Service, q.Code, region)
}

func (h *Handler) deleteTemplateEntry(ctx context.Context, c *caller, in *templateKeyInput) (*empty, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	q, region, err := h.templateKey(in.ServiceCode, in.QuotaCode, in.AwsRegion)
	if err != nil {
		return nil, err
	}
	if err := h.svc.DeleteTemplateEntry(ctx, q.Service, q.Code, region, actor(c)); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, newError(errNoSuchResource, "the quota request template has no increase for %s %s in %s", q.Service, q.Code, region)
		}
		return nil, err
	}
	return &empty{}, nil
}

func (h *Handler) listTemplateEntries(ctx context.Context, c *caller, in *listTemplateInput) (*listTemplateOutput, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	service, err := serviceCodeArg(in.ServiceCode, false)
	if err != nil {
		return nil, err
	}
	region, err := regionArg(in.AwsRegion, false)
	if err != nil {
		return nil, err
	}
	max, err := maxResultsArg(in.MaxResults)
	if err != nil {
		return nil, err
	}
	all, err := h.svc.ListTemplateEntries(ctx)
	if err != nil {
		return nil, err
	}
	var entries []templateEntry
	for i := range all {
		t := &all[i]
		q, err := h.catalog.Quota(t.Code)
		if err != nil || service != "" && t.Service != service || region != "" && t.Region != region {
			continue
		}
		entries = append(entries, h.templateOut(q, t))
	}
	q := &cursor.Query{Op: "ListServiceQuotaIncreaseRequestsInTemplate", Account: c.Account, Params: []string{service, region}}
	start, end, next, err := h.offsetPage(q, in.NextToken, len(entries), max)
	if err != nil {
		return nil, err
	}
	out := &listTemplateOutput{NextToken: next, ServiceQuotaIncreaseRequestInTemplateList: []templateEntry{}}
	out.ServiceQuotaIncreaseRequestInTemplateList = append(out.ServiceQuotaIncreaseRequestInTemplateList, entries[start:end]...)
	return out, nil
}

func (h *Handler) associateTemplate(ctx context.Context, c *caller, _ *struct{}) (*empty, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	if err := h.svc.SetTemplateAssociated(ctx, true, actor(c)); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (h *Handler) disassociateTemplate(ctx context.Context, c *caller, _ *struct{}) (*empty, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	on, err := h.svc.TemplateAssociated(ctx)
	if err != nil {
		return nil, err
	}
	if !on {
		return nil, newError(errTemplateNotInUse, "the quota request template is not associated with the organization")
	}
	if err := h.svc.SetTemplateAssociated(ctx, false, actor(c)); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (h *Handler) getTemplateAssociation(ctx context.Context, c *caller, _ *struct{}) (*associationOutput, error) {
	if err := h.mayManageTemplate(c); err != nil {
		return nil, err
	}
	on, err := h.svc.TemplateAssociated(ctx)
	if err != nil {
		return nil, err
	}
	status := statusDisassociated
	if on {
		status = statusAssociated
	}
	return &associationOutput{ServiceQuotaTemplateAssociationStatus: status}, nil
}
