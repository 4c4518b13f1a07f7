package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// alarmContracts are the AlarmStore role's tests.
var alarmContracts = []contract{
	{"AlarmRules", testAlarmRules},
	{"AlarmStates", testAlarmStates},
	{"RaceAlarmState", testRaceAlarmState},
	{"Webhooks", testWebhooks},
	{"Outbox", testOutbox},
	{"RaceClaim", testRaceClaim},
	{"OutboxPurge", testOutboxPurge},
}

// TestAlarmStore runs the contract of the AlarmStore role.
func TestAlarmStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, alarmContracts) }

func rule(account, code string, warning float64) headroom.AlarmRule {
	r := headroom.DefaultAlarmRule()
	r.Account, r.Code, r.Updated = account, code, T0
	r.Thresholds.Warning = warning
	return r
}

func testAlarmRules(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	off := rule(Account, "L-A", 0.5)
	off.Thresholds.Off = true
	for _, r := range []headroom.AlarmRule{rule("", "", 0.7), off, rule(Account, "", 0.6), rule("", "L-A", 0.5)} {
		if err := s.PutAlarmRule(ctx, r, auditEntry("alarm.rule.set", r.String())); err != nil {
			t.Fatalf("PutAlarmRule(%s): %v", r.Describe(), err)
		}
	}
	// Replacing keeps one rule per (account, code).
	repl := rule(Account, "", 0.65)
	repl.ThrottleCount, repl.ThrottleMinutes = 3, 7
	if err := s.PutAlarmRule(ctx, repl, auditEntry("alarm.rule.set", repl.String())); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListAlarmRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []headroom.AlarmRule{rule("", "", 0.7), rule("", "L-A", 0.5), repl, off}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAlarmRules =\n%+v\nwant\n%+v", got, want)
	}
	if err := s.DeleteAlarmRule(ctx, "", "L-A", auditEntry("alarm.rule.delete", "")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteAlarmRule(ctx, "", "L-A", auditEntry("alarm.rule.delete", "again")), headroom.ENOTFOUND)
	got, _ = s.ListAlarmRules(ctx)
	if len(got) != 3 || got[1] != repl {
		t.Fatalf("after delete: %+v", got)
	}
	if a := actionsOnly(t, s); a != "alarm.rule.set alarm.rule.set alarm.rule.set alarm.rule.set alarm.rule.set alarm.rule.delete" {
		t.Fatalf("audit actions = %q", a)
	}
}

func alarmState(scope string, level headroom.AlarmLevel, used int64, at time.Time) headroom.AlarmState {
	return headroom.AlarmState{Key: key("L-A", scope), Kind: headroom.AlarmUsage, Level: level, Value: used,
		Applied: 100, Ratio: float64(used) / 100, Threshold: 0.8, Since: at, Updated: at}
}

func notification(id, webhook string, at time.Time) headroom.Notification {
	return headroom.Notification{ID: id, Webhook: webhook, Body: []byte(`{"id":"` + id + `"}`), NextAttempt: at,
		Created: at, State: headroom.NotificationPending, Updated: at}
}

func transition(detail string) headroom.AuditEntry {
	return headroom.AuditEntry{Time: T0, Actor: "alarms", Account: Account, Action: "alarm.transition", Code: "L-A", Detail: detail}
}

func testAlarmStates(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	warn := alarmState("account", headroom.AlarmWarning, 85, T0)
	// A missing state is OK: moving from WARNING conflicts.
	wantCode(t, s.SetAlarmState(ctx, headroom.AlarmWarning, warn, transition("bad"), nil), headroom.ECONFLICT)
	if err := s.SetAlarmState(ctx, headroom.AlarmOK, warn, transition("ok->warning"), []headroom.Notification{notification("n1", "wh-1", T0)}); err != nil {
		t.Fatal(err)
	}
	// A second evaluation that read OK loses, and enqueues nothing.
	err := s.SetAlarmState(ctx, headroom.AlarmOK, alarmState("account", headroom.AlarmCritical, 99, T0), transition("lost"),
		[]headroom.Notification{notification("n2", "wh-1", T0)})
	wantCode(t, err, headroom.ECONFLICT)
	throttle := headroom.AlarmState{Key: key("L-A", "account"), Kind: headroom.AlarmThrottle, Level: headroom.AlarmCritical,
		Value: 12, Applied: 10, Threshold: 10, Since: T0.Add(time.Minute), Updated: T0.Add(time.Minute)}
	if err := s.SetAlarmState(ctx, headroom.AlarmOK, throttle, transition("throttle"), nil); err != nil {
		t.Fatal(err)
	}
	other := alarmState("instance/i-1", headroom.AlarmCritical, 97, T0)
	other.Key.Account = "999988887777"
	if err := s.SetAlarmState(ctx, headroom.AlarmOK, other, headroom.AuditEntry{}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListAlarmStates(ctx, headroom.AlarmStateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []headroom.AlarmState{throttle, warn, other}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAlarmStates =\n%+v\nwant\n%+v", got, want)
	}
	// Back to OK: kept, but no longer firing.
	ok := alarmState("account", headroom.AlarmOK, 70, T0.Add(time.Hour))
	if err := s.SetAlarmState(ctx, headroom.AlarmWarning, ok, transition("warning->ok"), nil); err != nil {
		t.Fatal(err)
	}
	got, _ = s.ListAlarmStates(ctx, headroom.AlarmStateFilter{Account: Account})
	if want := []headroom.AlarmState{throttle, ok}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAlarmStates(account) =\n%+v\nwant\n%+v", got, want)
	}
	got, _ = s.ListAlarmStates(ctx, headroom.AlarmStateFilter{Account: Account, Firing: true})
	if want := []headroom.AlarmState{throttle}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAlarmStates(firing) =\n%+v\nwant\n%+v", got, want)
	}
	bad := warn
	bad.Kind = "volume"
	wantCode(t, s.SetAlarmState(ctx, headroom.AlarmOK, bad, transition("bad"), nil), headroom.EINVALID)
	if a := actionsOnly(t, s); a != "alarm.transition alarm.transition alarm.transition" {
		t.Fatalf("audit actions = %q", a)
	}
	ns, err := s.ListNotifications(ctx, headroom.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].ID != "n1" || string(ns[0].Body) != `{"id":"n1"}` || ns[0].State != headroom.NotificationPending {
		t.Fatalf("outbox = %+v, want n1 only", ns)
	}
}

// testRaceAlarmState: evaluators racing on one transition make one
// transition, one audit entry and one notification between them.
func testRaceAlarmState(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := alarmState("account", headroom.AlarmCritical, int64(95+i%5), T0)
			errs[i] = s.SetAlarmState(ctx, headroom.AlarmOK, st, transition(fmt.Sprint("racer ", i)),
				[]headroom.Notification{notification(fmt.Sprint("n", i), "wh-1", T0)})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch headroom.ErrorCodeOf(err) {
		case "":
			won++
		case headroom.ECONFLICT:
		default:
			t.Fatalf("SetAlarmState: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d evaluators moved the alarm, want 1", won)
	}
	entries, err := s.ListAudit(ctx, headroom.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := s.ListNotifications(ctx, headroom.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || len(ns) != 1 || entries[0].Detail != "racer "+ns[0].ID[1:] {
		t.Fatalf("audit %+v and outbox %+v, want one of each from the same racer", entries, ns)
	}
}

func webhook(id, account string, at time.Time) headroom.Webhook {
	return headroom.Webhook{ID: id, URL: "https://example.com/hook/" + id, Secret: "whsec_0123456789abcdef" + id, Account: account, Created: at}
}

func testWebhooks(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	w1, w2 := webhook("wh-1", "", T0.Add(time.Minute)), webhook("wh-2", Account, T0)
	for _, w := range []headroom.Webhook{w1, w2} {
		if err := s.CreateWebhook(ctx, w, auditEntry("webhook.create", w.ID)); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.CreateWebhook(ctx, w1, auditEntry("webhook.create", "dup")), headroom.ECONFLICT)
	got, err := s.FindWebhook(ctx, "wh-2")
	if err != nil || got != w2 {
		t.Fatalf("FindWebhook = %+v, %v; want %+v", got, err, w2)
	}
	list, err := s.ListWebhooks(ctx)
	if err != nil || !reflect.DeepEqual(list, []headroom.Webhook{w2, w1}) {
		t.Fatalf("ListWebhooks = %+v, %v", list, err)
	}
	// Deleting a webhook drops its pending notifications, not the others'.
	st := alarmState("account", headroom.AlarmWarning, 85, T0)
	if err := s.SetAlarmState(ctx, headroom.AlarmOK, st, headroom.AuditEntry{},
		[]headroom.Notification{notification("n1", "wh-1", T0), notification("n2", "wh-2", T0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(ctx, "wh-1", auditEntry("webhook.delete", "wh-1")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteWebhook(ctx, "wh-1", auditEntry("webhook.delete", "again")), headroom.ENOTFOUND)
	_, err = s.FindWebhook(ctx, "wh-1")
	wantCode(t, err, headroom.ENOTFOUND)
	ns, _ := s.ListNotifications(ctx, headroom.NotificationFilter{})
	if len(ns) != 1 || ns[0].ID != "n2" {
		t.Fatalf("outbox after delete = %+v, want n2 only", ns)
	}
	if a := actionsOnly(t, s); a != "webhook.create webhook.create webhook.delete" {
		t.Fatalf("audit actions = %q", a)
	}
}

func enqueue(t *testing.T, s headroom.Store, scope string, ns ...headroom.Notification) {
	t.Helper()
	st := alarmState(scope, headroom.AlarmWarning, 85, T0)
	if err := s.SetAlarmState(context.Background(), headroom.AlarmOK, st, headroom.AuditEntry{}, ns); err != nil {
		t.Fatal(err)
	}
}

func testOutbox(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	enqueue(t, s, "account", notification("n1", "wh-1", T0), notification("n2", "wh-1", T0.Add(time.Second)),
		notification("n3", "wh-1", T0.Add(time.Hour)))
	_, err := s.ClaimNotifications(ctx, T0, T0.Add(time.Minute), 0)
	wantCode(t, err, headroom.EINVALID)
	lease := T0.Add(2 * time.Second).Add(time.Minute)
	got, err := s.ClaimNotifications(ctx, T0.Add(2*time.Second), lease, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "n1" || got[1].ID != "n2" || got[0].Attempts != 1 || !got[0].NextAttempt.Equal(lease) {
		t.Fatalf("first claim = %+v, want n1 then n2, one attempt, due at the lease's end", got)
	}
	// Claimed: no one else takes them until the lease ends.
	if again, _ := s.ClaimNotifications(ctx, T0.Add(30*time.Second), lease, 10); len(again) != 0 {
		t.Fatalf("claim during the lease = %+v, want none", again)
	}
	if err := s.CompleteNotification(ctx, "n1", T0.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryNotification(ctx, "n2", T0.Add(10*time.Second), "503 Service Unavailable"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CompleteNotification(ctx, "nope", T0), headroom.ENOTFOUND)
	wantCode(t, s.RetryNotification(ctx, "nope", T0, "x"), headroom.ENOTFOUND)
	wantCode(t, s.FailNotification(ctx, "nope", T0, "x"), headroom.ENOTFOUND)
	// A settled notification stays settled.
	if err := s.RetryNotification(ctx, "n1", T0.Add(10*time.Second), "late"); err != nil {
		t.Fatal(err)
	}
	got, err = s.ClaimNotifications(ctx, T0.Add(10*time.Second), T0.Add(2*time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "n2" || got[0].Attempts != 2 || got[0].LastError != "503 Service Unavailable" {
		t.Fatalf("second claim = %+v, want n2 on its second attempt", got)
	}
	if err := s.FailNotification(ctx, "n2", T0.Add(11*time.Second), "gave up"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteNotification(ctx, "n2", T0.Add(12*time.Second)); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListNotifications(ctx, headroom.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	states := ""
	for _, n := range list {
		states += fmt.Sprintf("%s:%s:%d:%s ", n.ID, n.State, n.Attempts, n.LastError)
	}
	if want := "n3:pending:0: n2:failed:2:gave up n1:delivered:1: "; states != want {
		t.Fatalf("outbox = %q, want %q", states, want)
	}
	failed, _ := s.ListNotifications(ctx, headroom.NotificationFilter{State: headroom.NotificationFailed})
	if len(failed) != 1 || failed[0].ID != "n2" {
		t.Fatalf("failed = %+v", failed)
	}
	one, _ := s.ListNotifications(ctx, headroom.NotificationFilter{Webhook: "wh-1", Limit: 1})
	if len(one) != 1 || one[0].ID != "n3" {
		t.Fatalf("limit 1 = %+v", one)
	}
}

// testRaceClaim: dispatchers claiming at once never take one notification
// twice, and between them take every due one.
func testRaceClaim(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	const total = 30
	for i := range total {
		enqueue(t, s, fmt.Sprint("instance/i-", i), notification(fmt.Sprint("n", i), "wh-1", T0))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimNotifications(ctx, T0, T0.Add(time.Minute), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, n := range got {
					seen[n.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("claimed %d notifications, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("notification %s claimed %d times", id, n)
		}
	}
}

func testOutboxPurge(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	enqueue(t, s, "account", notification("old", "wh-1", T0), notification("new", "wh-1", T0), notification("wait", "wh-1", T0.Add(time.Hour)))
	if _, err := s.ClaimNotifications(ctx, T0, T0.Add(time.Minute), 10); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteNotification(ctx, "old", T0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.FailNotification(ctx, "new", T0.Add(time.Hour), "gave up"); err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeNotifications(ctx, T0.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("PurgeNotifications = %d, %v; want 1", n, err)
	}
	list, _ := s.ListNotifications(ctx, headroom.NotificationFilter{})
	if len(list) != 2 {
		t.Fatalf("after purge: %+v, want the failed and the pending one", list)
	}
	// Pending notifications are never purged, however old.
	if n, err := s.PurgeNotifications(ctx, T0.Add(1000*time.Hour)); err != nil || n != 1 {
		t.Fatalf("second purge = %d, %v; want 1 (the failed one)", n, err)
	}
}

// actionsOnly returns the actions of the account's audit entries, oldest
// first, separated by spaces.
func actionsOnly(t *testing.T, s headroom.Store) string {
	t.Helper()
	list, err := s.ListAudit(context.Background(), headroom.AuditFilter{Account: Account})
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for i, e := range list {
		if i > 0 {
			out += " "
		}
		out += e.Action
	}
	return out
}
