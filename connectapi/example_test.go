package connectapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/phone"
)

// Headroom as a local Amazon Connect: the official SDK creates an instance
// and places calls until the 11th is refused, and reads the concurrent
// calls quota with the seed's trick.
func Example() {
	ctx := context.Background()

	// An in-process Headroom with the Connect API on a loopback address.
	cat, _ := catalog.Default()
	clk := clock.NewCoarse(0)
	defer clk.Close()
	engine, _ := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk, Numbers: phone.Parser{}})
	api, _ := connectapi.New(connectapi.Config{Engine: engine, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	mux := http.NewServeMux()
	api.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A tenant with an access key, as `headroom accounts create` makes.
	_, key, _ := engine.CreateAccount(ctx, headroom.Account{ID: "123456789012"}, "example")
	// Tests make many calls quickly: lift the account's 2/s API rates, one
	// per Connect operation.
	for _, q := range cat.Quotas() {
		if q.Kind == headroom.KindRate && q.Service == "connect" && q.Scope == headroom.ScopeAccount {
			engine.SetOverride(ctx, headroom.Override{Account: "123456789012", Code: q.Code, Scope: headroom.ScopeAccount, Value: 1000}, "example")
		}
	}

	// The official SDK, pointed at Headroom.
	client := connect.NewFromConfig(aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key.ID, key.Secret, "")},
		func(o *connect.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
			o.Retryer = aws.NopRetryer{} // see quota errors at once
		})

	inst, _ := client.CreateInstance(ctx, &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled:    aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})

	// A new instance comes with Connect's defaults, found by name.
	flows, _ := client.ListContactFlows(ctx, &connect.ListContactFlowsInput{InstanceId: inst.Id,
		ContactFlowTypes: []types.ContactFlowType{types.ContactFlowTypeContactFlow}})
	flow := flows.ContactFlowSummaryList[0].Id

	var err error
	for i := 1; i <= 11 && err == nil; i++ {
		_, err = client.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{
			InstanceId: inst.Id, ContactFlowId: flow,
			DestinationPhoneNumber: aws.String(fmt.Sprintf("+1206555%04d", i))})
	}
	var ae smithy.APIError
	errors.As(err, &ae)
	fmt.Println(ae.ErrorCode())

	// The seed's trick: an oversized queue contact limit reveals the quota.
	hours, _ := client.ListHoursOfOperations(ctx, &connect.ListHoursOfOperationsInput{InstanceId: inst.Id})
	var basic *string
	for _, h := range hours.HoursOfOperationSummaryList {
		if *h.Name == "Basic Hours" {
			basic = h.Id
		}
	}
	q, _ := client.CreateQueue(ctx, &connect.CreateQueueInput{InstanceId: inst.Id, Name: aws.String("support"), HoursOfOperationId: basic})
	_, err = client.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: inst.Id, QueueId: q.QueueId, MaxContacts: aws.Int32(99999)})
	errors.As(err, &ae)
	fmt.Println(ae.ErrorCode())
	msg, _, _ := strings.Cut(ae.ErrorMessage(), " for instance")
	fmt.Println(msg)
	// Output:
	// LimitExceededException
	// InvalidParameterException
	// MaxContacts of 99999 cannot exceed the concurrent calls quota of 10
}
