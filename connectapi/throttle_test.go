package connectapi_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"

	"github.com/headroomhq/headroom"
)

// Throttling quotas are by account, not by user and not by instance: two
// instances and two access keys of one account draw from one bucket of
// 2/s with burst 5; another account has its own.
func TestThrottlingSharedBucket(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	k1 := e.account(acctA, false, "")
	i1, i2 := e.instance(acctA), e.instance(acctA)
	// Back to the seed's rate for the rest of the test, with a full bucket.
	if err := e.engine.DeleteOverride(ctx, acctA, headroom.CodeConnectAPIRate, headroom.ScopeAccount, "test"); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Hour)
	k2, err := e.engine.CreateAccessKey(ctx, acctA, "test")
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := e.clientWithKey(k1), e.clientWithKey(k2)
	calls := []func() error{
		func() error {
			_, err := c1.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &i1})
			return err
		},
		func() error {
			_, err := c2.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &i2})
			return err
		},
		func() error { _, err := c1.ListUsers(ctx, &connect.ListUsersInput{InstanceId: &i2}); return err },
		func() error { _, err := c2.ListUsers(ctx, &connect.ListUsersInput{InstanceId: &i1}); return err },
		func() error { _, err := c1.ListInstances(ctx, &connect.ListInstancesInput{}); return err },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	_, err = c2.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: &i2})
	wantErr(t, err, "ThrottlingException", 429, "Rate of API requests quota of 2 per second (burst 5)")
	// Another account is not affected.
	e.account(acctB, true, "")
	if _, err := e.client(acctB).ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
		t.Fatalf("other account: %v", err)
	}
	// Half a second refills one token: one call, then throttled again.
	e.clk.Advance(500 * time.Millisecond)
	if _, err := c1.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	_, err = c1.ListInstances(ctx, &connect.ListInstancesInput{})
	wantErr(t, err, "ThrottlingException", 429)

}

// With the SDK's default retries, a throttled call eventually succeeds:
// the retryer backs off while the bucket refills. The manual clock stands
// for time: a goroutine advances it while the test's calls are throttled.
func TestThrottlingRetriesSucceed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, true, "")
	retrying := e.client(acctA, func(o *connect.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 10
			so.MaxBackoff = 10 * time.Millisecond
		})
	})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				e.clk.Advance(100 * time.Millisecond)
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	for i := 0; i < 20; i++ {
		if _, err := retrying.ListInstances(ctx, &connect.ListInstancesInput{}); err != nil {
			t.Fatalf("call %d with retries: %v", i, err)
		}
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
