package connectapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// Throttling quotas are by account, not by user and not by instance: two
// instances and two access keys of one account draw from one bucket of
// 2/s with burst 5 for an operation; another account has its own.
func TestThrottlingSharedBucket(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	k1 := e.account(acctA, false, "")
	i1, i2 := e.instance(acctA), e.instance(acctA)
	// Back to the seed's rates for the rest of the test, with full buckets.
	e.seedRates(acctA)
	k2, err := e.engine.CreateAccessKey(ctx, acctA, "test")
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := e.clientWithKey(k1), e.clientWithKey(k2)
	describe := func(c *connect.Client, iid string) error {
		_, err := c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &iid})
		return err
	}
	calls := []func() error{
		func() error { return describe(c1, i1) },
		func() error { return describe(c2, i2) },
		func() error { return describe(c1, i2) },
		func() error { return describe(c2, i1) },
		func() error { return describe(c1, i1) },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	err = describe(c2, i2)
	wantErr(t, err, "ThrottlingException", 429, "Rate of DescribeInstance API requests quota of 2 per second (burst 5)")
	// Another account is not affected.
	e.account(acctB, true, "")
	iB := e.instance(acctB)
	if err := describe(e.client(acctB), iB); err != nil {
		t.Fatalf("other account: %v", err)
	}
	// Half a second refills one token: one call, then throttled again.
	e.clk.Advance(500 * time.Millisecond)
	if err := describe(c1, i1); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	wantErr(t, describe(c1, i2), "ThrottlingException", 429)
}

// Each operation has a bucket of its own: CreateUser throttled leaves
// ListUsers and DescribeInstance their full burst.
func TestThrottlingPerOperation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	iid := e.instance(acctA)
	e.seedRates(acctA)
	c := e.client(acctA)
	for i := 0; i < 5; i++ {
		must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, fmt.Sprint("u", i))))
	}
	_, err := c.CreateUser(ctx, userInput(iid, "u5"))
	wantErr(t, err, "ThrottlingException", 429, "Rate of CreateUser API requests quota of 2 per second (burst 5)")
	for i := 0; i < 5; i++ {
		if _, err := c.ListUsers(ctx, &connect.ListUsersInput{InstanceId: &iid}); err != nil {
			t.Fatalf("ListUsers %d while CreateUser is throttled: %v", i+1, err)
		}
	}
	_, err = c.ListUsers(ctx, &connect.ListUsersInput{InstanceId: &iid})
	wantErr(t, err, "ThrottlingException", 429, "Rate of ListUsers API requests quota of 2 per second (burst 5)")
	if _, err := c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &iid}); err != nil {
		t.Fatalf("DescribeInstance while CreateUser and ListUsers are throttled: %v", err)
	}
}

// An increase requested through the AWS Service Quotas API on one
// operation's code raises that operation's bucket only.
func TestRateIncreaseForOneOperation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	k := e.account(acctA, false, "")
	iid := e.instance(acctA)
	e.seedRates(acctA)
	sq := servicequotas.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *servicequotas.Options) { o.BaseEndpoint = aws.String(e.url); o.Retryer = aws.NopRetryer{} })
	code := "HR-CONNECT-RATE-CreateUser"
	got, err := sq.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: &code})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Quota.QuotaName != "Rate of CreateUser API requests" || *got.Quota.Value != 2 || !got.Quota.Adjustable {
		t.Fatalf("GetServiceQuota(%s) = %s %v adjustable %v", code, *got.Quota.QuotaName, *got.Quota.Value, got.Quota.Adjustable)
	}
	r, err := sq.RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: &code, DesiredValue: aws.Float64(4)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.engine.DecideRequest(ctx, *r.RequestedQuota.Id, headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		t.Fatal(err)
	}
	// 4 per second: the burst scales with it, from 5 to 10.
	c := e.client(acctA)
	for i := 0; i < 10; i++ {
		must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, fmt.Sprint("u", i))))
	}
	_, err = c.CreateUser(ctx, userInput(iid, "u10"))
	wantErr(t, err, "ThrottlingException", 429, "Rate of CreateUser API requests quota of 4 per second (burst 10)")
	// ListUsers keeps the seed's 2/s burst 5.
	for i := 0; i < 5; i++ {
		if _, err := c.ListUsers(ctx, &connect.ListUsersInput{InstanceId: &iid}); err != nil {
			t.Fatalf("ListUsers %d: %v", i+1, err)
		}
	}
	_, err = c.ListUsers(ctx, &connect.ListUsersInput{InstanceId: &iid})
	wantErr(t, err, "ThrottlingException", 429, "Rate of ListUsers API requests quota of 2 per second (burst 5)")
	other := "HR-CONNECT-RATE-ListUsers"
	got, err = sq.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: &other})
	if err != nil || *got.Quota.Value != 2 {
		t.Fatalf("GetServiceQuota(%s) after raising CreateUser = %+v, %v", other, got, err)
	}
}

// The same through the native API: a tenant's request on one operation's
// code, approved, raises that operation only.
func TestRateIncreaseForOneOperationNative(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	iid := e.instance(acctA)
	e.seedRates(acctA)
	n := e.native()
	req, err := n.CreateRequest(ctx, httpapi.RequestCreate{AccountID: acctA, Code: "HR-CONNECT-RATE-DescribeInstance", DesiredValue: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.DecideRequest(ctx, req.ID, "approve", httpapi.RequestDecide{}); err != nil {
		t.Fatal(err)
	}
	c := e.client(acctA)
	// 3 per second, burst ceil(5*3/2) = 8.
	for i := 0; i < 8; i++ {
		if _, err := c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &iid}); err != nil {
			t.Fatalf("DescribeInstance %d: %v", i+1, err)
		}
	}
	_, err = c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &iid})
	wantErr(t, err, "ThrottlingException", 429, "Rate of DescribeInstance API requests quota of 3 per second (burst 8)")
	for i := 0; i < 5; i++ {
		if _, err := c.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
			t.Fatalf("ListInstances %d: %v", i+1, err)
		}
	}
	_, err = c.ListInstances(ctx, &connect.ListInstancesInput{})
	wantErr(t, err, "ThrottlingException", 429, "quota of 2 per second (burst 5)")
}

// With the SDK's retries, a throttled call eventually succeeds: the
// retryer backs off while the bucket refills. The manual clock stands for
// time: each throttled answer advances it by the backoff (advanceOn429),
// so the test does not depend on how fast the machine runs.
func TestThrottlingRetriesSucceed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, true, "")
	var throttled atomic.Int64
	retrying := e.client(acctA, func(o *connect.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 10
			so.MaxBackoff = 10 * time.Millisecond
		})
		o.HTTPClient = countingClient{advanceOn429{e}, &throttled}
	})
	for i := 0; i < 20; i++ {
		if _, err := retrying.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
			t.Fatalf("call %d with retries: %v", i, err)
		}
	}
	// Beyond the burst of 5 the calls were throttled and retried.
	if throttled.Load() == 0 {
		t.Fatal("20 calls over a burst of 5 were never throttled")
	}
}

// advanceOn429 is an HTTP client that advances the manual clock by a
// second whenever the server throttles, as if the SDK's backoff had taken
// that long: the retry then finds the bucket refilled, whatever the jitter.
type advanceOn429 struct {
	e *env
}

func (a advanceOn429) Do(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		a.e.clk.Advance(time.Second)
	}
	return resp, err
}

// With the SDK's default retryer (3 attempts, jittered backoff), a call
// throttled over the burst succeeds on retry.
func TestThrottlingDefaultRetryer(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, true, "")
	var throttled atomic.Int64
	k := e.keys[acctA]
	// The SDK's default retryer: no Retryer option.
	c := connect.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *connect.Options) {
			o.BaseEndpoint = aws.String(e.url)
			o.HTTPClient = countingClient{advanceOn429{e}, &throttled}
		})
	for i := 0; i < 6; i++ {
		if _, err := c.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
			t.Fatalf("call %d with default retries: %v", i+1, err)
		}
	}
	if throttled.Load() != 1 {
		t.Fatalf("%d throttled answers, want 1 (the 6th call's first attempt)", throttled.Load())
	}
}

// countingClient counts the throttled answers of the client it wraps.
type countingClient struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	n *atomic.Int64
}

func (c countingClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.n.Add(1)
	}
	return resp, err
}
