package awsapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
)

// Every malformed request gets an AWS error naming what is wrong, and never
// a 500.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	const ia = "IllegalArgumentException"
	cases := []struct {
		name   string
		r      raw
		status int
		err    string
		msg    string
	}{
		{"malformed JSON", raw{target: "GetServiceQuota", body: `{"ServiceCode":`}, 400, ia, "malformed JSON"},
		{"not an object", raw{target: "GetServiceQuota", body: `[1,2]`}, 400, ia, "JSON object"},
		{"null", raw{target: "GetServiceQuota", body: `null`}, 400, ia, "JSON object"},
		{"trailing data", raw{target: "GetServiceQuota", body: getUsers + `{}`}, 400, ia, "malformed JSON"},
		{"wrong type", raw{target: "GetServiceQuota", body: `{"ServiceCode":7,"QuotaCode":"L-9A46857E"}`}, 400, ia, "ServiceCode"},
		{"wrong type nested", raw{target: "TagResource", body: `{"ResourceARN":"x","Tags":[{"Key":1,"Value":"v"}]}`}, 400, ia, "Tags"},
		{"unknown member", raw{target: "GetServiceQuota", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","Extra":1}`}, 400, ia, "Extra"},
		{"wrong case", raw{target: "GetServiceQuota", body: `{"servicecode":"connect","QuotaCode":"L-9A46857E"}`}, 400, ia, "servicecode"},
		{"unknown tag member", raw{target: "TagResource", body: `{"ResourceARN":"x","Tags":[{"Key":"k","Value":"v","Other":"o"}]}`}, 400, ia, "Other"},
		{"missing member", raw{target: "GetServiceQuota", body: `{"ServiceCode":"connect"}`}, 400, ia, "QuotaCode"},
		{"bad service code", raw{target: "GetServiceQuota", body: `{"ServiceCode":"9connect","QuotaCode":"L-9A46857E"}`}, 400, ia, "ServiceCode"},
		{"service code too long", raw{target: "ListServiceQuotas", body: `{"ServiceCode":"` + strings.Repeat("a", 65) + `"}`}, 400, ia, "ServiceCode"},
		{"bad quota code", raw{target: "GetServiceQuota", body: `{"ServiceCode":"connect","QuotaCode":"L_9A46857E"}`}, 400, ia, "QuotaCode"},
		{"quota code too long", raw{target: "GetServiceQuota", body: `{"ServiceCode":"connect","QuotaCode":"L` + strings.Repeat("1", 129) + `"}`}, 400, ia, "QuotaCode"},
		{"negative desired value", raw{target: "RequestServiceQuotaIncrease", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","DesiredValue":-1}`}, 400, ia, "DesiredValue"},
		{"desired value over 1e10", raw{target: "RequestServiceQuotaIncrease", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","DesiredValue":10000000001}`}, 400, ia, "DesiredValue"},
		{"desired value NaN", raw{target: "RequestServiceQuotaIncrease", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","DesiredValue":"NaN"}`}, 400, ia, "DesiredValue"},
		{"desired value overflow", raw{target: "RequestServiceQuotaIncrease", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","DesiredValue":1e400}`}, 400, ia, "DesiredValue"},
		{"desired value missing", raw{target: "RequestServiceQuotaIncrease", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E"}`}, 400, ia, "DesiredValue"},
		{"support case not a bool", raw{target: "RequestServiceQuotaIncrease", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","DesiredValue":600,"SupportCaseAllowed":"yes"}`}, 400, ia, "SupportCaseAllowed"},
		{"MaxResults 0", raw{target: "ListServices", body: `{"MaxResults":0}`}, 400, ia, "MaxResults"},
		{"MaxResults 101", raw{target: "ListServiceQuotas", body: `{"ServiceCode":"connect","MaxResults":101}`}, 400, ia, "MaxResults"},
		{"MaxResults fraction", raw{target: "ListServices", body: `{"MaxResults":1.5}`}, 400, ia, "MaxResults"},
		{"MaxResults huge", raw{target: "ListServices", body: `{"MaxResults":99999999999}`}, 400, ia, "MaxResults"},
		{"bad level", raw{target: "ListServiceQuotas", body: `{"ServiceCode":"connect","QuotaAppliedAtLevel":"ORG"}`}, 400, ia, "QuotaAppliedAtLevel"},
		{"bad status", raw{target: "ListRequestedServiceQuotaChangeHistory", body: `{"Status":"DONE"}`}, 400, ia, "Status"},
		{"bad request id", raw{target: "GetRequestedServiceQuotaChange", body: `{"RequestId":"../x"}`}, 400, ia, "RequestId"},
		{"bad region", raw{target: "ListServiceQuotaIncreaseRequestsInTemplate", body: `{"AwsRegion":"us east"}`}, 403, "AccessDeniedException", "management account"},
		{"bad context id", raw{target: "GetServiceQuota", body: `{"ServiceCode":"connect","QuotaCode":"L-9A46857E","ContextId":"instance/x"}`}, 400, ia, "ContextId"},
		{"bad tag list", raw{target: "TagResource", body: `{"ResourceARN":"x","Tags":"k=v"}`}, 400, ia, "Tags"},
		{"empty body is an empty object", raw{target: "ListServices", body: ``}, 200, "", "Services"},
		{"bad next token", raw{target: "ListServices", body: `{"NextToken":"not a token!"}`}, 400, "InvalidPaginationTokenException", "NextToken"},
		{"unknown operation", raw{target: "DeleteEverything", body: `{}`}, 400, "UnknownOperationException", "DeleteEverything"},
		{"other service's target", raw{target: "AmazonConnect.ListInstances", body: `{}`}, 400, "UnknownOperationException", "X-Amz-Target"},
		{"no target", raw{target: "", body: `{}`}, 400, "UnknownOperationException", "X-Amz-Target"},
		{"wrong content type", raw{target: "ListServices", body: `{}`, contentType: "text/plain"}, 400, ia, "Content-Type"},
		{"oversized body", raw{target: "ListServices", body: `{"NextToken":"` + strings.Repeat("A", 1<<20) + `"}`}, 413, ia, "over the limit"},
		{"invalid UTF-8", raw{target: "GetServiceQuota", body: "{\"ServiceCode\":\"conn\xffect\",\"QuotaCode\":\"L-9A46857E\"}"}, 400, ia, "ServiceCode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, name, body := e.do(acctA, tc.r)
			if status != tc.status || name != tc.err || !bytes.Contains(body, []byte(tc.msg)) {
				t.Fatalf("got %d %s %s, want %d %s containing %q", status, name, body, tc.status, tc.err, tc.msg)
			}
		})
	}
	// A management-account template call with a bad region names it.
	status, name, body := e.do(mgmt, raw{target: "ListServiceQuotaIncreaseRequestsInTemplate", body: `{"AwsRegion":"us east"}`})
	if status != 400 || name != ia || !bytes.Contains(body, []byte("AwsRegion")) {
		t.Fatalf("bad region: %d %s %s", status, name, body)
	}
	// Only POST / is the API.
	resp, err := http.Get(e.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusInternalServerError || resp.StatusCode == http.StatusOK {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
}

func TestPagingTokens(t *testing.T) {
	e := newEnv(t)
	a := e.client(acctA)
	first, err := a.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), MaxResults: aws.Int32(5)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("%v %+v", err, first)
	}
	tok := *first.NextToken
	// The token resumes the same query, even with another page size.
	next, err := a.ListServiceQuotas(ctx(), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), MaxResults: aws.Int32(3), NextToken: aws.String(tok)})
	if err != nil || len(next.Quotas) != 3 || *next.Quotas[0].QuotaCode == *first.Quotas[0].QuotaCode {
		t.Fatalf("resume: %v %+v", err, next)
	}
	tampered := []byte(tok)
	tampered[2] ^= 1
	bad := []struct {
		name string
		c    *servicequotas.Client
		in   *servicequotas.ListServiceQuotasInput
	}{
		{"tampered", a, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), NextToken: aws.String(string(tampered))}},
		{"other query", a, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("profile"), NextToken: aws.String(tok)}},
		{"other level", a, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), QuotaAppliedAtLevel: types.AppliedLevelEnumAll, NextToken: aws.String(tok)}},
		{"other account", e.client(acctB), &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), NextToken: aws.String(tok)}},
		{"garbage", a, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("connect"), NextToken: aws.String("AAAA")}},
	}
	for _, b := range bad {
		_, err := b.c.ListServiceQuotas(ctx(), b.in)
		if err == nil {
			t.Fatalf("%s: accepted", b.name)
		}
		wantAs[*types.InvalidPaginationTokenException](t, err)
	}
	// A token of one operation is no good for another.
	_, err = a.ListAWSDefaultServiceQuotas(ctx(), &servicequotas.ListAWSDefaultServiceQuotasInput{ServiceCode: aws.String("connect"), NextToken: aws.String(tok)})
	wantAs[*types.InvalidPaginationTokenException](t, err)
	_, err = a.ListRequestedServiceQuotaChangeHistory(ctx(), &servicequotas.ListRequestedServiceQuotaChangeHistoryInput{NextToken: aws.String(tok)})
	wantAs[*types.InvalidPaginationTokenException](t, err)
}
