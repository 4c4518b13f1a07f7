package awsapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/headroomhq/headroom"
)

const getUsers = `{"ServiceCode":"connect","QuotaCode":"L-9A46857E"}`

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	k := e.keys[acctA]
	cases := []struct {
		name   string
		r      raw
		id     string
		secret string
		status int
		err    string
		msg    string
	}{
		{"signed", raw{target: "GetServiceQuota", body: getUsers}, k.ID, k.Secret, 200, "", ""},
		{"no authorization", raw{target: "GetServiceQuota", body: getUsers, noAuth: true}, k.ID, k.Secret, 403, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unknown key", raw{target: "GetServiceQuota", body: getUsers}, "AKIAUNKNOWNUNKNOWN00", k.Secret, 403, "UnrecognizedClientException", "security token"},
		{"wrong secret", raw{target: "GetServiceQuota", body: getUsers}, k.ID, k.Secret + "x", 403, "InvalidSignatureException", "does not match"},
		{"tampered body", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			b := strings.Replace(getUsers, "L-9A46857E", "L-12AB7C57", 1)
			r.Body = io.NopCloser(strings.NewReader(b))
		}}, k.ID, k.Secret, 403, "InvalidSignatureException", "does not match"},
		{"tampered target", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "ServiceQuotasV20190624.GetAWSDefaultServiceQuota")
		}}, k.ID, k.Secret, 403, "InvalidSignatureException", "does not match"},
		{"expired", raw{target: "GetServiceQuota", body: getUsers, signedAt: time.Now().Add(-16 * time.Minute)}, k.ID, k.Secret, 403, "InvalidSignatureException", "Signature expired"},
		{"from the future", raw{target: "GetServiceQuota", body: getUsers, signedAt: time.Now().Add(16 * time.Minute)}, k.ID, k.Secret, 403, "InvalidSignatureException", "not yet current"},
		{"within the skew", raw{target: "GetServiceQuota", body: getUsers, signedAt: time.Now().Add(-14 * time.Minute)}, k.ID, k.Secret, 200, "", ""},
		{"other region", raw{target: "GetServiceQuota", body: getUsers, region: "eu-west-2"}, k.ID, k.Secret, 403, "InvalidSignatureException", "region"},
		{"other service", raw{target: "GetServiceQuota", body: getUsers, service: "connect"}, k.ID, k.Secret, 403, "InvalidSignatureException", "servicequotas"},
		{"not sigv4", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+adminToken)
		}}, k.ID, k.Secret, 400, "IncompleteSignatureException", "Signature Version 4"},
		{"no signature", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}}, k.ID, k.Secret, 400, "IncompleteSignatureException", "Signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, name, body := e.doWithKey(tc.id, tc.secret, tc.r)
			if status != tc.status || name != tc.err || !bytes.Contains(body, []byte(tc.msg)) {
				t.Fatalf("got %d %s %s, want %d %s containing %q", status, name, body, tc.status, tc.err, tc.msg)
			}
		})
	}
}

// The SDK's own requests, changed after signing by a middleware, and sent
// when the server's clock is 16 minutes ahead.
func TestAuthenticationWithSDK(t *testing.T) {
	e := newEnv(t)
	tamper := func(o *servicequotas.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("tamper", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				req := in.Request.(*smithyhttp.Request)
				body, _ := io.ReadAll(req.GetStream())
				body = bytes.Replace(body, []byte("L-9A46857E"), []byte("L-12AB7C57"), 1)
				r, err := req.SetStream(bytes.NewReader(body))
				if err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				in.Request = r
				return next.HandleFinalize(ctx, in)
			}), "Signing", middleware.After)
		})
	}
	in := &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("connect"), QuotaCode: aws.String(headroom.CodeUsers)}
	_, err := e.client(acctA, tamper).GetServiceQuota(ctx(), in)
	if apiCode(err) != "InvalidSignatureException" {
		t.Fatalf("tampered body: %v", err)
	}
	_, err = e.clientWithKey("AKIANOSUCHKEY0000000", "secret").GetServiceQuota(ctx(), in)
	if apiCode(err) != "UnrecognizedClientException" {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := e.client(acctA).GetServiceQuota(ctx(), in); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(16 * time.Minute)
	_, err = e.client(acctA).GetServiceQuota(ctx(), in)
	if apiCode(err) != "InvalidSignatureException" || !contains(err.Error(), "Signature expired") {
		t.Fatalf("expired: %v", err)
	}
}

// A second key of the same account acts for that account; nothing of one
// account is visible to another.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	k2, err := e.engine.CreateAccessKey(ctx(), acctA, "test")
	if err != nil {
		t.Fatal(err)
	}
	a1, a2, b := e.client(acctA), e.clientWithKey(k2.ID, k2.Secret), e.client(acctB)
	out, err := a1.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(1000)})
	if err != nil {
		t.Fatal(err)
	}
	id := out.RequestedQuota.Id
	if _, err := a2.GetRequestedServiceQuotaChange(ctx(), &servicequotas.GetRequestedServiceQuotaChangeInput{RequestId: id}); err != nil {
		t.Fatalf("same account, other key: %v", err)
	}
	_, err = b.GetRequestedServiceQuotaChange(ctx(), &servicequotas.GetRequestedServiceQuotaChangeInput{RequestId: id})
	if apiCode(err) != "NoSuchResourceException" {
		t.Fatalf("other account: %v", err)
	}
	hist, err := b.ListRequestedServiceQuotaChangeHistory(ctx(), &servicequotas.ListRequestedServiceQuotaChangeHistoryInput{})
	if err != nil || len(hist.RequestedQuotas) != 0 {
		t.Fatalf("B's history: %v %+v", err, hist)
	}
	// B can neither read nor raise A's instance.
	_, err = b.RequestServiceQuotaIncrease(ctx(), &servicequotas.RequestServiceQuotaIncreaseInput{ServiceCode: aws.String("connect"),
		QuotaCode: aws.String(headroom.CodeUsers), DesiredValue: aws.Float64(1000), ContextId: aws.String(instanceARN(acctA, instance1))})
	if apiCode(err) != "AccessDeniedException" {
		t.Fatalf("B raising A's instance: %v", err)
	}
	if _, err := e.engine.DecideRequest(ctx(), *id, headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		t.Fatal(err)
	}
	if v := usersValue(t, a2, ""); v != 1000 {
		t.Fatalf("A: %v", v)
	}
	if v := usersValue(t, b, ""); v != 500 {
		t.Fatalf("B: %v", v)
	}
}
