package awsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"

	"github.com/headroomhq/headroom"
)

func TestTemplateOnlyForManagementAccount(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	calls := map[string]func() error{
		"Put": func() error {
			_, err := c.PutServiceQuotaIncreaseRequestIntoTemplate(ctx(), &servicequotas.PutServiceQuotaIncreaseRequestIntoTemplateInput{
				ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), AwsRegion: aws.String(region), DesiredValue: aws.Float64(900)})
			return err
		},
		"Get": func() error {
			_, err := c.GetServiceQuotaIncreaseRequestFromTemplate(ctx(), &servicequotas.GetServiceQuotaIncreaseRequestFromTemplateInput{
				ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), AwsRegion: aws.String(region)})
			return err
		},
		"Delete": func() error {
			_, err := c.DeleteServiceQuotaIncreaseRequestFromTemplate(ctx(), &servicequotas.DeleteServiceQuotaIncreaseRequestFromTemplateInput{
				ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), AwsRegion: aws.String(region)})
			return err
		},
		"List": func() error {
			_, err := c.ListServiceQuotaIncreaseRequestsInTemplate(ctx(), &servicequotas.ListServiceQuotaIncreaseRequestsInTemplateInput{})
			return err
		},
		"Associate": func() error {
			_, err := c.AssociateServiceQuotaTemplate(ctx(), &servicequotas.AssociateServiceQuotaTemplateInput{})
			return err
		},
		"Disassociate": func() error {
			_, err := c.DisassociateServiceQuotaTemplate(ctx(), &servicequotas.DisassociateServiceQuotaTemplateInput{})
			return err
		},
		"GetAssociation": func() error {
			_, err := c.GetAssociationForServiceQuotaTemplate(ctx(), &servicequotas.GetAssociationForServiceQuotaTemplateInput{})
			return err
		},
	}
	for name, call := range calls {
		ad := wantAs[*types.AccessDeniedException](t, call())
		if !contains(ad.ErrorMessage(), "management account") {
			t.Errorf("%s: message %q", name, ad.ErrorMessage())
		}
	}
}

// The management account fills the template and associates it; an account
// created afterwards starts with its increases, one created before does not.
func TestTemplateEndToEnd(t *testing.T) {
	e := newEnv(t)
	m := e.client(mgmt)
	put := func(code string, v float64, reg string) {
		t.Helper()
		out, err := m.PutServiceQuotaIncreaseRequestIntoTemplate(ctx(), &servicequotas.PutServiceQuotaIncreaseRequestIntoTemplateInput{
			ServiceCode: aws.String("connect"), QuotaCode: aws.String(code), AwsRegion: aws.String(reg), DesiredValue: aws.Float64(v)})
		if err != nil {
			t.Fatal(err)
		}
		got := out.ServiceQuotaIncreaseRequestInTemplate
		if aws.ToString(got.QuotaCode) != code || aws.ToFloat64(got.DesiredValue) != v || aws.ToString(got.AwsRegion) != reg || aws.ToString(got.ServiceName) != "Amazon Connect" {
			t.Fatalf("put %+v", got)
		}
	}
	put(headroom.CodeUsers, 900, region)
	put("L-AA17A6B9", 5, region)
	put("L-19A87C94", 80, "eu-west-2")

	got, err := m.GetServiceQuotaIncreaseRequestFromTemplate(ctx(), &servicequotas.GetServiceQuotaIncreaseRequestFromTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), AwsRegion: aws.String(region)})
	if err != nil || aws.ToFloat64(got.ServiceQuotaIncreaseRequestInTemplate.DesiredValue) != 900 {
		t.Fatalf("get: %v %+v", err, got)
	}
	p := servicequotas.NewListServiceQuotaIncreaseRequestsInTemplatePaginator(m, &servicequotas.ListServiceQuotaIncreaseRequestsInTemplateInput{MaxResults: aws.Int32(2)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.ServiceQuotaIncreaseRequestInTemplateList)
	}
	if n != 3 {
		t.Fatalf("%d entries", n)
	}
	inRegion, err := m.ListServiceQuotaIncreaseRequestsInTemplate(ctx(), &servicequotas.ListServiceQuotaIncreaseRequestsInTemplateInput{AwsRegion: aws.String("eu-west-2"), ServiceCode: aws.String("connect")})
	if err != nil || len(inRegion.ServiceQuotaIncreaseRequestInTemplateList) != 1 {
		t.Fatalf("eu-west-2: %v %+v", err, inRegion)
	}

	// Not adjustable, unknown, not above the default.
	_, err = m.PutServiceQuotaIncreaseRequestIntoTemplate(ctx(), &servicequotas.PutServiceQuotaIncreaseRequestIntoTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-D945C9A8"), AwsRegion: aws.String(region), DesiredValue: aws.Float64(100)})
	wantAs[*types.IllegalArgumentException](t, err)
	_, err = m.PutServiceQuotaIncreaseRequestIntoTemplate(ctx(), &servicequotas.PutServiceQuotaIncreaseRequestIntoTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-00000000"), AwsRegion: aws.String(region), DesiredValue: aws.Float64(100)})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = m.PutServiceQuotaIncreaseRequestIntoTemplate(ctx(), &servicequotas.PutServiceQuotaIncreaseRequestIntoTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), AwsRegion: aws.String(region), DesiredValue: aws.Float64(400)})
	wantAs[*types.IllegalArgumentException](t, err)

	// Disassociating a template not in use fails; associate, and check.
	_, err = m.DisassociateServiceQuotaTemplate(ctx(), &servicequotas.DisassociateServiceQuotaTemplateInput{})
	wantAs[*types.ServiceQuotaTemplateNotInUseException](t, err)
	assoc := func() types.ServiceQuotaTemplateAssociationStatus {
		t.Helper()
		out, err := m.GetAssociationForServiceQuotaTemplate(ctx(), &servicequotas.GetAssociationForServiceQuotaTemplateInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.ServiceQuotaTemplateAssociationStatus
	}
	if s := assoc(); s != types.ServiceQuotaTemplateAssociationStatusDisassociated {
		t.Fatalf("status %s", s)
	}
	if _, err := m.AssociateServiceQuotaTemplate(ctx(), &servicequotas.AssociateServiceQuotaTemplateInput{}); err != nil {
		t.Fatal(err)
	}
	if s := assoc(); s != types.ServiceQuotaTemplateAssociationStatusAssociated {
		t.Fatalf("status %s", s)
	}

	// A new account gets the template's increases for this region.
	const newAcct = "333333333333"
	e.createAccount(newAcct)
	nc := e.client(newAcct)
	if v := usersValue(t, nc, instanceARN(newAcct, instance1)); v != 900 {
		t.Fatalf("new account, users per instance: %v", v)
	}
	inst, err := nc.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-AA17A6B9")})
	if err != nil || aws.ToFloat64(inst.Quota.Value) != 5 {
		t.Fatalf("new account, instances: %v %+v", err, inst)
	}
	queues, err := nc.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-19A87C94")})
	if err != nil || aws.ToFloat64(queues.Quota.Value) != 50 {
		t.Fatalf("another region's entry applied: %v %+v", err, queues)
	}
	// An account created before the association keeps the defaults.
	if v := usersValue(t, e.client(acctA), ""); v != 500 {
		t.Fatalf("older account: %v", v)
	}

	// Delete an entry, then disassociate: later accounts get nothing.
	if _, err := m.DeleteServiceQuotaIncreaseRequestFromTemplate(ctx(), &servicequotas.DeleteServiceQuotaIncreaseRequestFromTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-AA17A6B9"), AwsRegion: aws.String(region)}); err != nil {
		t.Fatal(err)
	}
	_, err = m.DeleteServiceQuotaIncreaseRequestFromTemplate(ctx(), &servicequotas.DeleteServiceQuotaIncreaseRequestFromTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-AA17A6B9"), AwsRegion: aws.String(region)})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = m.GetServiceQuotaIncreaseRequestFromTemplate(ctx(), &servicequotas.GetServiceQuotaIncreaseRequestFromTemplateInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-AA17A6B9"), AwsRegion: aws.String(region)})
	wantAs[*types.NoSuchResourceException](t, err)
	if _, err := m.DisassociateServiceQuotaTemplate(ctx(), &servicequotas.DisassociateServiceQuotaTemplateInput{}); err != nil {
		t.Fatal(err)
	}
	const later = "444444444444"
	e.createAccount(later)
	if v := usersValue(t, e.client(later), ""); v != 500 {
		t.Fatalf("account created after disassociation: %v", v)
	}
}
