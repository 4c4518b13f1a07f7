package main

import (
	"context"
	"time"

	"github.com/headroomhq/headroom/httpapi"
)

// cmdWebhooksAdd adds a webhook that alarm notifications are posted to,
// and prints its secret: the one time it is shown.
func cmdWebhooksAdd(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("webhooks add")
	var in httpapi.WebhookCreate
	fs.StringVar(&in.URL, "url", "", "http or https URL to post notifications to")
	fs.StringVar(&in.Account, "account", "", "only this account's alarms; every account if empty")
	fs.StringVar(&in.Secret, "secret", "", "HMAC-SHA256 signing secret (16 to 256 bytes); generated if empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if in.URL == "" {
		return usageErrorf("webhooks add needs --url")
	}
	w, err := g.client().CreateWebhook(ctx, in)
	if err != nil {
		return err
	}
	return emit(g, w, []string{"ID", "URL", "ACCOUNT", "SECRET"}, [][]string{{w.ID, w.URL, orAll(w.Account), w.Secret}})
}

// cmdWebhooksList prints the webhooks, without their secrets.
func cmdWebhooksList(ctx context.Context, g *globals, args []string) error {
	if err := parseFlags(newFlags("webhooks list"), args); err != nil {
		return err
	}
	list, err := g.client().ListWebhooks(ctx)
	if err != nil {
		return err
	}
	rows := make([][]string, len(list))
	for i, w := range list {
		rows[i] = []string{w.ID, w.URL, orAll(w.Account), w.Created.Format(time.RFC3339)}
	}
	if list == nil {
		list = []httpapi.Webhook{}
	}
	return emit(g, map[string]any{"webhooks": list}, []string{"ID", "URL", "ACCOUNT", "CREATED"}, rows)
}

// cmdWebhooksRemove removes a webhook and its pending notifications.
func cmdWebhooksRemove(ctx context.Context, g *globals, args []string) error {
	if len(args) != 1 {
		return usageErrorf("webhooks rm needs one webhook id")
	}
	if err := g.client().DeleteWebhook(ctx, args[0]); err != nil {
		return err
	}
	return emit(g, map[string]string{"deleted": args[0]}, []string{"DELETED"}, [][]string{{args[0]}})
}
