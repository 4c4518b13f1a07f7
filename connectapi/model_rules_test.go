package connectapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// The model's lengths and patterns, and no control characters in names:
// each bad input is refused with the operation's own error, naming the
// member and the limit, and stores nothing.
func TestModelRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
	for _, tc := range []struct {
		name string
		call func() error
		msg  string
	}{
		{"queue name of 128", func() error { _, err := c.CreateQueue(ctx, queueInput(iid, long(128))); return err }, "Name: must be 1 to 127 characters long, got 128"},
		{"queue name with a newline", func() error { _, err := c.CreateQueue(ctx, queueInput(iid, "a\nb")); return err }, "control characters"},
		{"queue description of 251", func() error {
			in := queueInput(iid, "q-desc")
			in.Description = aws.String(long(251))
			_, err := c.CreateQueue(ctx, in)
			return err
		}, "Description: must be 1 to 250 characters long, got 251"},
		{"username of 101", func() error { _, err := c.CreateUser(ctx, userInput(iid, long(101))); return err }, "Username: must be 1 to 100"},
		{"security profile name with a dot", func() error {
			_, err := c.CreateSecurityProfile(ctx, &connect.CreateSecurityProfileInput{InstanceId: &iid, SecurityProfileName: aws.String("ops.team")})
			return err
		}, "SecurityProfileName"},
		{"hours name of 128", func() error {
			_, err := c.CreateHoursOfOperation(ctx, &connect.CreateHoursOfOperationInput{InstanceId: &iid, Name: aws.String(long(128)), TimeZone: aws.String("UTC"),
				Config: []types.HoursOfOperationConfig{{Day: types.HoursOfOperationDaysMonday, StartTime: &types.HoursOfOperationTimeSlice{Hours: aws.Int32(9), Minutes: aws.Int32(0)},
					EndTime: &types.HoursOfOperationTimeSlice{Hours: aws.Int32(17), Minutes: aws.Int32(0)}}}})
			return err
		}, "Name: must be 1 to 127"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.call(), "InvalidParameterException", http.StatusBadRequest, tc.msg)
		})
	}
	// A name of exactly 127 characters is fine, and nothing refused above
	// was stored.
	must[*connect.CreateQueueOutput](t)(c.CreateQueue(ctx, queueInput(iid, long(127))))
	out := must[*connect.SearchQueuesOutput](t)(c.SearchQueues(ctx, &connect.SearchQueuesInput{InstanceId: &iid,
		SearchCriteria: &types.QueueSearchCriteria{StringCondition: &types.StringCondition{FieldName: aws.String("name"), Value: aws.String("q-desc"),
			ComparisonType: types.StringComparisonTypeExact}}}))
	if len(out.Queues) != 0 {
		t.Fatalf("a refused queue was stored: %+v", out.Queues)
	}
}
