package connectapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

// parallel runs fn(i) for i in [0, n) at once and waits for them all.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// Concurrent AssociateRoutingProfileQueues and
// DisassociateRoutingProfileQueues calls on one profile never lose a pair
// nor count one twice: the stored pairs and their slots agree.
func TestConcurrentProfileQueues(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	var queues []string
	for i := range 5 {
		q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, &connect.CreateQueueInput{InstanceId: &iid,
			Name: aws.String(fmt.Sprint("q", i)), HoursOfOperationId: aws.String(defaultsOf(iid).hours)}))
		queues = append(queues, *q.QueueId)
	}
	rp := must[*connect.CreateRoutingProfileOutput](t)(c.CreateRoutingProfile(ctx, &connect.CreateRoutingProfileInput{
		InstanceId: &iid, Name: aws.String("p"), Description: aws.String("p"), DefaultOutboundQueueId: &queues[0],
		MediaConcurrencies: []types.MediaConcurrency{{Channel: types.ChannelVoice, Concurrency: aws.Int32(1)}},
		QueueConfigs:       []types.RoutingProfileQueueConfig{qc(queues[0], types.ChannelVoice), qc(queues[0], types.ChannelTask)}}))
	channels := []types.Channel{types.ChannelVoice, types.ChannelChat}
	// Every (queue, channel) pair is associated twice; the TASK pair of
	// queue 0 is removed at the same time.
	parallel(21, func(i int) {
		if i == 20 {
			_, err := c.DisassociateRoutingProfileQueues(ctx, &connect.DisassociateRoutingProfileQueuesInput{InstanceId: &iid,
				RoutingProfileId: rp.RoutingProfileId, QueueReferences: []types.RoutingProfileQueueReference{{QueueId: &queues[0], Channel: types.ChannelTask}}})
			if err != nil {
				t.Error(err)
			}
			return
		}
		q, ch := queues[i/2%5], channels[i%2]
		if i >= 10 {
			q, ch = queues[(i-10)/2], channels[i%2]
		}
		if _, err := c.AssociateRoutingProfileQueues(ctx, &connect.AssociateRoutingProfileQueuesInput{InstanceId: &iid,
			RoutingProfileId: rp.RoutingProfileId, QueueConfigs: []types.RoutingProfileQueueConfig{qc(q, ch)}}); err != nil {
			t.Error(err)
		}
	})
	r, err := e.engine.FindResource(ctx, acctA, "connect:routing-profile", *rp.RoutingProfileId)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Queues []struct {
			QueueReference struct{ QueueId, Channel string }
		}
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, q := range d.Queues {
		k := q.QueueReference.QueueId + "/" + q.QueueReference.Channel
		if seen[k] {
			t.Errorf("pair %s stored twice", k)
		}
		seen[k] = true
	}
	if len(seen) != 10 || seen[queues[0]+"/TASK"] {
		t.Errorf("stored pairs %v, want the 10 voice and chat pairs", seen)
	}
	used, err := e.engine.Usage(ctx, acctA, headroom.CodeQueuesPerProfile, "instance/"+iid+"/routing-profile/"+*rp.RoutingProfileId)
	if err != nil {
		t.Fatal(err)
	}
	if used != int64(len(d.Queues)) {
		t.Errorf("%d pair slots held for %d pairs", used, len(d.Queues))
	}
}

// Of many StopContact calls racing on one contact, exactly one stops it.
func TestConcurrentStopContact(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	id := must[string](t)(call(c, iid, "+12065550100"))
	var ok atomic.Int64
	parallel(16, func(int) {
		_, err := c.StopContact(context.Background(), &connect.StopContactInput{InstanceId: &iid, ContactId: &id})
		if err == nil {
			ok.Add(1)
			return
		}
		wantErr(t, err, "InvalidRequestException", 400, "has already ended")
	})
	if ok.Load() != 1 {
		t.Fatalf("%d stops succeeded, want 1", ok.Load())
	}
	if n := e.usage(acctA, headroom.CodeConcurrentCalls, iid); n != 0 {
		t.Fatalf("concurrent calls = %d after the stop", n)
	}
}

// CreateInstance requests racing with one ClientToken create one instance
// and all answer it.
func TestConcurrentClientTokenInstance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	ids := make([]string, 8)
	parallel(len(ids), func(i int) {
		out, err := c.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
			InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true), ClientToken: aws.String("same")})
		if err != nil {
			t.Error(err)
			return
		}
		ids[i] = *out.Id
	})
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("answered instances %v, want one", ids)
		}
	}
	list := must[*connect.ListInstancesOutput](t)(c.ListInstances(ctx, &connect.ListInstancesInput{}))
	if len(list.InstanceSummaryList) != 1 {
		t.Fatalf("%d instances, want 1", len(list.InstanceSummaryList))
	}
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeInstances, ""); n != 1 {
		t.Fatalf("instances usage %d, want 1", n)
	}
}

// A user created while its instance is deleted is deleted with it or
// refused: none survives the instance, and no slot stays held.
func TestCreateUserDuringDeleteInstance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	for round := range 10 {
		iid := e.instance(acctA)
		parallel(9, func(i int) {
			if i == 4 {
				if _, err := c.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: &iid}); err != nil {
					t.Error(err)
				}
				return
			}
			c.CreateUser(ctx, userInput(iid, fmt.Sprint("u", round, "-", i)))
		})
		users, err := e.engine.ListResources(ctx, headroom.ResourceFilter{Account: acctA, Kind: "connect:user", Parent: iid})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 0 {
			t.Fatalf("round %d: %d users outlived their instance", round, len(users))
		}
		if n := e.usage(acctA, headroom.CodeUsers, iid); n != 0 {
			t.Fatalf("round %d: %d user slots held in a deleted instance", round, n)
		}
	}
}

// Child groups created while their parent group is deleted: either the
// delete is refused (ResourceInUseException), or no child of the deleted
// group survives it. The check and the delete are one store transaction.
func TestCreateChildGroupDuringDeleteParent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	for round := range 5 {
		parent := must[*connect.CreateUserHierarchyGroupOutput](t)(c.CreateUserHierarchyGroup(ctx,
			&connect.CreateUserHierarchyGroupInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("parent", round))}))
		var deleted atomic.Bool
		var children atomic.Int64
		parallel(21, func(i int) {
			if i == 10 {
				_, err := c.DeleteUserHierarchyGroup(ctx, &connect.DeleteUserHierarchyGroupInput{InstanceId: &iid, HierarchyGroupId: parent.HierarchyGroupId})
				if err == nil {
					deleted.Store(true)
				} else if name, _, _ := apiErr(t, err); name != "ResourceInUseException" {
					t.Errorf("delete: %v", err)
				}
				return
			}
			_, err := c.CreateUserHierarchyGroup(ctx, &connect.CreateUserHierarchyGroupInput{InstanceId: &iid,
				Name: aws.String(fmt.Sprint("child", round, "-", i)), ParentGroupId: parent.HierarchyGroupId})
			if err == nil {
				children.Add(1)
			} else if name, _, _ := apiErr(t, err); name != "ResourceNotFoundException" {
				t.Errorf("create child: %v", err)
			}
		})
		var left int
		for _, r := range e.groups(acctA, iid) {
			if r == *parent.HierarchyGroupId {
				left++
			}
		}
		if deleted.Load() && left != 0 || !deleted.Load() && int64(left) != children.Load() {
			t.Fatalf("round %d: parent deleted %v, %d children created, %d left pointing at it", round, deleted.Load(), children.Load(), left)
		}
	}
}

// groups returns the parent group of every hierarchy group of an instance,
// as stored.
func (e *env) groups(account, iid string) []string {
	rs, err := e.engine.ListResources(context.Background(), headroom.ResourceFilter{Account: account, Kind: "connect:user-hierarchy-group", Parent: iid, Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		var g struct{ ParentGroupId string }
		json.Unmarshal(r.Data, &g)
		out = append(out, g.ParentGroupId)
	}
	return out
}
