package connectapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

func userInput(iid, name string) *connect.CreateUserInput {
	return &connect.CreateUserInput{InstanceId: aws.String(iid), Username: aws.String(name),
		PhoneConfig:        &types.UserPhoneConfig{PhoneType: types.PhoneTypeSoftPhone},
		SecurityProfileIds: []string{defaultsOf(iid).agent}, RoutingProfileId: aws.String(defaultsOf(iid).routingProfile)}
}

// Users per instance: 500, the seed's number. The 501st is refused with
// LimitExceededException stating the quota; deleting one frees its slot;
// other instances are unaffected.
func TestUsersPerInstance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	i1, i2 := e.instance(acctA), e.instance(acctA)
	var first string
	for n := 0; n < 500; n++ {
		out, err := c.CreateUser(ctx, userInput(i1, fmt.Sprintf("agent%d", n)))
		if err != nil {
			t.Fatalf("user %d: %v", n+1, err)
		}
		if n == 0 {
			first = *out.UserId
			if want := "arn:aws:connect:us-east-1:" + acctA + ":instance/" + i1 + "/agent/" + first; *out.UserArn != want {
				t.Errorf("user ARN %s, want %s", *out.UserArn, want)
			}
		}
	}
	_, err := c.CreateUser(ctx, userInput(i1, "agent500"))
	wantErr(t, err, "LimitExceededException", 429, "Users per instance quota of 500")
	must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(i2, "agent500")))

	must[*connect.DeleteUserOutput](t)(c.DeleteUser(ctx, &connect.DeleteUserInput{InstanceId: &i1, UserId: &first}))
	must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(i1, "agent500")))
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeUsers, "instance/"+i1); n != 500 {
		t.Errorf("usage %d, want 500", n)
	}
	// Listing pages through all 500.
	count := 0
	p := connect.NewListUsersPaginator(c, &connect.ListUsersInput{InstanceId: &i1, MaxResults: aws.Int32(200)})
	for p.HasMorePages() {
		count += len(must[*connect.ListUsersOutput](t)(p.NextPage(ctx)).UserSummaryList)
	}
	if count != 500 {
		t.Errorf("listed %d users", count)
	}
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	e.override(acctA, headroom.CodeUsers, "instance/"+iid, 2)
	u := must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "ana")))
	_, err := c.CreateUser(ctx, userInput(iid, "ana"))
	wantErr(t, err, "DuplicateResourceException", 409, "ana")
	must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "bob")))
	_, err = c.CreateUser(ctx, userInput(iid, "cy"))
	wantErr(t, err, "LimitExceededException", 429, "Users per instance quota of 2")

	d := must[*connect.DescribeUserOutput](t)(c.DescribeUser(ctx, &connect.DescribeUserInput{InstanceId: &iid, UserId: u.UserId}))
	if *d.User.Username != "ana" || d.User.PhoneConfig.PhoneType != types.PhoneTypeSoftPhone || *d.User.RoutingProfileId != defaultsOf(iid).routingProfile {
		t.Errorf("described %+v", d.User)
	}
	_, err = c.DescribeUser(ctx, &connect.DescribeUserInput{InstanceId: &iid, UserId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404, "nope")
	missing := userInput(iid, "dee")
	missing.InstanceId = aws.String("no-such-instance")
	_, err = c.CreateUser(ctx, missing)
	wantErr(t, err, "ResourceNotFoundException", 404, "no-such-instance")
	_, err = c.DeleteUser(ctx, &connect.DeleteUserInput{InstanceId: &iid, UserId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404)

	for _, b := range []string{
		`{}`,
		`{"Username":"x","SecurityProfileIds":["a"],"RoutingProfileId":"r"}`,
		`{"Username":"x","PhoneConfig":{"PhoneType":"FAX"},"SecurityProfileIds":["a"],"RoutingProfileId":"r"}`,
		`{"Username":"x","PhoneConfig":{"PhoneType":"SOFT_PHONE"},"RoutingProfileId":"r"}`,
		`{"Username":"x","PhoneConfig":{"PhoneType":"SOFT_PHONE"},"SecurityProfileIds":["a"]}`,
		`{"Username":"bad name","PhoneConfig":{"PhoneType":"SOFT_PHONE"},"SecurityProfileIds":["a"],"RoutingProfileId":"r"}`,
		`{"Username":7}`,
		`[1,2]`,
	} {
		status, name, body := e.raw(acctA, "PUT", "/users/"+iid, b)
		if status != 400 || name != "InvalidParameterException" {
			t.Errorf("%s: %d %s %s", b, status, name, body)
		}
	}
	// Deleting the instance deletes its users and frees their slots.
	must[*connect.DeleteInstanceOutput](t)(c.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: &iid}))
	if n, _ := e.engine.Usage(ctx, acctA, headroom.CodeUsers, "instance/"+iid); n != 0 {
		t.Errorf("users of a deleted instance hold %d slots", n)
	}
	if strings.Contains(iid, "/") {
		t.Fatal(iid)
	}
}
