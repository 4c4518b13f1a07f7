package profilesapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/customerprofiles"
)

const kb = 1024

// profileOverhead is the size of a stored profile made with one "pad"
// attribute, less the attribute's value.
var profileOverhead = len(`{"Attributes":{"pad":""},"ProfileId":"`) + 32 + len(`"}`)

func (e *env) profile(account, domain string, size int) (string, error) {
	out, err := e.client(account).CreateProfile(ctx, &customerprofiles.CreateProfileInput{DomainName: aws.String(domain),
		Attributes: map[string]string{"pad": strings.Repeat("x", size-profileOverhead)}})
	if err != nil {
		return "", err
	}
	return *out.ProfileId, nil
}

// object returns an object of the profile exactly size bytes long; tag
// makes objects of one size differ.
func object(profile string, size int, tag int) string {
	head := fmt.Sprintf(`{"ProfileId":"%s","n":%d,"pad":"`, profile, tag)
	return head + strings.Repeat("y", size-len(head)-2) + `"}`
}

func (e *env) putObject(account, domain, typ, obj string) (string, error) {
	out, err := e.client(account).PutProfileObject(ctx, &customerprofiles.PutProfileObjectInput{DomainName: aws.String(domain),
		ObjectTypeName: aws.String(typ), Object: aws.String(obj)})
	if err != nil {
		return "", err
	}
	return *out.ProfileObjectUniqueKey, nil
}

func TestProfilesLifecycle(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	c := e.client(acctA)
	out, err := c.CreateProfile(ctx, &customerprofiles.CreateProfileInput{DomainName: aws.String("shop"), FirstName: aws.String("Ada"),
		EmailAddress: aws.String("ada@example.com"), Attributes: map[string]string{"tier": "gold"}})
	ok(t, err)
	id := *out.ProfileId
	_, err = c.UpdateProfile(ctx, &customerprofiles.UpdateProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id), LastName: aws.String("Lovelace")})
	ok(t, err)
	found, err := c.SearchProfiles(ctx, &customerprofiles.SearchProfilesInput{DomainName: aws.String("shop"), KeyName: aws.String("_email"), Values: []string{"ada@example.com"}})
	ok(t, err)
	if len(found.Items) != 1 || *found.Items[0].ProfileId != id || *found.Items[0].LastName != "Lovelace" || found.Items[0].Attributes["tier"] != "gold" {
		t.Fatalf("search: %+v", found.Items)
	}
	found, err = c.SearchProfiles(ctx, &customerprofiles.SearchProfilesInput{DomainName: aws.String("shop"), KeyName: aws.String("tier"), Values: []string{"silver"}})
	ok(t, err)
	if len(found.Items) != 0 {
		t.Fatalf("search: %+v", found.Items)
	}
	_, err = c.PutProfileObjectType(ctx, &customerprofiles.PutProfileObjectTypeInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("orders"), Description: aws.String("d")})
	ok(t, err)
	key, err := e.putObject(acctA, "shop", "orders", object(id, 100, 1))
	ok(t, err)
	objs, err := c.ListProfileObjects(ctx, &customerprofiles.ListProfileObjectsInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("orders"), ProfileId: aws.String(id)})
	ok(t, err)
	if len(objs.Items) != 1 || *objs.Items[0].ProfileObjectUniqueKey != key || *objs.Items[0].Object != object(id, 100, 1) {
		t.Fatalf("objects: %+v", objs.Items)
	}
	_, err = c.DeleteProfileObject(ctx, &customerprofiles.DeleteProfileObjectInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("orders"),
		ProfileId: aws.String(id), ProfileObjectUniqueKey: aws.String(key)})
	ok(t, err)
	_, err = c.DeleteProfile(ctx, &customerprofiles.DeleteProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id)})
	ok(t, err)
	_, err = c.UpdateProfile(ctx, &customerprofiles.UpdateProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id), LastName: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", http.StatusNotFound, id)
	_, err = e.putObject(acctA, "shop", "orders", `{"n":1}`)
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "ProfileId")
}

// TestProfileSize: a profile, not counting its objects, is at most 250 KB
// (256,000 bytes), on create and update; the quota is not adjustable.
func TestProfileSize(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	id, err := e.profile(acctA, "shop", 250*kb)
	ok(t, err)
	_, err = e.profile(acctA, "shop", 250*kb+1)
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "Maximum size of a profile not counting objects", "250")
	_, err = e.client(acctA).UpdateProfile(ctx, &customerprofiles.UpdateProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id), FirstName: aws.String("A")})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "250")
	if err := e.engine.SetOverride(ctx, overrideOf(acctA, "HR-PROFILE-SIZE", 300), "test"); err == nil {
		t.Fatal("an override of the profile size was accepted; it cannot be increased")
	}
}

// TestObjectSize: a single object is at most 250 KB; not adjustable.
func TestObjectSize(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "orders", 1))
	id, err := e.profile(acctA, "shop", 100)
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 250*kb, 1))
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 250*kb+1, 2))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "Maximum size of a single profile object", "250")
}

// TestObjectsPerProfile drives "Maximum objects attached to a profile"
// (100) to its edge and past it; a delete frees a slot, and an override for
// the profile moves the edge.
func TestObjectsPerProfile(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "orders", 1))
	id, err := e.profile(acctA, "shop", 100)
	ok(t, err)
	other, err := e.profile(acctA, "shop", 100)
	ok(t, err)
	var first string
	for i := range 100 {
		k, err := e.putObject(acctA, "shop", "orders", object(id, 100, i))
		ok(t, err)
		if i == 0 {
			first = k
		}
	}
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 0)) // the same object again
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 100))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "Maximum objects attached to a profile", "100")
	_, err = e.putObject(acctA, "shop", "orders", object(other, 100, 100))
	ok(t, err)
	_, err = e.client(acctA).DeleteProfileObject(ctx, &customerprofiles.DeleteProfileObjectInput{DomainName: aws.String("shop"), ObjectTypeName: aws.String("orders"),
		ProfileId: aws.String(id), ProfileObjectUniqueKey: aws.String(first)})
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 100))
	ok(t, err)
	e.override(acctA, "L-E17DC7C3", "domain/shop/profile/"+id, 101)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 101))
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 102))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "101")
	// Deleting the profile deletes its objects and their count.
	_, err = e.client(acctA).DeleteProfile(ctx, &customerprofiles.DeleteProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id)})
	ok(t, err)
	u, err := e.engine.Usage(ctx, acctA, "L-E17DC7C3", "domain/shop/profile/"+id)
	ok(t, err)
	if u != 0 {
		t.Fatalf("usage after the profile's delete: %d", u)
	}
}

// TestProfileTotalSize: a profile with all its objects is at most 5 MB
// (5,242,880 bytes); an override moves the edge.
func TestProfileTotalSize(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "orders", 1))
	own := 1000
	id, err := e.profile(acctA, "shop", own)
	ok(t, err)
	for i := range 20 {
		_, err := e.putObject(acctA, "shop", "orders", object(id, 250*kb, i))
		ok(t, err)
	}
	rest := 5*kb*kb - 20*250*kb - own
	_, err = e.putObject(acctA, "shop", "orders", object(id, rest+1, 20))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "Maximum size of a profile including all objects", "5")
	_, err = e.putObject(acctA, "shop", "orders", object(id, rest, 20))
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 21))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "5")
	// The profile itself may not grow past the total either.
	_, err = e.client(acctA).UpdateProfile(ctx, &customerprofiles.UpdateProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id), FirstName: aws.String("Ada")})
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "5")
	e.override(acctA, "L-63975AF3", "", 6)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 100, 21))
	ok(t, err)
}

// TestModificationsThrottled: profile modifications are throttled at 100
// per second per account, with ThrottlingException (429); the clock's
// advance refills the bucket, and an approved increase raises it.
func TestModificationsThrottled(t *testing.T) {
	e := newEnv(t)
	e.throttledAccount(acctA, "")
	e.throttledAccount(acctB, "")
	e.domain(acctA, "shop")
	e.domain(acctB, "shop")
	for range 100 {
		_, err := e.profile(acctA, "shop", 100)
		ok(t, err)
	}
	_, err := e.profile(acctA, "shop", 100)
	wantErr(t, err, "ThrottlingException", http.StatusTooManyRequests, "100")
	// Reads are not modifications; another account has its own bucket.
	_, err = e.client(acctA).GetDomain(ctx, &customerprofiles.GetDomainInput{DomainName: aws.String("shop")})
	ok(t, err)
	_, err = e.profile(acctB, "shop", 100)
	ok(t, err)
	e.clk.Advance(time.Second)
	_, err = e.profile(acctA, "shop", 100)
	ok(t, err)
	e.override(acctA, "HR-PROFILE-MODIFICATIONS-RATE", "", 200)
	e.clk.Advance(time.Second)
	for range 200 {
		_, err := e.profile(acctA, "shop", 100)
		ok(t, err)
	}
	_, err = e.profile(acctA, "shop", 100)
	wantErr(t, err, "ThrottlingException", http.StatusTooManyRequests, "200")
}

// TestProfileTotalSizeRace: objects put at once, each of which fits alone
// but not together, are decided one after the other: exactly as many as
// fit are stored. Deleting an object gives its bytes back, and the count
// Headroom keeps in the profile can neither be seen nor set by a client.
func TestProfileTotalSizeRace(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	ok(t, e.objectType(acctA, "shop", "orders", 1))
	id, err := e.profile(acctA, "shop", 1000)
	ok(t, err)
	// 5 MB holds 20 objects of 250 KB beside a 1,000-byte profile: 24
	// race for them.
	const racers = 24
	var wg sync.WaitGroup
	errs := make([]error, racers)
	keys := make([]string, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = e.putObject(acctA, "shop", "orders", object(id, 250*kb, i))
		}()
	}
	wg.Wait()
	stored, refused := 0, 0
	var one string
	for i, err := range errs {
		switch {
		case err == nil:
			stored, one = stored+1, keys[i]
		case strings.Contains(err.Error(), "Maximum size of a profile including all objects"):
			refused++
		default:
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if stored != 20 || refused != racers-20 {
		t.Fatalf("stored %d and refused %d of %d; want 20 stored", stored, refused, racers)
	}
	_, err = e.putObject(acctA, "shop", "orders", object(id, 250*kb, 100))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "5")
	_, err = e.client(acctA).DeleteProfileObject(ctx, &customerprofiles.DeleteProfileObjectInput{DomainName: aws.String("shop"),
		ProfileId: aws.String(id), ObjectTypeName: aws.String("orders"), ProfileObjectUniqueKey: aws.String(one)})
	ok(t, err)
	_, err = e.putObject(acctA, "shop", "orders", object(id, 250*kb, 100))
	ok(t, err)

	// A client naming Headroom's member gets nothing from it.
	_, err = e.client(acctA).UpdateProfile(ctx, &customerprofiles.UpdateProfileInput{DomainName: aws.String("shop"), ProfileId: aws.String(id),
		Attributes: map[string]string{"headroom:ObjectBytes": "0"}})
	ok(t, err)
	found, err := e.client(acctA).SearchProfiles(ctx, &customerprofiles.SearchProfilesInput{DomainName: aws.String("shop"),
		KeyName: aws.String("_profileId"), Values: []string{id}})
	ok(t, err)
	if len(found.Items) != 1 {
		t.Fatalf("search found %d profiles", len(found.Items))
	}
	_, err = e.putObject(acctA, "shop", "orders", object(id, 250*kb, 101))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "5")
}

// TestSearchProfilesPages: SearchProfiles pages with MaxResults and
// NextToken, each match once, and a token works only for its own search.
func TestSearchProfilesPages(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	e.domain(acctA, "shop")
	want := map[string]bool{}
	for i := range 7 {
		acct := "A-1"
		if i%3 == 2 {
			acct = "B-2" // not a match: pages must skip them
		}
		out, err := e.client(acctA).CreateProfile(ctx, &customerprofiles.CreateProfileInput{DomainName: aws.String("shop"), AccountNumber: aws.String(acct)})
		ok(t, err)
		if acct == "A-1" {
			want[*out.ProfileId] = true
		}
	}
	in := &customerprofiles.SearchProfilesInput{DomainName: aws.String("shop"), KeyName: aws.String("_account"), Values: []string{"A-1"}, MaxResults: aws.Int32(2)}
	seen, pages := map[string]bool{}, 0
	var token *string
	for {
		in.NextToken = token
		out, err := e.client(acctA).SearchProfiles(ctx, in)
		ok(t, err)
		pages++
		if len(out.Items) == 0 || len(out.Items) > 2 {
			t.Fatalf("page %d has %d items", pages, len(out.Items))
		}
		for _, p := range out.Items {
			if seen[*p.ProfileId] || !want[*p.ProfileId] {
				t.Fatalf("page %d: profile %s repeated or not a match", pages, *p.ProfileId)
			}
			seen[*p.ProfileId] = true
		}
		if out.NextToken == nil {
			break
		}
		if pages == 1 {
			// The token of another search is refused.
			other := *in
			other.Values, other.NextToken = []string{"B-2"}, out.NextToken
			_, err := e.client(acctA).SearchProfiles(ctx, &other)
			wantErr(t, err, "BadRequestException", http.StatusBadRequest, "NextToken")
		}
		token = out.NextToken
	}
	if len(seen) != len(want) || pages != 3 {
		t.Fatalf("found %d of %d matches in %d pages; want all in 3", len(seen), len(want), pages)
	}
}
