package awsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
)

// The quota request template takes real AWS region names only: a name
// shaped like one that AWS has no region of is IllegalArgumentException
// naming AwsRegion, in PutServiceQuotaIncreaseRequestIntoTemplate and in
// the template listing's filter.
func TestTemplateRegionsAreReal(t *testing.T) {
	e := newEnv(t)
	c := e.client(mgmt)
	put := func(reg string) error {
		_, err := c.PutServiceQuotaIncreaseRequestIntoTemplate(ctx(), &servicequotas.PutServiceQuotaIncreaseRequestIntoTemplateInput{
			ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), AwsRegion: aws.String(reg), DesiredValue: aws.Float64(900)})
		return err
	}
	list := func(reg string) error {
		_, err := c.ListServiceQuotaIncreaseRequestsInTemplate(ctx(), &servicequotas.ListServiceQuotaIncreaseRequestsInTemplateInput{AwsRegion: aws.String(reg)})
		return err
	}
	for _, reg := range []string{"us-fake-9", "eu-west-99", "xx-east-1", "aws-global", "US-EAST-1"} {
		for name, call := range map[string]func(string) error{"put": put, "list": list} {
			err := call(reg)
			if apiCode(err) != "IllegalArgumentException" || !contains(err.Error(), "AwsRegion") {
				t.Errorf("%s %s: %v", name, reg, err)
			}
		}
	}
	for _, reg := range []string{"us-east-1", "ap-southeast-7", "mx-central-1", "us-gov-west-1", "cn-northwest-1"} {
		if err := put(reg); err != nil {
			t.Errorf("put %s: %v", reg, err)
		}
		if err := list(reg); err != nil {
			t.Errorf("list %s: %v", reg, err)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for _, reg := range []string{"us-east-1", "ap-southeast-7", "eu-central-2", "il-central-1", "us-gov-east-1", "cn-north-1"} {
		if !awsapi.ValidRegion(reg) || !headroom.ValidRegion(reg) {
			t.Errorf("%s refused", reg)
		}
	}
	for _, reg := range []string{"", "us-fake-9", "us-east-1 ", "us-east-01", "aws-global", "local"} {
		if awsapi.ValidRegion(reg) || headroom.ValidRegion(reg) {
			t.Errorf("%q accepted", reg)
		}
	}
	seen := map[string]bool{}
	for _, reg := range headroom.Regions {
		if seen[reg] {
			t.Errorf("%s listed twice", reg)
		}
		seen[reg] = true
	}
}
