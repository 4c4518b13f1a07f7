// Command headroom is the Headroom server and its command-line client.
//
//	headroom serve [--addr HOST:PORT] [--data DIR] [--catalog FILE] [--config FILE]
//	headroom accounts create --id ID [--created YYYY-MM-DD] [--aispl]
//	headroom quotas list --account ID [--service S] [--scope S]
//
// Run "headroom help" for every command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/headroomhq/headroom"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the server, or the work, failed
	exitUsage = 2 // unknown command or bad flags
)

// errUsage marks an error that should print usage and exit 2.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error { return errUsage{fmt.Sprintf(format, args...)} }

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	g, rest, err := parseGlobals(args, getenv)
	if err == nil {
		g.stdout, g.stderr = stdout, stderr
		err = dispatch(ctx, g, rest)
	}
	var ue errUsage
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "headroom: %s\n\n%s", ue.msg, usage)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "headroom: %s\n", cliMessage(err))
		return exitError
	}
}

// cliMessage is an error as a person at a terminal should read it: the
// server's message, with the field named only for input errors.
func cliMessage(err error) string {
	var he *headroom.Error
	if errors.As(err, &he) {
		if he.Field != "" && he.Code == headroom.EINVALID {
			return he.Field + ": " + he.Message
		}
		return he.Message
	}
	return err.Error()
}

const usage = `Usage: headroom [--server URL] [--token TOKEN] [-o table|json] COMMAND [FLAGS]

Server:
  serve [--addr HOST:PORT] [--data DIR] [--catalog FILE] [--config FILE] [--store sqlite|memory]
        [--rls-addr HOST:PORT --rls-config DIR [--rls-headers]]   Envoy rate-limit service (gRPC)
        [--history=false]                                         do not record usage history

Database (on the data directory's files, without a server):
  db check [--data DIR | --file FILE]                 full integrity check; exit 1 on damage
  db recover [--data DIR | --file FILE] --to FILE     copy every readable row into a new database
  migrate --from DIR --to sqlite:DIR                  copy a whole installation into an empty store, and check the copy

Client commands (find the server with --server or HEADROOM_SERVER, the token
with --token or HEADROOM_TOKEN; both flags may also follow the command):
  accounts create --id ID [--created YYYY-MM-DD] [--aispl]
  accounts list
  accounts keys create --id ID
  quotas list --account ID [--service S] [--scope S]
  quotas get --account ID --code CODE [--scope S]
  overrides set --account ID --code CODE [--scope S] (--value N | --allow P,... | --deny P,...)
  overrides delete --account ID --code CODE [--scope S]
  overrides list --account ID
  usage --account ID
  usage reconcile --account ID --code CODE [--scope S] --used N
  usage history --account ID --code CODE [--scope S] [--since 24h] [--step 5m]
  tokens create --name NAME --role operator|service [--account ID ...]
  tokens list
  tokens delete ID
  requests list [--status S] [--account ID]
  requests create --account ID --code CODE [--scope S] --value N
  requests create --account ID --type outbound-countries [--scope instance/ID] [--allow 49,447] [--deny 1]
  requests create --account ID --type port-number --number +1...
  requests approve ID [--value N]
  requests deny ID --reason TEXT
  requests close ID
  audit [--account ID]
  simulate inbound-call --account ID --instance ID [--queue ID] [--callback]
  simulate agent --account ID --instance ID --agent USER-ID [--online=false] [--available=false]
  simulate accept --account ID --instance ID --contact ID --agent USER-ID
  simulate end --account ID --instance ID --contact ID
  simulate metrics --account ID --instance ID
  simulate transcript --account ID --instance ID --contact ID --role AGENT|CUSTOMER|SYSTEM --content TEXT [--begin MS] [--end MS] [--sentiment S]
  simulate report save --account ID --instance ID --name NAME [--personal] [--owner USER-ID]
  simulate report delete --account ID --instance ID --report ID
  simulate report schedule --account ID --instance ID --report ID [--frequency DAILY|WEEKLY|MONTHLY]
  simulate report unschedule --account ID --instance ID --report ID
  plan --account ID [--instance ID] --forecast FILE [--growth FILE] [--lead-time 5d] [--margin 0.2]
       [--chart plan.svg] [--file-requests] [--simulate N]   which quota a forecast breaks first, and when to ask
  alarms list [--account ID]
  alarms set [--account ID] [--code CODE] [--warning 0.8] [--critical 0.95] [--hysteresis 0.05] [--off] [--throttle-count 10] [--throttle-minutes 5]
  alarms unset [--account ID] [--code CODE]
  webhooks add --url URL [--account ID] [--secret S]
  webhooks list
  webhooks rm ID
  alarms rules [--warning 0.8] [--critical 0.95] [--for 5m] [--keep-firing-for 5m]
  bench [--connections N] [--duration D] [--batch N] [--keys N] [--account ID]

Every client command prints an aligned table, or JSON with -o json.
`

func dispatch(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 {
		return usageErrorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		return flag.ErrHelp
	case "serve":
		return cmdServe(ctx, g, rest)
	case "accounts":
		return sub(ctx, g, "accounts", rest, map[string]command{"create": cmdAccountsCreate, "list": cmdAccountsList, "keys": cmdAccountsKeys})
	case "quotas":
		return sub(ctx, g, "quotas", rest, map[string]command{"list": cmdQuotasList, "get": cmdQuotasGet})
	case "overrides":
		return sub(ctx, g, "overrides", rest, map[string]command{"set": cmdOverridesSet, "delete": cmdOverridesDelete, "list": cmdOverridesList})
	case "usage":
		if len(rest) > 0 && rest[0] == "reconcile" {
			return cmdUsageReconcile(ctx, g, rest[1:])
		}
		if len(rest) > 0 && rest[0] == "history" {
			return cmdUsageHistory(ctx, g, rest[1:])
		}
		return cmdUsage(ctx, g, rest)
	case "tokens":
		return sub(ctx, g, "tokens", rest, map[string]command{"create": cmdTokensCreate, "list": cmdTokensList, "delete": cmdTokensDelete})
	case "requests":
		return sub(ctx, g, "requests", rest, map[string]command{"list": cmdRequestsList, "create": cmdRequestsCreate,
			"approve": cmdRequestsApprove, "deny": cmdRequestsDeny, "close": cmdRequestsClose})
	case "audit":
		return cmdAudit(ctx, g, rest)
	case "simulate":
		return sub(ctx, g, "simulate", rest, map[string]command{"inbound-call": cmdSimInboundCall, "agent": cmdSimAgent,
			"accept": cmdSimAccept, "end": cmdSimEnd, "metrics": cmdSimMetrics, "transcript": cmdSimTranscript,
			"report": func(ctx context.Context, g *globals, args []string) error {
				return sub(ctx, g, "simulate report", args, map[string]command{"save": cmdSimReportSave, "delete": cmdSimReportDelete,
					"schedule": cmdSimReportSchedule, "unschedule": cmdSimReportUnschedule})
			}})
	case "alarms":
		return sub(ctx, g, "alarms", rest, map[string]command{"rules": cmdAlarmsRules, "list": cmdAlarmsList, "set": cmdAlarmsSet,
			"unset": cmdAlarmsUnset})
	case "webhooks":
		return sub(ctx, g, "webhooks", rest, map[string]command{"add": cmdWebhooksAdd, "list": cmdWebhooksList, "rm": cmdWebhooksRemove})
	case "plan":
		return cmdPlan(ctx, g, rest)
	case "bench":
		return cmdBench(ctx, g, rest)
	case "db":
		return cmdDB(ctx, g, rest)
	case "migrate":
		return cmdMigrate(ctx, g, rest)
	}
	return usageErrorf("unknown command %q", cmd)
}

type command func(ctx context.Context, g *globals, args []string) error

func sub(ctx context.Context, g *globals, name string, args []string, cmds map[string]command) error {
	if len(args) == 0 {
		return usageErrorf("%s needs a subcommand", name)
	}
	c, ok := cmds[args[0]]
	if !ok {
		return usageErrorf("unknown command %q", name+" "+args[0])
	}
	return c(ctx, g, args[1:])
}
