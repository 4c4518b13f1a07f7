package connectapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// pages drains an SDK paginator and returns the names it saw and the
// number of pages.
func pages[O any](t *testing.T, p interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*connect.Options)) (O, error)
}, names func(O) []string) ([]string, int) {
	t.Helper()
	var all []string
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, names(out)...)
		n++
	}
	return all, n
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// A new instance comes with Connect's defaults, which an application finds
// by name with the List calls and reads with the Describe calls; an
// instance is described by its id or its ARN.
func TestInstanceDefaults(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	d := defaultsOf(iid)

	sp := must[*connect.ListSecurityProfilesOutput](t)(c.ListSecurityProfiles(ctx, &connect.ListSecurityProfilesInput{InstanceId: &iid}))
	var names []string
	for _, s := range sp.SecurityProfileSummaryList {
		names = append(names, *s.Name)
	}
	if got := sorted(names); !slices.Equal(got, []string{"Admin", "Agent", "CallCenterManager", "QualityAnalyst"}) {
		t.Errorf("security profiles %v", got)
	}
	hours := must[*connect.DescribeHoursOfOperationOutput](t)(c.DescribeHoursOfOperation(ctx, &connect.DescribeHoursOfOperationInput{InstanceId: &iid, HoursOfOperationId: &d.hours}))
	if *hours.HoursOfOperation.Name != "Basic Hours" || len(hours.HoursOfOperation.Config) != 7 || *hours.HoursOfOperation.HoursOfOperationId != d.hours {
		t.Errorf("hours %+v", hours.HoursOfOperation)
	}
	q := must[*connect.DescribeQueueOutput](t)(c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: &iid, QueueId: &d.queue}))
	if *q.Queue.Name != "BasicQueue" || *q.Queue.HoursOfOperationId != d.hours || q.Queue.Status != types.QueueStatusEnabled {
		t.Errorf("queue %+v", q.Queue)
	}
	rp := must[*connect.DescribeRoutingProfileOutput](t)(c.DescribeRoutingProfile(ctx, &connect.DescribeRoutingProfileInput{InstanceId: &iid, RoutingProfileId: &d.routingProfile}))
	if *rp.RoutingProfile.Name != "Basic Routing Profile" || *rp.RoutingProfile.DefaultOutboundQueueId != d.queue || *rp.RoutingProfile.NumberOfAssociatedQueues != 3 {
		t.Errorf("routing profile %+v", rp.RoutingProfile)
	}
	rq := must[*connect.ListRoutingProfileQueuesOutput](t)(c.ListRoutingProfileQueues(ctx, &connect.ListRoutingProfileQueuesInput{InstanceId: &iid, RoutingProfileId: &d.routingProfile}))
	if len(rq.RoutingProfileQueueConfigSummaryList) != 3 || *rq.RoutingProfileQueueConfigSummaryList[0].QueueName != "BasicQueue" {
		t.Errorf("routing profile queues %+v", rq.RoutingProfileQueueConfigSummaryList)
	}

	st := must[*connect.ListAgentStatusesOutput](t)(c.ListAgentStatuses(ctx, &connect.ListAgentStatusesInput{InstanceId: &iid,
		AgentStatusTypes: []types.AgentStatusType{types.AgentStatusTypeRoutable}}))
	if len(st.AgentStatusSummaryList) != 1 || *st.AgentStatusSummaryList[0].Name != "Available" {
		t.Fatalf("routable statuses %+v", st.AgentStatusSummaryList)
	}
	as := must[*connect.DescribeAgentStatusOutput](t)(c.DescribeAgentStatus(ctx, &connect.DescribeAgentStatusInput{InstanceId: &iid, AgentStatusId: st.AgentStatusSummaryList[0].Id}))
	if as.AgentStatus.Type != types.AgentStatusTypeRoutable || as.AgentStatus.State != types.AgentStatusStateEnabled || *as.AgentStatus.AgentStatusId != *st.AgentStatusSummaryList[0].Id {
		t.Errorf("agent status %+v", as.AgentStatus)
	}

	flows := must[*connect.ListContactFlowsOutput](t)(c.ListContactFlows(ctx, &connect.ListContactFlowsInput{InstanceId: &iid,
		ContactFlowTypes: []types.ContactFlowType{types.ContactFlowTypeContactFlow}}))
	if len(flows.ContactFlowSummaryList) != 1 || *flows.ContactFlowSummaryList[0].Id != d.flow {
		t.Fatalf("flows %+v", flows.ContactFlowSummaryList)
	}
	f := must[*connect.DescribeContactFlowOutput](t)(c.DescribeContactFlow(ctx, &connect.DescribeContactFlowInput{InstanceId: &iid, ContactFlowId: &d.flow}))
	if f.ContactFlow.Type != types.ContactFlowTypeContactFlow || f.ContactFlow.State != types.ContactFlowStateActive || *f.ContactFlow.Content == "" {
		t.Errorf("flow %+v", f.ContactFlow)
	}

	arn := "arn:aws:connect:" + region + ":" + acctA + ":instance/" + iid
	in := must[*connect.DescribeInstanceOutput](t)(c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &arn}))
	if *in.Instance.Id != iid {
		t.Errorf("instance by ARN: %+v", in.Instance)
	}
	byARN := must[*connect.ListQueuesOutput](t)(c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: &arn}))
	if len(byARN.QueueSummaryList) != 1 {
		t.Errorf("queues by instance ARN: %+v", byARN.QueueSummaryList)
	}
	other := "arn:aws:connect:" + region + ":" + acctB + ":instance/" + iid
	_, err := c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &other})
	wantErr(t, err, "ResourceNotFoundException", 404)

	for _, err := range []error{
		func() error {
			_, err := c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: &iid, QueueId: aws.String("nope")})
			return err
		}(),
		func() error {
			_, err := c.DescribeContactFlow(ctx, &connect.DescribeContactFlowInput{InstanceId: &iid, ContactFlowId: aws.String("nope")})
			return err
		}(),
		func() error {
			_, err := c.ListPrompts(ctx, &connect.ListPromptsInput{InstanceId: aws.String("no-such-instance")})
			return err
		}(),
	} {
		wantErr(t, err, "ResourceNotFoundException", 404)
	}
	_, err = c.ListBots(ctx, &connect.ListBotsInput{InstanceId: &iid, LexVersion: "V3"})
	wantErr(t, err, "InvalidRequestException", 400, "lexVersion")
}

// Every List call pages with the SDK's paginators, across three pages and
// more, each name once; a token is good only for the call it came from.
func TestListPaging(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	d := defaultsOf(iid)
	var want []string
	for i := range 7 {
		name := fmt.Sprint("q", i)
		must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, name)))
		must[*connect.CreateSecurityProfileOutput](t)(c.CreateSecurityProfile(ctx, &connect.CreateSecurityProfileInput{InstanceId: &iid, SecurityProfileName: aws.String(name)}))
		must[*connect.CreatePromptOutput](t)(c.CreatePrompt(ctx, &connect.CreatePromptInput{InstanceId: &iid, Name: aws.String(name), S3Uri: aws.String("s3://b/" + name)}))
		must[*connect.CreateQuickConnectOutput](t)(c.CreateQuickConnect(ctx, &connect.CreateQuickConnectInput{InstanceId: &iid, Name: aws.String(name),
			QuickConnectConfig: &types.QuickConnectConfig{QuickConnectType: types.QuickConnectTypePhoneNumber, PhoneConfig: &types.PhoneNumberQuickConnectConfig{PhoneNumber: aws.String("+12065550100")}}}))
		must[*connect.CreateUserHierarchyGroupOutput](t)(c.CreateUserHierarchyGroup(ctx, &connect.CreateUserHierarchyGroupInput{InstanceId: &iid, Name: aws.String(name)}))
		must[*connect.CreateHoursOfOperationOutput](t)(c.CreateHoursOfOperation(ctx, &connect.CreateHoursOfOperationInput{InstanceId: &iid, Name: aws.String(name),
			TimeZone: aws.String("UTC"), Config: []types.HoursOfOperationConfig{}}))
		must[*connect.AssociateLambdaFunctionOutput](t)(c.AssociateLambdaFunction(ctx, &connect.AssociateLambdaFunctionInput{InstanceId: &iid,
			FunctionArn: aws.String("arn:aws:lambda:" + region + ":" + acctA + ":function:" + name)}))
		must[*connect.AssociateBotOutput](t)(c.AssociateBot(ctx, &connect.AssociateBotInput{InstanceId: &iid,
			LexV2Bot: &types.LexV2Bot{AliasArn: aws.String(fmt.Sprintf("arn:aws:lex:%s:%s:bot-alias/BOT%d/ALIAS", region, acctA, i))}}))
		want = append(want, name)
	}
	max := aws.Int32(3)
	check := func(what string, got []string, n, minPages int, extra ...string) {
		t.Helper()
		w := sorted(append(slices.Clone(want), extra...))
		if !slices.Equal(sorted(got), w) || n < minPages {
			t.Errorf("%s: %d pages of %v, want %v", what, n, sorted(got), w)
		}
	}
	got, n := pages(t, connect.NewListQueuesPaginator(c, &connect.ListQueuesInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListQueuesOutput) (s []string) {
			for _, x := range o.QueueSummaryList {
				s = append(s, *x.Name)
			}
			return
		})
	check("queues", got, n, 3, "BasicQueue")
	got, n = pages(t, connect.NewListSecurityProfilesPaginator(c, &connect.ListSecurityProfilesInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListSecurityProfilesOutput) (s []string) {
			for _, x := range o.SecurityProfileSummaryList {
				s = append(s, *x.Name)
			}
			return
		})
	check("security profiles", got, n, 3, "Admin", "Agent", "CallCenterManager", "QualityAnalyst")
	got, n = pages(t, connect.NewListPromptsPaginator(c, &connect.ListPromptsInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListPromptsOutput) (s []string) {
			for _, x := range o.PromptSummaryList {
				s = append(s, *x.Name)
			}
			return
		})
	check("prompts", got, n, 3)
	got, n = pages(t, connect.NewListQuickConnectsPaginator(c, &connect.ListQuickConnectsInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListQuickConnectsOutput) (s []string) {
			for _, x := range o.QuickConnectSummaryList {
				if x.QuickConnectType != types.QuickConnectTypePhoneNumber {
					t.Errorf("quick connect type %q", x.QuickConnectType)
				}
				s = append(s, *x.Name)
			}
			return
		})
	check("quick connects", got, n, 3)
	got, n = pages(t, connect.NewListUserHierarchyGroupsPaginator(c, &connect.ListUserHierarchyGroupsInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListUserHierarchyGroupsOutput) (s []string) {
			for _, x := range o.UserHierarchyGroupSummaryList {
				s = append(s, *x.Name)
			}
			return
		})
	check("hierarchy groups", got, n, 3)
	got, n = pages(t, connect.NewListHoursOfOperationsPaginator(c, &connect.ListHoursOfOperationsInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListHoursOfOperationsOutput) (s []string) {
			for _, x := range o.HoursOfOperationSummaryList {
				s = append(s, *x.Name)
			}
			return
		})
	check("hours", got, n, 3, "Basic Hours")
	got, n = pages(t, connect.NewListLambdaFunctionsPaginator(c, &connect.ListLambdaFunctionsInput{InstanceId: &iid, MaxResults: max}),
		func(o *connect.ListLambdaFunctionsOutput) (s []string) {
			for _, x := range o.LambdaFunctions {
				s = append(s, x[len(x)-2:])
			}
			return
		})
	check("lambda functions", got, n, 3)
	got, n = pages(t, connect.NewListBotsPaginator(c, &connect.ListBotsInput{InstanceId: &iid, LexVersion: types.LexVersionV2, MaxResults: max}),
		func(o *connect.ListBotsOutput) (s []string) {
			for _, x := range o.LexBots {
				s = append(s, "q"+(*x.LexV2Bot.AliasArn)[len(*x.LexV2Bot.AliasArn)-7:len(*x.LexV2Bot.AliasArn)-6])
			}
			return
		})
	check("bots", got, n, 3)
	v1 := must[*connect.ListBotsOutput](t)(c.ListBots(ctx, &connect.ListBotsInput{InstanceId: &iid, LexVersion: types.LexVersionV1}))
	if len(v1.LexBots) != 0 {
		t.Errorf("V1 bots %+v", v1.LexBots)
	}
	var attrs []string
	p := connect.NewListInstanceAttributesPaginator(c, &connect.ListInstanceAttributesInput{InstanceId: &iid, MaxResults: aws.Int32(4)})
	pagesSeen := 0
	for p.HasMorePages() {
		out := must[*connect.ListInstanceAttributesOutput](t)(p.NextPage(ctx))
		for _, a := range out.Attributes {
			attrs = append(attrs, string(a.AttributeType)+"="+*a.Value)
		}
		pagesSeen++
	}
	if pagesSeen < 3 || !slices.Contains(attrs, "INBOUND_CALLS=true") || len(attrs) != 12 {
		t.Errorf("%d pages of attributes %v", pagesSeen, attrs)
	}
	rq, n := pages(t, connect.NewListRoutingProfileQueuesPaginator(c, &connect.ListRoutingProfileQueuesInput{InstanceId: &iid, RoutingProfileId: &d.routingProfile, MaxResults: aws.Int32(1)}),
		func(o *connect.ListRoutingProfileQueuesOutput) (s []string) {
			for _, x := range o.RoutingProfileQueueConfigSummaryList {
				s = append(s, string(x.Channel))
			}
			return
		})
	if n != 3 || !slices.Equal(sorted(rq), []string{"CHAT", "TASK", "VOICE"}) {
		t.Errorf("%d pages of routing profile queues %v", n, rq)
	}

	// A token is bound to its operation and instance.
	first := must[*connect.ListQueuesOutput](t)(c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: &iid, MaxResults: max}))
	_, err := c.ListPrompts(ctx, &connect.ListPromptsInput{InstanceId: &iid, NextToken: first.NextToken})
	wantErr(t, err, "InvalidParameterException", 400, "NextToken")
	_, err = c.ListQueues(ctx, &connect.ListQueuesInput{InstanceId: &iid, MaxResults: aws.Int32(1001)})
	wantErr(t, err, "InvalidParameterException", 400, "maxResults")
}
