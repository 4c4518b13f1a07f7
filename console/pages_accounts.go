package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom"
)

// pageSize is how many rows a long list shows per page.
const pageSize = 50

// accountRow is one account of the accounts page, with its most-used
// quota.
type accountRow struct {
	ID      string
	Created string
	Partner string
	Busiest *quotaRow
}

// quotaRow is one quota's status, as the tables show it.
type quotaRow struct {
	Code, Name, Service, Scope, Level, Unit, Kind string
	Applied                                       float64
	Counted                                       bool
	Used                                          int64
	Percent                                       float64
	Adjustable                                    bool
	// Alarm is the row's usage level by the default thresholds, for the
	// bar's colour; the alarm states themselves are on the alarms page.
	Alarm string
	Link  string
}

func newQuotaRow(account string, st headroom.QuotaStatus) quotaRow {
	q := st.Quota
	row := quotaRow{Code: q.Code, Name: q.Name, Service: q.Service, Scope: st.Scope, Level: string(st.Applied.Level),
		Unit: string(q.Unit), Kind: string(q.Kind), Applied: st.Applied.Value, Counted: st.Counted, Used: st.Used,
		Percent: st.Percent(), Adjustable: q.Adjustable}
	row.Alarm = "ok"
	if st.Counted && st.Applied.Value > 0 {
		row.Alarm = strings.ToLower(string(headroom.DefaultAlarmThresholds().Level(headroom.AlarmOK, float64(st.Used)/st.Applied.Value)))
	}
	row.Link = "/console/accounts/" + url.PathEscape(account) + "/quotas/" + url.PathEscape(q.Code)
	if st.Scope != "" && st.Scope != headroom.ScopeAccount {
		row.Link += "?scope=" + url.QueryEscape(st.Scope)
	}
	return row
}

// pager is a list's position: which page, and the links to its
// neighbours.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

// paginate returns the rows of the page asked for by ?page= and the pager;
// base is the list's URL with its other query parameters.
func paginate[T any](rows []T, r *http.Request, base url.Values, path string) ([]T, pager) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pages := max(1, (len(rows)+pageSize-1)/pageSize)
	page = min(max(page, 1), pages)
	link := func(n int) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return path + "?" + q.Encode()
	}
	p := pager{Page: page, Pages: pages}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	lo := (page - 1) * pageSize
	return rows[lo:min(lo+pageSize, len(rows))], p
}

// accountsData is the accounts page's content.
type accountsData struct {
	Rows  []accountRow
	Pager pager
}

// visibleAccounts returns the accounts a principal may see: every account
// for the operator, the token's own for a tenant.
func (h *Handler) visibleAccounts(r *http.Request, p *principal) ([]headroom.Account, error) {
	if p.operator() {
		return h.svc.ListAccounts(r.Context())
	}
	var out []headroom.Account
	for _, id := range p.tok.Accounts {
		a, err := h.svc.FindAccount(r.Context(), id)
		if headroom.ErrorCodeOf(err) == headroom.EUNKNOWNACCOUNT {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// handleAccounts lists the accounts the session may see, each with its
// most-used quota.
func (h *Handler) handleAccounts(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	accts, err := h.visibleAccounts(r, p)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	accts, pg := paginate(accts, r, url.Values{}, "/console/accounts")
	rows := make([]accountRow, 0, len(accts))
	for _, a := range accts {
		row := accountRow{ID: a.ID, Created: a.Created.Format("2006-01-02"), Partner: a.Partner}
		busiest, err := h.svc.BusiestUsage(r.Context(), a.ID)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if len(busiest) > 0 {
			qr := newQuotaRow(a.ID, busiest[0])
			row.Busiest = &qr
		}
		rows = append(rows, row)
	}
	h.render(w, r, p, http.StatusOK, "accounts", view{Title: "Accounts", Nav: "accounts", Data: accountsData{Rows: rows, Pager: pg}})
}

// accountData is an account's quota page.
type accountData struct {
	Account  string
	Rows     []quotaRow
	Services []string
	Service  string
	Scope    string
	Sort     string
	Order    string
	Columns  []sortLink
	Pager    pager
	// Instances says whether the account has Connect instances, to link
	// to their page.
	Instances bool
}

// sortLink is a sortable column's header: its link and its current
// aria-sort.
type sortLink struct {
	Key, Label, Href, AriaSort string
}

// quotaSorts are the account page's sortable columns and their orders.
var quotaSorts = []struct {
	key, label string
	cmp        func(a, b quotaRow) int
}{
	{"name", "Quota", func(a, b quotaRow) int { return cmp.Compare(a.Name, b.Name) }},
	{"service", "Service", func(a, b quotaRow) int { return cmp.Compare(a.Service, b.Service) }},
	{"applied", "Applied value", func(a, b quotaRow) int { return cmp.Compare(a.Applied, b.Applied) }},
	{"used", "Usage", func(a, b quotaRow) int { return cmp.Compare(a.Used, b.Used) }},
	{"percent", "Used", func(a, b quotaRow) int { return cmp.Compare(a.Percent, b.Percent) }},
	{"level", "Level", func(a, b quotaRow) int { return cmp.Compare(a.Level, b.Level) }},
	{"adjustable", "Adjustable", func(a, b quotaRow) int {
		return cmp.Compare(strconv.FormatBool(a.Adjustable), strconv.FormatBool(b.Adjustable))
	}},
}

// handleAccount shows an account's quotas: applied value, usage, percent
// used, level and adjustable, filtered by ?service= and ?scope= and sorted
// by ?sort= and ?order=.
func (h *Handler) handleAccount(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	account := r.PathValue("account")
	q := r.URL.Query()
	service, scope := strings.TrimSpace(q.Get("service")), strings.TrimSpace(q.Get("scope"))
	sortKey, order := q.Get("sort"), q.Get("order")
	if order != "desc" {
		order = "asc"
	}
	sts, err := h.svc.ListStatus(r.Context(), account, headroom.StatusFilter{Service: service, Scope: scope})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	rows := make([]quotaRow, 0, len(sts))
	for _, st := range sts {
		rows = append(rows, newQuotaRow(account, st))
	}
	known := false
	for _, s := range quotaSorts {
		if s.key == sortKey {
			known = true
			slices.SortStableFunc(rows, func(a, b quotaRow) int {
				if order == "desc" {
					return s.cmp(b, a)
				}
				return s.cmp(a, b)
			})
		}
	}
	if !known {
		sortKey = ""
	}
	base := url.Values{}
	for k, v := range map[string]string{"service": service, "scope": scope, "sort": sortKey, "order": order} {
		if v != "" {
			base.Set(k, v)
		}
	}
	path := "/console/accounts/" + url.PathEscape(account)
	rows, pg := paginate(rows, r, base, path)
	d := accountData{Account: account, Rows: rows, Services: h.svc.Catalog().Services(), Service: service, Scope: scope,
		Sort: sortKey, Order: order, Pager: pg}
	for _, s := range quotaSorts {
		c := sortLink{Key: s.key, Label: s.label, AriaSort: "none"}
		next := url.Values{}
		for k, v := range base {
			next[k] = v
		}
		next.Set("sort", s.key)
		next.Set("order", "asc")
		if sortKey == s.key {
			c.AriaSort = map[string]string{"asc": "ascending", "desc": "descending"}[order]
			if order == "asc" {
				next.Set("order", "desc")
			}
		}
		c.Href = path + "?" + next.Encode()
		d.Columns = append(d.Columns, c)
	}
	inst, err := h.svc.ListResources(r.Context(), headroom.ResourceFilter{Account: account, Kind: headroom.KindConnectInstance, Limit: 1})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d.Instances = len(inst) > 0
	h.render(w, r, p, http.StatusOK, "account", view{Title: "Quotas of account " + account, Nav: "accounts", Data: d})
}

// instanceRow is one Connect instance with its counted quotas.
type instanceRow struct {
	ID, Name string
	Scope    string
	Rows     []quotaRow
}

// instancesData is the instances page's content.
type instancesData struct {
	Account   string
	Instances []instanceRow
	Pager     pager
}

// handleInstances lists an account's Connect instances, each with the
// resources it holds counted against its per-instance quotas.
func (h *Handler) handleInstances(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	account := r.PathValue("account")
	if _, err := h.svc.FindAccount(r.Context(), account); err != nil {
		h.fail(w, r, p, err)
		return
	}
	var all []headroom.Resource
	after := ""
	for {
		page, err := h.svc.ListResources(r.Context(), headroom.ResourceFilter{Account: account, Kind: headroom.KindConnectInstance, AfterID: after, Limit: 500})
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		all = append(all, page...)
		if len(page) < 500 || len(all) >= maxListed {
			break
		}
		after = page[len(page)-1].ID
	}
	all, pg := paginate(all, r, url.Values{}, "/console/accounts/"+url.PathEscape(account)+"/instances")
	d := instancesData{Account: account, Pager: pg}
	for _, inst := range all {
		scope := "instance/" + inst.ID
		sts, err := h.svc.ListStatus(r.Context(), account, headroom.StatusFilter{Scope: scope})
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		row := instanceRow{ID: inst.ID, Name: inst.Name, Scope: scope}
		for _, st := range sts {
			if st.Counted && st.Scope == scope {
				row.Rows = append(row.Rows, newQuotaRow(account, st))
			}
		}
		d.Instances = append(d.Instances, row)
	}
	h.render(w, r, p, http.StatusOK, "instances", view{Title: "Instances of account " + account, Nav: "accounts", Data: d})
}
