package profilesapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles"
)

func TestDomainsLifecycle(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	c := e.client(acctA)
	out, err := c.CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("shop"), DefaultExpirationDays: aws.Int32(30),
		Tags: map[string]string{"team": "crm"}})
	ok(t, err)
	if *out.DomainName != "shop" || *out.DefaultExpirationDays != 30 || out.Tags["team"] != "crm" || out.CreatedAt == nil {
		t.Fatalf("create: %+v", out)
	}
	_, err = c.CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("shop"), DefaultExpirationDays: aws.Int32(30)})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "already exists")
	got, err := c.GetDomain(ctx, &customerprofiles.GetDomainInput{DomainName: aws.String("shop")})
	ok(t, err)
	if *got.DefaultExpirationDays != 30 || got.Tags["team"] != "crm" {
		t.Fatalf("get: %+v", got)
	}
	up, err := c.UpdateDomain(ctx, &customerprofiles.UpdateDomainInput{DomainName: aws.String("shop"), DefaultExpirationDays: aws.Int32(90)})
	ok(t, err)
	if *up.DefaultExpirationDays != 90 {
		t.Fatalf("update: %+v", up)
	}
	list, err := c.ListDomains(ctx, &customerprofiles.ListDomainsInput{})
	ok(t, err)
	if len(list.Items) != 1 || *list.Items[0].DomainName != "shop" {
		t.Fatalf("list: %+v", list.Items)
	}
	_, err = c.DeleteDomain(ctx, &customerprofiles.DeleteDomainInput{DomainName: aws.String("shop")})
	ok(t, err)
	_, err = c.GetDomain(ctx, &customerprofiles.GetDomainInput{DomainName: aws.String("shop")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound, "shop")
	// Another account sees none of an account's domains.
	e.account(acctB, "")
	e.domain(acctA, "mine")
	_, err = e.client(acctB).GetDomain(ctx, &customerprofiles.GetDomainInput{DomainName: aws.String("mine")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound)
}

// TestDomainsPerAccount drives "Maximum domains per account" (100) to its
// edge and past it, then moves the edge with an override.
func TestDomainsPerAccount(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	c := e.client(acctA)
	for i := range 100 {
		e.domain(acctA, fmt.Sprintf("d%03d", i))
	}
	_, err := c.CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("d100"), DefaultExpirationDays: aws.Int32(1)})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "Maximum domains per account", "100")
	// Deleting one frees its slot.
	_, err = c.DeleteDomain(ctx, &customerprofiles.DeleteDomainInput{DomainName: aws.String("d000")})
	ok(t, err)
	e.domain(acctA, "d100")
	e.override(acctA, "L-6603B252", "", 101)
	e.domain(acctA, "d101")
	_, err = c.CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("d102"), DefaultExpirationDays: aws.Int32(1)})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "101")
	// The SDK's paginator walks all of them.
	n := 0
	var token *string
	for {
		out, err := c.ListDomains(ctx, &customerprofiles.ListDomainsInput{MaxResults: aws.Int32(30), NextToken: token})
		ok(t, err)
		n += len(out.Items)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if n != 101 {
		t.Fatalf("listed %d domains, want 101", n)
	}
}

// TestDomainExpiration drives DefaultExpirationDays to 1,098 days (3
// years) and past it, on create and update; an override moves the edge.
func TestDomainExpiration(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	c := e.client(acctA)
	_, err := c.CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("a"), DefaultExpirationDays: aws.Int32(1098)})
	ok(t, err)
	_, err = c.CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("b"), DefaultExpirationDays: aws.Int32(1099)})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "1099", "1098 days", "L-3217D1F1")
	_, err = c.UpdateDomain(ctx, &customerprofiles.UpdateDomainInput{DomainName: aws.String("a"), DefaultExpirationDays: aws.Int32(1099)})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "1098 days")
	e.override(acctA, "L-3217D1F1", "", 4)
	_, err = c.UpdateDomain(ctx, &customerprofiles.UpdateDomainInput{DomainName: aws.String("a"), DefaultExpirationDays: aws.Int32(1464)})
	ok(t, err)
	_, err = c.UpdateDomain(ctx, &customerprofiles.UpdateDomainInput{DomainName: aws.String("a"), DefaultExpirationDays: aws.Int32(1465)})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "1464 days")
}

// TestAISPLRefused: Customer Profiles is part of Amazon Connect, which an
// AISPL account may not use.
func TestAISPLRefused(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "AISPL")
	_, err := e.client(acctA).CreateDomain(ctx, &customerprofiles.CreateDomainInput{DomainName: aws.String("x"), DefaultExpirationDays: aws.Int32(1)})
	wantErr(t, err, "AccessDeniedException", http.StatusForbidden, "AISPL")
	_, err = e.client(acctA).ListDomains(ctx, &customerprofiles.ListDomainsInput{})
	wantErr(t, err, "AccessDeniedException", http.StatusForbidden, "AISPL")
}
