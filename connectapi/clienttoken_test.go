package connectapi_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
)

func chatInput(iid, token, name string) *connect.StartChatContactInput {
	return &connect.StartChatContactInput{InstanceId: &iid, ContactFlowId: aws.String(defaultsOf(iid).flow),
		ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String(name)}, ClientToken: aws.String(token)}
}

func (e *env) usage(account, code, iid string) int64 {
	e.t.Helper()
	n, err := e.engine.Usage(context.Background(), account, code, "instance/"+iid)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// A retried StartChatContact with the same ClientToken, even racing its
// first attempt, starts one chat and answers the same contact and
// participant; the same token with other parameters is refused; a token
// is per operation and per account, and forgotten after 8 hours.
func TestClientTokenChat(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)

	first := must[*connect.StartChatContactOutput](t)(c.StartChatContact(ctx, chatInput(iid, "tok-1", "Ana")))
	var wg sync.WaitGroup
	outs := make([]*connect.StartChatContactOutput, 8)
	errs := make([]error, 8)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = c.StartChatContact(ctx, chatInput(iid, "tok-1", "Ana"))
		}()
	}
	wg.Wait()
	for i, out := range outs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if *out.ContactId != *first.ContactId || *out.ParticipantId != *first.ParticipantId || *out.ParticipantToken != *first.ParticipantToken {
			t.Fatalf("retry %d answered %s, want the first call's %s", i, *out.ContactId, *first.ContactId)
		}
	}
	if n := e.usage(acctA, headroom.CodeConcurrentChats, iid); n != 1 {
		t.Fatalf("concurrent chats = %d after retries, want 1", n)
	}

	_, err := c.StartChatContact(ctx, chatInput(iid, "tok-1", "Bo"))
	wantErr(t, err, "InvalidParameterException", 400, `ClientToken "tok-1" was already used`, "other parameters")

	// Another operation's token space: a task with the same token is new.
	task := must[*connect.StartTaskContactOutput](t)(c.StartTaskContact(ctx, &connect.StartTaskContactInput{InstanceId: &iid,
		ContactFlowId: aws.String(defaultsOf(iid).flow), Name: aws.String("t"), ClientToken: aws.String("tok-1")}))
	if *task.ContactId == *first.ContactId {
		t.Fatal("a task reused the chat's contact")
	}

	// After 8 hours the token is forgotten: the same call starts a new chat.
	e.clk.Advance(connectapi.ClientTokenTTL)
	again := must[*connect.StartChatContactOutput](t)(c.StartChatContact(ctx, chatInput(iid, "tok-1", "Bo")))
	if *again.ContactId == *first.ContactId {
		t.Fatal("a token older than 8 hours replayed")
	}
	if n := e.usage(acctA, headroom.CodeConcurrentChats, iid); n != 2 {
		t.Fatalf("concurrent chats = %d, want 2", n)
	}
}

// CreateInstance retried with the same token creates one instance; a
// request without a token (a raw request) still works; a failed request
// frees its token.
func TestClientTokenInstance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, false, "")
	c := e.client(acctA)
	in := func(alias string) *connect.CreateInstanceInput {
		return &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged, InstanceAlias: aws.String(alias),
			InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true), ClientToken: aws.String("inst-tok")}
	}
	a := must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, in("alpha")))
	b := must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, in("alpha")))
	if *a.Id != *b.Id || *a.Arn != *b.Arn {
		t.Fatalf("retry created %s, want %s", *b.Id, *a.Id)
	}
	list := must[*connect.ListInstancesOutput](t)(c.ListInstances(ctx, &connect.ListInstancesInput{}))
	if len(list.InstanceSummaryList) != 1 {
		t.Fatalf("%d instances after a retry, want 1", len(list.InstanceSummaryList))
	}
	_, err := c.CreateInstance(ctx, in("beta"))
	wantErr(t, err, "InvalidRequestException", 400, "already used for a CreateInstance request with other parameters")

	// Tokens are per account.
	other := must[*connect.CreateInstanceOutput](t)(e.client(acctB).CreateInstance(ctx, in("alpha")))
	if *other.Id == *a.Id {
		t.Fatal("another account's token replayed")
	}

	// No token: a raw request creates a new instance each time.
	status, name, body := e.raw(acctA, "PUT", "/instance", `{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true}`)
	if status != 200 {
		t.Fatalf("raw CreateInstance without a token: %d %s %s", status, name, body)
	}
	// The account holds 2 instances now: a third is refused, and its token
	// stays free for a request with other parameters once one is deleted.
	third := func(alias string) *connect.CreateInstanceInput {
		x := in(alias)
		x.ClientToken = aws.String("third")
		return x
	}
	_, err = c.CreateInstance(ctx, third("gamma"))
	wantErr(t, err, "ServiceQuotaExceededException", 402)
	must[*connect.DeleteInstanceOutput](t)(c.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: a.Id}))
	must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, third("delta")))
}

// ClaimPhoneNumber's model has IdempotencyException for a reused token;
// outbound calls replay too.
func TestClientTokenIdempotencyException(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	claim := func(number string) (*connect.ClaimPhoneNumberOutput, error) {
		return c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &iid, PhoneNumber: aws.String(number), ClientToken: aws.String("claim")})
	}
	p1 := must[*connect.ClaimPhoneNumberOutput](t)(claim("+12065550100"))
	p2 := must[*connect.ClaimPhoneNumberOutput](t)(claim("+12065550100"))
	if *p1.PhoneNumberId != *p2.PhoneNumberId {
		t.Fatal("a retried claim claimed again")
	}
	_, err := claim("+12065550101")
	wantErr(t, err, "IdempotencyException", 409, "other parameters")

	call := func() string {
		out := must[*connect.StartOutboundVoiceContactOutput](t)(c.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{InstanceId: &iid,
			ContactFlowId: aws.String(defaultsOf(iid).flow), DestinationPhoneNumber: aws.String("+12065550123"), ClientToken: aws.String("call")}))
		return *out.ContactId
	}
	if first, retry := call(), call(); first != retry {
		t.Fatal("a retried call started a second call")
	}
	if n := e.usage(acctA, headroom.CodeConcurrentCalls, iid); n != 1 {
		t.Fatalf("concurrent calls = %d, want 1", n)
	}
}
