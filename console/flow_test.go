package console_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/headroomhq/headroom"
)

// domainsCode is the quota the flow fills: Customer Profiles domains per
// account, 100 by default, adjustable.
const domainsCode = "L-6603B252"

// The flow in a real browser: a tenant signs in and sees a quota
// at 0 %; usage enforced through the native API passes 80 %; the tenant
// sees the bar and the firing alarm and requests an increase; the operator
// approves it at a lower value; the tenant sees the new limit and the
// audit entries. Along the way: another account's page is 403, a form
// posted without its CSRF token is refused, and no page logs an error.
func TestConsoleFlow(t *testing.T) {
	f := start(t)
	b := newBrowser(t)
	pastUsage(t, f)
	quotaURL := f.url + "/console/accounts/" + tenantA + "/quotas/" + domainsCode

	b.open(f.url + "/console/")
	if !b.has(`#token[type="password"]`) || !b.has(`form input[name="csrf"]`) {
		t.Fatal("the sign-in form lacks its password field or CSRF field")
	}
	b.screenshot("signin")
	b.noErrors("sign-in form")

	// The tenant signs in and sees its account, at 0 %.
	b.signIn(f.url, f.tokenA)
	if got := b.text("#main table"); !strings.Contains(got, tenantA) || strings.Contains(got, tenantB) {
		t.Fatalf("the tenant's accounts: %q", got)
	}
	b.open(quotaURL)
	if got := b.text("#usage"); !strings.Contains(got, "0 of 100") || !strings.Contains(got, "0.0 %") {
		t.Fatalf("usage before: %q", got)
	}
	b.noErrors("quota page at 0 %")

	// Usage through the native API, 30 at a time, until it passes 80 %.
	// Each 20 minutes, as the server's timers do, the usage is recorded
	// in the history and the alarms are evaluated.
	for used := 0; used <= 80; used += 30 {
		enforce(t, f.url, f.tokenA, tenantA, domainsCode, 30)
		f.clk.Advance(20 * time.Minute)
		evaluateAlarms(t, f)
	}
	b.open(f.url + "/console/accounts/" + tenantA + "?sort=percent&order=desc")
	if got := b.text(`#quotas tbody tr`); !strings.Contains(got, "Maximum domains per account") || !strings.Contains(got, "90.0 %") {
		t.Fatalf("the busiest quota first: %q", got)
	}
	b.screenshot("account-quotas")
	b.open(quotaURL)
	if got := b.text("#usage"); !strings.Contains(got, "90 of 100") || !strings.Contains(got, "90.0 %") {
		t.Fatalf("usage after: %q", got)
	}
	if !b.has(`#usage svg.bar rect.fill-warning[width="90.0%"]`) {
		t.Fatal("the usage bar is not drawn at 90 % in the warning colour")
	}
	// The chart has the usage's history: the past's, then 30, 60 and 90.
	if got := value(b, chromedp.TextContent(chromedp.CSS("svg.chart desc"))); !strings.Contains(got, "Highest usage in the range: 90.") {
		t.Fatalf("the chart's description: %q", got)
	}
	b.run(chromedp.Click(chromedp.CSS("details summary")))
	if got := b.text("details table"); !strings.Contains(got, "30") || !strings.Contains(got, "60") || !strings.Contains(got, "90") {
		t.Fatalf("the chart's table: %q", got)
	}
	checkFiringAlarm(t, b, f)
	b.open(quotaURL)
	b.noErrors("quota page at 90 %")

	// A tenant may not open another account's pages.
	b.open(f.url + "/console/accounts/" + tenantB)
	if got := b.text("h1"); !strings.Contains(got, "403") {
		t.Fatalf("another account's page: %q", got)
	}
	expectOnly403(t, b)

	// A form without its CSRF token is refused.
	b.open(quotaURL)
	b.run(chromedp.Evaluate[chromedp.Void](`document.querySelector('#request-form input[name="csrf"]').remove()`),
		chromedp.Submit(chromedp.CSS("#desired_value")), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("#main"); !strings.Contains(got, "403") || !strings.Contains(got, "CSRF") {
		t.Fatalf("a form without CSRF: %q", got)
	}
	expectOnly403(t, b)

	// The tenant requests an increase from the quota's page.
	b.open(quotaURL)
	b.run(chromedp.SetValue(chromedp.CSS("#desired_value"), "200"), chromedp.SendKeys(chromedp.CSS("#details"), "more domains for the spring launch"),
		chromedp.Submit(chromedp.CSS("#desired_value")), chromedp.WaitVisible(chromedp.CSS("#quota-requests")))
	if got := b.text("#quota-requests"); !strings.Contains(got, string(headroom.StatusCaseOpened)) || !strings.Contains(got, "200") {
		t.Fatalf("the request on the quota's page: %q", got)
	}
	b.screenshot("quota")
	b.run(chromedp.EmulateViewport(375, 812))
	b.open(quotaURL)
	b.screenshot("quota-phone")
	b.run(chromedp.EmulateViewport(1280, 900))
	b.noErrors("request an increase")
	b.signOut()

	// The operator approves it at a lower value.
	b.signIn(f.url, adminToken)
	if got := b.text("#main table"); !strings.Contains(got, tenantA) || !strings.Contains(got, tenantB) {
		t.Fatalf("the operator's accounts: %q", got)
	}
	b.screenshot("accounts")
	b.open(f.url + "/console/requests")
	if got := b.text("#queue"); !strings.Contains(got, tenantA) || !strings.Contains(got, "Maximum domains per account") {
		t.Fatalf("the queue: %q", got)
	}
	b.screenshot("requests")
	id := value(b, chromedp.AttributeValue(chromedp.CSS("#queue tbody tr"), "data-request")).Value
	b.run(chromedp.SetValue(chromedp.ID("value-"+id), "150"), chromedp.Submit(chromedp.ID("value-"+id)),
		chromedp.WaitVisible(chromedp.CSS("#history")))
	if got := b.text("#history"); !strings.Contains(got, string(headroom.StatusApproved)) || !strings.Contains(got, "150") {
		t.Fatalf("the decided request: %q", got)
	}
	if b.has("#queue") {
		t.Fatal("the approved request is still in the queue")
	}
	b.noErrors("approve")
	b.open(f.url + "/console/alarms")
	b.screenshot("alarms")
	b.signOut()

	// The tenant sees its new limit and the audit entries.
	b.signIn(f.url, f.tokenA)
	b.open(quotaURL)
	if got := b.text("#applied"); strings.TrimSpace(got) != "150" {
		t.Fatalf("the new limit: %q", got)
	}
	if got := b.text("#usage"); !strings.Contains(got, "90 of 150") || !strings.Contains(got, "60.0 %") {
		t.Fatalf("usage against the new limit: %q", got)
	}
	// At the next pass the alarm returns to OK: 90 of 150 is 60 %.
	f.clk.Advance(time.Minute)
	evaluateAlarms(t, f)
	b.open(f.url + "/console/alarms")
	if !b.has("#no-alarms") {
		t.Fatalf("an alarm still fires at 60 %%: %q", b.text("#main"))
	}
	b.open(f.url + "/console/audit?account=" + tenantA + "&code=" + domainsCode)
	got := b.text("#audit")
	for _, want := range []string{"request.create", "request.approved", "150", "OK -> WARNING", "WARNING -> OK"} {
		if !strings.Contains(got, want) {
			t.Fatalf("the audit log lacks %q: %q", want, got)
		}
	}
	b.screenshot("audit")
	b.noErrors("the tenant's new limit and audit")
}

// pastUsage gives the flow's quota a past: over the 40 hours before the
// test, usage rises and falls every 15 minutes, recorded into the history
// each minute as the server's timer does, and ends at zero.
func pastUsage(t *testing.T, f *fixture) {
	t.Helper()
	e := f.m.Engine()
	used := int64(0)
	for i := range 160 {
		want := int64(35 + 30*math.Sin(float64(i)/14))
		if i >= 150 {
			want = 0
		}
		op, n := headroom.OpReserve, want-used
		if n < 0 {
			op, n = headroom.OpRelease, -n
		}
		if n > 0 {
			if _, err := e.Do(t.Context(), headroom.Request{Op: op, Account: tenantA, Code: domainsCode, Amount: n}); err != nil {
				t.Fatal(err)
			}
		}
		used = want
		for range 15 {
			if _, err := f.m.RecordHistory(t.Context()); err != nil {
				t.Fatal(err)
			}
			f.clk.Advance(time.Minute)
		}
	}
}

// expectOnly403 takes the errors recorded since the last check: they must
// be the browser's report of the one 403 answer just asked for.
func expectOnly403(t *testing.T, b *browser) {
	t.Helper()
	for _, e := range b.takeErrors() {
		if !strings.Contains(e, "403") {
			t.Fatalf("an error besides the expected 403: %s", e)
		}
	}
}

// evaluateAlarms runs the server's usage history recording pass and its
// alarm evaluation pass, as its timers do each minute.
func evaluateAlarms(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.m.RecordHistory(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.EvaluateAlarms(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// checkFiringAlarm checks that the quota at 90 % fires a warning, on its
// page and on the alarms page.
func checkFiringAlarm(t *testing.T, b *browser, f *fixture) {
	t.Helper()
	got := b.text("#quota-alarms")
	if !strings.Contains(got, "WARNING") || !strings.Contains(got, "90 of 100") {
		t.Fatalf("the quota's alarm: %q", got)
	}
	b.open(f.url + "/console/alarms")
	got = b.text("#alarms")
	if !strings.Contains(got, "WARNING") || !strings.Contains(got, "Maximum domains per account") || !strings.Contains(got, tenantA) {
		t.Fatalf("the alarms page: %q", got)
	}
}
