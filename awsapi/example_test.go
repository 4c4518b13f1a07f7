package awsapi_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/phone"
)

// A tenant manages its Amazon Connect quotas with the AWS SDK for Go v2,
// pointed at Headroom; the operator approves its increase. This is the
// program of docs/aws.md, run against an in-process server.
func ExampleHandler() {
	ctx := context.Background()

	// The server: an engine on the built-in catalog, and the handler.
	cat, _ := catalog.Default()
	clk := clock.System{}
	engine, _ := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk, Numbers: phone.Parser{}})
	handler, _ := awsapi.New(awsapi.Config{Engine: engine})
	srv := httptest.NewServer(handler)
	defer srv.Close()

	// The operator creates the tenant's account, and with it an access key.
	_, key, err := engine.CreateAccount(ctx, headroom.Account{ID: "123456789012"}, "operator")
	if err != nil {
		log.Fatal(err)
	}

	// The tenant's program.
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key.ID, key.Secret, "")}
	client := servicequotas.NewFromConfig(cfg, func(o *servicequotas.Options) {
		o.BaseEndpoint = aws.String(srv.URL) // http://127.0.0.1:7420 for `headroom serve`
	})

	// Every Amazon Connect quota, page by page.
	pages := servicequotas.NewListServiceQuotasPaginator(client, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, q := range page.Quotas {
			// Each operation has a rate quota of its own.
			if aws.ToString(q.QuotaName) == "Rate of CreateUser API requests" {
				fmt.Println(aws.ToString(q.QuotaName)+":", aws.ToString(q.QuotaCode), aws.ToFloat64(q.Value))
			}
		}
	}

	// Users per instance, for one instance.
	instance := "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
	users := &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-9A46857E"), ContextId: aws.String(instance)}
	q, err := client.GetServiceQuota(ctx, users)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %g\n", aws.ToString(q.Quota.QuotaName), aws.ToFloat64(q.Quota.Value))

	// Ask for 1000 users in that instance.
	r, err := client.RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{
		ServiceCode: aws.String("connect"), QuotaCode: aws.String("L-9A46857E"), DesiredValue: aws.Float64(1000), ContextId: aws.String(instance)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("request:", r.RequestedQuota.Status)

	// The operator approves it (`headroom requests approve ID`).
	if _, err := engine.DecideRequest(ctx, aws.ToString(r.RequestedQuota.Id), headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		log.Fatal(err)
	}
	q, err = client.GetServiceQuota(ctx, users)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s after approval: %g\n", aws.ToString(q.Quota.QuotaName), aws.ToFloat64(q.Quota.Value))

	// Output:
	// Rate of CreateUser API requests: HR-CONNECT-RATE-CreateUser 2
	// Users per instance: 500
	// request: CASE_OPENED
	// Users per instance after approval: 1000
}
