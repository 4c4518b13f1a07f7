package profilesapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles/types"
)

func (e *env) objectType(account, domain, name string, keys int) error {
	in := &customerprofiles.PutProfileObjectTypeInput{DomainName: aws.String(domain), ObjectTypeName: aws.String(name),
		Description: aws.String("test type"), Keys: map[string][]types.ObjectTypeKey{}}
	for i := range keys {
		in.Keys[fmt.Sprintf("k%d", i)] = []types.ObjectTypeKey{{StandardIdentifiers: []types.StandardIdentifier{types.StandardIdentifierProfile}, FieldNames: []string{"id"}}}
	}
	_, err := e.client(account).PutProfileObjectType(ctx, in)
	return err
}

// TestObjectTypesPerDomain drives "Maximum profile objects types per
// domain" (100) to its edge and past it; a re-put takes no slot, a delete
// gives one back, and an override for the domain moves the edge.
func TestObjectTypesPerDomain(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	e.domain(acctA, "other")
	c := e.client(acctA)
	for i := range 100 {
		ok(t, e.objectType(acctA, "shop", fmt.Sprintf("type_%c%c", 'a'+i/26, 'a'+i%26), 1))
	}
	wantErr(t, e.objectType(acctA, "shop", "one_more", 1), "BadRequestException", http.StatusBadRequest, "Maximum profile objects types per domain", "100")
	ok(t, e.objectType(acctA, "shop", "type_aa", 2)) // a re-put
	ok(t, e.objectType(acctA, "other", "one_more", 1))
	got, err := c.GetProfileObjectType(ctx, &customerprofiles.GetProfileObjectTypeInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("type_aa")})
	ok(t, err)
	if len(got.Keys) != 2 || *got.Description != "test type" {
		t.Fatalf("get: %+v", got)
	}
	_, err = c.DeleteProfileObjectType(ctx, &customerprofiles.DeleteProfileObjectTypeInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("type_aa")})
	ok(t, err)
	ok(t, e.objectType(acctA, "shop", "one_more", 1))
	e.override(acctA, "L-14092FF4", "domain/shop", 101)
	ok(t, e.objectType(acctA, "shop", "two_more", 1))
	wantErr(t, e.objectType(acctA, "shop", "three_more", 1), "BadRequestException", http.StatusBadRequest, "101")
	n := 0
	var token *string
	for {
		out, err := c.ListProfileObjectTypes(ctx, &customerprofiles.ListProfileObjectTypesInput{DomainName: aws.String("shop"), MaxResults: aws.Int32(40), NextToken: token})
		ok(t, err)
		n += len(out.Items)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if n != 101 {
		t.Fatalf("listed %d object types, want 101", n)
	}
	// Deleting the domain gives back its slot and removes its types.
	_, err = c.DeleteDomain(ctx, &customerprofiles.DeleteDomainInput{DomainName: aws.String("shop")})
	ok(t, err)
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "type_aa", 1))
	_, err = c.GetProfileObjectType(ctx, &customerprofiles.GetProfileObjectTypeInput{DomainName: aws.String("nope"), ObjectTypeName: aws.String("type_aa")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound, "nope")
}

// TestKeysPerObjectType drives "Maximum keys per object type" (10) to its
// edge and past it; an override for one object type moves its edge.
func TestKeysPerObjectType(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "orders", 10))
	wantErr(t, e.objectType(acctA, "shop", "orders", 11), "BadRequestException", http.StatusBadRequest, "11 keys", "Maximum keys per object type", "10")
	e.override(acctA, "L-A7ED412C", "domain/shop/object-type/orders", 12)
	ok(t, e.objectType(acctA, "shop", "orders", 12))
	wantErr(t, e.objectType(acctA, "shop", "orders", 13), "BadRequestException", http.StatusBadRequest, "12")
	wantErr(t, e.objectType(acctA, "shop", "returns", 11), "BadRequestException", http.StatusBadRequest, "10")
}

// TestObjectTypeExpiration: ExpirationDays at most 1,098 days.
func TestObjectTypeExpiration(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	put := func(days int32) error {
		_, err := e.client(acctA).PutProfileObjectType(ctx, &customerprofiles.PutProfileObjectTypeInput{DomainName: aws.String("shop"),
			ObjectTypeName: aws.String("orders"), Description: aws.String("d"), ExpirationDays: aws.Int32(days)})
		return err
	}
	ok(t, put(1098))
	wantErr(t, put(1099), "BadRequestException", http.StatusBadRequest, "ExpirationDays 1099", "1098 days")
}

// TestDeleteObjectTypeRemovesItsObjects: deleting an object type removes
// every object of that type, in every profile of the domain, and gives
// back their slots among the profile's objects; objects of other types
// stay.
func TestDeleteObjectTypeRemovesItsObjects(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "orders", 1))
	ok(t, e.objectType(acctA, "shop", "returns", 1))
	p1, err := e.profile(acctA, "shop", 1000)
	ok(t, err)
	p2, err := e.profile(acctA, "shop", 1000)
	ok(t, err)
	e.override(acctA, "L-E17DC7C3", "", 3) // objects per profile
	for i := range 2 {
		for _, p := range []string{p1, p2} {
			_, err := e.putObject(acctA, "shop", "orders", object(p, 100, i))
			ok(t, err)
		}
	}
	_, err = e.putObject(acctA, "shop", "returns", object(p1, 100, 9))
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "returns", object(p1, 100, 10))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "3")

	_, err = e.client(acctA).DeleteProfileObjectType(ctx, &customerprofiles.DeleteProfileObjectTypeInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("orders")})
	ok(t, err)
	ok(t, e.objectType(acctA, "shop", "orders", 1))
	count := func(p, typ string) int {
		out, err := e.client(acctA).ListProfileObjects(ctx, &customerprofiles.ListProfileObjectsInput{DomainName: aws.String("shop"), ProfileId: aws.String(p), ObjectTypeName: aws.String(typ)})
		ok(t, err)
		return len(out.Items)
	}
	if n1, n2, r := count(p1, "orders"), count(p2, "orders"), count(p1, "returns"); n1 != 0 || n2 != 0 || r != 1 {
		t.Fatalf("after deleting the type: orders %d and %d, returns %d; want 0, 0, 1", n1, n2, r)
	}
	// The two freed slots of p1 take two objects again, and no third.
	for i := range 2 {
		_, err := e.putObject(acctA, "shop", "orders", object(p1, 100, 20+i))
		ok(t, err)
	}
	_, err = e.putObject(acctA, "shop", "orders", object(p1, 100, 30))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "3")
}

// TestTemplates: /templates is served on the one address; Headroom ships
// no templates, so the list is empty and a template is not found.
func TestTemplates(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	out, err := e.client(acctA).ListProfileObjectTypeTemplates(ctx, &customerprofiles.ListProfileObjectTypeTemplatesInput{})
	ok(t, err)
	if len(out.Items) != 0 || out.NextToken != nil {
		t.Fatalf("templates = %+v", out)
	}
	_, err = e.client(acctA).GetProfileObjectTypeTemplate(ctx, &customerprofiles.GetProfileObjectTypeTemplateInput{TemplateId: aws.String("Salesforce-Account")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound, "Salesforce-Account")
}
