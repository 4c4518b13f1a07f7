package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom/httpapi"
)

func requestRows(list []httpapi.ChangeRequest) [][]string {
	var rows [][]string
	for _, r := range list {
		what := fmt.Sprintf("%s %s", r.Code, num(r.DesiredValue))
		switch r.Type {
		case "allow-list":
			what = fmt.Sprintf("%s allow %s deny %s", r.Code, strings.Join(r.Allow, ","), strings.Join(r.Deny, ","))
		case "porting":
			what = r.Details
		}
		granted := "-"
		if r.GrantedValue != 0 {
			granted = num(r.GrantedValue)
		}
		rows = append(rows, []string{r.ID, r.AccountID, r.Type, what, r.Scope, r.Status, granted, r.Created.Format("2006-01-02 15:04")})
	}
	return rows
}

var requestHeader = []string{"ID", "ACCOUNT", "TYPE", "REQUEST", "SCOPE", "STATUS", "GRANTED", "CREATED"}

func cmdRequestsList(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("requests list")
	status := fs.String("status", "", "only this status, such as CASE_OPENED")
	account := fs.String("account", "", "only this account")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := g.client().ListRequests(ctx, strings.ToUpper(*status), *account)
	if err != nil {
		return err
	}
	return emit(g, list, requestHeader, requestRows(list))
}

func cmdRequestsCreate(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("requests create")
	typ := fs.String("type", "increase", "increase, outbound-countries or port-number")
	account := fs.String("account", "", "account id")
	code := fs.String("code", "", "quota code (increase)")
	scope := fs.String("scope", "", "context, such as instance/i-1 (default: the whole account)")
	value := fs.String("value", "", "desired value (increase)")
	number := fs.String("number", "", "phone number to port (port-number)")
	details := fs.String("details", "", "free text for the reviewer")
	noCase := fs.Bool("no-support-case", false, "end NOT_APPROVED instead of opening a case when review is needed")
	var allow, deny listFlag
	fs.Var(&allow, "allow", "country codes to allow (outbound-countries), such as 49,33 or 447")
	fs.Var(&deny, "deny", "country codes to stop allowing (outbound-countries)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("requests create", "account", *account); err != nil {
		return err
	}
	support := !*noCase
	in := httpapi.RequestCreate{Type: *typ, AccountID: *account, Code: *code, Scope: *scope, Allow: allow, Deny: deny, Number: *number,
		Details: *details, SupportCaseAllowed: &support}
	if *value != "" {
		v, err := strconv.ParseFloat(*value, 64)
		if err != nil {
			return usageErrorf("requests create: --value %q is not a number", *value)
		}
		in.DesiredValue = v
	}
	r, err := g.client().CreateRequest(ctx, in)
	if err != nil {
		return err
	}
	return emit(g, r, requestHeader, requestRows([]httpapi.ChangeRequest{r}))
}

func cmdRequestsApprove(ctx context.Context, g *globals, args []string) error {
	return decideCommand(ctx, g, "approve", args)
}

func cmdRequestsDeny(ctx context.Context, g *globals, args []string) error {
	return decideCommand(ctx, g, "deny", args)
}

func cmdRequestsClose(ctx context.Context, g *globals, args []string) error {
	return decideCommand(ctx, g, "close", args)
}

// decideCommand runs "requests approve|deny|close ID [flags]"; the id may
// come before or after the flags.
func decideCommand(ctx context.Context, g *globals, decision string, args []string) error {
	fs := newFlags("requests " + decision)
	value := fs.String("value", "", "grant this value instead of the one asked for (approve)")
	reason := fs.String("reason", "", "why (required to deny)")
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return usageErrorf("requests %s: %v", decision, err)
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	}
	if id == "" || fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != id) {
		return usageErrorf("requests %s needs one request id", decision)
	}
	if decision == "deny" && *reason == "" {
		return usageErrorf("requests deny needs --reason TEXT")
	}
	in := httpapi.RequestDecide{Reason: *reason}
	if *value != "" {
		v, err := strconv.ParseFloat(*value, 64)
		if err != nil {
			return usageErrorf("requests %s: --value %q is not a number", decision, *value)
		}
		in.Value = v
	}
	r, err := g.client().DecideRequest(ctx, id, decision, in)
	if err != nil {
		return err
	}
	return emit(g, r, requestHeader, requestRows([]httpapi.ChangeRequest{r}))
}
