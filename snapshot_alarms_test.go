package headroom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// CheckAlarms takes the alarm part of a good snapshot, a delivered
// notification of a deleted webhook included, and refuses each bad item
// with EINVALID naming it.
func TestSnapshotCheckAlarms(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	good := func() headroom.Snapshot {
		rule := headroom.DefaultAlarmRule()
		rule.Account, rule.Code = "111122223333", "L-1"
		return headroom.Snapshot{
			AlarmRules: []headroom.AlarmRule{headroom.DefaultAlarmRule(), rule},
			AlarmStates: []headroom.AlarmState{{Key: headroom.UsageKey{Account: "111122223333", Code: "L-1", Scope: "account"},
				Kind: headroom.AlarmUsage, Level: headroom.AlarmWarning, Since: at, Updated: at}},
			Webhooks: []headroom.Webhook{{ID: "wh-1", URL: "https://example.com/h", Secret: "whsec_0123456789abcdef", Created: at}},
			Notifications: []headroom.Notification{
				{ID: "ntf-1", Webhook: "wh-1", State: headroom.NotificationPending, Attempts: 2, NextAttempt: at, Created: at},
				{ID: "ntf-2", Webhook: "wh-deleted", State: headroom.NotificationDelivered, Attempts: 1, Created: at},
			},
		}
	}
	if err := good().CheckAlarms(); err != nil {
		t.Fatalf("CheckAlarms of a good snapshot: %v", err)
	}
	if err := (headroom.Snapshot{}).CheckAlarms(); err != nil {
		t.Fatalf("CheckAlarms of an empty snapshot: %v", err)
	}
	for _, tc := range []struct {
		name, want string
		corrupt    func(s *headroom.Snapshot)
	}{
		{"rule twice", "alarm rule for every quota of every account twice", func(s *headroom.Snapshot) {
			s.AlarmRules = append(s.AlarmRules, s.AlarmRules[0])
		}},
		{"bad rule", "throttle_minutes", func(s *headroom.Snapshot) { s.AlarmRules[1].ThrottleMinutes = 0 }},
		{"state twice", "usage alarm state of L-1", func(s *headroom.Snapshot) { s.AlarmStates = append(s.AlarmStates, s.AlarmStates[0]) }},
		{"state of no kind", "kind", func(s *headroom.Snapshot) { s.AlarmStates[0].Kind = "" }},
		{"state of no account", "account", func(s *headroom.Snapshot) { s.AlarmStates[0].Key.Account = "" }},
		{"webhook twice", "webhook wh-1 twice", func(s *headroom.Snapshot) { s.Webhooks = append(s.Webhooks, s.Webhooks[0]) }},
		{"webhook without secret", "secret", func(s *headroom.Snapshot) { s.Webhooks[0].Secret = "" }},
		{"webhook of a bad URL", "url", func(s *headroom.Snapshot) { s.Webhooks[0].URL = "ftp://example.com/" }},
		{"notification twice", "notification ntf-2 twice", func(s *headroom.Snapshot) {
			s.Notifications = append(s.Notifications, s.Notifications[1])
		}},
		{"notification without id", "without an id", func(s *headroom.Snapshot) { s.Notifications[1].ID = "" }},
		{"notification of an unknown state", `state "sent"`, func(s *headroom.Snapshot) { s.Notifications[1].State = "sent" }},
		{"pending notification of a missing webhook", "webhook wh-deleted, which it does not hold", func(s *headroom.Snapshot) {
			s.Notifications[1].State = headroom.NotificationPending
		}},
		{"negative attempts", "-1 attempts", func(s *headroom.Snapshot) { s.Notifications[0].Attempts = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good()
			tc.corrupt(&s)
			err := s.CheckAlarms()
			if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(headroom.ErrorMessage(err), tc.want) {
				t.Fatalf("CheckAlarms = %v; want EINVALID saying %q", err, tc.want)
			}
		})
	}
}
