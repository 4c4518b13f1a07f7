package storetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"reflect"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// The webhooks FillSnapshot adds, with their signing secrets.
var snapWebhooks = []headroom.Webhook{
	{ID: "wh-a1", URL: "https://hooks.example.com/a", Secret: "whsec_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Account: Account, Created: T0},
	{ID: "wh-b2", URL: "http://10.0.0.7:8080/alarms", Secret: "whsec_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Created: T0.Add(time.Second)},
	// wh-c3 is deleted once its notification is delivered.
	{ID: "wh-c3", URL: "https://old.example.com/", Secret: "whsec_cccccccccccccccccccccccccccccccc", Created: T0.Add(2 * time.Second)},
}

// snapNotification is a notification of the usage alarm FillSnapshot
// moves, as SetAlarmState enqueues it.
func snapNotification(id, webhook string, at time.Time) headroom.Notification {
	return headroom.Notification{ID: id, Webhook: webhook, Body: []byte(`{"id":"` + id + `"}`), NextAttempt: at, Created: at,
		State: headroom.NotificationPending, Updated: at}
}

// fillAlarms puts alarm rules, states, webhooks and notifications in every
// state of the outbox in s through the Store API: ntf-1 claimed (pending,
// one attempt, due at the claim's lease end), ntf-2 waiting for a retry,
// ntf-3 delivered to a webhook deleted since, ntf-4 failed.
func fillAlarms(t *testing.T, s headroom.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	rule := headroom.AlarmRule{Account: Account, Code: "L-USERS", ThrottleCount: 3, ThrottleMinutes: 10, Updated: T0,
		Thresholds: headroom.AlarmThresholds{Warning: 0.7, Critical: 0.9, Hysteresis: 0.05}}
	must("PutAlarmRule", s.PutAlarmRule(ctx, rule, headroom.AuditEntry{}))
	off := headroom.AlarmRule{Code: "L-QUEUES", ThrottleCount: 1, ThrottleMinutes: 1, Updated: T0.Add(time.Second),
		Thresholds: headroom.AlarmThresholds{Off: true}}
	must("PutAlarmRule", s.PutAlarmRule(ctx, off, headroom.AuditEntry{}))
	for _, w := range snapWebhooks {
		must("CreateWebhook", s.CreateWebhook(ctx, w, headroom.AuditEntry{}))
	}
	usage := headroom.AlarmState{Key: key("L-USERS", headroom.ScopeAccount), Kind: headroom.AlarmUsage, Level: headroom.AlarmWarning,
		Value: 8, Applied: 10, Ratio: 0.8, Threshold: 0.7, Since: T0, Updated: T0}
	must("SetAlarmState", s.SetAlarmState(ctx, headroom.AlarmOK, usage, headroom.AuditEntry{}, []headroom.Notification{
		snapNotification("ntf-1", "wh-a1", T0), snapNotification("ntf-2", "wh-b2", T0), snapNotification("ntf-3", "wh-c3", T0)}))
	at := T0.Add(time.Second)
	throttle := headroom.AlarmState{Key: headroom.UsageKey{Account: snapAccount2, Code: "L-CALLS", Scope: "instance/i-2"},
		Kind: headroom.AlarmThrottle, Level: headroom.AlarmCritical, Value: 12, Applied: 3, Threshold: 3, Since: at, Updated: at}
	must("SetAlarmState", s.SetAlarmState(ctx, headroom.AlarmOK, throttle, headroom.AuditEntry{},
		[]headroom.Notification{snapNotification("ntf-4", "wh-b2", at)}))

	now := T0.Add(time.Minute)
	claimed, err := s.ClaimNotifications(ctx, now, now.Add(30*time.Second), 10)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("ClaimNotifications = %+v, %v; want 4", claimed, err)
	}
	must("CompleteNotification", s.CompleteNotification(ctx, "ntf-3", now))
	must("RetryNotification", s.RetryNotification(ctx, "ntf-2", now.Add(5*time.Minute), "503 Service Unavailable"))
	must("FailNotification", s.FailNotification(ctx, "ntf-4", now, "gave up: connection refused"))
	must("DeleteWebhook", s.DeleteWebhook(ctx, "wh-c3", headroom.AuditEntry{}))
}

// checkAlarmsFilled fails t unless snap holds what fillAlarms made, in
// the Snapshot's orders, the webhook secrets in clear.
func checkAlarmsFilled(t *testing.T, snap headroom.Snapshot) {
	t.Helper()
	var ids []string
	for _, r := range snap.AlarmRules {
		ids = append(ids, r.Account+"/"+r.Code)
	}
	for _, st := range snap.AlarmStates {
		ids = append(ids, st.Key.Code+"/"+string(st.Kind)+"/"+string(st.Level))
	}
	for _, w := range snap.Webhooks {
		ids = append(ids, w.ID+"="+w.Secret)
	}
	for _, n := range snap.Notifications {
		ids = append(ids, n.ID+"/"+string(n.State))
	}
	want := []string{"/L-QUEUES", Account + "/L-USERS",
		"L-USERS/usage/WARNING", "L-CALLS/throttle/CRITICAL",
		"wh-a1=" + snapWebhooks[0].Secret, "wh-b2=" + snapWebhooks[1].Secret,
		"ntf-1/pending", "ntf-2/pending", "ntf-3/delivered", "ntf-4/failed"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("the alarm part of the export = %q; want %q", ids, want)
	}
	now := T0.Add(time.Minute)
	for _, n := range snap.Notifications {
		var ok bool
		switch n.ID {
		case "ntf-1":
			ok = n.Attempts == 1 && n.NextAttempt.Equal(now.Add(30*time.Second)) && n.Webhook == "wh-a1"
		case "ntf-2":
			ok = n.Attempts == 1 && n.NextAttempt.Equal(now.Add(5*time.Minute)) && n.LastError == "503 Service Unavailable"
		case "ntf-3":
			ok = n.Webhook == "wh-c3" && n.Updated.Equal(now)
		case "ntf-4":
			ok = n.Attempts == 1 && n.LastError != "" && n.Created.Equal(T0.Add(time.Second))
		}
		if !ok || string(n.Body) != `{"id":"`+n.ID+`"}` {
			t.Fatalf("notification %s in the export = %+v", n.ID, n)
		}
	}
}

// checkAlarmsCopied checks that dst, a copy of src, serves the same alarm
// state, and that its dispatcher can go on: the pending notifications come
// due with their ids and attempts, and the webhook's secret the store
// gives signs as the original secret did, so receivers still verify.
func checkAlarmsCopied(t *testing.T, src, dst headroom.Store) {
	t.Helper()
	ctx := context.Background()
	for name, list := range map[string]func(headroom.Store) (any, error){
		"ListAlarmRules": func(s headroom.Store) (any, error) { return s.ListAlarmRules(ctx) },
		"ListAlarmStates": func(s headroom.Store) (any, error) {
			return s.ListAlarmStates(ctx, headroom.AlarmStateFilter{Firing: true})
		},
		"ListWebhooks":      func(s headroom.Store) (any, error) { return s.ListWebhooks(ctx) },
		"ListNotifications": func(s headroom.Store) (any, error) { return s.ListNotifications(ctx, headroom.NotificationFilter{}) },
	} {
		want, err := list(src)
		if err != nil {
			t.Fatalf("%s on the source: %v", name, err)
		}
		got, err := list(dst)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s on the copy = %+v, %v; want %+v", name, got, err, want)
		}
	}
	// The alarm moves on from its copied level, and not from another.
	next := headroom.AlarmState{Key: key("L-USERS", headroom.ScopeAccount), Kind: headroom.AlarmUsage, Level: headroom.AlarmCritical,
		Value: 10, Applied: 10, Ratio: 1, Threshold: 0.9, Since: T0.Add(time.Hour), Updated: T0.Add(time.Hour)}
	wantCode(t, dst.SetAlarmState(ctx, headroom.AlarmOK, next, headroom.AuditEntry{}, nil), headroom.ECONFLICT)
	// A new notification cannot take a copied id.
	err := dst.SetAlarmState(ctx, headroom.AlarmWarning, next, headroom.AuditEntry{}, []headroom.Notification{snapNotification("ntf-3", "wh-a1", next.Since)})
	wantCode(t, err, headroom.ECONFLICT)

	// Nothing is due before the claim's lease and the retry end.
	now := T0.Add(time.Minute)
	if got, err := dst.ClaimNotifications(ctx, now.Add(time.Second), now.Add(time.Minute), 10); err != nil || len(got) != 0 {
		t.Fatalf("ClaimNotifications before anything is due = %+v, %v; want none", got, err)
	}
	claimed, err := dst.ClaimNotifications(ctx, now.Add(5*time.Minute), now.Add(6*time.Minute), 10)
	if err != nil || len(claimed) != 2 || claimed[0].ID != "ntf-1" || claimed[1].ID != "ntf-2" ||
		claimed[0].Attempts != 2 || claimed[1].Attempts != 2 {
		t.Fatalf("ClaimNotifications on the copy = %+v, %v; want ntf-1 and ntf-2 at their second attempt", claimed, err)
	}
	for i, n := range claimed {
		orig := snapWebhooks[i]
		if n.Webhook != orig.ID || string(n.Body) != `{"id":"`+n.ID+`"}` {
			t.Fatalf("claimed %+v; want webhook %s and its body", n, orig.ID)
		}
		w, err := dst.FindWebhook(ctx, n.Webhook)
		if err != nil {
			t.Fatalf("FindWebhook(%s) on the copy: %v", n.Webhook, err)
		}
		ts := "1772366400"
		if got, want := sign(w.Secret, ts, n.Body), sign(orig.Secret, ts, n.Body); !hmac.Equal(got, want) {
			t.Fatalf("the copy's secret of %s signs %x; a receiver holding the original secret wants %x", n.Webhook, got, want)
		}
	}
	if _, err := dst.FindWebhook(ctx, "wh-c3"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("FindWebhook of the deleted webhook on the copy = %v; want ENOTFOUND", err)
	}
}

// sign is the HMAC-SHA256 of a delivery, as receivers check it: keyed by
// the webhook's secret, over timestamp, ".", and body.
func sign(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return m.Sum(nil)
}

// badAlarmSnapshots are snapshots whose alarm part an importer must refuse
// (EINVALID), each made from a good one.
var badAlarmSnapshots = []struct {
	name    string
	corrupt func(s *headroom.Snapshot)
}{
	{"duplicate alarm rule", func(s *headroom.Snapshot) { s.AlarmRules = append(s.AlarmRules, s.AlarmRules[0]) }},
	{"bad alarm rule", func(s *headroom.Snapshot) {
		r := s.AlarmRules[1]
		r.Code, r.ThrottleMinutes = "L-OTHER", 0
		s.AlarmRules = append(s.AlarmRules, r)
	}},
	{"duplicate alarm state", func(s *headroom.Snapshot) { s.AlarmStates = append(s.AlarmStates, s.AlarmStates[1]) }},
	{"alarm state of an unknown level", func(s *headroom.Snapshot) {
		st := s.AlarmStates[0]
		st.Key.Scope, st.Level = "instance/i-9", "ALERT"
		s.AlarmStates = append(s.AlarmStates, st)
	}},
	{"duplicate webhook", func(s *headroom.Snapshot) { s.Webhooks = append(s.Webhooks, s.Webhooks[0]) }},
	{"webhook without its secret", func(s *headroom.Snapshot) {
		w := s.Webhooks[0]
		w.ID, w.Secret = "wh-z9", ""
		s.Webhooks = append(s.Webhooks, w)
	}},
	{"duplicate notification", func(s *headroom.Snapshot) { s.Notifications = append(s.Notifications, s.Notifications[2]) }},
	{"pending notification of a missing webhook", func(s *headroom.Snapshot) {
		n := s.Notifications[0]
		n.ID, n.Webhook = "ntf-9", "wh-missing"
		s.Notifications = append(s.Notifications, n)
	}},
	{"notification of an unknown state", func(s *headroom.Snapshot) {
		n := s.Notifications[0]
		n.ID, n.State = "ntf-9", "sent"
		s.Notifications = append(s.Notifications, n)
	}},
}
