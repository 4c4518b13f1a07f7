package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// The account page filters by service and scope and sorts by a column;
// its headers say which way.
func TestAccountFilterAndSort(t *testing.T) {
	f := start(t)
	e := f.m.Engine()
	if _, err := e.Do(t.Context(), headroom.Request{Op: headroom.OpReserve, Account: tenantA, Code: domainsCode, Amount: 50}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Do(t.Context(), headroom.Request{Op: headroom.OpReserve, Account: tenantA, Code: headroom.CodeInstances, Amount: 1}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	signIn(t, c, f.url, f.tokenA)
	base := f.url + "/console/accounts/" + tenantA
	_, body := get(t, c, base+"?sort=percent&order=desc")
	// Instances at 1 of 2 (50 %) and domains at 50 of 100 (50 %) lead, in
	// catalog order between them; a quota without usage comes later.
	first := strings.Index(body, `data-code="`+headroom.CodeInstances+`"`)
	second := strings.Index(body, `data-code="`+domainsCode+`"`)
	other := strings.Index(body, `data-code="L-E3D2F503"`)
	if first < 0 || second < 0 || first > second || (other >= 0 && other < second) {
		t.Fatalf("sorted by percent: %d %d %d", first, second, other)
	}
	mustContain(t, body, `aria-sort="descending"><a href="/console/accounts/`+tenantA+`?order=asc&amp;sort=percent"`)
	_, body = get(t, c, base+"?service=profile")
	if !strings.Contains(body, `data-code="`+domainsCode+`"`) || strings.Contains(body, `data-code="`+headroom.CodeInstances+`"`) {
		t.Fatal("the service filter kept another service's quota")
	}
	_, body = get(t, c, base+"?scope=instance/i-1")
	if !strings.Contains(body, `data-code="`+headroom.CodeUsers+`"`) || strings.Contains(body, `data-code="`+domainsCode+`"`) {
		t.Fatal("the scope filter kept an account-wide quota")
	}
	resp, body := get(t, c, base+"?scope=nonsense/x/y")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "fits no quota") {
		t.Fatalf("a bad scope: %d\n%s", resp.StatusCode, body)
	}
	// The quota page's two ranges.
	for r, want := range map[string]string{"48h": "Usage over 48 hours", "90d": "Usage over 90 days", "bogus": "Usage over 48 hours"} {
		resp, body := get(t, c, base+"/quotas/"+domainsCode+"?range="+r)
		if resp.StatusCode != 200 || !strings.Contains(body, want) || !strings.Contains(body, "50 of 100") {
			t.Fatalf("range %s: %d\n%s", r, resp.StatusCode, body)
		}
	}
	resp, _ = get(t, c, base+"/quotas/L-NOPE")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown quota: %d", resp.StatusCode)
	}
}

// The operator's accounts page has pages of 50.
func TestAccountsPaginate(t *testing.T) {
	f := start(t)
	for i := range 60 {
		if _, _, err := f.m.Engine().CreateAccount(t.Context(), headroom.Account{ID: fmt.Sprintf("3%011d", i)}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t)
	signIn(t, c, f.url, adminToken)
	_, body := get(t, c, f.url+"/console/accounts")
	mustContain(t, body, "Page 1 of 2", `href="/console/accounts?page=2"`)
	if strings.Contains(body, "300000000059") {
		t.Fatal("page 1 shows the 62nd account")
	}
	_, body = get(t, c, f.url+"/console/accounts?page=2")
	mustContain(t, body, "Page 2 of 2", "300000000059", `rel="prev"`)
}

// The operator denies a request with a reason; without one the form is
// refused and the request stays open. The tenant sees the denial.
func TestDenyRequest(t *testing.T) {
	f := start(t)
	cr, err := f.m.Engine().RequestChange(t.Context(), headroom.ChangeInput{Account: tenantA, Code: domainsCode, DesiredValue: 300, SupportCaseAllowed: true, Requester: "test"})
	if err != nil {
		t.Fatal(err)
	}
	op := newClient(t)
	csrf := signIn(t, op, f.url, adminToken)
	_, body := get(t, op, f.url+"/console/requests")
	mustContain(t, body, `data-request="`+cr.ID+`"`, "Waiting for a decision")
	path := f.url + "/console/requests/" + cr.ID + "/decision"
	resp, body := post(t, op, path, url.Values{"csrf": {csrf}, "action": {"deny"}, "reason": {"  "}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason") {
		t.Fatalf("deny without a reason: %d\n%s", resp.StatusCode, body)
	}
	resp, body = post(t, op, path, url.Values{"csrf": {csrf}, "action": {"approve"}, "value": {"-5"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("approve at -5: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = post(t, op, path, url.Values{"csrf": {csrf}, "action": {"deny"}, "reason": {"not this quarter"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deny: %d", resp.StatusCode)
	}
	resp, _ = post(t, op, path, url.Values{"csrf": {csrf}, "action": {"approve"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("deciding a closed request: %d", resp.StatusCode)
	}
	tenant := newClient(t)
	signIn(t, tenant, f.url, f.tokenA)
	_, body = get(t, tenant, f.url+"/console/requests")
	mustContain(t, body, "DENIED", "not this quarter", "Your requests")
	if strings.Contains(body, "Waiting for a decision") {
		t.Fatal("a tenant sees the operator's queue")
	}
	// Another tenant sees none of it.
	other := newClient(t)
	signIn(t, other, f.url, f.tokenB)
	_, body = get(t, other, f.url+"/console/requests")
	if strings.Contains(body, cr.ID) {
		t.Fatal("another tenant sees the request")
	}
}

// A tenant's audit log holds its own accounts' entries only.
func TestAuditOwnAccounts(t *testing.T) {
	f := start(t)
	e := f.m.Engine()
	for _, a := range []string{tenantA, tenantB} {
		if err := e.SetOverride(t.Context(), headroom.Override{Account: a, Code: domainsCode, Value: 120}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t)
	signIn(t, c, f.url, f.tokenA)
	_, body := get(t, c, f.url+"/console/audit")
	mustContain(t, body, tenantA, "override.set")
	if strings.Contains(body, "<td>"+tenantB+"</td>") {
		t.Fatal("a tenant sees another account's audit entries")
	}
	_, body = get(t, c, f.url+"/console/audit?account="+tenantA+"&code=L-NONE")
	mustContain(t, body, "No entry matches.")
}

// The instances page lists an account's Connect instances with the usage
// counted against their per-instance quotas.
func TestInstancesPage(t *testing.T) {
	f := start(t)
	e := f.m.Engine()
	if _, err := e.CreateResource(t.Context(), headroom.ResourceCreate{Resource: headroom.Resource{Account: tenantA,
		Kind: headroom.KindConnectInstance, ID: "i-1", Name: "support", Created: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Do(t.Context(), headroom.Request{Op: headroom.OpReserve, Account: tenantA, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 3}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	signIn(t, c, f.url, f.tokenA)
	_, body := get(t, c, f.url+"/console/accounts/"+tenantA)
	mustContain(t, body, `href="/console/accounts/`+tenantA+`/instances"`)
	resp, body := get(t, c, f.url+"/console/accounts/"+tenantA+"/instances")
	if resp.StatusCode != 200 {
		t.Fatalf("instances: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "support", "i-1", "Users per instance", `<td class="num">3</td>`, "0.6 %")
}
