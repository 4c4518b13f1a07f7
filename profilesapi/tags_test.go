package profilesapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles"
)

// TestDomainTags tags, lists and untags a domain through /tags/, the path
// Amazon Connect's API shares: the SigV4 scope's service sends each
// request to its API.
func TestDomainTags(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	c := e.client(acctA)
	arn := "arn:aws:profile:" + region + ":" + acctA + ":domains/shop"
	_, err := c.TagResource(ctx, &customerprofiles.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}})
	ok(t, err)
	_, err = c.UntagResource(ctx, &customerprofiles.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}})
	ok(t, err)
	out, err := c.ListTagsForResource(ctx, &customerprofiles.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	ok(t, err)
	if len(out.Tags) != 1 || out.Tags["b"] != "2" {
		t.Fatalf("tags: %v", out.Tags)
	}
	// At most 50 tags on a domain.
	tags := map[string]string{}
	for i := range 49 {
		tags[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = c.TagResource(ctx, &customerprofiles.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags})
	ok(t, err)
	_, err = c.TagResource(ctx, &customerprofiles.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"one-more": "v"}})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "50")
	_, err = c.ListTagsForResource(ctx, &customerprofiles.ListTagsForResourceInput{ResourceArn: aws.String(arn + "x")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound)
	// The same path signed for connect reaches Amazon Connect's API, which
	// knows no profile ARN.
	k := e.keys[acctA]
	cc := connect.New(connect.Options{Region: region, Credentials: aws.NewCredentialsCache(staticCreds{k.ID, k.Secret}),
		BaseEndpoint: aws.String(e.url), Retryer: aws.NopRetryer{}})
	_, err = cc.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantErr(t, err, "InvalidParameterException", http.StatusBadRequest)
}
