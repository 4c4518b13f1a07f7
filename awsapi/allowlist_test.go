package awsapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"

	"github.com/headroomhq/headroom"
)

// approve approves a change request through the native API.
func (e *env) approve(t *testing.T, id string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/v1/requests/"+id+"/approve", bytes.NewReader([]byte("{}")))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
}

// TestAllowListThroughServiceQuotas: +447 is opened, as the seed says, by a
// RequestServiceQuotaIncrease on the allow-list quota, whose DesiredValue
// is a dial prefix's digits (447); with a ContextId it applies to that
// instance only, without one to the account.
func TestAllowListThroughServiceQuotas(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	bg := context.Background()
	// Two Connect instances, with the account's list as it is now.
	for _, id := range []string{instance1, "i-other"} {
		if _, err := e.engine.CreateResource(bg, headroom.ResourceCreate{Resource: headroom.Resource{Account: acctA,
			Kind: headroom.KindConnectInstance, ID: id, Data: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	ask := func(v float64, contextID string) *types.RequestedServiceQuotaChange {
		t.Helper()
		in := &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
			QuotaCode: aws.String(headroom.CodeOutboundCountries), DesiredValue: aws.Float64(v)}
		if contextID != "" {
			in.ContextId = aws.String(contextID)
		}
		out, err := c.RequestServiceQuotaIncrease(ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		return out.RequestedQuota
	}
	check := func(instance, number string, want headroom.ErrorCode) {
		t.Helper()
		if _, err := e.engine.CheckDestination(bg, acctA, instance, number); headroom.ErrorCodeOf(err) != want {
			t.Errorf("%q %s: %v, want %q", instance, number, err, want)
		}
	}
	r := ask(447, instanceARN(acctA, instance1))
	if aws.ToFloat64(r.DesiredValue) != 447 || r.QuotaRequestedAtLevel != types.AppliedLevelEnumResource || r.Status != types.RequestStatusCaseOpened {
		t.Fatalf("requested %+v", r)
	}
	e.approve(t, aws.ToString(r.Id))
	check(instance1, "+44 (0)7700 900123", "")
	check("i-other", "+44 (0)7700 900123", headroom.ENOTALLOWED)
	check("", "+44 (0)7700 900123", headroom.ENOTALLOWED)

	// Without a ContextId: the account's list, for instances created next.
	r = ask(447, "")
	e.approve(t, aws.ToString(r.Id))
	check("", "+447700900123", "")
	check("i-other", "+447700900123", headroom.ENOTALLOWED)
	// A negative value denies: instance1 stops calling +1.
	r = ask(-1, instanceARN(acctA, instance1))
	if aws.ToFloat64(r.DesiredValue) != -1 {
		t.Fatalf("deny requested %+v", r)
	}
	e.approve(t, aws.ToString(r.Id))
	check(instance1, "+1 206 555 0100", headroom.ENOTALLOWED)
	check("i-other", "+1 206 555 0100", "")
	// The requests read back, with their encoded values.
	got, err := c.GetRequestedServiceQuotaChange(ctx(), &servicequotas.GetRequestedServiceQuotaChangeInput{RequestId: r.Id})
	if err != nil || got.RequestedQuota.Status != types.RequestStatusApproved || aws.ToFloat64(got.RequestedQuota.DesiredValue) != -1 {
		t.Fatalf("get: %+v, %v", got, err)
	}
	h, err := c.ListRequestedServiceQuotaChangeHistoryByQuota(ctx(), &servicequotas.ListRequestedServiceQuotaChangeHistoryByQuotaInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeOutboundCountries), QuotaRequestedAtLevel: types.AppliedLevelEnumAll})
	if err != nil || len(h.RequestedQuotas) != 3 {
		t.Fatalf("history: %+v, %v", h, err)
	}
}

// TestAllowListBadValues: values that encode no dial prefix are refused.
func TestAllowListBadValues(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	for _, v := range []float64{0, 44.5, 1e15, -1e16} {
		_, err := c.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
			QuotaCode: aws.String(headroom.CodeOutboundCountries), DesiredValue: aws.Float64(v)})
		if err == nil || !strings.Contains(err.Error(), "IllegalArgumentException") {
			t.Errorf("%v: %v", v, err)
		}
	}
}

// TestAISPLIncreaseRefused: an AISPL account may not ask for more of a
// Connect quota; the message quotes the seed.
func TestAISPLIncreaseRefused(t *testing.T) {
	e := newEnv(t)
	_, k, err := e.engine.CreateAccount(context.Background(), headroom.Account{ID: "444455556666", Partner: headroom.PartnerAISPL}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c := e.clientWithKey(k.ID, k.Secret)
	for _, code := range []string{headroom.CodeUsers, headroom.CodeOutboundCountries} {
		v := 600.0
		if code == headroom.CodeOutboundCountries {
			v = 447
		}
		_, err = c.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
			QuotaCode: aws.String(code), DesiredValue: aws.Float64(v)})
		if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), headroom.AISPLRule) {
			t.Errorf("%s: %v", code, err)
		}
	}
}
