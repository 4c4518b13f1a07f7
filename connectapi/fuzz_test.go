package connectapi_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/phone"
)

// FuzzRequestDecoders feeds arbitrary bodies, path values and queries to
// every operation. None may panic or fail with a server error: bad input
// always gets a 4xx modeled error.
func FuzzRequestDecoders(f *testing.F) {
	ctx := context.Background()
	cat, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk, Numbers: phone.Parser{}, Region: region})
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: acctA}, "test"); err != nil {
		f.Fatal(err)
	}
	h, err := connectapi.New(connectapi.Config{Engine: e, Region: region, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	const iid = "inst"
	ops := connectapi.Operations()
	// One instance with a queue, so that decoders get past the lookups.
	h.Invoke(ctx, "CreateInstance", acctA, nil, "", []byte(`{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true}`))
	seeds := []string{
		`{}`, `[]`, `null`, `{"Name":"q","HoursOfOperationId":"h","MaxContacts":5}`, `{"Username":"u","PhoneConfig":{"PhoneType":"SOFT_PHONE"},"SecurityProfileIds":["s"],"RoutingProfileId":"r"}`,
		`{"InstanceId":"inst","ContactFlowId":"f","DestinationPhoneNumber":"+12065550100"}`, `{"QueueConfigs":[{"QueueReference":{"QueueId":"x","Channel":"VOICE"},"Priority":1,"Delay":0}]}`,
		`{"TargetArn":"arn:aws:connect:us-east-1:123456789012:instance/inst","PhoneNumber":"+12065550100"}`, `{"LexBot":{"Name":"b","LexRegion":"us-east-1"}}`,
		`{"Filters":{"Channels":["VOICE"]},"CurrentMetrics":[{"Name":"CONTACTS_IN_QUEUE"}],"Groupings":["CHANNEL"]}`,
		`{"StartTime":1,"EndTime":2,"Filters":{},"HistoricalMetrics":[{"Name":"CONTACTS_QUEUED"}]}`, `{"Attributes":{"a":"b"},"InstanceId":"inst","InitialContactId":"c"}`,
		"\x00", `{"MaxContacts":1e400}`, `{"Name":"` + "\xff" + `"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), s, iid, "x", "maxResults=3")
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, body, instance, id, query string) {
		op := ops[int(opIndex)%len(ops)]
		path := map[string]string{"InstanceId": instance}
		for _, k := range []string{"UserId", "QueueId", "RoutingProfileId", "ContactId", "ContactFlowId", "HoursOfOperationId", "PromptId",
			"QuickConnectId", "SecurityProfileId", "HierarchyGroupId", "PhoneNumberId"} {
			path[k] = id
		}
		name, status := h.Invoke(ctx, op, acctA, path, query, []byte(body))
		if status >= 500 {
			t.Fatalf("%s %q: %s %d", op, body, name, status)
		}
		if status != 200 && name == "" {
			t.Fatalf("%s %q: status %d without an error name", op, body, status)
		}
	})
}
