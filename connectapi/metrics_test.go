package connectapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

func currentValues(t *testing.T, out *connect.GetCurrentMetricDataOutput) map[string]float64 {
	t.Helper()
	got := map[string]float64{}
	for _, r := range out.MetricResults {
		key := ""
		if r.Dimensions != nil {
			key = string(r.Dimensions.Channel)
			if r.Dimensions.Queue != nil {
				key += "/" + *r.Dimensions.Queue.Id
			}
		}
		for _, c := range r.Collections {
			got[key+":"+string(c.Metric.Name)] = *c.Value
		}
	}
	return got
}

func TestCurrentMetricData(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "support")))
	for i := 0; i < 2; i++ {
		must[string](t)(chat(c, iid, 0))
	}
	must[string](t)(task(c, iid, "", ""))
	in := &connect.GetCurrentMetricDataInput{InstanceId: &iid,
		Filters:        &types.Filters{Queues: []string{*q.QueueId}, Channels: []types.Channel{types.ChannelChat, types.ChannelTask}},
		Groupings:      []types.Grouping{types.GroupingChannel},
		CurrentMetrics: []types.CurrentMetric{{Name: types.CurrentMetricNameContactsInQueue, Unit: types.UnitCount}, {Name: types.CurrentMetricNameAgentsOnline, Unit: types.UnitCount}}}
	// Contacts not yet in the queue do not count for it.
	got := currentValues(t, must[*connect.GetCurrentMetricDataOutput](t)(c.GetCurrentMetricData(ctx, in)))
	if got["CHAT:CONTACTS_IN_QUEUE"] != 0 {
		t.Errorf("queue filter: %v", got)
	}
	in.Filters.Queues = nil
	got = currentValues(t, must[*connect.GetCurrentMetricDataOutput](t)(c.GetCurrentMetricData(ctx, in)))
	if got["CHAT:CONTACTS_IN_QUEUE"] != 2 || got["TASK:CONTACTS_IN_QUEUE"] != 1 || got["CHAT:AGENTS_ONLINE"] != 0 {
		t.Errorf("current metrics: %v", got)
	}
	_, err := c.GetCurrentMetricData(ctx, &connect.GetCurrentMetricDataInput{InstanceId: aws.String("nope"), Filters: &types.Filters{}, CurrentMetrics: in.CurrentMetrics})
	wantErr(t, err, "ResourceNotFoundException", 404)
	status, name, _ := e.raw(acctA, "POST", "/metrics/current/"+iid, `{"Filters":{},"CurrentMetrics":[{"Name":"NOPE"}]}`)
	if status != 400 || name != "InvalidParameterException" {
		t.Errorf("unknown metric: %d %s", status, name)
	}
}

func TestHistoricalMetricData(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "support")))
	start := e.clk.Now().Add(-time.Minute)
	out := must[*connect.StartOutboundVoiceContactOutput](t)(c.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{
		InstanceId: &iid, ContactFlowId: aws.String(defaultsOf(iid).flow), DestinationPhoneNumber: aws.String("+12065550100"), QueueId: q.QueueId}))
	stop(t, c, iid, *out.ContactId)
	res := must[*connect.GetMetricDataOutput](t)(c.GetMetricData(ctx, &connect.GetMetricDataInput{InstanceId: &iid,
		StartTime: aws.Time(start), EndTime: aws.Time(start.Add(time.Hour)),
		Filters:           &types.Filters{Queues: []string{*q.QueueId}, Channels: []types.Channel{types.ChannelVoice}},
		Groupings:         []types.Grouping{types.GroupingQueue},
		HistoricalMetrics: []types.HistoricalMetric{{Name: types.HistoricalMetricNameContactsQueued, Statistic: types.StatisticSum, Unit: types.UnitCount}, {Name: types.HistoricalMetricNameContactsAbandoned, Statistic: types.StatisticSum, Unit: types.UnitCount}}}))
	if len(res.MetricResults) != 1 || *res.MetricResults[0].Dimensions.Queue.Id != *q.QueueId {
		t.Fatalf("results %+v", res.MetricResults)
	}
	for _, coll := range res.MetricResults[0].Collections {
		if *coll.Value != 1 {
			t.Errorf("%s = %v, want 1", coll.Metric.Name, *coll.Value)
		}
	}
	_, err := c.GetMetricData(ctx, &connect.GetMetricDataInput{InstanceId: &iid, StartTime: aws.Time(start), EndTime: aws.Time(start.Add(48 * time.Hour)),
		Filters: &types.Filters{Queues: []string{*q.QueueId}}, HistoricalMetrics: []types.HistoricalMetric{{Name: types.HistoricalMetricNameContactsQueued, Statistic: types.StatisticSum, Unit: types.UnitCount}}})
	wantErr(t, err, "InvalidParameterException", 400, "24 hours")
}

// The metric operations have their own bucket, 5/s burst 8, apart from
// the other operations' 2/s burst 5.
func TestMetricThrottling(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	iid := e.instance(acctA)
	e.seedRates(acctA)
	c := e.client(acctA)
	in := &connect.GetCurrentMetricDataInput{InstanceId: &iid, Filters: &types.Filters{Channels: []types.Channel{types.ChannelVoice}},
		CurrentMetrics: []types.CurrentMetric{{Name: types.CurrentMetricNameContactsInQueue, Unit: types.UnitCount}}}
	for i := 0; i < 8; i++ {
		if _, err := c.GetCurrentMetricData(ctx, in); err != nil {
			t.Fatalf("metric call %d: %v", i+1, err)
		}
	}
	_, err := c.GetCurrentMetricData(ctx, in)
	wantErr(t, err, "ThrottlingException", 429, "quota of 5 per second (burst 8)")
	// GetMetricData has a bucket of its own too.
	_, err = c.GetMetricData(ctx, &connect.GetMetricDataInput{InstanceId: &iid, StartTime: aws.Time(e.clk.Now().Add(-time.Hour)), EndTime: aws.Time(e.clk.Now()),
		Filters: &types.Filters{Channels: []types.Channel{types.ChannelVoice}}, HistoricalMetrics: []types.HistoricalMetric{{Name: types.HistoricalMetricNameContactsQueued, Statistic: types.StatisticSum, Unit: types.UnitCount}}})
	if err != nil {
		t.Fatalf("GetMetricData after GetCurrentMetricData's bucket ran out: %v", err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
			t.Fatalf("general call %d after the metric calls: %v", i+1, err)
		}
	}
	_, err = c.ListInstances(ctx, &connect.ListInstancesInput{})
	wantErr(t, err, "ThrottlingException", 429, "quota of 2 per second (burst 5)")
}
