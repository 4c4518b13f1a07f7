package main

import (
	"context"
	"flag"
	"strconv"

	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/contactlensapi"
)

// Traffic the Amazon Connect API cannot create, for local quota testing:
// the simulate commands call the native /v1/simulate endpoints.

func simFlags(name string) (*flag.FlagSet, *string, *string) {
	fs := newFlags(name)
	return fs, fs.String("account", "", "account id"), fs.String("instance", "", "Amazon Connect instance id")
}

func simPath(account, instance, rest string) string {
	return "/v1/simulate/" + account + "/instances/" + instance + rest
}

func cmdSimInboundCall(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate inbound-call")
	queue := fs.String("queue", "", "queue id the call waits in")
	callback := fs.Bool("callback", false, "queue a callback: it takes no concurrent-calls slot until offered to an agent")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate inbound-call", "account", *account, "instance", *instance); err != nil {
		return err
	}
	var out connectapi.InboundCallResult
	if err := g.client().Do(ctx, "POST", simPath(*account, *instance, "/inbound-calls"), connectapi.InboundCall{QueueID: *queue, Callback: *callback}, &out); err != nil {
		return err
	}
	return emit(g, out, []string{"CONTACT", "OUTCOME", "MESSAGE"}, [][]string{{out.ContactID, out.Outcome, out.Message}})
}

func cmdSimAgent(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate agent")
	agent := fs.String("agent", "", "user id of the agent")
	online := fs.Bool("online", true, "the agent is logged in")
	available := fs.Bool("available", true, "the agent is available for contacts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate agent", "account", *account, "instance", *instance, "agent", *agent); err != nil {
		return err
	}
	var out connectapi.AgentState
	if err := g.client().Do(ctx, "PUT", simPath(*account, *instance, "/agents/"+*agent), connectapi.AgentState{Online: *online, Available: *available}, &out); err != nil {
		return err
	}
	return emit(g, out, []string{"AGENT", "ONLINE", "AVAILABLE"}, [][]string{{*agent, yesNo(out.Online), yesNo(out.Available)}})
}

func cmdSimAccept(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate accept")
	contact := fs.String("contact", "", "contact id")
	agent := fs.String("agent", "", "user id of the agent")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate accept", "account", *account, "instance", *instance, "contact", *contact, "agent", *agent); err != nil {
		return err
	}
	var out map[string]string
	if err := g.client().Do(ctx, "POST", simPath(*account, *instance, "/contacts/"+*contact+"/accept"), connectapi.Accept{AgentID: *agent}, &out); err != nil {
		return err
	}
	return emit(g, out, []string{"CONTACT", "STATE", "AGENT"}, [][]string{{out["contact_id"], out["state"], out["agent_id"]}})
}

func cmdSimEnd(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate end")
	contact := fs.String("contact", "", "contact id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate end", "account", *account, "instance", *instance, "contact", *contact); err != nil {
		return err
	}
	var out map[string]string
	if err := g.client().Do(ctx, "POST", simPath(*account, *instance, "/contacts/"+*contact+"/end"), nil, &out); err != nil {
		return err
	}
	return emit(g, out, []string{"CONTACT", "STATE"}, [][]string{{out["contact_id"], out["state"]}})
}

func cmdSimMetrics(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate metrics")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate metrics", "account", *account, "instance", *instance); err != nil {
		return err
	}
	var m connectapi.InstanceMetrics
	if err := g.client().Do(ctx, "GET", simPath(*account, *instance, "/metrics"), nil, &m); err != nil {
		return err
	}
	i, f := func(v int64) string { return strconv.FormatInt(v, 10) }, func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	return emit(g, m, []string{"METRIC", "VALUE"}, [][]string{
		{"ConcurrentCalls", i(m.ConcurrentCalls)}, {"ConcurrentCallsPercentage", f(m.ConcurrentCallsPercentage)},
		{"CallsBreachingConcurrencyQuota", i(m.CallsBreachingConcurrencyQuota)},
		{"ConcurrentActiveChats", i(m.ConcurrentActiveChats)}, {"ConcurrentActiveChatsPercentage", f(m.ConcurrentActiveChatsPercentage)},
		{"ChatsBreachingActiveChatQuota", i(m.ChatsBreachingActiveChatQuota)},
		{"ConcurrentTasks", i(m.ConcurrentTasks)}, {"ConcurrentTasksPercentage", f(m.ConcurrentTasksPercentage)},
		{"TasksBreachingConcurrencyQuota", i(m.TasksBreachingConcurrencyQuota)},
	})
}

// cmdSimTranscript adds a Contact Lens transcript segment to a contact:
// ListRealtimeContactAnalysisSegments then lists it.
func cmdSimTranscript(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate transcript")
	contact := fs.String("contact", "", "contact id")
	role := fs.String("role", "CUSTOMER", "participant role: AGENT, CUSTOMER, SYSTEM, CUSTOM_BOT or SUPERVISOR")
	participant := fs.String("participant", "", "participant id; the role if empty")
	content := fs.String("content", "", "what was said")
	begin := fs.Int64("begin", 0, "offset of the segment's start in the contact, in milliseconds")
	end := fs.Int64("end", 0, "offset of the segment's end, in milliseconds; --begin if zero")
	sentiment := fs.String("sentiment", "NEUTRAL", "POSITIVE, NEUTRAL or NEGATIVE")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate transcript", "account", *account, "instance", *instance, "contact", *contact, "content", *content); err != nil {
		return err
	}
	if *end == 0 {
		*end = *begin
	}
	var out contactlensapi.SegmentAdded
	in := contactlensapi.TranscriptSegment{ParticipantID: *participant, ParticipantRole: *role, Content: *content,
		BeginOffsetMillis: *begin, EndOffsetMillis: *end, Sentiment: *sentiment}
	if err := g.client().Do(ctx, "POST", simPath(*account, *instance, "/contacts/"+*contact+"/transcript-segments"), in, &out); err != nil {
		return err
	}
	return emit(g, out, []string{"SEGMENT"}, [][]string{{out.ID}})
}

func emitReport(g *globals, r connectapi.Report) error {
	return emit(g, r, []string{"REPORT", "NAME", "PERSONAL", "SCHEDULE"}, [][]string{{r.ReportID, r.Name, yesNo(r.Personal), r.Schedule}})
}

// cmdSimReportSave saves a report, holding a "Reports per instance" slot.
func cmdSimReportSave(ctx context.Context, g *globals, args []string) error {
	fs, account, instance := simFlags("simulate report save")
	name := fs.String("name", "", "report name, unique in the instance")
	personal := fs.Bool("personal", false, "a personal saved report (it counts towards the instance's quota too)")
	owner := fs.String("owner", "", "user id of who saved it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("simulate report save", "account", *account, "instance", *instance, "name", *name); err != nil {
		return err
	}
	var out connectapi.Report
	if err := g.client().Do(ctx, "POST", simPath(*account, *instance, "/reports"), connectapi.SaveReport{Name: *name, Personal: *personal, Owner: *owner}, &out); err != nil {
		return err
	}
	return emitReport(g, out)
}

func reportCommand(name, method, suffix string, body func(fs *flag.FlagSet) func() any) command {
	return func(ctx context.Context, g *globals, args []string) error {
		fs, account, instance := simFlags(name)
		report := fs.String("report", "", "report id")
		in := func() any { return nil }
		if body != nil {
			in = body(fs)
		}
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if err := required(name, "account", *account, "instance", *instance, "report", *report); err != nil {
			return err
		}
		var out connectapi.Report
		if err := g.client().Do(ctx, method, simPath(*account, *instance, "/reports/"+*report+suffix), in(), &out); err != nil {
			return err
		}
		return emitReport(g, out)
	}
}

// cmdSimReportDelete deletes a saved report and its schedule, freeing
// their slots.
var cmdSimReportDelete = reportCommand("simulate report delete", "DELETE", "", nil)

// cmdSimReportSchedule schedules a saved report, holding a "Scheduled
// reports per instance" slot.
var cmdSimReportSchedule = reportCommand("simulate report schedule", "PUT", "/schedule", func(fs *flag.FlagSet) func() any {
	freq := fs.String("frequency", "DAILY", "DAILY, WEEKLY or MONTHLY")
	return func() any { return connectapi.ScheduleReport{Frequency: *freq} }
})

// cmdSimReportUnschedule removes a report's schedule, freeing its slot.
var cmdSimReportUnschedule = reportCommand("simulate report unschedule", "DELETE", "/schedule", nil)
