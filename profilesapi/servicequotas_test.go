package profilesapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/headroomhq/headroom"
)

func (e *env) serviceQuotas(account string) *servicequotas.Client {
	k := e.keys[account]
	return servicequotas.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")},
		func(o *servicequotas.Options) { o.BaseEndpoint = aws.String(e.url); o.Retryer = aws.NopRetryer{} })
}

// approve asks for an increase through the Service Quotas API, for
// service code profile, and has the operator approve it.
func (e *env) approve(account, code string, value float64, context *string) {
	e.t.Helper()
	r, err := e.serviceQuotas(account).RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("profile"),
		QuotaCode: aws.String(code), DesiredValue: aws.Float64(value), ContextId: context})
	ok(e.t, err)
	_, err = e.engine.DecideRequest(ctx, *r.RequestedQuota.Id, headroom.RequestDecision{To: headroom.StatusApproved}, "operator")
	ok(e.t, err)
}

// TestServiceQuotasIncrease: an approved RequestServiceQuotaIncrease for
// service code profile moves the Customer Profiles API's edges: the
// account's domains, and one domain's object types (by its ARN as the
// request's context).
func TestServiceQuotasIncrease(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, "")
	for i := range 100 {
		e.domain(acctA, fmt.Sprintf("d%03d", i))
	}
	e.approve(acctA, "L-6603B252", 102, nil)
	e.domain(acctA, "d100")
	e.domain(acctA, "d101")
	err := e.objectType(acctA, "d000", "t", 1) // a domain works as before
	ok(t, err)
	_, err = e.client(acctA).CreateDomain(ctx, createDomainInput("d102"))
	wantErr(t, err, "BadRequestException", http.StatusBadRequest, "102")

	e.override(acctA, "L-14092FF4", "", 1)
	ok(t, e.objectType(acctA, "d001", "t", 1))
	wantErr(t, e.objectType(acctA, "d001", "u", 1), "BadRequestException", http.StatusBadRequest, "quota of 1")
	ok(t, e.objectType(acctA, "d002", "t", 1))
	arn := "arn:aws:profile:" + region + ":" + acctA + ":domains/d001"
	e.approve(acctA, "L-14092FF4", 2, &arn)
	ok(t, e.objectType(acctA, "d001", "u", 1))
	wantErr(t, e.objectType(acctA, "d001", "v", 1), "BadRequestException", http.StatusBadRequest, "2")
	wantErr(t, e.objectType(acctA, "d002", "u", 1), "BadRequestException", http.StatusBadRequest, "1")

	// The two size limits that cannot be increased are refused.
	for _, code := range []string{"HR-PROFILE-SIZE", "HR-PROFILE-OBJECT-SIZE"} {
		_, err := e.serviceQuotas(acctA).RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("profile"),
			QuotaCode: aws.String(code), DesiredValue: aws.Float64(300)})
		wantErr(t, err, "IllegalArgumentException", http.StatusBadRequest, "not adjustable")
	}
}

// TestServiceQuotasAISPL: an AISPL account may not ask for a Customer
// Profiles increase either.
func TestServiceQuotasAISPL(t *testing.T) {
	e := newEnv(t)
	e.account(acctA, headroom.PartnerAISPL)
	_, err := e.serviceQuotas(acctA).RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("profile"),
		QuotaCode: aws.String("L-6603B252"), DesiredValue: aws.Float64(200)})
	wantErr(t, err, "AccessDeniedException", http.StatusForbidden, "AISPL", "L-6603B252")
}
