package profilesapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles"
)

func (e *env) integration(account, domain, uri string) error {
	_, err := e.client(account).PutIntegration(ctx, &customerprofiles.PutIntegrationInput{DomainName: aws.String(domain), Uri: aws.String(uri)})
	return err
}

// TestIntegrationsPerAccount drives "Maximum number of integrations" (50,
// per account across domains) to its edge and past it; deleting a domain
// gives back its integrations' slots, and an override moves the edge.
func TestIntegrationsPerAccount(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "a")
	e.domain(acctA, "b")
	c := e.client(acctA)
	for i := range 25 {
		ok(t, e.integration(acctA, "a", fmt.Sprintf("arn:aws:flow:us-east-1:123456789012:flow/%d", i)))
		ok(t, e.integration(acctA, "b", fmt.Sprintf("arn:aws:flow:us-east-1:123456789012:flow/%d", i)))
	}
	ok(t, e.integration(acctA, "a", "arn:aws:flow:us-east-1:123456789012:flow/0")) // a re-put
	wantErr(t, e.integration(acctA, "a", "arn:aws:flow:us-east-1:123456789012:flow/x"), "BadRequestException", http.StatusBadRequest,
		"Maximum number of integrations", "50")
	got, err := c.GetIntegration(ctx, &customerprofiles.GetIntegrationInput{DomainName: aws.String("a"), Uri: aws.String("arn:aws:flow:us-east-1:123456789012:flow/3")})
	ok(t, err)
	if *got.DomainName != "a" || *got.Uri != "arn:aws:flow:us-east-1:123456789012:flow/3" || got.CreatedAt == nil {
		t.Fatalf("get: %+v", got)
	}
	n := 0
	var token *string
	for {
		out, err := c.ListIntegrations(ctx, &customerprofiles.ListIntegrationsInput{DomainName: aws.String("a"), MaxResults: aws.Int32(10), NextToken: token})
		ok(t, err)
		n += len(out.Items)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if n != 25 {
		t.Fatalf("listed %d integrations, want 25", n)
	}
	_, err = c.DeleteIntegration(ctx, &customerprofiles.DeleteIntegrationInput{DomainName: aws.String("a"), Uri: aws.String("arn:aws:flow:us-east-1:123456789012:flow/3")})
	ok(t, err)
	_, err = c.GetIntegration(ctx, &customerprofiles.GetIntegrationInput{DomainName: aws.String("a"), Uri: aws.String("arn:aws:flow:us-east-1:123456789012:flow/3")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound)
	ok(t, e.integration(acctA, "a", "arn:aws:flow:us-east-1:123456789012:flow/x"))
	// Deleting domain b gives back its 25.
	_, err = c.DeleteDomain(ctx, &customerprofiles.DeleteDomainInput{DomainName: aws.String("b")})
	ok(t, err)
	for i := range 25 {
		ok(t, e.integration(acctA, "a", fmt.Sprintf("arn:aws:flow:us-east-1:123456789012:flow/b%d", i)))
	}
	wantErr(t, e.integration(acctA, "a", "arn:aws:flow:us-east-1:123456789012:flow/y"), "BadRequestException", http.StatusBadRequest, "50")
	e.override(acctA, "L-4A5ECB8E", "", 51)
	ok(t, e.integration(acctA, "a", "arn:aws:flow:us-east-1:123456789012:flow/y"))
	wantErr(t, e.integration(acctA, "a", "arn:aws:flow:us-east-1:123456789012:flow/z"), "BadRequestException", http.StatusBadRequest, "51")
}
