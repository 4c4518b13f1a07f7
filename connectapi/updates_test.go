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

// SearchUsers, SearchQueues and SearchRoutingProfiles with string
// conditions (EXACT, CONTAINS, STARTS_WITH, nested Or/And) and tag
// filters, paged with the SDK's paginators.
func TestSearch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	for i := range 7 {
		in := userInput(iid, fmt.Sprint("agent", i))
		in.Tags = map[string]string{"team": []string{"red", "blue"}[i%2]}
		must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, in))
		q := queueInput(iid, fmt.Sprint("sales-", i))
		q.Tags = in.Tags
		must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, q))
	}
	must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "supervisor")))
	str := func(field, value string, cmp types.StringComparisonType) *types.StringCondition {
		return &types.StringCondition{FieldName: &field, Value: &value, ComparisonType: cmp}
	}
	users := func(crit *types.UserSearchCriteria, filter *types.UserSearchFilter) ([]string, int) {
		p := connect.NewSearchUsersPaginator(c, &connect.SearchUsersInput{InstanceId: &iid, MaxResults: aws.Int32(2), SearchCriteria: crit, SearchFilter: filter})
		return pages(t, p, func(o *connect.SearchUsersOutput) (s []string) {
			for _, u := range o.Users {
				s = append(s, *u.Username)
			}
			return
		})
	}
	got, n := users(&types.UserSearchCriteria{StringCondition: str("username", "agent", types.StringComparisonTypeStartsWith)}, nil)
	if len(got) != 7 || n != 4 {
		t.Errorf("STARTS_WITH agent: %d pages of %v", n, got)
	}
	got, _ = users(&types.UserSearchCriteria{StringCondition: str("username", "AGENT3", types.StringComparisonTypeExact)}, nil)
	if !slices.Equal(got, []string{"agent3"}) {
		t.Errorf("EXACT: %v", got)
	}
	got, _ = users(&types.UserSearchCriteria{OrConditions: []types.UserSearchCriteria{
		{StringCondition: str("username", "vis", types.StringComparisonTypeContains)},
		{StringCondition: str("username", "agent1", types.StringComparisonTypeExact)}}}, nil)
	if !slices.Equal(sorted(got), []string{"agent1", "supervisor"}) {
		t.Errorf("Or: %v", got)
	}
	got, n = users(nil, &types.UserSearchFilter{TagFilter: &types.ControlPlaneTagFilter{
		OrConditions: [][]types.TagCondition{{{TagKey: aws.String("team"), TagValue: aws.String("red")}}}}})
	if len(got) != 4 || n != 2 {
		t.Errorf("tag team=red: %d pages of %v", n, got)
	}
	// The filter sees the tags of TagResource and UntagResource too: one
	// store of tags, whether given at create or later.
	sup := must[*connect.SearchUsersOutput](t)(c.SearchUsers(ctx, &connect.SearchUsersInput{InstanceId: &iid,
		SearchCriteria: &types.UserSearchCriteria{StringCondition: str("username", "supervisor", types.StringComparisonTypeExact)}}))
	must[*connect.TagResourceOutput](t)(c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: sup.Users[0].Arn, Tags: map[string]string{"team": "red"}}))
	agent0 := must[*connect.SearchUsersOutput](t)(c.SearchUsers(ctx, &connect.SearchUsersInput{InstanceId: &iid,
		SearchCriteria: &types.UserSearchCriteria{StringCondition: str("username", "agent0", types.StringComparisonTypeExact)}}))
	if tags := must[*connect.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: agent0.Users[0].Arn})); tags.Tags["team"] != "red" {
		t.Errorf("tags given at create, as ListTagsForResource lists them: %v", tags.Tags)
	}
	must[*connect.UntagResourceOutput](t)(c.UntagResource(ctx, &connect.UntagResourceInput{ResourceArn: agent0.Users[0].Arn, TagKeys: []string{"team"}}))
	got, _ = users(nil, &types.UserSearchFilter{TagFilter: &types.ControlPlaneTagFilter{
		OrConditions: [][]types.TagCondition{{{TagKey: aws.String("team"), TagValue: aws.String("red")}}}}})
	if !slices.Equal(sorted(got), []string{"agent2", "agent4", "agent6", "supervisor"}) {
		t.Errorf("tag team=red after TagResource and UntagResource: %v", got)
	}
	// Bad tags at create refuse the create, which stores nothing.
	bad := userInput(iid, "badtags")
	bad.Tags = map[string]string{"aws:reserved": "x"}
	if _, err := c.CreateUser(ctx, bad); err == nil {
		t.Error("CreateUser with an aws: tag succeeded")
	}
	if got, _ := users(&types.UserSearchCriteria{StringCondition: str("username", "badtags", types.StringComparisonTypeExact)}, nil); len(got) != 0 {
		t.Errorf("a refused create stored its user: %v", got)
	}
	out := must[*connect.SearchUsersOutput](t)(c.SearchUsers(ctx, &connect.SearchUsersInput{InstanceId: &iid, MaxResults: aws.Int32(3)}))
	if *out.ApproximateTotalCount != 8 || len(out.Users) != 3 || *out.Users[0].RoutingProfileId != defaultsOf(iid).routingProfile {
		t.Errorf("all users: %d of %d", len(out.Users), *out.ApproximateTotalCount)
	}

	qp := connect.NewSearchQueuesPaginator(c, &connect.SearchQueuesInput{InstanceId: &iid, MaxResults: aws.Int32(2),
		SearchCriteria: &types.QueueSearchCriteria{StringCondition: str("name", "sales", types.StringComparisonTypeContains)},
		SearchFilter:   &types.QueueSearchFilter{TagFilter: &types.ControlPlaneTagFilter{TagCondition: &types.TagCondition{TagKey: aws.String("team"), TagValue: aws.String("blue")}}}})
	got, n = pages(t, qp, func(o *connect.SearchQueuesOutput) (s []string) {
		for _, q := range o.Queues {
			s = append(s, *q.Name)
		}
		return
	})
	if !slices.Equal(sorted(got), []string{"sales-1", "sales-3", "sales-5"}) || n != 2 {
		t.Errorf("queues: %d pages of %v", n, got)
	}
	rp := must[*connect.SearchRoutingProfilesOutput](t)(c.SearchRoutingProfiles(ctx, &connect.SearchRoutingProfilesInput{InstanceId: &iid,
		SearchCriteria: &types.RoutingProfileSearchCriteria{StringCondition: str("name", "basic", types.StringComparisonTypeStartsWith)}}))
	if len(rp.RoutingProfiles) != 1 || *rp.RoutingProfiles[0].RoutingProfileId != defaultsOf(iid).routingProfile {
		t.Errorf("routing profiles %+v", rp.RoutingProfiles)
	}

	_, err := c.SearchUsers(ctx, &connect.SearchUsersInput{InstanceId: &iid, SearchCriteria: &types.UserSearchCriteria{StringCondition: str("shoeSize", "9", types.StringComparisonTypeExact)}})
	wantErr(t, err, "InvalidParameterException", 400, "FieldName")
	_, err = c.SearchQueues(ctx, &connect.SearchQueuesInput{InstanceId: aws.String("no-such-instance")})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.SearchQueues(ctx, &connect.SearchQueuesInput{InstanceId: &iid, NextToken: out.NextToken})
	wantErr(t, err, "InvalidParameterException", 400, "NextToken")
}

// The user, queue and flow updates change what the Describe calls return;
// each id they name must be the instance's.
func TestUpdates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	d := defaultsOf(iid)
	u := must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "ana")))
	rp := must[*connect.CreateRoutingProfileOutput](t)(c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: &iid,
		Name: aws.String("Sales"), Description: aws.String("sales"), DefaultOutboundQueueId: &d.queue,
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)}}}))

	must[*connect.UpdateUserRoutingProfileOutput](t)(c.UpdateUserRoutingProfile(ctx, &connect.UpdateUserRoutingProfileInput{InstanceId: &iid, UserId: u.UserId, RoutingProfileId: rp.RoutingProfileId}))
	must[*connect.UpdateUserSecurityProfilesOutput](t)(c.UpdateUserSecurityProfiles(ctx, &connect.UpdateUserSecurityProfilesInput{InstanceId: &iid, UserId: u.UserId,
		SecurityProfileIds: []string{d.admin, d.agent}}))
	must[*connect.UpdateUserIdentityInfoOutput](t)(c.UpdateUserIdentityInfo(ctx, &connect.UpdateUserIdentityInfoInput{InstanceId: &iid, UserId: u.UserId,
		IdentityInfo: &types.UserIdentityInfo{FirstName: aws.String("Ana"), LastName: aws.String("Lima"), Email: aws.String("ana@example.com")}}))
	du := must[*connect.DescribeUserOutput](t)(c.DescribeUser(ctx, &connect.DescribeUserInput{InstanceId: &iid, UserId: u.UserId}))
	if *du.User.RoutingProfileId != *rp.RoutingProfileId || len(du.User.SecurityProfileIds) != 2 || *du.User.IdentityInfo.FirstName != "Ana" {
		t.Errorf("user %+v", du.User)
	}

	_, err := c.UpdateUserRoutingProfile(ctx, &connect.UpdateUserRoutingProfileInput{InstanceId: &iid, UserId: u.UserId, RoutingProfileId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	_, err = c.UpdateUserSecurityProfiles(ctx, &connect.UpdateUserSecurityProfilesInput{InstanceId: &iid, UserId: u.UserId, SecurityProfileIds: []string{d.agent, "nope"}})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	_, err = c.UpdateUserRoutingProfile(ctx, &connect.UpdateUserRoutingProfileInput{InstanceId: &iid, UserId: aws.String("nobody"), RoutingProfileId: rp.RoutingProfileId})
	wantErr(t, err, "ResourceNotFoundException", 404, "nobody")
	_, err = c.UpdateUserIdentityInfo(ctx, &connect.UpdateUserIdentityInfoInput{InstanceId: &iid, UserId: u.UserId, IdentityInfo: &types.UserIdentityInfo{FirstName: aws.String("A\x07na")}})
	wantErr(t, err, "InvalidParameterException", 400, "control")

	must[*connect.UpdateQueueStatusOutput](t)(c.UpdateQueueStatus(ctx, &connect.UpdateQueueStatusInput{InstanceId: &iid, QueueId: &d.queue, Status: types.QueueStatusDisabled}))
	dq := must[*connect.DescribeQueueOutput](t)(c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: &iid, QueueId: &d.queue}))
	if dq.Queue.Status != types.QueueStatusDisabled {
		t.Errorf("queue status %q", dq.Queue.Status)
	}
	_, err = c.UpdateQueueStatus(ctx, &connect.UpdateQueueStatusInput{InstanceId: &iid, QueueId: &d.queue, Status: "PAUSED"})
	wantErr(t, err, "InvalidParameterException", 400, "Status")

	content := `{"Version":"2019-10-30","StartAction":"a","Actions":[]}`
	must[*connect.UpdateContactFlowContentOutput](t)(c.UpdateContactFlowContent(ctx, &connect.UpdateContactFlowContentInput{InstanceId: &iid, ContactFlowId: &d.flow, Content: &content}))
	df := must[*connect.DescribeContactFlowOutput](t)(c.DescribeContactFlow(ctx, &connect.DescribeContactFlowInput{InstanceId: &iid, ContactFlowId: &d.flow}))
	if *df.ContactFlow.Content != content {
		t.Errorf("content %q", *df.ContactFlow.Content)
	}
	_, err = c.UpdateContactFlowContent(ctx, &connect.UpdateContactFlowContentInput{InstanceId: &iid, ContactFlowId: &d.flow, Content: aws.String("not json")})
	wantErr(t, err, "InvalidContactFlowException", 400)
	_, err = c.UpdateContactFlowContent(ctx, &connect.UpdateContactFlowContentInput{InstanceId: &iid, ContactFlowId: aws.String("nope"), Content: &content})
	wantErr(t, err, "ResourceNotFoundException", 404)

	chat := chatInput(iid, "tok", "Ana")
	chat.Attributes = map[string]string{"lang": "pt"}
	started := must[*connect.StartChatContactOutput](t)(c.StartChatContact(ctx, chat))
	attrs := must[*connect.GetContactAttributesOutput](t)(c.GetContactAttributes(ctx, &connect.GetContactAttributesInput{InstanceId: &iid, InitialContactId: started.ContactId}))
	if attrs.Attributes["lang"] != "pt" {
		t.Errorf("attributes %v", attrs.Attributes)
	}
	_, err = c.GetContactAttributes(ctx, &connect.GetContactAttributesInput{InstanceId: &iid, InitialContactId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404)
}

// Every id a create names must be the instance's; a resource another uses
// is not deleted (ResourceInUseException) until that use goes.
func TestReferences(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid, other := e.instance(acctA), e.instance(acctA)
	d := defaultsOf(iid)

	for name, mut := range map[string]func(in *connect.CreateUserInput){
		"security profile":       func(in *connect.CreateUserInput) { in.SecurityProfileIds = []string{d.agent, "nope"} },
		"routing profile":        func(in *connect.CreateUserInput) { in.RoutingProfileId = aws.String("nope") },
		"hierarchy group":        func(in *connect.CreateUserInput) { in.HierarchyGroupId = aws.String("nope") },
		"other instance profile": func(in *connect.CreateUserInput) { in.RoutingProfileId = aws.String(defaultsOf(other).routingProfile) },
	} {
		in := userInput(iid, "x")
		mut(in)
		_, err := c.CreateUser(ctx, in)
		t.Run(name, func(t *testing.T) { wantErr(t, err, "ResourceNotFoundException", 404) })
	}
	q := queueInput(iid, "q")
	q.HoursOfOperationId = aws.String("nope")
	_, err := c.CreateQueue(ctx, q)
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	q = queueInput(iid, "q")
	q.QuickConnectIds = []string{"nope"}
	_, err = c.CreateQueue(ctx, q)
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	chat := chatInput(iid, "t", "Ana")
	chat.ContactFlowId = aws.String("nope")
	_, err = c.StartChatContact(ctx, chat)
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	_, err = c.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{InstanceId: &iid, ContactFlowId: aws.String("nope"), DestinationPhoneNumber: aws.String("+12065550100")})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	_, err = c.StartTaskContact(ctx, &connect.StartTaskContactInput{InstanceId: &iid, Name: aws.String("t"), ContactFlowId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	_, err = c.StartTaskContact(ctx, &connect.StartTaskContactInput{InstanceId: &iid, Name: aws.String("t"), QuickConnectId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	task := must[*connect.StartTaskContactOutput](t)(c.StartTaskContact(ctx, &connect.StartTaskContactInput{InstanceId: &iid, Name: aws.String("t"), ContactFlowId: &d.flow}))
	_, err = c.TransferContact(ctx, &connect.TransferContactInput{InstanceId: &iid, ContactId: task.ContactId, ContactFlowId: aws.String("nope"), QueueId: &d.queue})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	_, err = c.TransferContact(ctx, &connect.TransferContactInput{InstanceId: &iid, ContactId: task.ContactId, ContactFlowId: &d.flow, QueueId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	q = queueInput(iid, "q")
	q.Name = aws.String("bad\nname")
	_, err = c.CreateQueue(ctx, q)
	wantErr(t, err, "InvalidParameterException", 400, "control")

	// Hours used by a queue.
	h := must[*connect.CreateHoursOfOperationOutput](t)(c.CreateHoursOfOperation(ctx, &connect.CreateHoursOfOperationInput{InstanceId: &iid, Name: aws.String("Night"),
		TimeZone: aws.String("UTC"), Config: []types.HoursOfOperationConfig{}}))
	q = queueInput(iid, "night")
	q.HoursOfOperationId = h.HoursOfOperationId
	nq := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, q))
	_, err = c.DeleteHoursOfOperation(ctx, &connect.DeleteHoursOfOperationInput{InstanceId: &iid, HoursOfOperationId: h.HoursOfOperationId})
	wantErr(t, err, "ResourceInUseException", 409)

	// A queue used by a routing profile, until it is disassociated.
	rp := must[*connect.CreateRoutingProfileOutput](t)(c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: &iid,
		Name: aws.String("Night"), Description: aws.String("night"), DefaultOutboundQueueId: &d.queue,
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)}},
		QueueConfigs: []types.RoutingProfileQueueConfig{{QueueReference: &types.RoutingProfileQueueReference{QueueId: nq.QueueId, Channel: types.ChannelVoice},
			Priority: aws.Int32(1), Delay: aws.Int32(0)}}}))
	_, err = c.DeleteQueue(ctx, &connect.DeleteQueueInput{InstanceId: &iid, QueueId: nq.QueueId})
	wantErr(t, err, "ResourceInUseException", 409)
	must[*connect.DisassociateRoutingProfileQueuesOutput](t)(c.DisassociateRoutingProfileQueues(ctx, &connect.DisassociateRoutingProfileQueuesInput{InstanceId: &iid,
		RoutingProfileId: rp.RoutingProfileId, QueueReferences: []types.RoutingProfileQueueReference{{QueueId: nq.QueueId, Channel: types.ChannelVoice}}}))
	must[*connect.DeleteQueueOutput](t)(c.DeleteQueue(ctx, &connect.DeleteQueueInput{InstanceId: &iid, QueueId: nq.QueueId}))
	must[*connect.DeleteHoursOfOperationOutput](t)(c.DeleteHoursOfOperation(ctx, &connect.DeleteHoursOfOperationInput{InstanceId: &iid, HoursOfOperationId: h.HoursOfOperationId}))

	// A queue named by a quick connect.
	qq := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "transfer")))
	qcIn := func(queue string) *connect.CreateQuickConnectInput {
		return &connect.CreateQuickConnectInput{InstanceId: &iid, Name: aws.String("to " + queue), QuickConnectConfig: &types.QuickConnectConfig{
			QuickConnectType: types.QuickConnectTypeQueue, QueueConfig: &types.QueueQuickConnectConfig{QueueId: &queue, ContactFlowId: &d.flow}}}
	}
	_, err = c.CreateQuickConnect(ctx, qcIn("nope"))
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	qc := must[*connect.CreateQuickConnectOutput](t)(c.CreateQuickConnect(ctx, qcIn(*qq.QueueId)))
	_, err = c.DeleteQueue(ctx, &connect.DeleteQueueInput{InstanceId: &iid, QueueId: qq.QueueId})
	wantErr(t, err, "ResourceInUseException", 409)
	must[*connect.DeleteQuickConnectOutput](t)(c.DeleteQuickConnect(ctx, &connect.DeleteQuickConnectInput{InstanceId: &iid, QuickConnectId: qc.QuickConnectId}))
	must[*connect.DeleteQueueOutput](t)(c.DeleteQueue(ctx, &connect.DeleteQueueInput{InstanceId: &iid, QueueId: qq.QueueId}))

	// A phone number and a flow named by a queue's outbound caller config.
	num := must[*connect.ClaimPhoneNumberOutput](t)(c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &iid, PhoneNumber: aws.String("+12065550199")}))
	out := queueInput(iid, "outbound")
	out.OutboundCallerConfig = &types.OutboundCallerConfig{OutboundCallerIdNumberId: aws.String("nope")}
	_, err = c.CreateQueue(ctx, out)
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	out.OutboundCallerConfig = &types.OutboundCallerConfig{OutboundCallerIdNumberId: num.PhoneNumberId, OutboundFlowId: &d.flow, OutboundCallerIdName: aws.String("Sales")}
	oq := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, out))
	dq := must[*connect.DescribeQueueOutput](t)(c.DescribeQueue(ctx, &connect.DescribeQueueInput{InstanceId: &iid, QueueId: oq.QueueId}))
	if *dq.Queue.OutboundCallerConfig.OutboundCallerIdNumberId != *num.PhoneNumberId {
		t.Errorf("outbound caller config %+v", dq.Queue.OutboundCallerConfig)
	}
	_, err = c.ReleasePhoneNumber(ctx, &connect.ReleasePhoneNumberInput{PhoneNumberId: num.PhoneNumberId})
	wantErr(t, err, "ResourceInUseException", 409)

	// A security profile used by a user, until the user's profiles change.
	sp := must[*connect.CreateSecurityProfileOutput](t)(c.CreateSecurityProfile(ctx, &connect.CreateSecurityProfileInput{InstanceId: &iid, SecurityProfileName: aws.String("Temp")}))
	in := userInput(iid, "ana")
	in.SecurityProfileIds = []string{*sp.SecurityProfileId}
	u := must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, in))
	_, err = c.DeleteSecurityProfile(ctx, &connect.DeleteSecurityProfileInput{InstanceId: &iid, SecurityProfileId: sp.SecurityProfileId})
	wantErr(t, err, "ResourceInUseException", 409)
	must[*connect.UpdateUserSecurityProfilesOutput](t)(c.UpdateUserSecurityProfiles(ctx, &connect.UpdateUserSecurityProfilesInput{InstanceId: &iid, UserId: u.UserId, SecurityProfileIds: []string{d.agent}}))
	must[*connect.DeleteSecurityProfileOutput](t)(c.DeleteSecurityProfile(ctx, &connect.DeleteSecurityProfileInput{InstanceId: &iid, SecurityProfileId: sp.SecurityProfileId}))

	// A default deleted frees no slot it never held.
	_, err = c.DeleteSecurityProfile(ctx, &connect.DeleteSecurityProfileInput{InstanceId: &iid, SecurityProfileId: &d.admin})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := e.engine.Usage(ctx, acctA, "L-F325A715", "instance/"+iid); n != 0 {
		t.Errorf("security profile usage %d", n)
	}
}
