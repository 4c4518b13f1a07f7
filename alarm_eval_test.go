package headroom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// alarmCatalog has an account-wide count quota of 100, a concurrency quota
// per instance, a rate quota and a set quota.
func alarmCatalog(t *testing.T) *headroom.Catalog {
	t.Helper()
	cat, err := headroom.NewCatalog([]headroom.Quota{
		{Code: "HR-COUNT", Service: "connect", Name: "Widgets per account", Kind: headroom.KindCount, Scope: "account",
			Unit: headroom.UnitCount, Value: 100, Adjustable: true},
		{Code: "HR-CALLS", Service: "connect", Name: "Concurrent calls per instance", Kind: headroom.KindConcurrency, Scope: "instance",
			Unit: headroom.UnitCount, Value: 10, Adjustable: true},
		{Code: "HR-RATE", Service: "connect", Name: "Rate of API requests", Kind: headroom.KindRate, Scope: "account",
			Unit: headroom.UnitPerSecond, Value: 2, Burst: 5, Adjustable: true},
		{Code: "HR-IRATE", Service: "connect", Name: "Rate of messages per instance", Kind: headroom.KindRate, Scope: "instance",
			Unit: headroom.UnitPerSecond, Value: 10, Burst: 15, Adjustable: true},
		{Code: "HR-SET", Service: "connect", Name: "Attachment types", Kind: headroom.KindSet, Scope: "account",
			Unit: headroom.UnitNone, Match: headroom.MatchExact, Allow: []string{"pdf"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

var widgets = headroom.UsageKey{Account: acct, Code: "HR-COUNT", Scope: headroom.ScopeAccount}

// setUsage sets the widget counter to n, as a reconcile would.
func (f *fixture) setUsage(t *testing.T, k headroom.UsageKey, n int64) {
	t.Helper()
	if err := f.store.SetUsage(f.ctx, k, n, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
}

// evaluate runs one pass a minute after the last and returns its
// transitions as "FROM>TO" strings.
func (f *fixture) evaluate(t *testing.T) []string {
	t.Helper()
	f.clk.Advance(time.Minute)
	rep, err := f.e.EvaluateAlarms(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tr := range rep.Transitions {
		out = append(out, fmt.Sprintf("%s:%s>%s", tr.State.Key.Code, tr.From, tr.State.Level))
	}
	return out
}

func wantTransitions(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("transitions = %v, want %v", got, want)
	}
}

func TestAlarmLevelsAndNotifications(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	f.account("999900001111", t0, "")
	all, err := f.e.CreateWebhook(f.ctx, headroom.Webhook{URL: "https://hooks.example.com/all"}, "op")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(all.Secret, "whsec_") || len(all.Secret) != 70 {
		t.Fatalf("generated secret %q", all.Secret)
	}
	if _, err := f.e.CreateWebhook(f.ctx, headroom.Webhook{URL: "http://other.example.com/", Account: "999900001111",
		Secret: "given-secret-0123456789"}, "op"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		used int64
		want []string
	}{
		{79, nil},
		{80, []string{"HR-COUNT:OK>WARNING"}},
		{95, []string{"HR-COUNT:WARNING>CRITICAL"}},
		{91, nil}, // above 95 − 5
		{89, []string{"HR-COUNT:CRITICAL>WARNING"}},
		{76, nil}, // above 80 − 5
		{74, []string{"HR-COUNT:WARNING>OK"}},
		{100, []string{"HR-COUNT:OK>CRITICAL"}},
		{0, []string{"HR-COUNT:CRITICAL>OK"}}, // a counter at zero is not listed, and still returns to OK
	}
	for _, s := range steps {
		f.setUsage(t, widgets, s.used)
		wantTransitions(t, f.evaluate(t), s.want...)
	}
	entries, err := f.e.ListAudit(f.ctx, headroom.AuditFilter{Account: acct, Code: "HR-COUNT"})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range entries {
		if e.Action != "alarm.transition" || e.Actor != headroom.AlarmActor {
			t.Fatalf("audit entry %+v", e)
		}
		details = append(details, e.Detail)
	}
	wantDetails := []string{
		"usage alarm OK -> WARNING: usage 80 of applied value 100 (80.0 %), threshold 80.0 %",
		"usage alarm WARNING -> CRITICAL: usage 95 of applied value 100 (95.0 %), threshold 95.0 %",
		"usage alarm CRITICAL -> WARNING: usage 89 of applied value 100 (89.0 %), threshold 90.0 %",
		"usage alarm WARNING -> OK: usage 74 of applied value 100 (74.0 %), threshold 75.0 %",
		"usage alarm OK -> CRITICAL: usage 100 of applied value 100 (100.0 %), threshold 95.0 %",
		"usage alarm CRITICAL -> OK: usage 0 of applied value 100 (0.0 %), threshold 90.0 %",
	}
	if strings.Join(details, "\n") != strings.Join(wantDetails, "\n") {
		t.Fatalf("audit details:\n%s\nwant\n%s", strings.Join(details, "\n"), strings.Join(wantDetails, "\n"))
	}
	// One notification per transition, to the webhook for every account
	// only, oldest last.
	ns, err := f.e.ListNotifications(f.ctx, headroom.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 6 {
		t.Fatalf("%d notifications, want 6", len(ns))
	}
	var first headroom.AlarmNotice
	if err := json.Unmarshal(ns[5].Body, &first); err != nil {
		t.Fatal(err)
	}
	want := headroom.AlarmNotice{ID: ns[5].ID, Account: acct, Code: "HR-COUNT", Name: "Widgets per account", Scope: "account",
		Kind: headroom.AlarmUsage, Applied: 100, Usage: 80, Percent: 80, Threshold: 0.8, State: headroom.AlarmWarning,
		PreviousState: headroom.AlarmOK, Time: t0.Add(2 * time.Minute)}
	if first != want || ns[5].Webhook != all.ID || ns[5].State != headroom.NotificationPending || !ns[5].NextAttempt.Equal(want.Time) {
		t.Fatalf("first notification %+v\nbody %+v\nwant %+v", ns[5], first, want)
	}
	var last headroom.AlarmNotice
	if err := json.Unmarshal(ns[0].Body, &last); err != nil {
		t.Fatal(err)
	}
	if last.State != headroom.AlarmOK || last.PreviousState != headroom.AlarmCritical || last.Usage != 0 {
		t.Fatalf("last notification %+v, want the return to OK", last)
	}
}

func TestAlarmHoveringDoesNotFlap(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	var all []string
	for _, used := range []int64{80, 79, 78, 81, 76, 80, 79, 95, 94, 91, 96, 90} {
		f.setUsage(t, widgets, used)
		all = append(all, f.evaluate(t)...)
	}
	wantTransitions(t, all, "HR-COUNT:OK>WARNING", "HR-COUNT:WARNING>CRITICAL")
}

func TestAlarmRules(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	other := "999900001111"
	f.account(other, t0, "")
	otherWidgets := headroom.UsageKey{Account: other, Code: "HR-COUNT", Scope: headroom.ScopeAccount}
	calls := headroom.UsageKey{Account: acct, Code: "HR-CALLS", Scope: "instance/i-1"}
	put := func(r headroom.AlarmRule) {
		t.Helper()
		r.ThrottleCount, r.ThrottleMinutes = headroom.DefaultThrottleCount, headroom.DefaultThrottleMinutes
		if _, err := f.e.PutAlarmRule(f.ctx, r, "op"); err != nil {
			t.Fatalf("PutAlarmRule(%s): %v", r.Describe(), err)
		}
	}
	th := func(w, c float64) headroom.AlarmThresholds {
		return headroom.AlarmThresholds{Warning: w, Critical: c, Hysteresis: 0.05}
	}
	// Every account's HR-COUNT warns at 50 %; account acct warns at 30 %
	// for every quota, except HR-COUNT, which is off for it.
	put(headroom.AlarmRule{Code: "HR-COUNT", Thresholds: th(0.5, 0.9)})
	put(headroom.AlarmRule{Account: acct, Thresholds: th(0.3, 0.9)})
	put(headroom.AlarmRule{Account: acct, Code: "HR-COUNT", Thresholds: headroom.AlarmThresholds{Off: true}})
	f.setUsage(t, widgets, 99)
	f.setUsage(t, otherWidgets, 60)
	for i := range 4 { // 4 of 10 calls: 40 %
		if _, err := f.store.AcquireLease(f.ctx, headroom.LeaseChange{Key: calls, LeaseID: fmt.Sprint("c", i), Limit: 10,
			Now: f.clk.Now(), Expires: f.clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	got := f.evaluate(t)
	wantTransitions(t, sortedStrings(got), "HR-CALLS:OK>WARNING", "HR-COUNT:OK>WARNING")
	firing, err := f.e.ListAlarms(f.ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(firing) != 2 || firing[0].Key != otherWidgets || firing[1].Key != calls {
		t.Fatalf("firing = %+v, want the other account's widgets (60 %%) then acct's calls (40 %%)", firing)
	}
	// Removing the account+code rule brings acct's HR-COUNT under the
	// account rule: 99 % is critical at 90 %.
	if err := f.e.DeleteAlarmRule(f.ctx, acct, "HR-COUNT", "op"); err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, f.evaluate(t), "HR-COUNT:OK>CRITICAL")
	// An approved override raises the applied value: 99 of 1000 is OK.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: "HR-COUNT", Scope: headroom.ScopeAccount, Value: 1000}, "op"); err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, f.evaluate(t), "HR-COUNT:CRITICAL>OK")
	// Turning every alarm of the other account off returns its alarm to OK.
	put(headroom.AlarmRule{Account: other, Thresholds: headroom.AlarmThresholds{Off: true}})
	wantTransitions(t, f.evaluate(t), "HR-COUNT:WARNING>OK")
	rules, err := f.e.ListAlarmRules(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 3 || rules[0].Account != "" || rules[1].Account != acct || rules[2].Account != other ||
		rules[1].ThrottleCount != headroom.DefaultThrottleCount || rules[1].ThrottleMinutes != headroom.DefaultThrottleMinutes {
		t.Fatalf("rules = %+v", rules)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAlarmRulePrecedence(t *testing.T) {
	r := func(account, code string, w float64) headroom.AlarmRule {
		x := headroom.DefaultAlarmRule()
		x.Account, x.Code, x.Thresholds.Warning = account, code, w
		return x
	}
	rules := headroom.NewAlarmRules([]headroom.AlarmRule{r("", "", 0.1), r("", "Q", 0.2), r("A", "", 0.3), r("A", "Q", 0.4)})
	for _, c := range []struct {
		account, code string
		want          float64
	}{{"A", "Q", 0.4}, {"A", "X", 0.3}, {"B", "Q", 0.2}, {"B", "X", 0.1}} {
		if got := rules.For(c.account, c.code).Thresholds.Warning; got != c.want {
			t.Errorf("For(%s, %s) warning = %g, want %g", c.account, c.code, got, c.want)
		}
	}
	if got := (headroom.AlarmRules{}).For("A", "Q"); got != headroom.DefaultAlarmRule() {
		t.Errorf("no rules: %+v, want the default", got)
	}
}

func TestThrottleAlarm(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	rate := headroom.UsageKey{Account: acct, Code: "HR-RATE", Scope: headroom.ScopeAccount}
	record := func(at time.Time, throttled int64) {
		t.Helper()
		if err := f.store.RecordHistory(f.ctx, []headroom.HistorySample{{Key: rate, Minute: at.Truncate(time.Minute), Throttled: throttled, Allowed: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	record(f.clk.Now(), 6)
	wantTransitions(t, f.evaluate(t)) // 6 in the window: not more than 10
	record(f.clk.Now(), 5)
	wantTransitions(t, f.evaluate(t), "HR-RATE:OK>CRITICAL") // 11
	wantTransitions(t, f.evaluate(t))
	// Five minutes on, the throttled minutes have left the window.
	f.clk.Advance(3 * time.Minute)
	wantTransitions(t, f.evaluate(t), "HR-RATE:CRITICAL>OK")
	entries, _ := f.e.ListAudit(f.ctx, headroom.AuditFilter{Account: acct, Code: "HR-RATE"})
	if len(entries) != 2 || entries[0].Detail != "throttle alarm OK -> CRITICAL: 11 throttled decisions in the window, threshold more than 10" {
		t.Fatalf("audit = %+v", entries)
	}
	// A rule of more than 20 in 10 minutes.
	if _, err := f.e.PutAlarmRule(f.ctx, headroom.AlarmRule{Code: "HR-RATE", Thresholds: headroom.DefaultAlarmThresholds(),
		ThrottleCount: 20, ThrottleMinutes: 10}, "op"); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(10 * time.Minute)
	for range 2 {
		record(f.clk.Now(), 7)
		wantTransitions(t, f.evaluate(t))
	}
	record(f.clk.Now(), 7)
	wantTransitions(t, f.evaluate(t), "HR-RATE:OK>CRITICAL") // 21 in 10 minutes
}

// TestThrottleAlarmOfAnyBucket: a bucket of an instance with no usage
// counters alarms too, and bucket by bucket: another instance's throttling
// does not add up with it.
func TestThrottleAlarmOfAnyBucket(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	i1 := headroom.UsageKey{Account: acct, Code: "HR-IRATE", Scope: "instance/i-1"}
	i2 := headroom.UsageKey{Account: acct, Code: "HR-IRATE", Scope: "instance/i-2"}
	at := f.clk.Now().Truncate(time.Minute)
	if err := f.store.RecordHistory(f.ctx, []headroom.HistorySample{
		{Key: i1, Minute: at, Throttled: 11}, {Key: i2, Minute: at, Throttled: 10}}); err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, f.evaluate(t), "HR-IRATE:OK>CRITICAL")
	firing, err := f.e.ListAlarms(f.ctx, acct, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(firing) != 1 || firing[0].Key != i1 || firing[0].Value != 11 {
		t.Fatalf("firing = %+v, want instance/i-1's throttle alarm with 11", firing)
	}
	f.clk.Advance(6 * time.Minute)
	wantTransitions(t, f.evaluate(t), "HR-IRATE:CRITICAL>OK")
}

// TestConcurrentEvaluators: nodes evaluating at once make one transition,
// one audit entry and one notification between them.
func TestConcurrentEvaluators(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	if _, err := f.e.CreateWebhook(f.ctx, headroom.Webhook{URL: "https://hooks.example.com/"}, "op"); err != nil {
		t.Fatal(err)
	}
	f.setUsage(t, widgets, 97)
	f.clk.Advance(time.Minute)
	const n = 8
	reports := make([]headroom.AlarmReport, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if reports[i], err = f.e.EvaluateAlarms(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	transitions := 0
	for _, r := range reports {
		transitions += len(r.Transitions)
	}
	if transitions != 1 {
		t.Fatalf("%d transitions, want 1", transitions)
	}
	entries, _ := f.e.ListAudit(f.ctx, headroom.AuditFilter{Account: acct, Code: "HR-COUNT"})
	ns, _ := f.e.ListNotifications(f.ctx, headroom.NotificationFilter{})
	if len(entries) != 1 || len(ns) != 1 {
		t.Fatalf("%d audit entries and %d notifications, want one of each", len(entries), len(ns))
	}
}

func TestAlarmRuleAndWebhookBadInput(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	def := headroom.DefaultAlarmThresholds()
	rule := func(account, code string) headroom.AlarmRule {
		r := headroom.DefaultAlarmRule()
		r.Account, r.Code = account, code
		return r
	}
	for _, c := range []struct {
		name string
		rule headroom.AlarmRule
		code headroom.ErrorCode
	}{
		{"zero window", headroom.AlarmRule{Thresholds: def}, headroom.EINVALID},
		{"zero warning", headroom.AlarmRule{Thresholds: headroom.AlarmThresholds{Critical: 0.9}}, headroom.EINVALID},
		{"critical below warning", headroom.AlarmRule{Thresholds: headroom.AlarmThresholds{Warning: 0.9, Critical: 0.8}}, headroom.EINVALID},
		{"critical above 1", headroom.AlarmRule{Thresholds: headroom.AlarmThresholds{Warning: 0.9, Critical: 1.5}}, headroom.EINVALID},
		{"hysteresis at warning", headroom.AlarmRule{Thresholds: headroom.AlarmThresholds{Warning: 0.5, Critical: 0.9, Hysteresis: 0.5}}, headroom.EINVALID},
		{"negative throttle count", headroom.AlarmRule{Thresholds: def, ThrottleCount: -1, ThrottleMinutes: 5}, headroom.EINVALID},
		{"window too long", headroom.AlarmRule{Thresholds: def, ThrottleCount: 1, ThrottleMinutes: headroom.MaxThrottleMinutes + 1}, headroom.EINVALID},
		{"negative window", headroom.AlarmRule{Thresholds: def, ThrottleMinutes: -1}, headroom.EINVALID},
		{"control character", rule("a\x00", ""), headroom.EINVALID},
		{"unknown account", rule("000000000000", ""), headroom.EUNKNOWNACCOUNT},
		{"unknown quota", rule("", "L-NOPE"), headroom.EUNKNOWNQUOTA},
		{"set quota", rule("", "HR-SET"), headroom.EINVALID},
	} {
		_, err := f.e.PutAlarmRule(f.ctx, c.rule, "op")
		if got := headroom.ErrorCodeOf(err); got != c.code {
			t.Errorf("%s: error %v, want %s", c.name, err, c.code)
		}
	}
	for _, c := range []struct {
		name string
		hook headroom.Webhook
		code headroom.ErrorCode
	}{
		{"no url", headroom.Webhook{}, headroom.EINVALID},
		{"ftp", headroom.Webhook{URL: "ftp://example.com/x"}, headroom.EINVALID},
		{"relative", headroom.Webhook{URL: "/hooks"}, headroom.EINVALID},
		{"no host", headroom.Webhook{URL: "http:///x"}, headroom.EINVALID},
		{"credentials", headroom.Webhook{URL: "https://u:p@example.com/"}, headroom.EINVALID},
		{"not a url", headroom.Webhook{URL: "http://[::1"}, headroom.EINVALID},
		{"too long", headroom.Webhook{URL: "https://example.com/" + strings.Repeat("a", headroom.MaxWebhookURLLength)}, headroom.EINVALID},
		{"short secret", headroom.Webhook{URL: "https://example.com/", Secret: "short"}, headroom.EINVALID},
		{"unknown account", headroom.Webhook{URL: "https://example.com/", Account: "000000000000"}, headroom.EUNKNOWNACCOUNT},
	} {
		_, err := f.e.CreateWebhook(f.ctx, c.hook, "op")
		if got := headroom.ErrorCodeOf(err); got != c.code {
			t.Errorf("%s: error %v, want %s", c.name, err, c.code)
		}
	}
	// Nothing half-applied: no rule, no webhook, no audit entry.
	rules, _ := f.e.ListAlarmRules(f.ctx)
	hooks, _ := f.e.ListWebhooks(f.ctx)
	entries, _ := f.e.ListAudit(f.ctx, headroom.AuditFilter{})
	if len(rules) != 0 || len(hooks) != 0 || len(entries) != 0 {
		t.Fatalf("after bad input: %d rules, %d webhooks, %d audit entries", len(rules), len(hooks), len(entries))
	}
	wantCode := func(err error, code headroom.ErrorCode) {
		t.Helper()
		if got := headroom.ErrorCodeOf(err); got != code {
			t.Fatalf("error %v, want %s", err, code)
		}
	}
	wantCode(f.e.DeleteAlarmRule(f.ctx, acct, "", "op"), headroom.ENOTFOUND)
	wantCode(f.e.DeleteWebhook(f.ctx, "wh-nope", "op"), headroom.ENOTFOUND)
	_, err := f.e.ListAlarms(f.ctx, "000000000000", false)
	wantCode(err, headroom.EUNKNOWNACCOUNT)
}

func TestWebhookListingsHideSecrets(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	w, err := f.e.CreateWebhook(f.ctx, headroom.Webhook{URL: "https://example.com/h", Secret: "my-own-secret-0123456789"}, "op")
	if err != nil {
		t.Fatal(err)
	}
	list, _ := f.e.ListWebhooks(f.ctx)
	if len(list) != 1 || list[0].Secret != "" || list[0].ID != w.ID {
		t.Fatalf("ListWebhooks = %+v", list)
	}
	got, err := f.e.FindWebhook(f.ctx, w.ID)
	if err != nil || got.Secret != "my-own-secret-0123456789" {
		t.Fatalf("FindWebhook = %+v, %v", got, err)
	}
	if err := f.e.DeleteWebhook(f.ctx, w.ID, "op"); err != nil {
		t.Fatal(err)
	}
	entries, _ := f.e.ListAudit(f.ctx, headroom.AuditFilter{})
	if len(entries) != 2 || entries[0].Action != "webhook.create" || entries[1].Action != "webhook.delete" ||
		strings.Contains(entries[0].Detail, "my-own-secret") {
		t.Fatalf("audit = %+v", entries)
	}
}

func TestMaintainPurgesNotifications(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	if _, err := f.e.CreateWebhook(f.ctx, headroom.Webhook{URL: "https://example.com/h"}, "op"); err != nil {
		t.Fatal(err)
	}
	f.setUsage(t, widgets, 90)
	f.evaluate(t)
	f.setUsage(t, widgets, 10)
	f.evaluate(t)
	ns, _ := f.e.ClaimNotifications(f.ctx, f.clk.Now(), f.clk.Now().Add(time.Minute), 10)
	if len(ns) != 2 {
		t.Fatalf("claimed %d, want 2", len(ns))
	}
	if err := f.e.CompleteNotification(f.ctx, ns[0].ID, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(headroom.DefaultNotificationRetention + time.Minute)
	res, _, err := f.e.Maintain(f.ctx, headroom.Retention{})
	if err != nil || res.Notifications != 1 {
		t.Fatalf("Maintain = %+v, %v; want one notification purged", res, err)
	}
	left, _ := f.e.ListNotifications(f.ctx, headroom.NotificationFilter{})
	if len(left) != 1 || left[0].ID != ns[1].ID {
		t.Fatalf("left = %+v, want the pending one", left)
	}
}

// TestThrottleAlarmFromDecisions: throttled decisions the engine makes,
// recorded in the usage history, raise the throttle alarm.
func TestThrottleAlarmFromDecisions(t *testing.T) {
	f := newFixtureWith(t, alarmCatalog(t))
	throttled := 0
	for range 16 { // a burst of 5, then nothing refills: the clock stands still
		_, err := f.e.Do(f.ctx, headroom.Request{Op: headroom.OpTake, Account: acct, Code: "HR-RATE", Amount: 1})
		if headroom.ErrorCodeOf(err) == headroom.ETHROTTLED {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled != 11 {
		t.Fatalf("%d throttled, want 11", throttled)
	}
	if _, err := f.e.RecordHistory(f.ctx); err != nil {
		t.Fatal(err)
	}
	wantTransitions(t, f.evaluate(t), "HR-RATE:OK>CRITICAL")
	firing, err := f.e.ListAlarms(f.ctx, acct, true)
	if err != nil || len(firing) != 1 || firing[0].Kind != headroom.AlarmThrottle || firing[0].Value != 11 {
		t.Fatalf("firing = %+v, %v", firing, err)
	}
}
