package httpapi

import (
	"context"
	"net/http"
	"net/url"
)

// ListAlarms lists stored alarms, CRITICAL first: of account, or of every
// account the token may read if account is empty; firing keeps those at
// WARNING or CRITICAL.
func (c *Client) ListAlarms(ctx context.Context, account string, firing bool) ([]Alarm, error) {
	q := url.Values{}
	if account != "" {
		q.Set("account", account)
	}
	if firing {
		q.Set("state", "firing")
	}
	var out AlarmList
	err := c.do(ctx, http.MethodGet, "/v1/alarms?"+q.Encode(), nil, &out)
	return out.Alarms, err
}

// SetAlarmRule creates or replaces an alarm rule (operator token).
func (c *Client) SetAlarmRule(ctx context.Context, in AlarmRuleSet) (AlarmRule, error) {
	var out AlarmRule
	err := c.do(ctx, http.MethodPut, "/v1/alarm-rules", in, &out)
	return out, err
}

// ListAlarmRules lists the alarm rules (operator token).
func (c *Client) ListAlarmRules(ctx context.Context) ([]AlarmRule, error) {
	var out struct {
		Rules []AlarmRule `json:"rules"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/alarm-rules", nil, &out)
	return out.Rules, err
}

// DeleteAlarmRule removes the rule of (account, code) (operator token).
func (c *Client) DeleteAlarmRule(ctx context.Context, account, code string) error {
	return c.do(ctx, http.MethodDelete, "/v1/alarm-rules?"+url.Values{"account": {account}, "code": {code}}.Encode(), nil, nil)
}

// CreateWebhook adds a webhook (operator token); the answer carries its
// secret, the one time it is shown.
func (c *Client) CreateWebhook(ctx context.Context, in WebhookCreate) (Webhook, error) {
	var out Webhook
	err := c.do(ctx, http.MethodPost, "/v1/webhooks", in, &out)
	return out, err
}

// ListWebhooks lists the webhooks, without secrets (operator token).
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	var out struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/webhooks", nil, &out)
	return out.Webhooks, err
}

// DeleteWebhook removes a webhook and its pending notifications (operator
// token).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/webhooks/"+url.PathEscape(id), nil, nil)
}

// ListDeliveries lists a webhook's notifications, newest first (operator
// token); state filters by pending, delivered or failed.
func (c *Client) ListDeliveries(ctx context.Context, webhook, state string) ([]Delivery, error) {
	var out struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	err := c.do(ctx, http.MethodGet, "/v1/webhooks/"+url.PathEscape(webhook)+"/deliveries?"+q.Encode(), nil, &out)
	return out.Deliveries, err
}
