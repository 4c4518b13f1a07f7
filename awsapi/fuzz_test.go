package awsapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/awsapi"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// FuzzDispatch feeds arbitrary bodies to every operation of an
// authenticated caller (the management account, so that template
// operations run too). Whatever the body, the answer is a JSON object with
// a status below 500: a result, or an AWS error whose name is in both the
// header and the body.
//
//	go test -run '^$' -fuzz FuzzDispatch -fuzztime 60s ./awsapi/
func FuzzDispatch(f *testing.F) {
	cat, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk, Region: region})
	if err != nil {
		f.Fatal(err)
	}
	h, err := awsapi.New(awsapi.Config{Engine: e, Clock: clk, ManagementAccount: acctA, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	_, key, err := e.CreateAccount(ctx(), headroom.Account{ID: acctA}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	ops := awsapi.OperationNames()
	sort.Strings(ops)
	ops = append(ops, "NoSuchOperation")
	seeds := []string{
		`{}`, ``, `null`, `[]`, `{"ServiceCode":"connect"}`,
		`{"ServiceCode":"connect","QuotaCode":"L-9A46857E"}`,
		`{"ServiceCode":"connect","QuotaCode":"L-9A46857E","ContextId":"arn:aws:connect:us-east-1:123456789012:instance/i-1"}`,
		`{"ServiceCode":"connect","QuotaCode":"L-9A46857E","DesiredValue":900,"SupportCaseAllowed":false}`,
		`{"ServiceCode":"connect","QuotaCode":"L-9A46857E","AwsRegion":"us-east-1","DesiredValue":900}`,
		`{"ServiceCode":"connect","QuotaAppliedAtLevel":"ALL","MaxResults":2,"NextToken":"AQ=="}`,
		`{"RequestId":"0123456789abcdef"}`,
		`{"Status":"CASE_OPENED","QuotaRequestedAtLevel":"RESOURCE","MaxResults":1}`,
		`{"ResourceARN":"arn:aws:servicequotas:us-east-1:123456789012:connect/L-9A46857E","Tags":[{"Key":"k","Value":"v"}]}`,
		`{"ResourceARN":"arn:aws:servicequotas:us-east-1:123456789012:connect/L-9A46857E","TagKeys":["k"]}`,
		`{"DesiredValue":"NaN"}`, `{"MaxResults":1e3}`, `{"Tags":[null]}`, `{"TagKeys":[1]}`,
	}
	for i := range ops {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		target := awsapi.TargetPrefix + "." + ops[int(op)%len(ops)]
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		h.Dispatch(w, r, acctA, key.ID, target, body)
		if w.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", target, body, w.Code, w.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: answer %q is not a JSON object: %v", target, body, w.Body, err)
		}
		if w.Header().Get("Content-Type") != awsapi.ContentType {
			t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
		}
		if w.Code != http.StatusOK {
			name := w.Header().Get("X-Amzn-ErrorType")
			if name == "" || out["__type"] != name || out["Message"] == "" {
				t.Fatalf("%s %q: error %d %q %v", target, body, w.Code, name, out)
			}
		}
	})
}

// FuzzServeHTTP sends arbitrary Authorization, X-Amz-Date and X-Amz-Target
// headers and bodies through the whole handler, authentication included:
// every answer is an AWS error or a result, never a 500.
func FuzzServeHTTP(f *testing.F) {
	en := newEnv(f)
	h, err := awsapi.New(awsapi.Config{Engine: en.engine, Clock: en.clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	k := en.keys[acctA]
	now := en.clk.Now().UTC()
	date := now.Format("20060102T150405Z")
	good := "AWS4-HMAC-SHA256 Credential=" + k.ID + "/" + now.Format("20060102") + "/us-east-1/servicequotas/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0", 64)
	f.Add(good, date, "ServiceQuotasV20190624.ListServices", []byte(`{}`))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=", date, "x", []byte(`{`))
	f.Add("AWS4-HMAC-SHA256 ,,,===", "20991301T250000Z", "", []byte{})
	f.Add("", "", "ServiceQuotasV20190624.GetServiceQuota", []byte(getUsers))
	f.Fuzz(func(t *testing.T, authz, amzDate, target string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", awsapi.ContentType)
		r.Header.Set("Authorization", authz)
		r.Header.Set("X-Amz-Date", amzDate)
		r.Header.Set("X-Amz-Target", target)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 || w.Code == http.StatusOK {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out["__type"] != w.Header().Get("X-Amzn-ErrorType") {
			t.Fatalf("answer %q: %v", w.Body, err)
		}
	})
}
