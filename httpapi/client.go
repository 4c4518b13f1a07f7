package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/plan"
)

// Client calls a Headroom server's native API. It is safe for concurrent use.
type Client struct {
	// BaseURL is the server's address, such as http://127.0.0.1:7420.
	BaseURL string
	// Token is the bearer token.
	Token string
	// HTTP is the client to use; http.DefaultClient if nil.
	HTTP *http.Client
}

// do sends a request with an optional JSON body and decodes a JSON answer
// into out. A non-2xx answer becomes an *headroom.Error with the server's
// code, field and message.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return headroom.Errorf(headroom.EINVALID, "bad server address %q: %v", c.BaseURL, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "cannot reach Headroom at %s: %v", c.BaseURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "reading answer from %s: %v", c.BaseURL, err)
	}
	if resp.StatusCode/100 != 2 {
		var eb ErrorBody
		if json.Unmarshal(data, &eb) != nil || eb.Code == "" {
			return headroom.Errorf(headroom.EINTERNAL, "%s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
		}
		return errorFromBody(eb)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return headroom.Errorf(headroom.EINTERNAL, "decoding answer of %s %s: %v", method, path, err)
	}
	return nil
}

// errorFromBody rebuilds the server's error.
func errorFromBody(eb ErrorBody) *headroom.Error {
	e := &headroom.Error{Code: headroom.ErrorCode(eb.Code), Message: eb.Message, Field: eb.Field}
	if d := eb.Quota; d != nil {
		e.Denial = &headroom.Denial{QuotaCode: d.Code, QuotaName: d.Name, Scope: d.Scope, Limit: d.Limit, Used: d.Used, Requested: d.Requested}
	}
	return e
}

// ItemError returns a batch item's error as an *headroom.Error, or nil.
func (r EnforceResult) ItemError() error {
	if r.Error == nil {
		return nil
	}
	return errorFromBody(*r.Error)
}

// Enforce sends one batch and returns one result per item.
func (c *Client) Enforce(ctx context.Context, items []EnforceItem) ([]EnforceResult, error) {
	var out EnforceResponse
	if err := c.do(ctx, http.MethodPost, "/v1/enforce", EnforceRequest{Items: items}, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// CreateAccount creates an account with its first access key pair.
func (c *Client) CreateAccount(ctx context.Context, in AccountCreate) (AccountCreated, error) {
	var out AccountCreated
	err := c.do(ctx, http.MethodPost, "/v1/accounts", in, &out)
	return out, err
}

// ListAccounts lists every account (operator only).
func (c *Client) ListAccounts(ctx context.Context) ([]Account, error) {
	var out struct {
		Accounts []Account `json:"accounts"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/accounts", nil, &out)
	return out.Accounts, err
}

// CreateAccessKey adds a key pair to an account.
func (c *Client) CreateAccessKey(ctx context.Context, account string) (AccessKey, error) {
	var out AccessKey
	err := c.do(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(account)+"/keys", nil, &out)
	return out, err
}

// ListQuotas lists an account's quotas, optionally for one service or scope.
func (c *Client) ListQuotas(ctx context.Context, account, service, scope string) ([]Quota, error) {
	q := url.Values{}
	if service != "" {
		q.Set("service", service)
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	var out QuotaList
	err := c.do(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(account)+"/quotas?"+q.Encode(), nil, &out)
	return out.Quotas, err
}

// GetQuota reads one quota of an account in a scope.
func (c *Client) GetQuota(ctx context.Context, account, code, scope string) (Quota, error) {
	var out Quota
	err := c.do(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(account)+"/quotas/"+url.PathEscape(code)+"?"+url.Values{"scope": {scope}}.Encode(), nil, &out)
	return out, err
}

// SetOverride sets an override and returns the quota's new status.
func (c *Client) SetOverride(ctx context.Context, account, code string, in OverrideSet) (Quota, error) {
	var out Quota
	err := c.do(ctx, http.MethodPut, "/v1/accounts/"+url.PathEscape(account)+"/overrides/"+url.PathEscape(code), in, &out)
	return out, err
}

// DeleteOverride removes an override.
func (c *Client) DeleteOverride(ctx context.Context, account, code, scope string) error {
	return c.do(ctx, http.MethodDelete, "/v1/accounts/"+url.PathEscape(account)+"/overrides/"+url.PathEscape(code)+"?"+url.Values{"scope": {scope}}.Encode(), nil, nil)
}

// ListOverrides lists an account's overrides.
func (c *Client) ListOverrides(ctx context.Context, account string) ([]Override, error) {
	var out struct {
		Overrides []Override `json:"overrides"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(account)+"/overrides", nil, &out)
	return out.Overrides, err
}

// Usage lists the quotas with non-zero usage, busiest first.
func (c *Client) Usage(ctx context.Context, account string) ([]Quota, error) {
	var out QuotaList
	err := c.do(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(account)+"/usage", nil, &out)
	return out.Quotas, err
}

// History returns a quota's usage history in scope (empty for the
// account) from from to to by step; zero values leave the choice to the
// server (to now, from 24 hours before, a step that fits the range).
func (c *Client) History(ctx context.Context, account, code, scope string, from, to time.Time, step time.Duration) (UsageHistory, error) {
	return c.history(ctx, account, code, scope, from, to, 0, step)
}

// HistorySince returns a quota's usage history in scope over the last
// since, by the server's clock, by step (zero: the server's choice).
func (c *Client) HistorySince(ctx context.Context, account, code, scope string, since, step time.Duration) (UsageHistory, error) {
	return c.history(ctx, account, code, scope, time.Time{}, time.Time{}, since, step)
}

func (c *Client) history(ctx context.Context, account, code, scope string, from, to time.Time, since, step time.Duration) (UsageHistory, error) {
	q := url.Values{}
	if since != 0 {
		q.Set("since", since.String())
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.RFC3339))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.RFC3339))
	}
	if step != 0 {
		q.Set("step", step.String())
	}
	path := "/v1/accounts/" + url.PathEscape(account) + "/usage/" + url.PathEscape(code) + "/history"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out UsageHistory
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// Reconcile sets a counter's usage from a source of truth.
func (c *Client) Reconcile(ctx context.Context, account, code, scope string, used int64) (Quota, error) {
	var out Quota
	err := c.do(ctx, http.MethodPut, "/v1/accounts/"+url.PathEscape(account)+"/usage/"+url.PathEscape(code), UsageSet{Scope: scope, Used: &used}, &out)
	return out, err
}

// CreateToken creates an API token; the answer's Secret is shown only here.
func (c *Client) CreateToken(ctx context.Context, in TokenCreate) (Token, error) {
	var out Token
	err := c.do(ctx, http.MethodPost, "/v1/tokens", in, &out)
	return out, err
}

// ListTokens lists API tokens, without secrets.
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	var out struct {
		Tokens []Token `json:"tokens"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/tokens", nil, &out)
	return out.Tokens, err
}

// DeleteToken revokes an API token.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/tokens/"+url.PathEscape(id), nil, nil)
}

// Audit lists audit entries, optionally of one account.
func (c *Client) Audit(ctx context.Context, account string) ([]AuditEntry, error) {
	var out struct {
		Entries []AuditEntry `json:"entries"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/audit?"+url.Values{"account": {account}}.Encode(), nil, &out)
	return out.Entries, err
}

// CreateRequest files a change request.
func (c *Client) CreateRequest(ctx context.Context, in RequestCreate) (ChangeRequest, error) {
	var out ChangeRequest
	err := c.do(ctx, http.MethodPost, "/v1/requests", in, &out)
	return out, err
}

// ListRequests lists change requests, optionally of one status or account.
func (c *Client) ListRequests(ctx context.Context, status, account string) ([]ChangeRequest, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if account != "" {
		q.Set("account", account)
	}
	var out struct {
		Requests []ChangeRequest `json:"requests"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/requests?"+q.Encode(), nil, &out)
	return out.Requests, err
}

// GetRequest reads one change request with its transitions.
func (c *Client) GetRequest(ctx context.Context, id string) (ChangeRequest, error) {
	var out ChangeRequest
	err := c.do(ctx, http.MethodGet, "/v1/requests/"+url.PathEscape(id), nil, &out)
	return out, err
}

// DecideRequest approves, denies or closes a request: decision is
// "approve", "deny" or "close".
func (c *Client) DecideRequest(ctx context.Context, id, decision string, in RequestDecide) (ChangeRequest, error) {
	var out ChangeRequest
	err := c.do(ctx, http.MethodPost, "/v1/requests/"+url.PathEscape(id)+"/"+decision, in, &out)
	return out, err
}

// Plan asks the server for a capacity plan of an account.
func (c *Client) Plan(ctx context.Context, account string, in PlanRequest) (*plan.Result, error) {
	var out plan.Result
	if err := c.do(ctx, http.MethodPost, "/v1/accounts/"+url.PathEscape(account)+"/plan", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
