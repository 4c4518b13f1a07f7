package connectapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/connect"

	"github.com/headroomhq/headroom"
)

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
	resp, err := http.Get(e.srv.URL + "/instance")
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
