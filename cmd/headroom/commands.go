package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom/httpapi"
)

func cmdAccountsCreate(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("accounts create")
	id := fs.String("id", "", "12-digit account id")
	created := fs.String("created", "", "creation date YYYY-MM-DD (default today)")
	aispl := fs.Bool("aispl", false, "the account contracts through AISPL (India)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("accounts create", "id", *id); err != nil {
		return err
	}
	a, err := g.client().CreateAccount(ctx, httpapi.AccountCreate{AccountID: *id, Created: *created, AISPL: *aispl})
	if err != nil {
		return err
	}
	return emit(g, a, []string{"ACCOUNT", "CREATED", "AISPL", "ACCESS KEY ID", "SECRET ACCESS KEY"},
		[][]string{{a.AccountID, a.Created, yesNo(a.AISPL), a.AccessKeyID, a.SecretAccessKey}})
}

func cmdAccountsList(ctx context.Context, g *globals, args []string) error {
	if err := parseFlags(newFlags("accounts list"), args); err != nil {
		return err
	}
	list, err := g.client().ListAccounts(ctx)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, a := range list {
		rows = append(rows, []string{a.AccountID, a.Created, yesNo(a.AISPL)})
	}
	return emit(g, list, []string{"ACCOUNT", "CREATED", "AISPL"}, rows)
}

func cmdAccountsKeys(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageErrorf("accounts keys needs the subcommand create")
	}
	fs := newFlags("accounts keys create")
	id := fs.String("id", "", "account id")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := required("accounts keys create", "id", *id); err != nil {
		return err
	}
	k, err := g.client().CreateAccessKey(ctx, *id)
	if err != nil {
		return err
	}
	return emit(g, k, []string{"ACCOUNT", "ACCESS KEY ID", "SECRET ACCESS KEY"}, [][]string{{k.AccountID, k.AccessKeyID, k.SecretAccessKey}})
}

func quotaRows(list []httpapi.Quota) [][]string {
	var rows [][]string
	for _, q := range list {
		usage, pct := "-", "-"
		if q.Usage != nil {
			usage, pct = strconv.FormatInt(*q.Usage, 10), fmt.Sprintf("%.1f%%", q.PercentUsed)
		}
		value := num(q.Value)
		if q.Kind == "rate" {
			value = fmt.Sprintf("%s/s burst %d", num(q.Value), q.Burst)
		} else if q.Kind == "set" {
			value = "allow " + strings.Join(q.Allow, " ")
			if len(q.Deny) > 0 {
				value += " deny " + strings.Join(q.Deny, " ")
			}
		} else if q.Unit != "Count" {
			value += " " + q.Unit
		}
		rows = append(rows, []string{q.Code, q.Name, q.Scope, value, usage, pct, yesNo(q.Adjustable)})
	}
	return rows
}

var quotaHeader = []string{"CODE", "NAME", "SCOPE", "APPLIED", "USAGE", "USED", "ADJUSTABLE"}

func cmdQuotasList(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("quotas list")
	account := fs.String("account", "", "account id")
	service := fs.String("service", "", "only this service (connect, profile)")
	scope := fs.String("scope", "", "only quotas counted in this scope, such as instance/i-1")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("quotas list", "account", *account); err != nil {
		return err
	}
	list, err := g.client().ListQuotas(ctx, *account, *service, *scope)
	if err != nil {
		return err
	}
	return emit(g, list, quotaHeader, quotaRows(list))
}

func cmdQuotasGet(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("quotas get")
	account := fs.String("account", "", "account id")
	code := fs.String("code", "", "quota code")
	scope := fs.String("scope", "", "scope, such as instance/i-1")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("quotas get", "account", *account, "code", *code); err != nil {
		return err
	}
	q, err := g.client().GetQuota(ctx, *account, *code, *scope)
	if err != nil {
		return err
	}
	if err := emit(g, q, quotaHeader, quotaRows([]httpapi.Quota{q})); err != nil || g.output == "json" {
		return err
	}
	return emitInvented(g, q.Invented)
}

// emitInvented prints, below a quota's table, the parts of its default
// that Headroom chose because the seed gives none.
func emitInvented(g *globals, list []httpapi.InventedDefault) error {
	if len(list) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(g.stdout, "\nDefaults Headroom chose, not the seed:"); err != nil {
		return err
	}
	for _, x := range list {
		if _, err := fmt.Fprintf(g.stdout, "  %s %s (source: %s): %s\n", x.Field, x.Value, x.Source, x.Note); err != nil {
			return err
		}
	}
	return nil
}

// listFlag collects comma-separated or repeated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func cmdOverridesSet(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("overrides set")
	account := fs.String("account", "", "account id")
	code := fs.String("code", "", "quota code")
	scope := fs.String("scope", "", "resource scope, such as instance/i-1 (default: the whole account)")
	value := fs.String("value", "", "applied value")
	var allow, deny listFlag
	fs.Var(&allow, "allow", "set quotas: entries to allow, such as +447")
	fs.Var(&deny, "deny", "set quotas: entries to deny, such as +1")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("overrides set", "account", *account, "code", *code); err != nil {
		return err
	}
	in := httpapi.OverrideSet{Scope: *scope, Allow: allow, Deny: deny}
	if *value != "" {
		v, err := strconv.ParseFloat(*value, 64)
		if err != nil {
			return usageErrorf("overrides set: --value %q is not a number", *value)
		}
		in.Value = &v
	} else if len(allow)+len(deny) == 0 {
		return usageErrorf("overrides set needs --value (or --allow/--deny for allow-lists)")
	}
	q, err := g.client().SetOverride(ctx, *account, *code, in)
	if err != nil {
		return err
	}
	return emit(g, q, quotaHeader, quotaRows([]httpapi.Quota{q}))
}

func cmdOverridesDelete(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("overrides delete")
	account := fs.String("account", "", "account id")
	code := fs.String("code", "", "quota code")
	scope := fs.String("scope", "", "resource scope (default: the account-level override)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("overrides delete", "account", *account, "code", *code); err != nil {
		return err
	}
	if err := g.client().DeleteOverride(ctx, *account, *code, *scope); err != nil {
		return err
	}
	return emit(g, map[string]string{"deleted": *code}, []string{"DELETED"}, [][]string{{*code}})
}

func cmdOverridesList(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("overrides list")
	account := fs.String("account", "", "account id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("overrides list", "account", *account); err != nil {
		return err
	}
	list, err := g.client().ListOverrides(ctx, *account)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, o := range list {
		v := num(o.Value)
		if len(o.Allow)+len(o.Deny) > 0 {
			v = fmt.Sprintf("allow %v deny %v", o.Allow, o.Deny)
		}
		rows = append(rows, []string{o.Code, o.Scope, v, o.UpdatedBy, o.UpdatedAt.Format("2006-01-02 15:04:05")})
	}
	return emit(g, list, []string{"CODE", "SCOPE", "VALUE", "BY", "AT"}, rows)
}

func cmdUsage(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("usage")
	account := fs.String("account", "", "account id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("usage", "account", *account); err != nil {
		return err
	}
	list, err := g.client().Usage(ctx, *account)
	if err != nil {
		return err
	}
	return emit(g, list, quotaHeader, quotaRows(list))
}

func cmdUsageReconcile(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("usage reconcile")
	account := fs.String("account", "", "account id")
	code := fs.String("code", "", "quota code")
	scope := fs.String("scope", "", "scope, such as instance/i-1")
	used := fs.Int64("used", -1, "usage from the source of truth")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("usage reconcile", "account", *account, "code", *code); err != nil {
		return err
	}
	if *used < 0 {
		return usageErrorf("usage reconcile needs --used N (N ≥ 0)")
	}
	q, err := g.client().Reconcile(ctx, *account, *code, *scope, *used)
	if err != nil {
		return err
	}
	return emit(g, q, quotaHeader, quotaRows([]httpapi.Quota{q}))
}

func cmdTokensCreate(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("tokens create")
	name := fs.String("name", "", "what the token is for")
	role := fs.String("role", "service", "operator or service")
	var accounts listFlag
	fs.Var(&accounts, "account", "account the service token may act for (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("tokens create", "name", *name); err != nil {
		return err
	}
	t, err := g.client().CreateToken(ctx, httpapi.TokenCreate{Name: *name, Role: *role, Accounts: accounts})
	if err != nil {
		return err
	}
	return emit(g, t, []string{"ID", "NAME", "ROLE", "ACCOUNTS", "TOKEN (shown once)"}, [][]string{{t.ID, t.Name, t.Role, strings.Join(t.Accounts, ","), t.Secret}})
}

func cmdTokensList(ctx context.Context, g *globals, args []string) error {
	if err := parseFlags(newFlags("tokens list"), args); err != nil {
		return err
	}
	list, err := g.client().ListTokens(ctx)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, t := range list {
		rows = append(rows, []string{t.ID, t.Name, t.Role, strings.Join(t.Accounts, ","), t.Created.Format("2006-01-02 15:04:05")})
	}
	return emit(g, list, []string{"ID", "NAME", "ROLE", "ACCOUNTS", "CREATED"}, rows)
}

func cmdTokensDelete(ctx context.Context, g *globals, args []string) error {
	if len(args) != 1 {
		return usageErrorf("tokens delete needs one token id")
	}
	if err := g.client().DeleteToken(ctx, args[0]); err != nil {
		return err
	}
	return emit(g, map[string]string{"deleted": args[0]}, []string{"DELETED"}, [][]string{{args[0]}})
}

func cmdAudit(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("audit")
	account := fs.String("account", "", "only this account")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := g.client().Audit(ctx, *account)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, e := range list {
		rows = append(rows, []string{strconv.FormatInt(e.ID, 10), e.Time.Format("2006-01-02 15:04:05"), e.Actor, e.AccountID, e.Action, e.Detail})
	}
	return emit(g, list, []string{"ID", "TIME", "ACTOR", "ACCOUNT", "ACTION", "DETAIL"}, rows)
}
