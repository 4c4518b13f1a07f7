package connectapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/headroomhq/headroom"
)

// An increase requested through the AWS Service Quotas API with the
// instance's ARN as ContextId, once approved, lifts the limit on the next
// Connect call, for that instance only.
func TestServiceQuotasIncreaseAppliesToInstance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	k := e.account(acctA, false, "")
	c := e.client(acctA)
	i1, i2 := e.instance(acctA), e.instance(acctA)
	e.override(acctA, headroom.CodeUsers, "", 2)
	for _, iid := range []string{i1, i2} {
		for n := 0; n < 2; n++ {
			must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, fmt.Sprint("u", n))))
		}
		_, err := c.CreateUser(ctx, userInput(iid, "u2"))
		wantErr(t, err, "LimitExceededException", 429, "quota of 2")
	}
	// The Service Quotas API on the same server and address.
	sq := servicequotas.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *servicequotas.Options) { o.BaseEndpoint = aws.String(e.url); o.Retryer = aws.NopRetryer{} })
	arn := "arn:aws:connect:" + region + ":" + acctA + ":instance/" + i1
	r, err := sq.RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(3), ContextId: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.engine.DecideRequest(ctx, *r.RequestedQuota.Id, headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		t.Fatal(err)
	}
	must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(i1, "u2")))
	_, err = c.CreateUser(ctx, userInput(i1, "u3"))
	wantErr(t, err, "LimitExceededException", 429, "quota of 3")
	_, err = c.CreateUser(ctx, userInput(i2, "u2"))
	wantErr(t, err, "LimitExceededException", 429, "quota of 2")
}

// However many callers race, never more users than the quota.
func TestConcurrentCreatesNeverExceed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	e.override(acctA, headroom.CodeUsers, "instance/"+iid, 20)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.CreateUser(ctx, userInput(iid, fmt.Sprint("racer", g))); err == nil {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 20 {
		t.Fatalf("%d users created, want 20", ok.Load())
	}
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeUsers, "instance/"+iid); n != 20 {
		t.Fatalf("usage %d", n)
	}
}

// Requests must be signed with SigV4 for the connect service by a known
// key.
func TestAuthentication(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	resp, err := http.Get(e.url + "/instance")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	bad := e.clientWithKey(headroom.AccessKey{ID: "AKIDUNKNOWN", Secret: "x"})
	_, err = bad.ListInstances(ctx, &connect.ListInstancesInput{})
	wantErr(t, err, "UnrecognizedClientException", 403)
	k := e.keys[acctA]
	wrongSecret := e.clientWithKey(headroom.AccessKey{ID: k.ID, Secret: "wrong"})
	_, err = wrongSecret.ListInstances(ctx, &connect.ListInstancesInput{})
	wantErr(t, err, "InvalidSignatureException", 403)
	wrongRegion := e.client(acctA, func(o *connect.Options) { o.Region = "eu-west-1" })
	_, err = wrongRegion.ListInstances(ctx, &connect.ListInstancesInput{})
	wantErr(t, err, "InvalidSignatureException", 403, "region")
}
