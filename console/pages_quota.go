package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom"
)

// quotaData is one quota's page.
type quotaData struct {
	Account     string
	Row         quotaRow
	Description string
	Range       chartRange
	Ranges      []rangeLink
	Chart       chart
	ChartError  string
	Alarms      []alarmRow
	Requests    []requestRow
	// CanRequest says the increase form is shown: the quota is adjustable
	// and has a numeric value.
	CanRequest bool
	// Suggested is the form's starting value: above the applied one.
	Suggested  string
	FormAction string
}

// rangeLink is a link to one of the chart's ranges.
type rangeLink struct {
	Label, Href string
	Current     bool
}

// handleQuota shows one quota of an account in a scope: its status, its
// usage chart over ?range=48h or 90d with the applied value drawn as a
// line, its alarms, its change requests and the increase form.
func (h *Handler) handleQuota(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	account, code := r.PathValue("account"), r.PathValue("code")
	scope := strings.TrimSpace(r.URL.Query().Get("scope"))
	if scope == "" {
		scope = headroom.ScopeAccount
	}
	st, err := h.svc.Status(r.Context(), account, code, scope)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	cr := rangeOf(r.URL.Query().Get("range"))
	row := newQuotaRow(account, st)
	d := quotaData{Account: account, Row: row, Description: st.Quota.Description, Range: cr}
	for _, c := range chartRanges {
		q := url.Values{"range": {c.Key}}
		if scope != headroom.ScopeAccount {
			q.Set("scope", scope)
		}
		d.Ranges = append(d.Ranges, rangeLink{Label: c.Label, Href: "/console/accounts/" + url.PathEscape(account) + "/quotas/" +
			url.PathEscape(code) + "?" + q.Encode(), Current: c.Key == cr.Key})
	}
	now := h.svc.Clock().Now().UTC()
	to := now.Truncate(cr.Step).Add(cr.Step)
	from := to.Add(-cr.Span)
	points, err := h.usageHistory(r.Context(), account, code, scope, from, to, cr.Step)
	if err != nil {
		if h.cfg.ErrorStatus(err) >= 500 {
			h.log.Error("console: reading usage history", "account", account, "code", code, "err", err)
		}
		d.ChartError = "The usage history could not be read: " + headroom.ErrorMessage(err)
	}
	d.Chart = drawChart(st.Quota.Name, points, st.Applied.Value, from, to, cr, st.Quota.Kind == headroom.KindRate)
	alarms, err := h.alarmRows(r, account, false)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	for _, a := range alarms {
		if a.Code == code && a.Scope == scope {
			d.Alarms = append(d.Alarms, a)
		}
	}
	reqs, err := h.svc.ListChangeRequests(r.Context(), headroom.ChangeRequestFilter{Account: account, Code: code, Scope: scope})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	for i := len(reqs) - 1; i >= 0; i-- {
		d.Requests = append(d.Requests, h.newRequestRow(reqs[i]))
	}
	d.CanRequest = st.Quota.Adjustable && st.Quota.Kind != headroom.KindSet && st.Applied.Value > 0
	d.Suggested = formatValue(st.Applied.Value * 2)
	d.FormAction = "/console/accounts/" + url.PathEscape(account) + "/quotas/" + url.PathEscape(code) + "/requests"
	h.render(w, r, p, http.StatusOK, "quota", view{Title: st.Quota.Name + " of account " + account, Nav: "accounts", Data: d})
}

// handleRequestIncrease files an increase request for a quota from its
// page, as the work of the session's token, then shows the quota again. A
// refused request (a value not above the current one, a second open
// request) shows its error.
func (h *Handler) handleRequestIncrease(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	account, code := r.PathValue("account"), r.PathValue("code")
	scope := strings.TrimSpace(r.PostForm.Get("scope"))
	if scope == "" {
		scope = headroom.ScopeAccount
	}
	value, err := parseValue("desired_value", r.PostForm.Get("desired_value"), true)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	_, err = h.svc.RequestChange(r.Context(), headroom.ChangeInput{Account: account, Code: code, Scope: scope, DesiredValue: value,
		Details: strings.TrimSpace(r.PostForm.Get("details")), SupportCaseAllowed: true, Requester: p.actor})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	to := "/console/accounts/" + url.PathEscape(account) + "/quotas/" + url.PathEscape(code)
	if scope != headroom.ScopeAccount {
		to += "?scope=" + url.QueryEscape(scope)
	}
	seeOther(w, r, to)
}

// parseValue reads a quota value from a form field: a finite number above
// zero; empty is zero when optional. Errors: EINVALID naming the field.
func parseValue(field, s string, required bool) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return 0, headroom.FieldErrorf(field, "is required: enter a number above 0")
		}
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v <= 0 || v > headroom.MaxValue {
		return 0, headroom.FieldErrorf(field, "must be a number above 0 and at most %g, got %q", float64(headroom.MaxValue), s)
	}
	return v, nil
}
