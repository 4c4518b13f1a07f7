package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/headroomhq/headroom"
)

// auditData is the audit page's content.
type auditData struct {
	Entries  []headroom.AuditEntry
	Account  string
	Code     string
	Accounts []string
	Pager    pager
}

// handleAudit shows the audit log, newest first, filtered by ?account= and
// ?code=. A tenant sees only its own accounts' entries, and 403 for
// another account.
func (h *Handler) handleAudit(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	q := r.URL.Query()
	account, code := strings.TrimSpace(q.Get("account")), strings.TrimSpace(q.Get("code"))
	if account != "" && !p.tok.MayAct(account) {
		h.fail(w, r, p, headroom.Errorf(headroom.EFORBIDDEN, "this session may not see account %s", account))
		return
	}
	accounts := []string{account}
	if account == "" && !p.operator() {
		accounts = p.tok.Accounts
	}
	var all []headroom.AuditEntry
	for _, a := range accounts {
		f := headroom.AuditFilter{Account: a, Code: code, Limit: 1000}
		for len(all) < maxListed {
			page, err := h.svc.ListAudit(r.Context(), f)
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
	slices.SortFunc(all, func(a, b headroom.AuditEntry) int { return cmp.Compare(b.ID, a.ID) })
	base := url.Values{}
	if account != "" {
		base.Set("account", account)
	}
	if code != "" {
		base.Set("code", code)
	}
	d := auditData{Account: account, Code: code}
	d.Entries, d.Pager = paginate(all, r, base, "/console/audit")
	if p.operator() {
		accts, err := h.svc.ListAccounts(r.Context())
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		for _, a := range accts {
			d.Accounts = append(d.Accounts, a.ID)
		}
	} else {
		d.Accounts = p.tok.Accounts
	}
	h.render(w, r, p, http.StatusOK, "audit", view{Title: "Audit log", Nav: "audit", Data: d})
}
