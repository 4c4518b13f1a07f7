package awsapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"

	"github.com/headroomhq/headroom"
)

func usersValue(t *testing.T, c *servicequotas.Client, contextID string) float64 {
	t.Helper()
	in := &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers)}
	if contextID != "" {
		in.ContextId = aws.String(contextID)
	}
	out, err := c.GetServiceQuota(ctx(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToFloat64(out.Quota.Value)
}

// An increase for one instance, approved by the operator through the native
// API, raises that instance only; one at account level then raises every
// other instance.
func TestIncreaseRoundTrip(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	arn := instanceARN(acctA, instance1)
	other := instanceARN(acctA, "i-other")
	before := e.clk.Now()

	out, err := c.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(1200), ContextId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	r := out.RequestedQuota
	if r.Status != types.RequestStatusCaseOpened || aws.ToFloat64(r.DesiredValue) != 1200 || aws.ToString(r.Id) == "" || aws.ToString(r.CaseId) == "" ||
		aws.ToString(r.QuotaName) != "Users per instance" || aws.ToString(r.ServiceName) != "Amazon Connect" || aws.ToString(r.Unit) != "Count" ||
		r.QuotaRequestedAtLevel != types.AppliedLevelEnumResource || r.QuotaContext == nil || aws.ToString(r.QuotaContext.ContextId) != arn ||
		aws.ToString(r.QuotaArn) != "arn:aws:servicequotas:us-east-1:"+acctA+":connect/L-9A46857E" || aws.ToString(r.Requester) != e.keys[acctA].ID {
		t.Fatalf("requested %+v", r)
	}
	if r.Created == nil || r.Created.Sub(before).Abs() > time.Second || r.LastUpdated == nil {
		t.Fatalf("created %v last updated %v, want about %v", r.Created, r.LastUpdated, before)
	}
	if v := usersValue(t, c, arn); v != 500 {
		t.Fatalf("before approval: %v", v)
	}

	// The operator approves through the native API.
	req, _ := http.NewRequest(http.MethodPost, e.url+"/v1/requests/"+*r.Id+"/approve", bytes.NewReader([]byte("{}")))
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
	got, err := c.GetRequestedServiceQuotaChange(ctx(), &servicequotas.GetRequestedServiceQuotaChangeInput{RequestId: r.Id})
	if err != nil || got.RequestedQuota.Status != types.RequestStatusApproved {
		t.Fatalf("after approval: %v %+v", err, got)
	}
	if v := usersValue(t, c, arn); v != 1200 {
		t.Fatalf("instance after approval: %v", v)
	}
	if v := usersValue(t, c, other); v != 500 {
		t.Fatalf("other instance: %v", v)
	}
	if v := usersValue(t, c, ""); v != 500 {
		t.Fatalf("account level: %v", v)
	}

	// Account level, approved with the engine (for less than asked).
	out, err = c.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(800)})
	if err != nil {
		t.Fatal(err)
	}
	if out.RequestedQuota.QuotaRequestedAtLevel != types.AppliedLevelEnumAccount || out.RequestedQuota.QuotaContext != nil {
		t.Fatalf("account request %+v", out.RequestedQuota)
	}
	if _, err := e.engine.DecideRequest(ctx(), *out.RequestedQuota.Id, headroom.RequestDecision{To: headroom.StatusApproved, Value: 750}, "operator"); err != nil {
		t.Fatal(err)
	}
	if v := usersValue(t, c, ""); v != 750 {
		t.Fatalf("account level after approval: %v", v)
	}
	if v := usersValue(t, c, other); v != 750 {
		t.Fatalf("instance without its own value: %v", v)
	}
	if v := usersValue(t, c, arn); v != 1200 {
		t.Fatalf("instance with its own value: %v", v)
	}
	// The other account saw nothing of it.
	if v := usersValue(t, e.client(acctB), ""); v != 500 {
		t.Fatalf("account B: %v", v)
	}
}

func TestIncreaseErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	ask := func(code string, v float64, contextID string) error {
		in := &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(code), DesiredValue: aws.Float64(v)}
		if contextID != "" {
			in.ContextId = aws.String(contextID)
		}
		_, err := c.RequestServiceQuotaIncrease(ctx(), in)
		return err
	}
	// Not adjustable.
	err := ask("L-D945C9A8", 100, instanceARN(acctA, instance1))
	if ie := wantAs[*types.IllegalArgumentException](t, err); !contains(ie.ErrorMessage(), "cannot be increased") {
		t.Fatalf("message %q", ie.ErrorMessage())
	}
	// Not above the current value.
	err = ask(headroom.CodeUsers, 500, "")
	if ie := wantAs[*types.IllegalArgumentException](t, err); !contains(ie.ErrorMessage(), "DesiredValue") || !contains(ie.ErrorMessage(), "not above") {
		t.Fatalf("message %q", ie.ErrorMessage())
	}
	// Unknown quota.
	wantAs[*types.NoSuchResourceException](t, ask("L-00000000", 5, ""))
	// A second open request for the same quota and context.
	if err := ask(headroom.CodeUsers, 600, instanceARN(acctA, "i-0")); err != nil {
		t.Fatal(err)
	}
	wantAs[*types.ResourceAlreadyExistsException](t, ask(headroom.CodeUsers, 700, instanceARN(acctA, "i-0")))
	// Up to 20 open requests, then QuotaExceededException.
	for i := 1; i < headroom.MaxOpenRequests; i++ {
		if err := ask(headroom.CodeUsers, 600, instanceARN(acctA, fmt.Sprintf("i-%d", i))); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	wantAs[*types.QuotaExceededException](t, ask(headroom.CodeUsers, 600, instanceARN(acctA, "i-21")))
	// Another account is not affected by A's open requests.
	if _, err := e.client(acctB).RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(600)}); err != nil {
		t.Fatal(err)
	}
	// Out of range values never reach the engine.
	wantAs[*types.IllegalArgumentException](t, ask(headroom.CodeUsers, -1, ""))
	wantAs[*types.IllegalArgumentException](t, ask(headroom.CodeUsers, 1e10+1, ""))
}

func TestSupportCaseNotAllowed(t *testing.T) {
	e := newEnv(t)
	out, err := e.client(acctA).RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String("L-12AB7C57"), DesiredValue: aws.Float64(20), ContextId: aws.String(instanceARN(acctA, instance1)), SupportCaseAllowed: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if out.RequestedQuota.Status != types.RequestStatusNotApproved {
		t.Fatalf("status %s", out.RequestedQuota.Status)
	}
}

func TestRequestHistory(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	var ids []string
	for i := 0; i < 5; i++ {
		e.clk.Advance(time.Second)
		out, err := c.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
			QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(600), ContextId: aws.String(instanceARN(acctA, fmt.Sprintf("i-%d", i)))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *out.RequestedQuota.Id)
	}
	e.clk.Advance(time.Second)
	acctReq, err := c.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String("L-12AB7C57"), DesiredValue: aws.Float64(20)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.engine.DecideRequest(ctx(), ids[0], headroom.RequestDecision{To: headroom.StatusDenied, Reason: "not now"}, "operator"); err != nil {
		t.Fatal(err)
	}
	// B's requests never show in A's history.
	if _, err := e.client(acctB).RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(600)}); err != nil {
		t.Fatal(err)
	}

	// Resource-level requests by quota, two per page, in creation order.
	p := servicequotas.NewListRequestedServiceQuotaChangeHistoryByQuotaPaginator(c, &servicequotas.ListRequestedServiceQuotaChangeHistoryByQuotaInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), QuotaRequestedAtLevel: types.AppliedLevelEnumResource, MaxResults: aws.Int32(2)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.RequestedQuotas {
			got = append(got, *r.Id)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) || pages != 3 {
		t.Fatalf("%d pages: %v, want %v", pages, got, ids)
	}
	// The default level is ACCOUNT.
	acctOnly, err := c.ListRequestedServiceQuotaChangeHistory(ctx(), &servicequotas.ListRequestedServiceQuotaChangeHistoryInput{})
	if err != nil || len(acctOnly.RequestedQuotas) != 1 || *acctOnly.RequestedQuotas[0].Id != *acctReq.RequestedQuota.Id {
		t.Fatalf("account level: %v %+v", err, acctOnly)
	}
	// All levels, by status, paged one at a time.
	hp := servicequotas.NewListRequestedServiceQuotaChangeHistoryPaginator(c, &servicequotas.ListRequestedServiceQuotaChangeHistoryInput{
		ServiceCode: aws.String("connect"), QuotaRequestedAtLevel: types.AppliedLevelEnumAll, Status: types.RequestStatusCaseOpened, MaxResults: aws.Int32(1)})
	n := 0
	for hp.HasMorePages() {
		page, err := hp.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.RequestedQuotas {
			n++
			if r.Status != types.RequestStatusCaseOpened {
				t.Fatalf("status %s", r.Status)
			}
		}
	}
	if n != 5 {
		t.Fatalf("%d open requests, want 5", n)
	}
	denied, err := c.ListRequestedServiceQuotaChangeHistory(ctx(), &servicequotas.ListRequestedServiceQuotaChangeHistoryInput{
		QuotaRequestedAtLevel: types.AppliedLevelEnumAll, Status: types.RequestStatusDenied})
	if err != nil || len(denied.RequestedQuotas) != 1 || *denied.RequestedQuotas[0].Id != ids[0] {
		t.Fatalf("denied: %v %+v", err, denied)
	}
	profile, err := c.ListRequestedServiceQuotaChangeHistory(ctx(), &servicequotas.ListRequestedServiceQuotaChangeHistoryInput{
		ServiceCode: aws.String("profile"), QuotaRequestedAtLevel: types.AppliedLevelEnumAll})
	if err != nil || len(profile.RequestedQuotas) != 0 || profile.NextToken != nil {
		t.Fatalf("profile: %v %+v", err, profile)
	}
	// Unknown request ids and B's request ids look the same to A.
	_, err = c.GetRequestedServiceQuotaChange(ctx(), &servicequotas.GetRequestedServiceQuotaChangeInput{RequestId: aws.String("0123456789abcdef")})
	wantAs[*types.NoSuchResourceException](t, err)
}
