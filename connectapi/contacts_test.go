package connectapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

func call(c *connect.Client, iid, number string) (string, error) {
	out, err := c.StartOutboundVoiceContact(context.Background(), &connect.StartOutboundVoiceContactInput{
		InstanceId: &iid, ContactFlowId: aws.String(defaultsOf(iid).flow), DestinationPhoneNumber: aws.String(number)})
	if err != nil {
		return "", err
	}
	return *out.ContactId, nil
}

func stop(t *testing.T, c *connect.Client, iid, id string) {
	t.Helper()
	if _, err := c.StopContact(context.Background(), &connect.StopContactInput{InstanceId: &iid, ContactId: &id}); err != nil {
		t.Fatal(err)
	}
}

// Concurrent calls per instance: 10. The 11th is refused and told the
// quota; ending a call frees its slot; the allow-list decides where calls
// may go.
func TestOutboundCalls(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	var ids []string
	for n := 0; n < 10; n++ {
		id, err := call(c, iid, fmt.Sprintf("+1206555%04d", n))
		if err != nil {
			t.Fatalf("call %d: %v", n+1, err)
		}
		ids = append(ids, id)
	}
	_, err := call(c, iid, "+12065550199")
	wantErr(t, err, "LimitExceededException", 429, "Concurrent calls per instance quota of 10")
	stop(t, c, iid, ids[0])
	_, err = c.StopContact(ctx, &connect.StopContactInput{InstanceId: &iid, ContactId: &ids[0]})
	wantErr(t, err, "InvalidRequestException", 400, "already ended")
	ids[0] = must[string](t)(call(c, iid, "+12065550199"))
	// Raised for this instance: the next call fits.
	e.override(acctA, headroom.CodeConcurrentCalls, "instance/"+iid, 11)
	ids = append(ids, must[string](t)(call(c, iid, "+12065550198")))
	for _, id := range ids {
		stop(t, c, iid, id)
	}
	// The allow-list: +1 and +44, but not UK mobiles (+447), nor France.
	for number, want := range map[string]string{
		"+442079460000":      "",
		"+447700900123":      "DestinationNotAllowedException",
		"+44 (0)7700 900123": "DestinationNotAllowedException",
		"+4407700900123":     "DestinationNotAllowedException",
		"+33142685300":       "DestinationNotAllowedException",
		"12065550100":        "InvalidParameterException",
		"+44 12":             "InvalidParameterException",
		"+1 206 555 0100 x2": "InvalidParameterException",
	} {
		id, err := call(c, iid, number)
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", number, err)
			} else {
				stop(t, c, iid, id)
			}
			continue
		}
		status := map[string]int{"DestinationNotAllowedException": 403, "InvalidParameterException": 400}[want]
		wantErr(t, err, want, status)
	}
	// An account-wide change lets new instances call UK mobiles; the
	// existing instance keeps the list it was created with.
	if err := e.engine.SetOverride(ctx, headroom.Override{Account: acctA, Code: headroom.CodeOutboundCountries, Scope: headroom.ScopeAccount, Allow: []string{"+447"}}, "test"); err != nil {
		t.Fatal(err)
	}
	_, err = call(c, iid, "+447700900123")
	wantErr(t, err, "DestinationNotAllowedException", 403)
	iid2 := e.instance(acctA)
	must[string](t)(call(c, iid2, "+44 (0)7700 900123"))
	// A change in the instance's scope opens it there.
	if err := e.engine.SetOverride(ctx, headroom.Override{Account: acctA, Code: headroom.CodeOutboundCountries, Scope: "instance/" + iid, Allow: []string{"+447"}}, "test"); err != nil {
		t.Fatal(err)
	}
	must[string](t)(call(c, iid, "+447700900123"))
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeConcurrentCalls, "instance/"+iid); n != 1 {
		t.Errorf("live calls %d, want 1", n)
	}
	_, err = c.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{InstanceId: aws.String("nope"), ContactFlowId: aws.String("f"), DestinationPhoneNumber: aws.String("+12065550100")})
	wantErr(t, err, "ResourceNotFoundException", 404)
}

func chat(c *connect.Client, iid string, minutes int32) (string, error) {
	in := &connect.StartChatContactInput{InstanceId: &iid, ContactFlowId: aws.String(defaultsOf(iid).flow),
		ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String("customer")}}
	if minutes > 0 {
		in.ChatDurationInMinutes = aws.Int32(minutes)
	}
	out, err := c.StartChatContact(context.Background(), in)
	if err != nil {
		return "", err
	}
	return *out.ContactId, nil
}

// Concurrent chats per instance: 100, waiting chats included; the 101st
// gets LimitExceededException. A chat lasts at most 25 hours including
// wait, and ends then, freeing its slot.
func TestChats(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	var first string
	for n := 0; n < 100; n++ {
		id, err := chat(c, iid, 0)
		if err != nil {
			t.Fatalf("chat %d: %v", n+1, err)
		}
		if n == 0 {
			first = id
		}
		e.clk.Advance(time.Minute)
	}
	_, err := chat(c, iid, 0)
	wantErr(t, err, "LimitExceededException", 429, "Concurrent chats per instance quota of 100")
	_, err = chat(c, iid, 26*60)
	wantErr(t, err, "InvalidParameterException", 400, "Total duration per chat quota of 25")
	// At 25 hours the first chat ends by itself: one slot frees.
	e.clk.Advance(25*time.Hour - 100*time.Minute)
	d := must[*connect.DescribeContactOutput](t)(c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: &iid, ContactId: &first}))
	if d.Contact.DisconnectTimestamp == nil || d.Contact.Channel != types.ChannelChat {
		t.Fatalf("chat after 25 hours: %+v", d.Contact)
	}
	must[string](t)(chat(c, iid, 0))
	_, err = chat(c, iid, 0)
	wantErr(t, err, "LimitExceededException", 429)
}

func task(c *connect.Client, iid, previous, related string) (string, error) {
	in := &connect.StartTaskContactInput{InstanceId: &iid, Name: aws.String("task"), ContactFlowId: aws.String(defaultsOf(iid).flow)}
	if previous != "" {
		in.PreviousContactId = &previous
	}
	if related != "" {
		in.RelatedContactId = &related
	}
	out, err := c.StartTaskContact(context.Background(), in)
	if err != nil {
		return "", err
	}
	return *out.ContactId, nil
}

// Active tasks per instance (2500, lowered here), tasks expire after 7
// days, linked tasks stop at 11 and transfers at 11.
func TestTasks(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	if a, _ := e.engine.Applied(ctx, acctA, headroom.CodeActiveTasks, "instance/"+iid); a.Value != 2500 {
		t.Fatalf("active tasks default %v", a.Value)
	}
	e.override(acctA, headroom.CodeActiveTasks, "instance/"+iid, 13)
	root := must[string](t)(task(c, iid, "", ""))
	// 11 tasks linked to root, alternating the two kinds of link.
	for n := 0; n < 11; n++ {
		prev, rel := root, ""
		if n%2 == 1 {
			prev, rel = "", root
		}
		if _, err := task(c, iid, prev, rel); err != nil {
			t.Fatalf("linked task %d: %v", n+1, err)
		}
	}
	_, err := task(c, iid, root, "")
	wantErr(t, err, "ServiceQuotaExceededException", 402, "Maximum number of linked tasks on an existing contact quota of 11")
	// The refused link took no active-task slot; 12 are live.
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeActiveTasks, "instance/"+iid); n != 12 {
		t.Fatalf("active tasks %d, want 12", n)
	}
	must[string](t)(task(c, iid, "", ""))
	_, err = task(c, iid, "", "")
	wantErr(t, err, "ServiceQuotaExceededException", 402, "Active tasks per instance quota of 13")
	_, err = task(c, iid, "nope", "")
	wantErr(t, err, "ResourceNotFoundException", 404)

	// Transfers: 11, then refused.
	q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "tasks")))
	for n := 0; n < 11; n++ {
		if _, err := c.TransferContact(ctx, &connect.TransferContactInput{InstanceId: &iid, ContactId: &root, ContactFlowId: aws.String(defaultsOf(iid).flow), QueueId: q.QueueId}); err != nil {
			t.Fatalf("transfer %d: %v", n+1, err)
		}
	}
	_, err = c.TransferContact(ctx, &connect.TransferContactInput{InstanceId: &iid, ContactId: &root, ContactFlowId: aws.String(defaultsOf(iid).flow), QueueId: q.QueueId})
	wantErr(t, err, "ServiceQuotaExceededException", 402, "Maximum number of transfers for a task quota of 11")

	// After 7 days every task has expired and freed its slot.
	e.clk.Advance(7 * 24 * time.Hour)
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeActiveTasks, "instance/"+iid); n != 0 {
		t.Fatalf("active tasks after 7 days: %d", n)
	}
	d := must[*connect.DescribeContactOutput](t)(c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: &iid, ContactId: &root}))
	if d.Contact.DisconnectTimestamp == nil {
		t.Error("an expired task has no disconnect time")
	}
	_, err = c.TransferContact(ctx, &connect.TransferContactInput{InstanceId: &iid, ContactId: &root, ContactFlowId: aws.String(defaultsOf(iid).flow), QueueId: q.QueueId})
	wantErr(t, err, "InvalidRequestException", 400, "ended")
	// A call cannot be transferred with TransferContact.
	callID := must[string](t)(call(c, iid, "+12065550100"))
	_, err = c.TransferContact(ctx, &connect.TransferContactInput{InstanceId: &iid, ContactId: &callID, ContactFlowId: aws.String(defaultsOf(iid).flow), QueueId: q.QueueId})
	wantErr(t, err, "InvalidRequestException", 400, "TASK")
}

// Contact records are kept 24 months from initiation; attributes are at
// most 32 KB; at most 5 people listen in on one call.
func TestContactRecords(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	id := must[string](t)(call(c, iid, "+12065550100"))
	must[*connect.UpdateContactAttributesOutput](t)(c.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceId: &iid, InitialContactId: &id,
		Attributes: map[string]string{"a": strings.Repeat("x", 30000)}}))
	_, err := c.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceId: &iid, InitialContactId: &id,
		Attributes: map[string]string{"b": strings.Repeat("y", 3000)}})
	wantErr(t, err, "InvalidParameterException", 400, "Max size of the CTR attributes section quota of 32")
	// Replacing the big value with a small one fits.
	must[*connect.UpdateContactAttributesOutput](t)(c.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceId: &iid, InitialContactId: &id,
		Attributes: map[string]string{"a": "small", "b": strings.Repeat("y", 3000)}}))

	for n := 0; n < 6; n++ {
		u := must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, fmt.Sprint("sup", n))))
		_, err := c.MonitorContact(ctx, &connect.MonitorContactInput{InstanceId: &iid, ContactId: &id, UserId: u.UserId})
		if n < 5 && err != nil {
			t.Fatalf("listener %d: %v", n+1, err)
		}
		if n == 5 {
			wantErr(t, err, "ServiceQuotaExceededException", 402, "People who can listen in on the same agent call at the same time quota of 5")
		}
	}
	stop(t, c, iid, id)
	e.clk.Advance(23 * 30 * 24 * time.Hour)
	must[*connect.DescribeContactOutput](t)(c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: &iid, ContactId: &id}))
	e.clk.Advance(2 * 30 * 24 * time.Hour)
	_, err = c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: &iid, ContactId: &id})
	wantErr(t, err, "ResourceNotFoundException", 404, "24 months")
	for _, b := range []string{`{}`, `{"InstanceId":"` + iid + `"}`, `{"InstanceId":"` + iid + `","ContactFlowId":"f","DestinationPhoneNumber":5}`} {
		if status, name, body := e.raw(acctA, "PUT", "/contact/outbound-voice", b); status != 400 || name != "InvalidParameterException" {
			t.Errorf("%s: %d %s %s", b, status, name, body)
		}
	}
}
