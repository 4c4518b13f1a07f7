package awsapi

import (
	"context"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// requestOut renders a change request. The quota is looked up for its names;
// a request for a quota the catalog no longer holds shows its code only.
func (h *Handler) requestOut(r *headroom.ChangeRequest) requestedChange {
	out := requestedChange{Id: r.ID, CaseId: r.CaseID, QuotaCode: r.Code, DesiredValue: r.DesiredValue,
		Status: string(r.Status), Created: epochTime(r.Created), LastUpdated: epochTime(r.LastUpdated),
		Requester: r.Requester, QuotaRequestedAtLevel: levelAccount}
	if q, err := h.catalog.Quota(r.Code); err == nil {
		out.ServiceCode, out.ServiceName, out.QuotaName, out.Unit = q.Service, serviceName(q.Service), q.Name, string(q.Unit)
		out.QuotaArn = h.quotaARN(q, r.Account)
	}
	if r.Type == headroom.RequestAllowList {
		out.DesiredValue = dialPrefixValue(r.Allow, r.Deny)
	}
	if r.Scope != headroom.ScopeAccount {
		out.QuotaRequestedAtLevel = levelResource
		out.QuotaContext = h.scopeContext(r.Account, r.Scope).info()
	}
	return out
}

func (h *Handler) requestIncrease(ctx context.Context, c *caller, in *requestIncreaseInput) (*requestedOutput, error) {
	service, err := serviceCodeArg(in.ServiceCode, true)
	if err != nil {
		return nil, err
	}
	code, err := quotaCodeArg(in.QuotaCode, true)
	if err != nil {
		return nil, err
	}
	q, err := h.lookupQuota(service, code)
	if err != nil {
		return nil, err
	}
	if !q.Adjustable {
		return nil, illegal("QuotaCode", "%s (%s) is not adjustable: it cannot be increased", q.Name, q.Code)
	}
	var desired float64
	var allow, deny []string
	if q.Kind == headroom.KindSet {
		if q.Match != headroom.MatchDialPrefix {
			return nil, illegal("QuotaCode", "%s (%s) is an allow-list, not a value; ask the operator to change it", q.Name, q.Code)
		}
		if allow, deny, err = dialPrefixArg(in.DesiredValue); err != nil {
			return nil, err
		}
	} else if desired, err = desiredValueArg(in.DesiredValue); err != nil {
		return nil, err
	}
	scope := headroom.ScopeAccount
	if in.ContextId != nil {
		rc, err := h.parseContext(c, q, *in.ContextId)
		if err != nil {
			return nil, err
		}
		scope = rc.scope
	}
	support := true
	if in.SupportCaseAllowed != nil {
		support = *in.SupportCaseAllowed
	}
	typ := headroom.RequestIncrease
	if q.Kind == headroom.KindSet {
		typ = headroom.RequestAllowList
	}
	r, err := h.svc.RequestChange(ctx, headroom.ChangeInput{Type: typ, Account: c.Account, Code: q.Code,
		Scope: scope, DesiredValue: desired, Allow: allow, Deny: deny, SupportCaseAllowed: support, Requester: actor(c)})
	if err != nil {
		return nil, err
	}
	return &requestedOutput{RequestedQuota: h.requestOut(&r)}, nil
}

func (h *Handler) getRequest(ctx context.Context, c *caller, in *getRequestInput) (*requestedOutput, error) {
	id, err := required("RequestId", in.RequestId)
	if err != nil {
		return nil, err
	}
	if !validRequestID(id) {
		return nil, illegal("RequestId", "%q must match the pattern [0-9a-zA-Z][a-zA-Z0-9-]{1,128}", clip(id))
	}
	notFound := newError(errNoSuchResource, "no quota increase request with id %s", id)
	r, err := h.svc.FindChangeRequest(ctx, id)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, notFound
		}
		return nil, err
	}
	// Another account's request, or one this API does not show, does not
	// exist as far as the caller can tell.
	if r.Account != c.Account || !shown(&r) {
		return nil, notFound
	}
	return &requestedOutput{RequestedQuota: h.requestOut(&r)}, nil
}

func (h *Handler) listHistory(ctx context.Context, c *caller, in *listHistoryInput) (*listHistoryOutput, error) {
	service, err := serviceCodeArg(in.ServiceCode, false)
	if err != nil {
		return nil, err
	}
	if service != "" {
		if err := h.checkService(service); err != nil {
			return nil, err
		}
	}
	return h.history(ctx, c, "ListRequestedServiceQuotaChangeHistory", service, "", in.Status, in.QuotaRequestedAtLevel, in.MaxResults, in.NextToken)
}

func (h *Handler) listHistoryByQuota(ctx context.Context, c *caller, in *listHistoryByQuotaInput) (*listHistoryOutput, error) {
	q, err := h.quotaArgs(in.ServiceCode, in.QuotaCode)
	if err != nil {
		return nil, err
	}
	return h.history(ctx, c, "ListRequestedServiceQuotaChangeHistoryByQuota", q.Service, q.Code, in.Status, in.QuotaRequestedAtLevel, in.MaxResults, in.NextToken)
}

// shown reports whether this API shows a change request: increases, and
// allow-list changes, which it can also file; not number porting.
func shown(r *headroom.ChangeRequest) bool {
	return r.Type == headroom.RequestIncrease || r.Type == headroom.RequestAllowList
}

// historyBatch is how many requests history reads from the store at a time.
const historyBatch = 200

// history pages through the caller's increase requests, oldest first,
// filtered by service, quota, status and level. The cursor is the id of the
// last request returned.
func (h *Handler) history(ctx context.Context, c *caller, op, service, code string, statusIn, levelIn *string, maxIn *int32, token *string) (*listHistoryOutput, error) {
	status, err := statusArg(statusIn)
	if err != nil {
		return nil, err
	}
	level, err := levelArg("QuotaRequestedAtLevel", levelIn)
	if err != nil {
		return nil, err
	}
	max, err := maxResultsArg(maxIn)
	if err != nil {
		return nil, err
	}
	q := &cursor.Query{Op: op, Account: c.Account, Params: []string{service, code, string(status), level}}
	after, err := h.cursor(q, token)
	if err != nil {
		return nil, err
	}
	match := func(r *headroom.ChangeRequest) bool {
		if !shown(r) {
			return false
		}
		switch {
		case level == levelAccount && r.Scope != headroom.ScopeAccount,
			level == levelResource && r.Scope == headroom.ScopeAccount:
			return false
		}
		if service == "" {
			return true
		}
		quota, err := h.catalog.Quota(r.Code)
		return err == nil && quota.Service == service
	}
	out := &listHistoryOutput{RequestedQuotas: []requestedChange{}}
	f := headroom.ChangeRequestFilter{Account: c.Account, Code: code, Status: status, AfterID: after, Limit: historyBatch}
	for {
		batch, err := h.svc.ListChangeRequests(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range batch {
			r := &batch[i]
			if !match(r) {
				continue
			}
			if len(out.RequestedQuotas) == max {
				// One more matches: the page is full and another follows.
				out.NextToken = h.cursors.Encode(q, out.RequestedQuotas[max-1].Id)
				return out, nil
			}
			out.RequestedQuotas = append(out.RequestedQuotas, h.requestOut(r))
		}
		if len(batch) < historyBatch {
			return out, nil
		}
		f.AfterID = batch[len(batch)-1].ID
	}
}
