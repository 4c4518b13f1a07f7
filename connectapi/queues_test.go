package connectapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

func queueInput(iid, name string) *connect.CreateQueueInput {
	return &connect.CreateQueueInput{InstanceId: aws.String(iid), Name: aws.String(name), HoursOfOperationId: aws.String(defaultsOf(iid).hours)}
}

func TestQueues(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	// Queues per instance: 50.
	var ids []string
	for n := 0; n < 50; n++ {
		out := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, fmt.Sprintf("q%d", n))))
		ids = append(ids, *out.QueueId)
	}
	_, err := c.CreateQueue(ctx, queueInput(iid, "q50"))
	wantErr(t, err, "LimitExceededException", 429, "Queues per instance quota of 50")
	_, err = c.CreateQueue(ctx, queueInput(iid, "q0"))
	wantErr(t, err, "DuplicateResourceException", 409)
	must[*connect.DeleteQueueOutput](t)(c.DeleteQueue(ctx, &connect.DeleteQueueInput{InstanceId: &iid, QueueId: &ids[0]}))
	must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "q50")))
	_, err = c.DeleteQueue(ctx, &connect.DeleteQueueInput{InstanceId: &iid, QueueId: &ids[0]})
	wantErr(t, err, "ResourceNotFoundException", 404)

	// The seed's trick: a contact limit above the concurrent calls quota
	// fails, and the message states the quota.
	_, err = c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: &iid, QueueId: &ids[1], MaxContacts: aws.Int32(99999)})
	wantErr(t, err, "InvalidParameterException", 400, "cannot exceed the concurrent calls quota of 10")
	must[*connect.UpdateQueueMaxContactsOutput](t)(c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: &iid, QueueId: &ids[1], MaxContacts: aws.Int32(10)}))
	// Raised for this instance only, it reads back the new value.
	e.override(acctA, headroom.CodeConcurrentCalls, "instance/"+iid, 99)
	_, err = c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: &iid, QueueId: &ids[1], MaxContacts: aws.Int32(99999)})
	wantErr(t, err, "InvalidParameterException", 400, "cannot exceed the concurrent calls quota of 99")
	other := e.instance(acctA)
	q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(other, "q")))
	_, err = c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: &other, QueueId: q.QueueId, MaxContacts: aws.Int32(11)})
	wantErr(t, err, "InvalidParameterException", 400, "quota of 10")
	in := queueInput(other, "big")
	in.MaxContacts = aws.Int32(11)
	_, err = c.CreateQueue(ctx, in)
	wantErr(t, err, "InvalidParameterException", 400, "cannot exceed the concurrent calls quota of 10")
	_, err = c.UpdateQueueMaxContacts(ctx, &connect.UpdateQueueMaxContactsInput{InstanceId: &other, QueueId: &ids[1], MaxContacts: aws.Int32(1)})
	wantErr(t, err, "ResourceNotFoundException", 404)

	for _, b := range []string{`{}`, `{"Name":"x"}`, `{"Name":"x","HoursOfOperationId":"h","MaxContacts":-1}`, `{"Name":"x","HoursOfOperationId":"h","MaxContacts":"ten"}`} {
		if status, name, body := e.raw(acctA, "PUT", "/queues/"+other, b); status != 400 || name != "InvalidParameterException" {
			t.Errorf("%s: %d %s %s", b, status, name, body)
		}
	}
}

func qc(queue string, ch types.Channel) types.RoutingProfileQueueConfig {
	return types.RoutingProfileQueueConfig{QueueReference: &types.RoutingProfileQueueReference{QueueId: aws.String(queue), Channel: ch},
		Priority: aws.Int32(1), Delay: aws.Int32(0)}
}

// Queues per routing profile counts queue–channel pairs, exactly as the
// seed's example: BasicQueue-Voice, BasicQueue-Chat and Queue10-Voice
// count three.
func TestRoutingProfileQueuePairs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	basic := *must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "Queue1"))).QueueId
	q10 := *must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "Queue10"))).QueueId
	rp := must[*connect.CreateRoutingProfileOutput](t)(c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{
		InstanceId: &iid, Name: aws.String("Basic"), Description: aws.String("basic"), DefaultOutboundQueueId: &basic,
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)}},
		QueueConfigs:       []types.RoutingProfileQueueConfig{qc(basic, types.ChannelVoice), qc(basic, types.ChannelChat), qc(q10, types.ChannelVoice)},
	}))
	scope := "instance/" + iid + "/routing-profile/" + *rp.RoutingProfileId
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeQueuesPerProfile, scope); n != 3 {
		t.Fatalf("queue-channel pairs counted %d, want 3", n)
	}
	// Driven to the limit (lowered to 5 to keep the test short) and past.
	e.override(acctA, headroom.CodeQueuesPerProfile, scope, 5)
	assoc := func(cfgs ...types.RoutingProfileQueueConfig) error {
		_, err := c.AssociateRoutingProfileQueues(ctx, &connect.AssociateRoutingProfileQueuesInput{InstanceId: &iid, RoutingProfileId: rp.RoutingProfileId, QueueConfigs: cfgs})
		return err
	}
	// Re-associating a pair it has counts nothing.
	if err := assoc(qc(basic, types.ChannelVoice), qc(q10, types.ChannelChat), qc(q10, types.ChannelTask)); err != nil {
		t.Fatal(err)
	}
	err := assoc(qc(basic, types.ChannelTask))
	wantErr(t, err, "InvalidRequestException", 400, "Queues per routing profile per instance quota of 5")
	_, err = c.DisassociateRoutingProfileQueues(ctx, &connect.DisassociateRoutingProfileQueuesInput{InstanceId: &iid, RoutingProfileId: rp.RoutingProfileId,
		QueueReferences: []types.RoutingProfileQueueReference{{QueueId: &q10, Channel: types.ChannelTask}, {QueueId: &q10, Channel: types.ChannelChat}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeQueuesPerProfile, scope); n != 3 {
		t.Fatalf("after disassociating, %d pairs, want 3", n)
	}
	if err := assoc(qc(basic, types.ChannelTask), qc(q10, types.ChannelTask)); err != nil {
		t.Fatal(err)
	}
	// Unknown queue or profile.
	wantErr(t, assoc(qc("nope", types.ChannelVoice)), "ResourceNotFoundException", 404, "nope")
	_, err = c.AssociateRoutingProfileQueues(ctx, &connect.AssociateRoutingProfileQueuesInput{InstanceId: &iid, RoutingProfileId: aws.String("nope"), QueueConfigs: []types.RoutingProfileQueueConfig{qc(basic, types.ChannelVoice)}})
	wantErr(t, err, "ResourceNotFoundException", 404)

	// A profile whose pairs exceed the quota is not created and holds
	// nothing; the default quota of 50 is per profile.
	e.override(acctA, headroom.CodeQueuesPerProfile, "account", 2)
	_, err = c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{
		InstanceId: &iid, Name: aws.String("Big"), Description: aws.String("big"), DefaultOutboundQueueId: &basic,
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)}},
		QueueConfigs:       []types.RoutingProfileQueueConfig{qc(basic, types.ChannelVoice), qc(basic, types.ChannelChat), qc(q10, types.ChannelVoice)},
	})
	wantErr(t, err, "LimitExceededException", 429, "quota of 2")
	if n, _ := e.engine.Usage(ctx, acctA, "L-D3E7BE26", "instance/"+iid); n != 1 {
		t.Errorf("routing profiles counted %d, want 1", n)
	}
	// Routing profiles per instance: 100 (lowered to 2 here).
	e.override(acctA, "L-D3E7BE26", "instance/"+iid, 2)
	mk := func(name string) error {
		_, err := c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{InstanceId: &iid, Name: aws.String(name), Description: aws.String("d"),
			DefaultOutboundQueueId: &basic, MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelChat, Concurrency: aws.Int32(5)}}})
		return err
	}
	if err := mk("second"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, mk("third"), "LimitExceededException", 429, "Routing profiles per instance quota of 2")
	for _, b := range []string{`{}`, `{"Name":"x","Description":"d","DefaultOutboundQueueId":"` + basic + `"}`,
		`{"Name":"x","Description":"d","DefaultOutboundQueueId":"` + basic + `","MediaConcurrencies":[{"Channel":"FAX","Concurrency":1}]}`,
		`{"Name":"x","Description":"d","DefaultOutboundQueueId":"` + basic + `","MediaConcurrencies":[{"Channel":"VOICE","Concurrency":1}],"QueueConfigs":[{"QueueReference":{"QueueId":"` + basic + `","Channel":"VOICE"},"Priority":0,"Delay":0}]}`,
	} {
		if status, name, body := e.raw(acctA, "PUT", "/routing-profiles/"+iid, b); status != 400 || name != "InvalidParameterException" {
			t.Errorf("%s: %d %s %s", b, status, name, body)
		}
	}
}
