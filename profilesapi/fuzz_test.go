package profilesapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/profilesapi"
)

// FuzzRequests feeds arbitrary path members, query strings and bodies,
// correctly signed, to every operation of the Customer Profiles API, over
// a domain, an object type, a profile and an object that exist. Whatever
// the request, nothing panics and the answer is a JSON object with a status
// below 500: a result, or an error named in both the header and the body.
//
//	go test -run '^$' -fuzz FuzzRequests -fuzztime 60s ./profilesapi/
func FuzzRequests(f *testing.F) {
	cat, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk, Region: region})
	if err != nil {
		f.Fatal(err)
	}
	h, err := profilesapi.New(profilesapi.Config{Engine: e, Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	h.MountTags(mux)
	_, key, err := e.CreateAccount(ctx, headroom.Account{ID: acctA}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	signer := v4.NewSigner()
	do := func(method, path, query, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "http://headroom.test"+path, strings.NewReader(body))
		r.URL.RawQuery = query
		sum := sha256.Sum256([]byte(body))
		if err := signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}, r, hex.EncodeToString(sum[:]),
			profilesapi.SigningName, region, clk.Now()); err != nil {
			f.Fatal(err)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	setup := []struct{ method, path, body string }{
		{"POST", "/domains/shop", `{"DefaultExpirationDays":30}`},
		{"PUT", "/domains/shop/object-types/orders", `{"Description":"d","AllowProfileCreation":true,"Keys":{"k":[{"FieldNames":["id"]}]}}`},
		{"PUT", "/domains/shop/profiles/objects", `{"ObjectTypeName":"orders","Object":"{\"id\":1}"}`},
	}
	for _, s := range setup {
		if w := do(s.method, s.path, "", s.body); w.Code != 200 {
			f.Fatalf("%s %s: %d %s", s.method, s.path, w.Code, w.Body)
		}
	}
	ops := profilesapi.Operations()
	for i, op := range ops {
		for _, body := range []string{`{}`, ``, `null`, `[]`, `{"DefaultExpirationDays":1099}`, `{"Tags":{"aws:x":"y"}}`,
			`{"ProfileId":"0123456789abcdef0123456789abcdef","ObjectTypeName":"orders","Object":"{\"ProfileId\":1}"}`,
			`{"KeyName":"_email","Values":["a@b"]}`, `{"Uri":"arn:x","ObjectTypeName":"orders"}`, `{"Keys":{"a":[]},"Description":"x","ExpirationDays":-1}`} {
			f.Add(uint8(i), "shop", "orders", "max-results=2&next-token=AQ", body)
		}
		_ = op
	}
	f.Add(uint8(0), "a/b", "%zz", "tagKeys=a&tagKeys=", `{"Tags":{}}`)
	f.Add(uint8(len(ops)-1), "arn:aws:profile:us-east-1:123456789012:domains/shop", "", "tagKeys=k", `{"tags":{"k":"v"}}`)
	f.Fuzz(func(t *testing.T, opIndex uint8, first, second, query, body string) {
		op := ops[int(opIndex)%len(ops)]
		method, path := profilesapi.RouteOf(op)
		path = strings.NewReplacer("{DomainName}", url.PathEscape(first), "{resourceArn}", url.PathEscape(first),
			"{ObjectTypeName}", url.PathEscape(second)).Replace(path)
		if _, err := url.ParseRequestURI(path); err != nil {
			return
		}
		w := do(method, path, query, body)
		if w.Header().Get("X-Amzn-RequestId") == "" {
			return // a path no route matches: the mux's answer, not the API's
		}
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, w.Code, w.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s %q: not a JSON object: %s", method, path, body, w.Body)
		}
		if w.Code != 200 && (w.Header().Get("X-Amzn-ErrorType") == "" || out["__type"] != w.Header().Get("X-Amzn-ErrorType")) {
			t.Fatalf("%s %s %q: %d without a named error: %s", method, path, body, w.Code, w.Body)
		}
	})
}
