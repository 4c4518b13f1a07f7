package httpapi

import (
	"encoding/json"
	"time"

	"github.com/headroomhq/headroom"
)

// Alarm is the wire form of a stored alarm state.
type Alarm struct {
	AccountID string `json:"account_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	// Kind is "usage" or "throttle".
	Kind string `json:"kind"`
	// Level is OK, WARNING or CRITICAL.
	Level string `json:"level"`
	// Value is the usage (or the throttled decisions in the window) at
	// the last transition.
	Value int64 `json:"value"`
	// Applied is the applied value (or the throttle count) at the last
	// transition.
	Applied float64 `json:"applied"`
	// Percent is Value as a percentage of Applied, for usage alarms.
	Percent float64 `json:"percent"`
	// Threshold is the threshold crossed: a fraction of the applied value,
	// or the throttle count.
	Threshold float64   `json:"threshold"`
	Since     time.Time `json:"since"`
	Updated   time.Time `json:"updated"`
}

// AlarmList is the answer of the alarm listings.
type AlarmList struct {
	Alarms []Alarm `json:"alarms"`
}

func toAlarm(s headroom.AlarmState, cat *headroom.Catalog) Alarm {
	a := Alarm{AccountID: s.Key.Account, Code: s.Key.Code, Scope: s.Key.Scope, Kind: string(s.Kind), Level: string(s.Level),
		Value: s.Value, Applied: s.Applied, Threshold: s.Threshold, Since: s.Since, Updated: s.Updated}
	if s.Kind == headroom.AlarmUsage {
		a.Percent = 100 * s.Ratio
	}
	if q, err := cat.Quota(s.Key.Code); err == nil {
		a.Name = q.Name
	}
	return a
}

// AlarmRule is the wire form of an alarm rule.
type AlarmRule struct {
	// Account is the account the rule is for; empty for every account.
	Account string `json:"account,omitempty"`
	// Code is the quota the rule is for; empty for every quota.
	Code            string    `json:"code,omitempty"`
	Warning         float64   `json:"warning"`
	Critical        float64   `json:"critical"`
	Hysteresis      float64   `json:"hysteresis"`
	Off             bool      `json:"off"`
	ThrottleCount   int64     `json:"throttle_count"`
	ThrottleMinutes int       `json:"throttle_minutes"`
	Updated         time.Time `json:"updated"`
}

// AlarmRuleSet is the body of PUT /v1/alarm-rules. Omitted thresholds take
// the defaults (80 %, 95 %, 5 points, more than 10 throttled in 5 minutes).
type AlarmRuleSet struct {
	Account         string   `json:"account"`
	Code            string   `json:"code"`
	Warning         *float64 `json:"warning"`
	Critical        *float64 `json:"critical"`
	Hysteresis      *float64 `json:"hysteresis"`
	Off             bool     `json:"off"`
	ThrottleCount   *int64   `json:"throttle_count"`
	ThrottleMinutes *int     `json:"throttle_minutes"`
}

// rule returns the rule the body sets, the defaults filling what it omits.
func (in AlarmRuleSet) rule() headroom.AlarmRule {
	r := headroom.DefaultAlarmRule()
	r.Account, r.Code, r.Thresholds.Off = in.Account, in.Code, in.Off
	if in.Warning != nil {
		r.Thresholds.Warning = *in.Warning
	}
	if in.Critical != nil {
		r.Thresholds.Critical = *in.Critical
	}
	if in.Hysteresis != nil {
		r.Thresholds.Hysteresis = *in.Hysteresis
	}
	if in.ThrottleCount != nil {
		r.ThrottleCount = *in.ThrottleCount
	}
	if in.ThrottleMinutes != nil {
		r.ThrottleMinutes = *in.ThrottleMinutes
	}
	return r
}

func toAlarmRule(r headroom.AlarmRule) AlarmRule {
	return AlarmRule{Account: r.Account, Code: r.Code, Warning: r.Thresholds.Warning, Critical: r.Thresholds.Critical,
		Hysteresis: r.Thresholds.Hysteresis, Off: r.Thresholds.Off, ThrottleCount: r.ThrottleCount,
		ThrottleMinutes: r.ThrottleMinutes, Updated: r.Updated}
}

// Webhook is the wire form of a webhook; Secret is set only when created.
type Webhook struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	Account string    `json:"account,omitempty"`
	Created time.Time `json:"created"`
	Secret  string    `json:"secret,omitempty"`
}

// WebhookCreate is the body of POST /v1/webhooks. Without Secret, Headroom
// makes one and returns it once.
type WebhookCreate struct {
	URL     string `json:"url"`
	Account string `json:"account"`
	Secret  string `json:"secret"`
}

func toWebhook(w headroom.Webhook) Webhook {
	return Webhook{ID: w.ID, URL: w.URL, Account: w.Account, Created: w.Created, Secret: w.Secret}
}

// Delivery is the wire form of an outbox notification.
type Delivery struct {
	ID          string          `json:"id"`
	Webhook     string          `json:"webhook"`
	State       string          `json:"state"`
	Attempts    int             `json:"attempts"`
	NextAttempt time.Time       `json:"next_attempt"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated"`
	LastError   string          `json:"last_error,omitempty"`
	Body        json.RawMessage `json:"body"`
}

func toDelivery(n headroom.Notification) Delivery {
	body := json.RawMessage(n.Body)
	if !json.Valid(body) {
		body = json.RawMessage("null")
	}
	return Delivery{ID: n.ID, Webhook: n.Webhook, State: string(n.State), Attempts: n.Attempts, NextAttempt: n.NextAttempt,
		Created: n.Created, Updated: n.Updated, LastError: n.LastError, Body: body}
}
