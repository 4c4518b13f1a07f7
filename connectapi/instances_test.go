package connectapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

// fresh copies in without its ClientToken: the SDK writes the token it
// generates into the input, and sending that input again is a retry.
func fresh(in *connect.CreateInstanceInput) *connect.CreateInstanceInput {
	x := *in
	x.ClientToken = nil
	return &x
}

func TestInstances(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	in := &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
		InstanceAlias: aws.String("first"), InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(false)}
	first := must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, fresh(in)))
	if want := "arn:aws:connect:us-east-1:" + acctA + ":instance/" + *first.Id; *first.Arn != want {
		t.Errorf("ARN %s, want %s", *first.Arn, want)
	}
	// The alias is unique.
	_, err := c.CreateInstance(ctx, fresh(in))
	wantErr(t, err, "InvalidRequestException", 400, "first")
	in.InstanceAlias = nil
	second := must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, fresh(in)))
	// Instances per account: 2. The third is refused and told the quota.
	_, err = c.CreateInstance(ctx, fresh(in))
	wantErr(t, err, "ServiceQuotaExceededException", 402, "Amazon Connect instances per account quota of 2")

	d := must[*connect.DescribeInstanceOutput](t)(c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: first.Id}))
	if *d.Instance.Id != *first.Id || *d.Instance.InstanceAlias != "first" || d.Instance.InstanceStatus != types.InstanceStatusActive ||
		!*d.Instance.InboundCallsEnabled || *d.Instance.OutboundCallsEnabled || d.Instance.CreatedTime == nil || d.Instance.CreatedTime.IsZero() {
		t.Errorf("described %+v", d.Instance)
	}
	// Paging, one at a time.
	var ids []string
	p := connect.NewListInstancesPaginator(c, &connect.ListInstancesInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page := must[*connect.ListInstancesOutput](t)(p.NextPage(ctx))
		for _, s := range page.InstanceSummaryList {
			ids = append(ids, *s.Id)
		}
	}
	if strings.Join(ids, ",") != *first.Id+","+*second.Id {
		t.Errorf("listed %v", ids)
	}
	// Another account sees none of them.
	e.account(acctB, false, "")
	_, err = e.client(acctB).DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: first.Id})
	wantErr(t, err, "ResourceNotFoundException", 404, *first.Id)

	// Deleting frees the slot.
	must[*connect.DeleteInstanceOutput](t)(c.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: first.Id}))
	_, err = c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: first.Id})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: first.Id})
	wantErr(t, err, "ResourceNotFoundException", 404)
	must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, fresh(in)))

	// An approved increase applies on the next call.
	e.override(acctA, headroom.CodeInstances, "", 3)
	must[*connect.CreateInstanceOutput](t)(c.CreateInstance(ctx, fresh(in)))
	_, err = c.CreateInstance(ctx, fresh(in))
	wantErr(t, err, "ServiceQuotaExceededException", 402, "quota of 3")
}

func TestInstanceAISPL(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, false, headroom.PartnerAISPL)
	_, err := e.client(acctA).CreateInstance(context.Background(), &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged, InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
	wantErr(t, err, "InvalidRequestException", 400, "AISPL")
	if n, _ := e.engine.Usage(context.Background(), acctA, headroom.CodeInstances, ""); n != 0 {
		t.Errorf("a refused instance holds %d slots", n)
	}
}

func TestInstanceBadInput(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, false, "")
	for _, c := range []struct {
		method, path, body, name string
		status                   int
	}{
		{"PUT", "/instance", `{}`, "InvalidRequestException", 400},
		{"PUT", "/instance", `{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true}`, "InvalidRequestException", 400},
		{"PUT", "/instance", `{"IdentityManagementType":"NOPE","InboundCallsEnabled":true,"OutboundCallsEnabled":true}`, "InvalidRequestException", 400},
		{"PUT", "/instance", `{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":"yes","OutboundCallsEnabled":true}`, "InvalidRequestException", 400},
		{"PUT", "/instance", `{"IdentityManagementType":`, "InvalidRequestException", 400},
		{"PUT", "/instance", `{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true,"InstanceAlias":"-bad"}`, "InvalidRequestException", 400},
		{"PUT", "/instance", `{"InstanceAlias":"` + strings.Repeat("a", 70<<10) + `"}`, "InvalidRequestException", 413},
		{"GET", "/instance/nope", ``, "ResourceNotFoundException", 404},
		{"GET", "/instance?maxResults=11", ``, "InvalidRequestException", 400},
		{"GET", "/instance?maxResults=x", ``, "InvalidRequestException", 400},
	} {
		status, name, body := e.raw(acctA, c.method, c.path, c.body)
		if status != c.status || name != c.name || !strings.Contains(body, `"message"`) {
			t.Errorf("%s %s %.60s: got %d %s %s", c.method, c.path, c.body, status, name, body)
		}
	}
	if n, _ := e.engine.Usage(context.Background(), acctA, headroom.CodeInstances, ""); n != 0 {
		t.Errorf("bad input holds %d slots", n)
	}
}
