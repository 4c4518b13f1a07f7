package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

// seedRow is one row of the seed's tables, written by hand from
// shared/seed/amazon-connect-service-quotas.md (and the codes from
// shared/reference/quota-codes.md), not from connect.yaml.
type seedRow struct {
	code, service, name string
	kind                headroom.Kind
	scope               headroom.ScopeTemplate
	unit                headroom.Unit
	value, burst        float64
	adjustable          bool
	// ops are the operations a rate quota throttles.
	ops []string
	// notes are phrases of the seed that the description must carry.
	notes []string
}

const (
	cnt  = headroom.KindCount
	conc = headroom.KindConcurrency
	rate = headroom.KindRate
	cum  = headroom.KindCumulative
	size = headroom.KindSize
	dur  = headroom.KindDuration
	set  = headroom.KindSet
)

var seedRows = []seedRow{
	// Amazon Connect service quotas.
	{code: "L-60553137", service: "connect", name: "Active tasks per instance", kind: conc, scope: "instance", unit: "Count", value: 2500, adjustable: true},
	{code: "L-E3D2F503", service: "connect", name: "AWS Lambda functions per instance", kind: cnt, scope: "instance", unit: "Count", value: 35, adjustable: true},
	{code: "L-D945C9A8", service: "connect", name: "Agent status per instance", kind: cnt, scope: "instance", unit: "Count", value: 50, adjustable: false,
		notes: []string{"This quota cannot be increased."}},
	{code: "L-AA17A6B9", service: "connect", name: "Amazon Connect instances per account", kind: cnt, scope: "account", unit: "Count", value: 2, adjustable: true,
		notes: []string{"AISPL"}},
	{code: "L-B93A6612", service: "connect", name: "Amazon Lex bots per instance", kind: cnt, scope: "instance", unit: "Count", value: 50, adjustable: true},
	{code: "L-12AB7C57", service: "connect", name: "Concurrent calls per instance", kind: conc, scope: "instance", unit: "Count", value: 10, adjustable: true,
		notes: []string{"all calls currently being handled by agents or waiting in a queue for an agent",
			"Callbacks waiting in a callback queue are not counted until the callback is offered to an available agent",
			"reorder tone", "fast busy tone"}},
	{code: "L-D4BA6F6E", service: "connect", name: "Concurrent chats per instance", kind: conc, scope: "instance", unit: "Count", value: 100, adjustable: true,
		notes: []string{"This includes chats that are waiting.", "the API call fails with a quota exceeded error"}},
	{code: "L-22922690", service: "connect", name: "Contact flows per instance", kind: cnt, scope: "instance", unit: "Count", value: 100, adjustable: true},
	{code: "L-20CD02F7", service: "connect", name: "Hours of operation per instance", kind: cnt, scope: "instance", unit: "Count", value: 100, adjustable: true},
	{code: "L-8F812903", service: "connect", name: "Phone numbers per instance", kind: cnt, scope: "instance", unit: "Count", value: 5, adjustable: true},
	{code: "L-0865B754", service: "connect", name: "Prompts per instance", kind: cnt, scope: "instance", unit: "Count", value: 500, adjustable: true},
	{code: "L-19A87C94", service: "connect", name: "Queues per instance", kind: cnt, scope: "instance", unit: "Count", value: 50, adjustable: true},
	{code: "L-516BC0EB", service: "connect", name: "Queues per routing profile per instance", kind: cnt, scope: "instance/routing-profile", unit: "Count", value: 50, adjustable: true,
		notes: []string{"Queue-channel combinations", "BasicQueue-Voice", "BasicQueue-Chat", "Queue10-Voice", "three"}},
	{code: "L-68BBE2E8", service: "connect", name: "Quick connects per instance", kind: cnt, scope: "instance", unit: "Count", value: 100, adjustable: true},
	{code: "L-79564E52", service: "connect", name: "Reports per instance", kind: cnt, scope: "instance", unit: "Count", value: 500, adjustable: true,
		notes: []string{"Personal saved reports count towards the reports per instance"}},
	{code: "L-D3E7BE26", service: "connect", name: "Routing profiles per instance", kind: cnt, scope: "instance", unit: "Count", value: 100, adjustable: true},
	{code: "L-986AE5E3", service: "connect", name: "Scheduled reports per instance", kind: cnt, scope: "instance", unit: "Count", value: 50, adjustable: true},
	{code: "L-F325A715", service: "connect", name: "Security profiles per instance", kind: cnt, scope: "instance", unit: "Count", value: 100, adjustable: true},
	{code: "L-D68AAAE4", service: "connect", name: "User hierarchy groups per instance", kind: cnt, scope: "instance", unit: "Count", value: 500, adjustable: true,
		notes: []string{"across all levels"}},
	{code: "L-9A46857E", service: "connect", name: "Users per instance", kind: cnt, scope: "instance", unit: "Count", value: 500, adjustable: true},

	// API throttling quotas: the "Rate of API requests" row.
	{code: "L-52794498", service: "connect", name: "Rate of GetMetricData API requests", kind: rate, scope: "account", unit: "Count/Second", value: 5, burst: 8, adjustable: true,
		ops: []string{"connect:GetMetricData"}, notes: []string{"not per user and not per instance"}},
	{code: "L-ED2B0490", service: "connect", name: "Rate of GetCurrentMetricData API requests", kind: rate, scope: "account", unit: "Count/Second", value: 5, burst: 8, adjustable: true,
		ops: []string{"connect:GetCurrentMetricData"}, notes: []string{"not per user and not per instance"}},
	{code: "HR-CONNECT-API-RATE", service: "connect", name: "Rate of API requests", kind: rate, scope: "account", unit: "Count/Second", value: 2, burst: 5, adjustable: true,
		ops: []string{"connect:*"}, notes: []string{"no rate quota of its own", "not per user and not per instance", "share one throttle bucket"}},
	{code: "HR-PARTICIPANT-CREATE-CONNECTION-RATE", service: "connect", name: "Rate of CreateParticipantConnection API requests", kind: rate, scope: "instance", unit: "Count/Second", value: 6, burst: 9, adjustable: true,
		ops: []string{"participant:CreateParticipantConnection"}, notes: []string{"per instance"}},
	{code: "HR-PARTICIPANT-DISCONNECT-RATE", service: "connect", name: "Rate of DisconnectParticipant API requests", kind: rate, scope: "instance", unit: "Count/Second", value: 3, burst: 5, adjustable: true,
		ops: []string{"participant:DisconnectParticipant"}, notes: []string{"per instance"}},
	{code: "HR-PARTICIPANT-GET-TRANSCRIPT-RATE", service: "connect", name: "Rate of GetTranscript API requests", kind: rate, scope: "instance", unit: "Count/Second", value: 8, burst: 12, adjustable: true,
		ops: []string{"participant:GetTranscript"}, notes: []string{"per instance"}},
	{code: "HR-PARTICIPANT-SEND-EVENT-RATE", service: "connect", name: "Rate of SendEvent API requests", kind: rate, scope: "instance", unit: "Count/Second", value: 10, burst: 15, adjustable: true,
		ops: []string{"participant:SendEvent"}, notes: []string{"per instance"}},
	{code: "HR-PARTICIPANT-SEND-MESSAGE-RATE", service: "connect", name: "Rate of SendMessage API requests", kind: rate, scope: "instance", unit: "Count/Second", value: 10, burst: 15, adjustable: true,
		ops: []string{"participant:SendMessage"}, notes: []string{"per instance"}},
	{code: "HR-CONTACT-LENS-SEGMENTS-RATE", service: "connect", name: "Rate of ListRealtimeContactAnalysisSegments API requests", kind: rate, scope: "account", unit: "Count/Second", value: 1, burst: 2, adjustable: true,
		ops: []string{"contact-lens:ListRealtimeContactAnalysisSegments"}, notes: []string{"not per user and not per instance"}},
	{code: "HR-PROFILE-MODIFICATIONS-RATE", service: "profile", name: "Maximum modifications to a profile per second per account", kind: rate, scope: "account", unit: "Count/Second", value: 100, burst: 100, adjustable: true,
		ops: []string{"profile:CreateProfile", "profile:UpdateProfile", "profile:DeleteProfile", "profile:PutProfileObject",
			"profile:DeleteProfileObject", "profile:AddProfileKey", "profile:DeleteProfileKey", "profile:MergeProfiles"}},

	// Feature specifications: they cannot be increased.
	{code: "HR-CONNECT-ATTACH-TYPES", service: "connect", name: "File types supported for attachments", kind: set, scope: "account", unit: "None", value: 0, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-ATTACH-SIZE", service: "connect", name: "Max file size for an attachment", kind: size, scope: "account", unit: "Megabytes", value: 20, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-ATTACH-PER-CONVERSATION", service: "connect", name: "Attachments per conversation", kind: cum, scope: "contact", unit: "Count", value: 5, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-LISTENERS-PER-CALL", service: "connect", name: "People who can listen in on the same agent call at the same time", kind: conc, scope: "contact", unit: "Count", value: 5, adjustable: false,
		notes: []string{"a different group of 5 people listen in to a different call at the same time", "cannot be increased"}},
	{code: "HR-CONNECT-CTR-RETENTION", service: "connect", name: "Contact Trace Record retention", kind: dur, scope: "account", unit: "Months", value: 24, adjustable: false,
		notes: []string{"from the time the associated contact was initiated", "Kinesis", "cannot be increased"}},
	{code: "HR-CONNECT-CTR-ATTRIBUTES-SIZE", service: "connect", name: "Max size of the CTR attributes section", kind: size, scope: "account", unit: "Kilobytes", value: 32, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-CHATS-PER-AGENT", service: "connect", name: "Active chats per agent", kind: conc, scope: "instance/agent", unit: "Count", value: 5, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-CHAT-DURATION", service: "connect", name: "Total duration per chat", kind: dur, scope: "account", unit: "Hours", value: 25, adjustable: false,
		notes: []string{"including wait time", "cannot be increased"}},
	{code: "HR-CONNECT-CHAT-MESSAGE-CHARS", service: "connect", name: "Characters per chat message", kind: size, scope: "account", unit: "Characters", value: 1024, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-WEBSOCKETS-PER-PARTICIPANT", service: "connect", name: "Open websocket connections per participant", kind: conc, scope: "participant", unit: "Count", value: 5, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-TASK-DURATION", service: "connect", name: "Maximum duration of a task", kind: dur, scope: "account", unit: "Days", value: 7, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-TASK-TRANSFERS", service: "connect", name: "Maximum number of transfers for a task", kind: cum, scope: "contact", unit: "Count", value: 11, adjustable: false,
		notes: []string{"cannot be increased"}},
	{code: "HR-CONNECT-LINKED-TASKS", service: "connect", name: "Maximum number of linked tasks on an existing contact", kind: cum, scope: "contact", unit: "Count", value: 11, adjustable: false,
		notes: []string{"cannot be increased"}},

	// Countries you can call.
	{code: "HR-CONNECT-OUTBOUND-COUNTRIES", service: "connect", name: "Country code allow list for Outbound Calls", kind: set, scope: "instance", unit: "None", value: 0, adjustable: true,
		notes: []string{"+1", "+44", "UK numbers with a 447 prefix are not allowed by default", "quota increase request", "additional countries", "limit the countries"}},

	// Amazon Connect Customer Profiles service quotas (the rate row is above).
	{code: "L-6603B252", service: "profile", name: "Maximum domains per account", kind: cnt, scope: "account", unit: "Count", value: 100, adjustable: true},
	{code: "L-14092FF4", service: "profile", name: "Maximum profile objects types per domain", kind: cnt, scope: "domain", unit: "Count", value: 100, adjustable: true},
	{code: "L-A7ED412C", service: "profile", name: "Maximum keys per object type", kind: cnt, scope: "domain/object-type", unit: "Count", value: 10, adjustable: true},
	{code: "L-3217D1F1", service: "profile", name: "Maximum expiration of objects and profiles", kind: dur, scope: "account", unit: "Years", value: 3, adjustable: true},
	{code: "HR-PROFILE-SIZE", service: "profile", name: "Maximum size of a profile not counting objects", kind: size, scope: "account", unit: "Kilobytes", value: 250, adjustable: false,
		notes: []string{"This quota cannot be increased."}},
	{code: "L-63975AF3", service: "profile", name: "Maximum size of a profile including all objects", kind: size, scope: "account", unit: "Megabytes", value: 5, adjustable: true},
	{code: "HR-PROFILE-OBJECT-SIZE", service: "profile", name: "Maximum size of a single profile object", kind: size, scope: "account", unit: "Kilobytes", value: 250, adjustable: false,
		notes: []string{"This quota cannot be increased."}},
	{code: "L-4A5ECB8E", service: "profile", name: "Maximum number of integrations", kind: cnt, scope: "account", unit: "Count", value: 50, adjustable: true},
	{code: "L-E17DC7C3", service: "profile", name: "Maximum objects attached to a profile", kind: cnt, scope: "domain/profile", unit: "Count", value: 100, adjustable: true},
}

// publicCodes are the L- codes of shared/reference/quota-codes.md.
var publicCodes = []string{
	// connect
	"L-60553137", "L-E3D2F503", "L-D945C9A8", "L-AA17A6B9", "L-B93A6612", "L-12AB7C57",
	"L-D4BA6F6E", "L-22922690", "L-20CD02F7", "L-8F812903", "L-0865B754", "L-19A87C94",
	"L-516BC0EB", "L-68BBE2E8", "L-79564E52", "L-D3E7BE26", "L-986AE5E3", "L-F325A715",
	"L-D68AAAE4", "L-9A46857E", "L-52794498", "L-ED2B0490",
	// profile
	"L-6603B252", "L-14092FF4", "L-4A5ECB8E", "L-63975AF3", "L-E17DC7C3", "L-3217D1F1",
	"L-A7ED412C",
}

func mustDefault(t testing.TB) *headroom.Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return c
}

func TestDefaultCatalogMatchesSeed(t *testing.T) {
	c := mustDefault(t)
	want := map[string]bool{}
	for _, row := range seedRows {
		if want[row.code] {
			t.Fatalf("test table lists %s twice", row.code)
		}
		want[row.code] = true
		t.Run(row.code, func(t *testing.T) {
			q, err := c.Quota(row.code)
			if err != nil {
				t.Fatalf("missing from the default catalog: %v", err)
			}
			check := func(field string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", field, got, want)
				}
			}
			check("service", q.Service, row.service)
			check("name", q.Name, row.name)
			check("kind", q.Kind, row.kind)
			check("scope", q.Scope, row.scope)
			check("unit", q.Unit, row.unit)
			check("value", q.Value, row.value)
			check("burst", q.Burst, row.burst)
			check("adjustable", q.Adjustable, row.adjustable)
			if row.kind == headroom.KindRate {
				check("operations", q.Operations, row.ops)
			}
			for _, note := range row.notes {
				if !strings.Contains(q.Description, note) {
					t.Errorf("description lacks %q:\n%s", note, q.Description)
				}
			}
			if strings.Contains(q.Name, `\`) || strings.Contains(q.Description, `\`) {
				t.Errorf("markdown escape left in name or description")
			}
			if strings.TrimSpace(q.Description) == "" {
				t.Errorf("no description")
			}
		})
	}
	perOp := 0
	for _, q := range c.Quotas() {
		if op, ok := strings.CutPrefix(q.Code, perOperationPrefix); ok {
			perOp++
			checkPerOperation(t, q, op)
			continue
		}
		if !want[q.Code] {
			t.Errorf("default catalog has %s (%s), which no seed row names", q.Code, q.Name)
		}
	}
	if got := len(c.Quotas()) - perOp; got != len(seedRows) {
		t.Errorf("default catalog has %d quotas besides the per-operation rates, the seed %d rows", got, len(seedRows))
	}
	if perOp == 0 {
		t.Errorf("default catalog has no %s quota", perOperationPrefix)
	}
}

// perOperationPrefix starts the code of each Amazon Connect operation's own
// rate quota: Headroom's reading of the seed's "all other operations" row,
// one bucket per operation with that row's rate and burst.
const perOperationPrefix = "HR-CONNECT-RATE-"

func checkPerOperation(t *testing.T, q *headroom.Quota, op string) {
	t.Helper()
	want := headroom.Quota{Code: q.Code, Service: "connect", Name: "Rate of " + op + " API requests", Description: q.Description,
		Kind: rate, Scope: "account", Unit: "Count/Second", Value: 2, Burst: 5, Adjustable: true, Operations: []string{"connect:" + op}}
	got := headroom.Quota{Code: q.Code, Service: q.Service, Name: q.Name, Description: q.Description,
		Kind: q.Kind, Scope: q.Scope, Unit: q.Unit, Value: q.Value, Burst: q.Burst, Adjustable: q.Adjustable, Operations: q.Operations}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, want %+v", q.Code, got, want)
	}
	for _, note := range []string{"the " + op + " operation", "not per user and not per instance", "raises " + op + " only"} {
		if !strings.Contains(q.Description, note) {
			t.Errorf("%s: description lacks %q:\n%s", q.Code, note, q.Description)
		}
	}
}

func TestDefaultCatalogCodes(t *testing.T) {
	public := map[string]bool{}
	for _, code := range publicCodes {
		public[code] = true
	}
	for _, q := range mustDefault(t).Quotas() {
		switch {
		case strings.HasPrefix(q.Code, "L-"):
			if !public[q.Code] {
				t.Errorf("%s: L- code not listed in quota-codes.md", q.Code)
			}
		case !strings.HasPrefix(q.Code, "HR-"):
			t.Errorf("%s: own codes must start with HR-", q.Code)
		}
	}
}

// TestPublicCodesMatchReference checks the hand-copied publicCodes against
// shared/reference/quota-codes.md, where that file is beside the module.
func TestPublicCodesMatchReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "reference", "quota-codes.md"))
	if os.IsNotExist(err) && os.Getenv("CI") == "true" {
		t.Fatal("shared/reference/quota-codes.md is not beside the module; CI lays shared/ beside every clone")
	}
	if os.IsNotExist(err) {
		// The reference lives beside the repository, not in it; a checkout
		// without it still checks the codes against publicCodes above.
		t.Skip("shared/reference/quota-codes.md is not beside the module")
	}
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, code := range regexp.MustCompile(`\bL-[0-9A-F]{8}\b`).FindAllString(string(data), -1) {
		found[code] = true
	}
	listed := map[string]bool{}
	for _, code := range publicCodes {
		listed[code] = true
		if !found[code] {
			t.Errorf("%s is not in quota-codes.md", code)
		}
	}
	for code := range found {
		if !listed[code] {
			t.Errorf("quota-codes.md lists %s, publicCodes does not", code)
		}
	}
}

// TestDefaultCatalogBehaviour checks the fields that only some quotas have.
func TestDefaultCatalogBehaviour(t *testing.T) {
	c := mustDefault(t)
	get := func(code string) *headroom.Quota {
		t.Helper()
		q, err := c.Quota(code)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}

	types := get("HR-CONNECT-ATTACH-TYPES")
	wantTypes := []string{".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".csv", ".wav", ".pptx", ".ppt", ".txt"}
	if !reflect.DeepEqual(types.Allow, wantTypes) || types.Match != headroom.MatchExtension || len(types.Deny) != 0 {
		t.Errorf("attachment types: allow %v deny %v match %q", types.Allow, types.Deny, types.Match)
	}

	out := get("HR-CONNECT-OUTBOUND-COUNTRIES")
	if !reflect.DeepEqual(out.Allow, []string{"+1", "+44"}) || !reflect.DeepEqual(out.Deny, []string{"+447"}) || out.Match != headroom.MatchDialPrefix {
		t.Errorf("outbound countries: allow %v deny %v match %q", out.Allow, out.Deny, out.Match)
	}

	calls := get("L-12AB7C57")
	if !calls.IsUncounted("callback-waiting") {
		t.Errorf("concurrent calls: callbacks waiting must not be counted: %v", calls.Uncounted)
	}
	wantMetric := &headroom.UsageMetric{Namespace: "AWS/Connect", Name: "ConcurrentCalls", Dimensions: map[string]string{"MetricGroup": "VoiceCalls"}, Statistic: "Maximum"}
	if !reflect.DeepEqual(calls.Metric, wantMetric) {
		t.Errorf("concurrent calls metric = %+v", calls.Metric)
	}
	chats := get("L-D4BA6F6E")
	if len(chats.Uncounted) != 0 {
		t.Errorf("concurrent chats: waiting chats count, got uncounted %v", chats.Uncounted)
	}
	if m := chats.Metric; m == nil || m.Name != "ConcurrentActiveChats" || m.Dimensions["MetricGroup"] != "Chats" {
		t.Errorf("concurrent chats metric = %+v", m)
	}
	if m := get("L-60553137").Metric; m == nil || m.Namespace != "AWS/Connect" || m.Name != "ConcurrentTasks" {
		t.Errorf("active tasks metric = %+v", m)
	}

	inst := get("L-AA17A6B9")
	if !inst.IsUnavailableTo(headroom.PartnerAISPL) || !strings.Contains(inst.Unavailable, "Amazon Internet Services Pvt. Ltd (AISPL)") {
		t.Errorf("instances: unavailable_to %v, message %q", inst.UnavailableTo, inst.Unavailable)
	}

	for _, tc := range []struct{ api, op, code string }{
		{"connect", "GetMetricData", "L-52794498"},
		{"connect", "GetCurrentMetricData", "L-ED2B0490"},
		{"connect", "CreateUser", "HR-CONNECT-RATE-CreateUser"},
		{"connect", "NotServedByHeadroom", "HR-CONNECT-API-RATE"},
		{"participant", "SendMessage", "HR-PARTICIPANT-SEND-MESSAGE-RATE"},
		{"contact-lens", "ListRealtimeContactAnalysisSegments", "HR-CONTACT-LENS-SEGMENTS-RATE"},
		{"profile", "MergeProfiles", "HR-PROFILE-MODIFICATIONS-RATE"},
	} {
		q, err := c.RateQuotaFor(tc.api, tc.op)
		if err != nil || q.Code != tc.code {
			t.Errorf("RateQuotaFor(%s, %s) = %v, %v; want %s", tc.api, tc.op, q, err, tc.code)
		}
	}
	if q, err := c.RateQuotaFor("profile", "SearchProfiles"); err == nil {
		t.Errorf("profile reads are not throttled by the catalog, got %s", q.Code)
	}

	for _, q := range c.Quotas() {
		if q.Code != "L-AA17A6B9" && (len(q.UnavailableTo) > 0 || q.Unavailable != "") {
			t.Errorf("%s: only the instances quota is unavailable to anyone", q.Code)
		}
		if len(q.Cohorts) > 0 {
			t.Errorf("%s: the seed gives no cohort defaults", q.Code)
		}
	}
}

func TestDefaultIsSharedAndSafe(t *testing.T) {
	done := make(chan *headroom.Catalog)
	for i := 0; i < 8; i++ {
		go func() {
			c, err := Default()
			if err != nil {
				t.Error(err)
			}
			done <- c
		}()
	}
	first := <-done
	for i := 1; i < 8; i++ {
		if c := <-done; c != first {
			t.Errorf("Default returned two catalogs")
		}
	}
	if first == nil {
		t.Fatal("Default returned nil")
	}
}

// TestDefaultHoldsEngineCodes checks that the codes the engine's Amazon
// Connect helpers name are in the default catalog, with the kind they use.
func TestDefaultHoldsEngineCodes(t *testing.T) {
	c := mustDefault(t)
	for code, kind := range map[string]headroom.Kind{
		headroom.CodeInstances:          cnt,
		headroom.CodeUsers:              cnt,
		headroom.CodeConcurrentCalls:    conc,
		headroom.CodeConcurrentChats:    conc,
		headroom.CodeActiveTasks:        conc,
		headroom.CodeQueuesPerProfile:   cnt,
		headroom.CodeConnectAPIRate:     rate,
		headroom.CodeOutboundCountries:  set,
		headroom.CodeAttachmentTypes:    set,
		headroom.CodeAttachmentSize:     size,
		headroom.CodeAttachmentsPerChat: cum,
		headroom.CodeChatMessageChars:   size,
		headroom.CodeChatDuration:       dur,
		headroom.CodeTaskDuration:       dur,
		headroom.CodeTaskTransfers:      cum,
		headroom.CodeLinkedTasks:        cum,
		headroom.CodeCTRRetention:       dur,
		headroom.CodeCTRAttributesSize:  size,
		headroom.CodeListenersPerCall:   conc,
		headroom.CodeChatsPerAgent:      conc,
		headroom.CodeWebsocketsPerParty: conc,
	} {
		q, err := c.Quota(code)
		if err != nil {
			t.Errorf("%s: %v", code, err)
			continue
		}
		if q.Kind != kind {
			t.Errorf("%s: kind %s, want %s", code, q.Kind, kind)
		}
	}
	if q, _ := c.Quota(headroom.CodeConcurrentCalls); q == nil || !q.IsUncounted(headroom.StateCallbackWaiting) {
		t.Errorf("concurrent calls must not count %s", headroom.StateCallbackWaiting)
	}
}
