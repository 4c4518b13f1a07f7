package connectapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
)

// TestAISPLRefusesEveryOperation: Amazon Connect is not available to an
// AISPL account at all, so every operation, read or write, and simulated
// traffic, is refused with the seed's rule, through the engine's one check.
func TestAISPLRefusesEveryOperation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, headroom.PartnerAISPL)
	c := e.client(acctA)
	const fake = "11111111-2222-3333-4444-555555555555"
	calls := map[string]func() error{
		"ListInstances": func() error { _, err := c.ListInstances(ctx, &connect.ListInstancesInput{}); return err },
		"CreateInstance": func() error {
			_, err := c.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
				InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
			return err
		},
		"CreateUser": func() error {
			_, err := c.CreateUser(ctx, &connect.CreateUserInput{InstanceId: aws.String(fake), Username: aws.String("ann"),
				PhoneConfig: &types.UserPhoneConfig{PhoneType: types.PhoneTypeSoftPhone}, RoutingProfileId: aws.String(fake),
				SecurityProfileIds: []string{fake}, Password: aws.String("Passw0rd!")})
			return err
		},
		"StartOutboundVoiceContact": func() error {
			_, err := c.StartOutboundVoiceContact(ctx, &connect.StartOutboundVoiceContactInput{InstanceId: aws.String(fake),
				ContactFlowId: aws.String(fake), DestinationPhoneNumber: aws.String("+12065550100")})
			return err
		},
		"GetCurrentMetricData": func() error {
			_, err := c.GetCurrentMetricData(ctx, &connect.GetCurrentMetricDataInput{InstanceId: aws.String(fake),
				Filters: &types.Filters{Queues: []string{fake}}, CurrentMetrics: []types.CurrentMetric{{Name: types.CurrentMetricNameAgentsOnline, Unit: types.UnitCount}}})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		wantErr(t, err, "InvalidRequestException", 400, headroom.AISPLRule)
		if t.Failed() {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// Simulated traffic is refused before the instance is looked up.
	err := e.native().Do(ctx, "POST", simPath(acctA, fake, "/inbound-calls"), connectapi.InboundCall{}, nil)
	if err == nil || !strings.Contains(err.Error(), "AISPL") {
		t.Fatalf("simulated call: %v", err)
	}
}
