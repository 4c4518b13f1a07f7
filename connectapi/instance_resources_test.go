package connectapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
)

// resourceCase drives one per-instance resource to its quota and past it,
// then frees a slot with its delete.
type resourceCase struct {
	name     string
	code     string
	seed     int     // the seed's default
	lowered  float64 // the limit the test drives to (0: the seed's)
	quotaErr string
	status   int
	create   func(c *connect.Client, iid string, n int) (string, error)
	remove   func(c *connect.Client, iid, id string) error
}

func TestPerInstanceResources(t *testing.T) {
	ctx := context.Background()
	cases := []resourceCase{
		{"contact flows", "L-22922690", 100, 3, "LimitExceededException", 429,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreateContactFlow(ctx, &connect.CreateContactFlowInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("flow", n)), Type: types.ContactFlowTypeContactFlow, Content: aws.String("{}")})
				if err != nil {
					return "", err
				}
				return *out.ContactFlowId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DeleteContactFlow(ctx, &connect.DeleteContactFlowInput{InstanceId: &iid, ContactFlowId: &id})
				return err
			}},
		{"hours of operation", "L-20CD02F7", 100, 3, "ServiceQuotaExceededException", 402,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreateHoursOfOperation(ctx, &connect.CreateHoursOfOperationInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("h", n)), TimeZone: aws.String("UTC"),
					Config: []types.HoursOfOperationConfig{{Day: types.HoursOfOperationDaysMonday, StartTime: &types.HoursOfOperationTimeSlice{Hours: aws.Int32(9), Minutes: aws.Int32(0)}, EndTime: &types.HoursOfOperationTimeSlice{Hours: aws.Int32(17), Minutes: aws.Int32(0)}}}})
				if err != nil {
					return "", err
				}
				return *out.HoursOfOperationId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DeleteHoursOfOperation(ctx, &connect.DeleteHoursOfOperationInput{InstanceId: &iid, HoursOfOperationId: &id})
				return err
			}},
		{"prompts", "L-0865B754", 500, 3, "LimitExceededException", 429,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreatePrompt(ctx, &connect.CreatePromptInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("p", n)), S3Uri: aws.String("s3://b/p.wav")})
				if err != nil {
					return "", err
				}
				return *out.PromptId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DeletePrompt(ctx, &connect.DeletePromptInput{InstanceId: &iid, PromptId: &id})
				return err
			}},
		{"quick connects", "L-68BBE2E8", 100, 3, "LimitExceededException", 429,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreateQuickConnect(ctx, &connect.CreateQuickConnectInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("qc", n)),
					QuickConnectConfig: &types.QuickConnectConfig{QuickConnectType: types.QuickConnectTypePhoneNumber, PhoneConfig: &types.PhoneNumberQuickConnectConfig{PhoneNumber: aws.String("+12065550100")}}})
				if err != nil {
					return "", err
				}
				return *out.QuickConnectId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DeleteQuickConnect(ctx, &connect.DeleteQuickConnectInput{InstanceId: &iid, QuickConnectId: &id})
				return err
			}},
		{"security profiles", "L-F325A715", 100, 3, "LimitExceededException", 429,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreateSecurityProfile(ctx, &connect.CreateSecurityProfileInput{InstanceId: &iid, SecurityProfileName: aws.String(fmt.Sprint("sp", n))})
				if err != nil {
					return "", err
				}
				return *out.SecurityProfileId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DeleteSecurityProfile(ctx, &connect.DeleteSecurityProfileInput{InstanceId: &iid, SecurityProfileId: &id})
				return err
			}},
		// Agent status per instance: 50, cannot be increased (so driven at
		// the seed's value), and Connect has no delete.
		{"agent statuses", "L-D945C9A8", 50, 0, "LimitExceededException", 429,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreateAgentStatus(ctx, &connect.CreateAgentStatusInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("s", n)), State: types.AgentStatusStateEnabled})
				if err != nil {
					return "", err
				}
				return *out.AgentStatusId, nil
			}, nil},
		{"user hierarchy groups", "L-D68AAAE4", 500, 3, "LimitExceededException", 429,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.CreateUserHierarchyGroup(ctx, &connect.CreateUserHierarchyGroupInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("g", n))})
				if err != nil {
					return "", err
				}
				return *out.HierarchyGroupId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DeleteUserHierarchyGroup(ctx, &connect.DeleteUserHierarchyGroupInput{InstanceId: &iid, HierarchyGroupId: &id})
				return err
			}},
		{"phone numbers", "L-8F812903", 5, 0, "InvalidParameterException", 400,
			func(c *connect.Client, iid string, n int) (string, error) {
				out, err := c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{TargetArn: aws.String("arn:aws:connect:us-east-1:" + acctA + ":instance/" + iid), PhoneNumber: aws.String(fmt.Sprintf("+1206555%04d", n))})
				if err != nil {
					return "", err
				}
				return *out.PhoneNumberId, nil
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.ReleasePhoneNumber(ctx, &connect.ReleasePhoneNumberInput{PhoneNumberId: &id})
				return err
			}},
		{"Lambda functions", "L-E3D2F503", 35, 0, "ServiceQuotaExceededException", 402,
			func(c *connect.Client, iid string, n int) (string, error) {
				arn := fmt.Sprintf("arn:aws:lambda:us-east-1:%s:function:f%d", acctA, n)
				_, err := c.AssociateLambdaFunction(ctx, &connect.AssociateLambdaFunctionInput{InstanceId: &iid, FunctionArn: &arn})
				return arn, err
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DisassociateLambdaFunction(ctx, &connect.DisassociateLambdaFunctionInput{InstanceId: &iid, FunctionArn: &id})
				return err
			}},
		{"Lex bots", "L-B93A6612", 50, 0, "ServiceQuotaExceededException", 402,
			func(c *connect.Client, iid string, n int) (string, error) {
				name := fmt.Sprint("bot", n)
				_, err := c.AssociateBot(ctx, &connect.AssociateBotInput{InstanceId: &iid, LexBot: &types.LexBot{Name: &name, LexRegion: aws.String("us-east-1")}})
				return name, err
			},
			func(c *connect.Client, iid, id string) error {
				_, err := c.DisassociateBot(ctx, &connect.DisassociateBotInput{InstanceId: &iid, LexBot: &types.LexBot{Name: &id, LexRegion: aws.String("us-east-1")}})
				return err
			}},
	}
	e := newEnv(t)
	e.account(acctA, false, "")
	e.override(acctA, headroom.CodeInstances, "", float64(len(cases)))
	c := e.client(acctA)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iid := e.instance(acctA)
			limit := tc.seed
			if a, err := e.engine.Applied(ctx, acctA, tc.code, "instance/"+iid); err != nil || int(a.Value) != tc.seed {
				t.Fatalf("seed value %v %v, want %d", a.Value, err, tc.seed)
			}
			if tc.lowered > 0 {
				e.override(acctA, tc.code, "instance/"+iid, tc.lowered)
				limit = int(tc.lowered)
			}
			var ids []string
			for n := 0; n < limit; n++ {
				id, err := tc.create(c, iid, n)
				if err != nil {
					t.Fatalf("%d: %v", n+1, err)
				}
				ids = append(ids, id)
			}
			_, err := tc.create(c, iid, limit)
			wantErr(t, err, tc.quotaErr, tc.status, fmt.Sprintf("quota of %d", limit))
			if n, _ := e.engine.Usage(ctx, acctA, tc.code, "instance/"+iid); n != int64(limit) {
				t.Errorf("usage %d after a refusal, want %d", n, limit)
			}
			if tc.remove == nil {
				return
			}
			if err := tc.remove(c, iid, ids[0]); err != nil {
				t.Fatal(err)
			}
			wantErr(t, tc.remove(c, iid, ids[0]), "ResourceNotFoundException", 404)
			if _, err := tc.create(c, iid, limit); err != nil {
				t.Fatalf("after freeing a slot: %v", err)
			}
		})
	}
}

// The hierarchy group quota counts groups across all levels together, and a
// group with children cannot be deleted.
func TestHierarchyGroupsAllLevels(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	e.override(acctA, "L-D68AAAE4", "instance/"+iid, 3)
	parent := ""
	var ids []string
	for n := 0; n < 3; n++ {
		in := &connect.CreateUserHierarchyGroupInput{InstanceId: &iid, Name: aws.String(fmt.Sprint("level", n))}
		if parent != "" {
			in.ParentGroupId = aws.String(parent)
		}
		out := must[*connect.CreateUserHierarchyGroupOutput](t)(c.CreateUserHierarchyGroup(ctx, in))
		parent = *out.HierarchyGroupId
		ids = append(ids, parent)
	}
	_, err := c.CreateUserHierarchyGroup(ctx, &connect.CreateUserHierarchyGroupInput{InstanceId: &iid, Name: aws.String("x"), ParentGroupId: &ids[0]})
	wantErr(t, err, "LimitExceededException", 429, "User hierarchy groups per instance quota of 3")
	_, err = c.DeleteUserHierarchyGroup(ctx, &connect.DeleteUserHierarchyGroupInput{InstanceId: &iid, HierarchyGroupId: &ids[0]})
	wantErr(t, err, "ResourceInUseException", 409)
	_, err = c.CreateUserHierarchyGroup(ctx, &connect.CreateUserHierarchyGroupInput{InstanceId: &iid, Name: aws.String("y"), ParentGroupId: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", 404)
}

func TestOtherResourcesBadInput(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	e.account(acctB, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	arn := func(a, id string) *string { return aws.String("arn:aws:connect:us-east-1:" + a + ":instance/" + id) }
	_, err := c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{TargetArn: aws.String("instance/" + iid), PhoneNumber: aws.String("+12065550100")})
	wantErr(t, err, "InvalidParameterException", 400, "not an instance ARN")
	_, err = c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{TargetArn: arn(acctB, iid), PhoneNumber: aws.String("+12065550100")})
	wantErr(t, err, "ResourceNotFoundException", 404)
	_, err = c.ClaimPhoneNumber(ctx, &connect.ClaimPhoneNumberInput{TargetArn: arn(acctA, iid), PhoneNumber: aws.String("2065550100")})
	wantErr(t, err, "InvalidParameterException", 400, "E.164")
	_, err = c.AssociateLambdaFunction(ctx, &connect.AssociateLambdaFunctionInput{InstanceId: &iid, FunctionArn: aws.String("arn:aws:s3:::bucket")})
	wantErr(t, err, "InvalidParameterException", 400, "not a Lambda function ARN")
	fn := aws.String("arn:aws:lambda:us-east-1:" + acctA + ":function:f")
	must[*connect.AssociateLambdaFunctionOutput](t)(c.AssociateLambdaFunction(ctx, &connect.AssociateLambdaFunctionInput{InstanceId: &iid, FunctionArn: fn}))
	_, err = c.AssociateLambdaFunction(ctx, &connect.AssociateLambdaFunctionInput{InstanceId: &iid, FunctionArn: fn})
	wantErr(t, err, "ResourceConflictException", 409)
	_, err = c.AssociateBot(ctx, &connect.AssociateBotInput{InstanceId: &iid, LexV2Bot: &types.LexV2Bot{AliasArn: aws.String("bad")}})
	wantErr(t, err, "InvalidRequestException", 400, "bot alias ARN")
	_, err = c.AssociateBot(ctx, &connect.AssociateBotInput{InstanceId: &iid})
	wantErr(t, err, "InvalidRequestException", 400)
	_, err = c.CreateContactFlow(ctx, &connect.CreateContactFlowInput{InstanceId: aws.String("nope"), Name: aws.String("f"), Type: types.ContactFlowTypeContactFlow, Content: aws.String("{}")})
	wantErr(t, err, "ResourceNotFoundException", 404)
	for _, b := range []struct{ path, body string }{
		{"/contact-flows/" + iid, `{"Name":"f","Type":"CONTACT_FLOW"}`},
		{"/contact-flows/" + iid, `{"Name":5,"Type":"CONTACT_FLOW","Content":"{}"}`},
		{"/agent-status/" + iid, `{"Name":"s","State":"MAYBE"}`},
		{"/prompts/" + iid, `{"S3Uri":"s3://b/k"}`},
		{"/security-profiles/" + iid, `"x"`},
	} {
		if status, name, body := e.raw(acctA, "PUT", b.path, b.body); status != 400 || name != "InvalidParameterException" {
			t.Errorf("%s %s: %d %s %s", b.path, b.body, status, name, body)
		}
	}
	// Deleting the instance frees every slot its resources held.
	must[*connect.CreatePromptOutput](t)(c.CreatePrompt(ctx, &connect.CreatePromptInput{InstanceId: &iid, Name: aws.String("p"), S3Uri: aws.String("s3://b/p.wav")}))
	must[*connect.DeleteInstanceOutput](t)(c.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: &iid}))
	for _, code := range []string{"L-0865B754", "L-E3D2F503"} {
		if n, _ := e.engine.Usage(ctx, acctA, code, "instance/"+iid); n != 0 {
			t.Errorf("%s: %d slots held after the instance was deleted", code, n)
		}
	}
	_ = headroom.CodeUsers
}
