package connectapi_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

func instanceArn(account, iid string) *string {
	return aws.String("arn:aws:connect:" + region + ":" + account + ":instance/" + iid)
}

// The search pages through the fixed pool, leaves claimed numbers out, and
// a claim takes only a number of the pool.
func TestSearchAvailableAndClaim(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	search := func(typ types.PhoneNumberType, country types.PhoneNumberCountryCode, prefix string, max int32) ([]string, int) {
		in := &connect.SearchAvailablePhoneNumbersInput{TargetArn: instanceArn(acctA, iid), PhoneNumberCountryCode: country, PhoneNumberType: typ, MaxResults: aws.Int32(max)}
		if prefix != "" {
			in.PhoneNumberPrefix = &prefix
		}
		var out []string
		pages := 0
		p := connect.NewSearchAvailablePhoneNumbersPaginator(c, in)
		for p.HasMorePages() {
			page := must[*connect.SearchAvailablePhoneNumbersOutput](t)(p.NextPage(ctx))
			pages++
			for _, n := range page.AvailableNumbersList {
				if n.PhoneNumberType != typ || n.PhoneNumberCountryCode != country {
					t.Fatalf("number %+v", n)
				}
				out = append(out, *n.PhoneNumber)
			}
		}
		return out, pages
	}
	gb, _ := search(types.PhoneNumberTypeTollFree, types.PhoneNumberCountryCodeGb, "", 10)
	if len(gb) != 100 || gb[0] != "+448081570000" || gb[99] != "+448081570099" {
		t.Fatalf("GB toll-free pool: %d numbers, %v", len(gb), gb)
	}
	// Three pages of 4, 4 and 2.
	us, pages := search(types.PhoneNumberTypeDid, types.PhoneNumberCountryCodeUs, "+1206555010", 4)
	if len(us) != 10 || pages != 3 || us[0] != "+12065550100" || us[9] != "+12065550109" {
		t.Fatalf("US DID prefix: %d pages, %v", pages, us)
	}
	if got, _ := search(types.PhoneNumberTypeDid, types.PhoneNumberCountryCodeFr, "", 10); len(got) != 0 {
		t.Fatalf("FR has no pool, got %v", got)
	}
	claimed := must[*connect.ClaimPhoneNumberOutput](t)(c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{TargetArn: instanceArn(acctA, iid), PhoneNumber: aws.String("+12065550103"),
		Tags: map[string]string{"team": "support"}}))
	us, _ = search(types.PhoneNumberTypeDid, types.PhoneNumberCountryCodeUs, "1206555010", 4)
	if len(us) != 9 || contains(us, "+12065550103") {
		t.Fatalf("claimed number still offered: %v", us)
	}
	d := must[*connect.DescribePhoneNumberOutput](t)(c.DescribePhoneNumber(ctx, &connect.DescribePhoneNumberInput{PhoneNumberId: claimed.PhoneNumberId}))
	if s := d.ClaimedPhoneNumberSummary; *s.PhoneNumber != "+12065550103" || s.PhoneNumberType != types.PhoneNumberTypeDid || s.PhoneNumberCountryCode != types.PhoneNumberCountryCodeUs || *s.InstanceId != iid {
		t.Fatalf("describe %+v", s)
	}
	tags := must[*connect.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: claimed.PhoneNumberArn}))
	if tags.Tags["team"] != "support" {
		t.Fatalf("claim tags %v", tags.Tags)
	}
	// Outside the pool.
	_, err := c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &iid, PhoneNumber: aws.String("+12065551234")})
	wantErr(t, err, "InvalidParameterException", 400, "SearchAvailablePhoneNumbers")
	_, err = c.SearchAvailablePhoneNumbers(ctx, &connect.SearchAvailablePhoneNumbersInput{InstanceId: &iid, PhoneNumberCountryCode: "us", PhoneNumberType: types.PhoneNumberTypeDid})
	wantErr(t, err, "InvalidParameterException", 400, "country code")
	_, err = c.SearchAvailablePhoneNumbers(ctx, &connect.SearchAvailablePhoneNumbersInput{InstanceId: &iid, PhoneNumberCountryCode: "US", PhoneNumberType: "MOBILE"})
	wantErr(t, err, "InvalidParameterException", 400, "PhoneNumberType")
	_, err = c.SearchAvailablePhoneNumbers(ctx, &connect.SearchAvailablePhoneNumbersInput{InstanceId: aws.String("missing"), PhoneNumberCountryCode: "US", PhoneNumberType: types.PhoneNumberTypeDid})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.SearchAvailablePhoneNumbers(ctx, &connect.SearchAvailablePhoneNumbersInput{InstanceId: &iid, PhoneNumberCountryCode: "US", PhoneNumberType: types.PhoneNumberTypeDid, NextToken: aws.String("forged")})
	wantErr(t, err, "InvalidParameterException", 400, "NextToken")
	_, err = c.DescribePhoneNumber(ctx, &connect.DescribePhoneNumberInput{PhoneNumberId: aws.String("missing")})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.ReleasePhoneNumber(ctx, &connect.ReleasePhoneNumberInput{PhoneNumberId: aws.String("missing")})
	wantErr(t, err, "ResourceNotFoundException", 404)
}

// A number claimed by one instance can be claimed by no other instance
// nor account until it is released.
func TestClaimIsExclusiveUntilReleased(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, false, "")
	a, b := e.client(acctA), e.client(acctB)
	i1, i2, i3 := e.instance(acctA), e.instance(acctA), e.instance(acctB)
	number := aws.String("+448081570042")
	p := must[*connect.ClaimPhoneNumberOutput](t)(a.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i1, PhoneNumber: number}))
	_, err := a.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i1, PhoneNumber: number})
	wantErr(t, err, "InvalidParameterException", 400, "already claimed by this instance")
	_, err = a.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i2, PhoneNumber: number})
	wantErr(t, err, "InvalidParameterException", 400, "already claimed")
	_, err = b.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{TargetArn: instanceArn(acctB, i3), PhoneNumber: number})
	wantErr(t, err, "InvalidParameterException", 400, "already claimed")
	// Another account cannot release it.
	_, err = b.ReleasePhoneNumber(ctx, &connect.ReleasePhoneNumberInput{PhoneNumberId: p.PhoneNumberId})
	wantErr(t, err, "ResourceNotFoundException", 404)
	must[*connect.ReleasePhoneNumberOutput](t)(a.ReleasePhoneNumber(ctx, &connect.ReleasePhoneNumberInput{PhoneNumberId: p.PhoneNumberId}))
	must[*connect.ClaimPhoneNumberOutput](t)(b.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i3, PhoneNumber: number}))
	if n, _ := e.engine.Usage(ctx, acctA, "L-8F812903", "instance/"+i1); n != 0 {
		t.Errorf("instance 1 holds %d number slots after the release", n)
	}
	// A claim refused for the quota leaves the number free.
	e.override(acctA, "L-8F812903", "instance/"+i2, 0)
	_, err = a.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i2, PhoneNumber: aws.String("+448081570043")})
	wantErr(t, err, "InvalidParameterException", 400)
	must[*connect.ClaimPhoneNumberOutput](t)(b.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i3, PhoneNumber: aws.String("+448081570043")}))
}

// Deleting an instance frees its numbers: the claim records it leaves are
// stale, so the numbers are offered and claimed again at once.
func TestDeletedInstanceFreesItsNumbers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, false, "")
	a, b := e.client(acctA), e.client(acctB)
	i1, i2 := e.instance(acctA), e.instance(acctB)
	number := aws.String("+61255500100")
	must[*connect.ClaimPhoneNumberOutput](t)(a.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i1, PhoneNumber: number}))
	offered := func() bool {
		out := must[*connect.SearchAvailablePhoneNumbersOutput](t)(b.SearchAvailablePhoneNumbers(ctx, &connect.SearchAvailablePhoneNumbersInput{InstanceId: &i2,
			PhoneNumberCountryCode: types.PhoneNumberCountryCodeAu, PhoneNumberType: types.PhoneNumberTypeDid, PhoneNumberPrefix: number, MaxResults: aws.Int32(10)}))
		return len(out.AvailableNumbersList) == 1
	}
	if offered() {
		t.Fatal("a claimed number is offered")
	}
	must[*connect.DeleteInstanceOutput](t)(a.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: &i1}))
	if !offered() {
		t.Fatal("the number of a deleted instance is not offered")
	}
	p := must[*connect.ClaimPhoneNumberOutput](t)(b.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i2, PhoneNumber: number}))
	if offered() {
		t.Fatal("a claimed number is offered")
	}
	must[*connect.ReleasePhoneNumberOutput](t)(b.ReleasePhoneNumber(ctx, &connect.ReleasePhoneNumberInput{PhoneNumberId: p.PhoneNumberId}))
	if !offered() {
		t.Fatal("a released number is not offered")
	}
}

// Two instances, of one account or of two, claim one number at once:
// exactly one wins, every round.
func TestClaimRace(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, false, "")
	a, b := e.client(acctA), e.client(acctB)
	targets := []struct {
		c   *connect.Client
		iid string
	}{{a, e.instance(acctA)}, {a, e.instance(acctA)}, {b, e.instance(acctB)}}
	for i, tg := range targets {
		e.override([]string{acctA, acctA, acctB}[i], "L-8F812903", "instance/"+tg.iid, 100)
	}
	for round := 0; round < 20; round++ {
		number := aws.String(fmt.Sprintf("+1206555%04d", 500+round))
		var wins atomic.Int64
		var wg sync.WaitGroup
		for _, tg := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := tg.c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: aws.String(tg.iid), PhoneNumber: number})
				if err == nil {
					wins.Add(1)
				} else if name, msg, _ := apiErr(t, err); name != "InvalidParameterException" {
					t.Errorf("loser: %s %s", name, msg)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d claims won", round, wins.Load())
		}
	}
}

// ListPhoneNumbersV2 pages through the claimed numbers and filters them.
func TestListPhoneNumbersV2(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	i1, i2 := e.instance(acctA), e.instance(acctA)
	e.override(acctA, "L-8F812903", "instance/"+i1, 20)
	for n := 0; n < 7; n++ {
		must[*connect.ClaimPhoneNumberOutput](t)(c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i1, PhoneNumber: aws.String(fmt.Sprintf("+1206555%04d", 10+n))}))
	}
	must[*connect.ClaimPhoneNumberOutput](t)(c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i1, PhoneNumber: aws.String("+18005550100")}))
	must[*connect.ClaimPhoneNumberOutput](t)(c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{InstanceId: &i2, PhoneNumber: aws.String("+442079460001")}))
	list := func(in *connect.ListPhoneNumbersV2Input) ([]types.ListPhoneNumbersSummary, int) {
		var out []types.ListPhoneNumbersSummary
		pages := 0
		p := connect.NewListPhoneNumbersV2Paginator(c, in)
		for p.HasMorePages() {
			page := must[*connect.ListPhoneNumbersV2Output](t)(p.NextPage(ctx))
			pages++
			out = append(out, page.ListPhoneNumbersSummaryList...)
		}
		return out, pages
	}
	got, pages := list(&connect.ListPhoneNumbersV2Input{TargetArn: instanceArn(acctA, i1), MaxResults: aws.Int32(3)})
	if len(got) != 8 || pages != 3 {
		t.Fatalf("%d numbers in %d pages, want 8 in 3", len(got), pages)
	}
	for _, s := range got {
		if *s.InstanceId != i1 || *s.TargetArn != *instanceArn(acctA, i1) || *s.PhoneNumberArn == "" {
			t.Fatalf("summary %+v", s)
		}
	}
	got, _ = list(&connect.ListPhoneNumbersV2Input{})
	if len(got) != 9 {
		t.Fatalf("all: %d numbers", len(got))
	}
	got, _ = list(&connect.ListPhoneNumbersV2Input{PhoneNumberTypes: []types.PhoneNumberType{types.PhoneNumberTypeTollFree}})
	if len(got) != 1 || *got[0].PhoneNumber != "+18005550100" {
		t.Fatalf("toll-free: %+v", got)
	}
	got, _ = list(&connect.ListPhoneNumbersV2Input{PhoneNumberCountryCodes: []types.PhoneNumberCountryCode{types.PhoneNumberCountryCodeGb}})
	if len(got) != 1 || *got[0].InstanceId != i2 {
		t.Fatalf("GB: %+v", got)
	}
	got, _ = list(&connect.ListPhoneNumbersV2Input{InstanceId: &i1, PhoneNumberPrefix: aws.String("+120655501")})
	if len(got) != 0 {
		t.Fatalf("prefix +120655501: %+v", got)
	}
	got, _ = list(&connect.ListPhoneNumbersV2Input{InstanceId: &i1, PhoneNumberPrefix: aws.String("120655500")})
	if len(got) != 7 {
		t.Fatalf("prefix 120655500: %d", len(got))
	}
	_, err := c.ListPhoneNumbersV2(ctx, &connect.ListPhoneNumbersV2Input{InstanceId: aws.String("missing")})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListPhoneNumbersV2(ctx, &connect.ListPhoneNumbersV2Input{TargetArn: instanceArn(acctB, i1)})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListPhoneNumbersV2(ctx, &connect.ListPhoneNumbersV2Input{PhoneNumberTypes: []types.PhoneNumberType{"MOBILE"}})
	wantErr(t, err, "InvalidParameterException", 400)
}

// Tags on instances, resources under them and phone numbers, with
// Connect's limits.
func TestConnectTags(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, "support")))
	u := must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "agent")))
	for _, arn := range []*string{instanceArn(acctA, iid), q.QueueArn, u.UserArn} {
		must[*connect.TagResourceOutput](t)(c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "prod", "team": "blue"}}))
		must[*connect.UntagResourceOutput](t)(c.UntagResource(ctx, &connect.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team", "absent"}}))
		got := must[*connect.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: arn}))
		if len(got.Tags) != 1 || got.Tags["env"] != "prod" {
			t.Fatalf("%s: tags %v", *arn, got.Tags)
		}
	}
	arn := q.QueueArn
	many := map[string]string{}
	for i := 0; i < 49; i++ {
		many[fmt.Sprint("k", i)] = "v"
	}
	must[*connect.TagResourceOutput](t)(c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: arn, Tags: many}))
	_, err := c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"one-too-many": "v"}})
	wantErr(t, err, "InvalidParameterException", 400, "50 tags")
	// Replacing a value is no new tag.
	must[*connect.TagResourceOutput](t)(c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "dev"}}))
	_, err = c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: u.UserArn, Tags: map[string]string{"aws:owner": "x"}})
	wantErr(t, err, "InvalidParameterException", 400, "reserved")
	_, err = c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: u.UserArn, Tags: map[string]string{"bad\x01key": "x"}})
	wantErr(t, err, "InvalidParameterException", 400)
	long := string(make([]byte, 129))
	_, err = c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: u.UserArn, Tags: map[string]string{long: "x"}})
	wantErr(t, err, "InvalidParameterException", 400)
	_, err = c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: aws.String(*instanceArn(acctA, iid) + "/queue/missing"), Tags: map[string]string{"a": "b"}})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: instanceArn(acctA, "missing")})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.UntagResource(ctx, &connect.UntagResourceInput{ResourceArn: aws.String("arn:aws:connect:" + region + ":" + acctA + ":phone-number/missing"), TagKeys: []string{"a"}})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
	wantErr(t, err, "InvalidParameterException", 400)
	// Another account's resource is not found.
	_, err = e.client(acctB).ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: q.QueueArn})
	wantErr(t, err, "ResourceNotFoundException", 404)
}

// Concurrent TagResource calls never leave more than 50 tags.
func TestConnectTagLimitIsAtomic(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	arn := instanceArn(acctA, iid)
	var wg sync.WaitGroup
	for g := 0; g < 30; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: arn, Tags: map[string]string{fmt.Sprint("a", g): "1", fmt.Sprint("b", g): "2"}})
		}()
	}
	wg.Wait()
	got := must[*connect.ListTagsForResourceOutput](t)(c.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: arn}))
	if len(got.Tags) != headroom.MaxTags {
		t.Fatalf("%d tags, want %d", len(got.Tags), headroom.MaxTags)
	}
}

func TestGetMetricDataV2(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	var queues []string
	for n := 0; n < 7; n++ {
		q := must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, fmt.Sprint("q", n))))
		queues = append(queues, *q.QueueId)
	}
	start := e.clk.Now().Add(-time.Minute)
	out := must[*connect.StartOutboundVoiceContactOutput](t)(c.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{
		InstanceId: &iid, ContactFlowId: aws.String(defaultsOf(iid).flow), DestinationPhoneNumber: aws.String("+12065550100"), QueueId: &queues[0]}))
	stop(t, c, iid, *out.ContactId)
	in := &connect.GetMetricDataV2Input{ResourceArn: instanceArn(acctA, iid), StartTime: aws.Time(start), EndTime: aws.Time(start.Add(time.Hour)),
		Filters:    []types.FilterV2{{FilterKey: aws.String("QUEUE"), FilterValues: queues}},
		Groupings:  []string{"QUEUE"},
		Metrics:    []types.MetricV2{{Name: aws.String("CONTACTS_QUEUED")}, {Name: aws.String("CONTACTS_ABANDONED")}, {Name: aws.String("AVG_HANDLE_TIME")}},
		MaxResults: aws.Int32(3)}
	p := connect.NewGetMetricDataV2Paginator(c, in)
	pages := 0
	byQueue := map[string]map[string]float64{}
	for p.HasMorePages() {
		page := must[*connect.GetMetricDataV2Output](t)(p.NextPage(ctx))
		pages++
		for _, r := range page.MetricResults {
			vals := map[string]float64{}
			for _, coll := range r.Collections {
				vals[*coll.Metric.Name] = *coll.Value
			}
			byQueue[r.Dimensions["QUEUE"]] = vals
		}
	}
	if pages != 3 || len(byQueue) != 7 {
		t.Fatalf("%d pages, %d queues; want 3 and 7", pages, len(byQueue))
	}
	if v := byQueue[queues[0]]; v["CONTACTS_QUEUED"] != 1 || v["CONTACTS_ABANDONED"] != 1 || v["AVG_HANDLE_TIME"] != 0 {
		t.Fatalf("queue 0: %v", v)
	}
	if v := byQueue[queues[1]]; v["CONTACTS_QUEUED"] != 0 {
		t.Fatalf("queue 1: %v", v)
	}
	bad := func(mut func(in *connect.GetMetricDataV2Input), name string, status int, msg string) {
		t.Helper()
		cp := *in
		cp.MaxResults = nil
		mut(&cp)
		_, err := c.GetMetricDataV2(ctx, &cp)
		wantErr(t, err, name, status, msg)
	}
	bad(func(in *connect.GetMetricDataV2Input) { in.ResourceArn = instanceArn(acctA, "missing") }, "ResourceNotFoundException", 404, "")
	bad(func(in *connect.GetMetricDataV2Input) { in.ResourceArn = aws.String(iid) }, "InvalidParameterException", 400, "instance ARN")
	bad(func(in *connect.GetMetricDataV2Input) { in.EndTime = aws.Time(start.Add(-time.Hour)) }, "InvalidParameterException", 400, "EndTime")
	// The SDK checks the required members itself: send without them.
	for _, body := range []string{`{}`, `{"ResourceArn":"` + *in.ResourceArn + `","StartTime":1,"EndTime":2,"Metrics":[{"Name":"CONTACTS_QUEUED"}]}`} {
		if status, name, _ := e.raw(acctA, "POST", "/metrics/data", body); status != 400 || name != "InvalidParameterException" {
			t.Errorf("%s: %d %s", body, status, name)
		}
	}
	bad(func(in *connect.GetMetricDataV2Input) {
		in.Filters = []types.FilterV2{{FilterKey: aws.String("CHANNEL"), FilterValues: []string{"VOICE"}}}
	}, "InvalidParameterException", 400, "at least one of QUEUE")
	bad(func(in *connect.GetMetricDataV2Input) { in.Metrics = []types.MetricV2{{Name: aws.String("NOPE")}} }, "InvalidParameterException", 400, "unknown metric")
	bad(func(in *connect.GetMetricDataV2Input) { in.Groupings = []string{"NOPE"} }, "InvalidParameterException", 400, "grouping")
	bad(func(in *connect.GetMetricDataV2Input) { in.NextToken = aws.String("forged") }, "InvalidParameterException", 400, "NextToken")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
