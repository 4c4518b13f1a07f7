package awsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"

	"github.com/headroomhq/headroom"
)

func TestListServices(t *testing.T) {
	e := newEnv(t)
	out, err := e.client(acctA).ListServices(ctx(), &servicequotas.ListServicesInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range out.Services {
		got[aws.ToString(s.ServiceCode)] = aws.ToString(s.ServiceName)
	}
	if len(got) != 2 || got["connect"] != "Amazon Connect" || got["profile"] != "Amazon Connect Customer Profiles" || out.NextToken != nil {
		t.Fatalf("services %v, next %v", got, out.NextToken)
	}
	// One per page through the paginator.
	p := servicequotas.NewListServicesPaginator(e.client(acctA), &servicequotas.ListServicesInput{MaxResults: aws.Int32(1)})
	var codes []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range page.Services {
			codes = append(codes, *s.ServiceCode)
		}
	}
	if pages != 2 || len(codes) != 2 || codes[0] != "connect" || codes[1] != "profile" {
		t.Fatalf("%d pages: %v", pages, codes)
	}
}

func TestListServiceQuotasPaginator(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	var want int
	for _, q := range e.engine.Catalog().Quotas() {
		if q.Service == "connect" {
			want++
		}
	}
	p := servicequotas.NewListServiceQuotasPaginator(c, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), MaxResults: aws.Int32(7)})
	seen := map[string]types.ServiceQuota{}
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Quotas) > 7 {
			t.Fatalf("page of %d", len(page.Quotas))
		}
		for _, q := range page.Quotas {
			if _, dup := seen[*q.QuotaCode]; dup {
				t.Fatalf("%s twice", *q.QuotaCode)
			}
			seen[*q.QuotaCode] = q
		}
	}
	if len(seen) != want || pages != (want+6)/7 {
		t.Fatalf("%d quotas in %d pages, want %d", len(seen), pages, want)
	}
	users := seen[headroom.CodeUsers]
	if aws.ToFloat64(users.Value) != 500 || aws.ToString(users.Unit) != "Count" || !users.Adjustable || users.GlobalQuota ||
		aws.ToString(users.QuotaName) != "Users per instance" || aws.ToString(users.ServiceName) != "Amazon Connect" ||
		aws.ToString(users.QuotaArn) != "arn:aws:servicequotas:us-east-1:"+acctA+":connect/L-9A46857E" ||
		users.QuotaAppliedAtLevel != types.AppliedLevelEnumAll || users.QuotaContext != nil || aws.ToString(users.Description) == "" {
		t.Fatalf("users quota %+v", users)
	}
	instances := seen["L-AA17A6B9"]
	if instances.QuotaAppliedAtLevel != types.AppliedLevelEnumAccount || aws.ToFloat64(instances.Value) != 2 {
		t.Fatalf("instances quota %+v", instances)
	}
	rate := seen["L-52794498"]
	if rate.Period == nil || aws.ToInt32(rate.Period.PeriodValue) != 1 || rate.Period.PeriodUnit != types.PeriodUnitSecond ||
		aws.ToString(rate.Unit) != "Count/Second" || aws.ToFloat64(rate.Value) != 5 {
		t.Fatalf("GetMetricData rate %+v", rate)
	}
	calls := seen["L-12AB7C57"]
	if m := calls.UsageMetric; m == nil || aws.ToString(m.MetricNamespace) != "AWS/Connect" || aws.ToString(m.MetricName) != "ConcurrentCalls" ||
		aws.ToString(m.MetricStatisticRecommendation) != "Maximum" || m.MetricDimensions["MetricGroup"] != "VoiceCalls" {
		t.Fatalf("concurrent calls metric %+v", calls.UsageMetric)
	}
	if notAdj := seen["L-D945C9A8"]; notAdj.Adjustable {
		t.Fatal("Agent status per instance is adjustable")
	}

	// A QuotaCode filter, and the profile service.
	one, err := c.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-12AB7C57")})
	if err != nil || len(one.Quotas) != 1 || *one.Quotas[0].QuotaCode != "L-12AB7C57" {
		t.Fatalf("filtered: %v %+v", err, one)
	}
	prof, err := c.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("profile")})
	if err != nil || len(prof.Quotas) != 10 {
		t.Fatalf("profile: %v %d", err, len(prof.Quotas))
	}
}

func TestListServiceQuotasLevels(t *testing.T) {
	e := newEnv(t)
	for _, o := range []headroom.Override{
		{Account: acctA, Code: headroom.CodeUsers, Scope: "instance/" + instance1, Value: 900},
		{Account: acctA, Code: headroom.CodeUsers, Scope: "instance/i-2", Value: 700},
		{Account: acctA, Code: headroom.CodeUsers, Value: 600},
		{Account: acctA, Code: "L-14092FF4", Scope: "domain/dom1", Value: 150},
		{Account: acctB, Code: headroom.CodeUsers, Scope: "instance/b-1", Value: 999},
	} {
		if err := e.engine.SetOverride(ctx(), o, "operator"); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client(acctA)
	res, err := c.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), QuotaAppliedAtLevel: types.AppliedLevelEnumResource})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Quotas) != 2 {
		t.Fatalf("resource level: %d quotas", len(res.Quotas))
	}
	values := map[string]float64{}
	for _, q := range res.Quotas {
		if q.QuotaContext == nil || q.QuotaContext.ContextScope != types.QuotaContextScopeResource || aws.ToString(q.QuotaContext.ContextScopeType) != "AWS::Connect::Instance" {
			t.Fatalf("context %+v", q.QuotaContext)
		}
		values[aws.ToString(q.QuotaContext.ContextId)] = aws.ToFloat64(q.Value)
	}
	if values[instanceARN(acctA, instance1)] != 900 || values[instanceARN(acctA, "i-2")] != 700 {
		t.Fatalf("resource values %v", values)
	}
	all, err := c.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers),
		QuotaAppliedAtLevel: types.AppliedLevelEnumAll})
	if err != nil || len(all.Quotas) != 3 || aws.ToFloat64(all.Quotas[0].Value) != 600 || all.Quotas[0].QuotaContext != nil {
		t.Fatalf("all levels: %v %+v", err, all)
	}
	prof, err := c.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("profile"), QuotaAppliedAtLevel: types.AppliedLevelEnumResource})
	if err != nil || len(prof.Quotas) != 1 || aws.ToString(prof.Quotas[0].QuotaContext.ContextId) != "arn:aws:profile:us-east-1:"+acctA+":domains/dom1" ||
		aws.ToString(prof.Quotas[0].QuotaContext.ContextScopeType) != "AWS::CustomerProfiles::Domain" {
		t.Fatalf("profile resource level: %v %+v", err, prof)
	}
}

func TestGetServiceQuota(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	arn := instanceARN(acctA, instance1)
	got, err := c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-12AB7C57"), ContextId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	q := got.Quota
	if aws.ToFloat64(q.Value) != 10 || q.QuotaContext == nil || aws.ToString(q.QuotaContext.ContextId) != arn ||
		q.QuotaContext.ContextScope != types.QuotaContextScopeResource || aws.ToString(q.QuotaContext.ContextScopeType) != "AWS::Connect::Instance" {
		t.Fatalf("quota %+v context %+v", q, q.QuotaContext)
	}
	if d := q.UsageMetric.MetricDimensions; d["InstanceId"] != instance1 || d["MetricGroup"] != "VoiceCalls" {
		t.Fatalf("dimensions %v", d)
	}
	// Without ContextId: the account-level value, no context.
	acct, err := c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-AA17A6B9")})
	if err != nil || aws.ToFloat64(acct.Quota.Value) != 2 || acct.Quota.QuotaContext != nil {
		t.Fatalf("%v %+v", err, acct)
	}

	// Errors: unknown quota, quota of another service, unknown service,
	// ContextId on an account quota, malformed ContextId, another
	// account's instance.
	_, err = c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-00000000")})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("profile"), QuotaCode: aws.String(headroom.CodeUsers)})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("ec2"), QuotaCode: aws.String("L-1216C47A")})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-AA17A6B9"), ContextId: aws.String(arn)})
	if ie := wantAs[*types.IllegalArgumentException](t, err); !contains(ie.ErrorMessage(), "ContextId") {
		t.Fatalf("message %q", ie.ErrorMessage())
	}
	for _, bad := range []string{"i-1", "arn:aws:connect:us-east-1:" + acctA + ":queue/q", "arn:aws:connect:eu-west-2:" + acctA + ":instance/x", "arn:aws:connect:us-east-1:" + acctA + ":instance/a/b"} {
		_, err = c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), ContextId: aws.String(bad)})
		if ie := wantAs[*types.IllegalArgumentException](t, err); !contains(ie.ErrorMessage(), "ContextId") {
			t.Fatalf("%s: message %q", bad, ie.ErrorMessage())
		}
	}
	_, err = c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers), ContextId: aws.String(instanceARN(acctB, "b-1"))})
	wantAs[*types.AccessDeniedException](t, err)
}

func TestAWSDefaults(t *testing.T) {
	e := newEnv(t)
	if err := e.engine.SetOverride(ctx(), headroom.Override{Account: acctA, Code: headroom.CodeUsers, Value: 800}, "operator"); err != nil {
		t.Fatal(err)
	}
	c := e.client(acctA)
	got, err := c.GetAWSDefaultServiceQuota(ctx(), &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToFloat64(got.Quota.Value) != 500 || aws.ToString(got.Quota.QuotaArn) != "arn:aws:servicequotas:us-east-1::connect/L-9A46857E" {
		t.Fatalf("default %+v", got.Quota)
	}
	applied, err := c.GetServiceQuota(ctx(), &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers)})
	if err != nil || aws.ToFloat64(applied.Quota.Value) != 800 {
		t.Fatalf("applied %v %+v", err, applied)
	}
	p := servicequotas.NewListAWSDefaultServiceQuotasPaginator(c, &servicequotas.ListAWSDefaultServiceQuotasInput{ServiceCode: aws.String("profile"), MaxResults: aws.Int32(3)})
	n, pages := 0, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, q := range page.Quotas {
			n++
			if aws.ToString(q.ServiceCode) != "profile" || contains(aws.ToString(q.QuotaArn), acctA) {
				t.Fatalf("default quota %+v", q)
			}
		}
	}
	if n != 10 || pages != 4 {
		t.Fatalf("%d quotas in %d pages", n, pages)
	}
	_, err = c.ListAWSDefaultServiceQuotas(ctx(), &servicequotas.ListAWSDefaultServiceQuotasInput{ServiceCode: aws.String("nope")})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = c.GetAWSDefaultServiceQuota(ctx(), &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-6603B252")})
	wantAs[*types.NoSuchResourceException](t, err)
}
