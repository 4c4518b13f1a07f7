package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/headroomhq/headroom"
)

// requestRow is one change request as the tables show it.
type requestRow struct {
	ID, Account, Code, Name, Scope, Status, Requester, Details string
	Desired, Granted                                           float64
	Created, Updated                                           string
	Open                                                       bool
	QuotaLink                                                  string
	Transitions                                                []headroom.Transition
}

func (h *Handler) newRequestRow(cr headroom.ChangeRequest) requestRow {
	row := requestRow{ID: cr.ID, Account: cr.Account, Code: cr.Code, Name: cr.Code, Scope: cr.Scope, Status: string(cr.Status),
		Requester: cr.Requester, Details: cr.Details, Desired: cr.DesiredValue, Granted: cr.GrantedValue,
		Created: cr.Created.UTC().Format("2006-01-02 15:04"), Updated: cr.LastUpdated.UTC().Format("2006-01-02 15:04"),
		Open: cr.Status.Open()}
	if q, err := h.svc.Catalog().Quota(cr.Code); err == nil {
		row.Name = q.Name
	}
	row.QuotaLink = "/console/accounts/" + url.PathEscape(cr.Account) + "/quotas/" + url.PathEscape(cr.Code)
	if cr.Scope != "" && cr.Scope != headroom.ScopeAccount {
		row.QuotaLink += "?scope=" + url.QueryEscape(cr.Scope)
	}
	return row
}

// requestsData is the requests page's content.
type requestsData struct {
	// Queue is the operator's open requests, oldest first.
	Queue []requestRow
	// History is the decided requests (operator) or all of the tenant's
	// requests, newest first, with their transitions.
	History []requestRow
	Pager   pager
}

// maxListed bounds how many rows a console list reads before paging.
const maxListed = 5000

// handleRequests shows the change requests: for the operator, the queue of
// open requests with approve and deny forms, and the decided ones; for a
// tenant, its own accounts' requests.
func (h *Handler) handleRequests(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	var all []headroom.ChangeRequest
	filters := []headroom.ChangeRequestFilter{{}}
	if !p.operator() {
		filters = filters[:0]
		for _, a := range p.tok.Accounts {
			filters = append(filters, headroom.ChangeRequestFilter{Account: a})
		}
	}
	for _, f := range filters {
		for len(all) < maxListed {
			f.Limit = 1000
			page, err := h.svc.ListChangeRequests(r.Context(), f)
			if err != nil {
				h.fail(w, r, p, err)
				return
			}
			all = append(all, page...)
			if len(page) < f.Limit {
				break
			}
			f.AfterID = page[len(page)-1].ID
		}
	}
	var d requestsData
	var decided []headroom.ChangeRequest
	for _, cr := range all {
		if p.operator() && cr.Status.Open() {
			d.Queue = append(d.Queue, h.newRequestRow(cr))
			continue
		}
		decided = append(decided, cr)
	}
	slices.SortStableFunc(decided, func(a, b headroom.ChangeRequest) int { return b.LastUpdated.Compare(a.LastUpdated) })
	decided, d.Pager = paginate(decided, r, url.Values{}, "/console/requests")
	for _, cr := range decided {
		row := h.newRequestRow(cr)
		ts, err := h.svc.ListTransitions(r.Context(), cr.ID)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		row.Transitions = ts
		d.History = append(d.History, row)
	}
	h.render(w, r, p, http.StatusOK, "requests", view{Title: "Increase requests", Nav: "requests", Data: d})
}

// handleDecide approves (optionally at a lower value) or denies (with a
// reason) an open request, as the operator.
func (h *Handler) handleDecide(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	var d headroom.RequestDecision
	switch r.PostForm.Get("action") {
	case "approve":
		v, err := parseValue("value", r.PostForm.Get("value"), false)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d = headroom.RequestDecision{To: headroom.StatusApproved, Value: v}
	case "deny":
		reason := strings.TrimSpace(r.PostForm.Get("reason"))
		if reason == "" {
			h.fail(w, r, p, headroom.FieldErrorf("reason", "is required to deny a request: say why"))
			return
		}
		d = headroom.RequestDecision{To: headroom.StatusDenied, Reason: reason}
	default:
		h.fail(w, r, p, headroom.FieldErrorf("action", "must be approve or deny, got %q", r.PostForm.Get("action")))
		return
	}
	if _, err := h.svc.DecideRequest(r.Context(), r.PathValue("id"), d, p.actor); err != nil {
		h.fail(w, r, p, err)
		return
	}
	seeOther(w, r, "/console/requests")
}
