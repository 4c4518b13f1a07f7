// Package sigv4 verifies AWS Signature Version 4 request signatures against
// the access keys Headroom issued. Every AWS-compatible API Headroom serves
// (Service Quotas, Amazon Connect) uses it, each with its own signing name.
package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/httpbody"
)

// MaxClockSkew is how far a request's X-Amz-Date may be from the server's
// clock, either way, as AWS allows.
const MaxClockSkew = 15 * time.Minute

const (
	// Algorithm is the only signing algorithm accepted.
	Algorithm     = "AWS4-HMAC-SHA256"
	amzDateLayout = "20060102T150405Z"
	scopeTerminal = "aws4_request"
)

// Kind classifies a verification failure; each API maps it to its own error
// name.
type Kind int

// The kinds of failure.
const (
	// Missing: no Authorization header at all.
	Missing Kind = iota + 1
	// Incomplete: a malformed Authorization header or missing signed date.
	Incomplete
	// WrongScope: the credential is scoped to another service, region or day.
	WrongScope
	// UnknownKey: no such access key.
	UnknownKey
	// Expired: X-Amz-Date too far from the server's clock.
	Expired
	// BadSignature: the signature does not match.
	BadSignature
)

// ErrorName is the error name AWS's authentication layer answers a failure
// of this kind with; it is the same for every AWS API.
func (k Kind) ErrorName() string {
	switch k {
	case Missing:
		return "MissingAuthenticationTokenException"
	case Incomplete:
		return "IncompleteSignatureException"
	case UnknownKey:
		return "UnrecognizedClientException"
	default:
		return "InvalidSignatureException"
	}
}

// Error is a verification failure with a message as AWS words it.
type Error struct {
	Kind    Kind
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

func errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Verifier checks signatures for one signing name and region.
type Verifier struct {
	// Service is the signing name, such as "servicequotas" or "connect".
	Service string
	// Region is the region requests must be signed for.
	Region string
	// Clock is what X-Amz-Date is checked against.
	Clock headroom.Clock
	// Keys looks an access key up; an error of code ENOTFOUND or
	// EUNKNOWNACCOUNT means there is no such key.
	Keys func(ctx context.Context, id string) (headroom.AccessKey, error)
	// MustSign lists headers (lower-case) that a request carrying them
	// must sign, besides host and x-amz-date, such as x-amz-target, which
	// names the operation of an awsJson API.
	MustSign []string
}

// Signed is a request's parsed and checked signature headers: what is
// left to check is the signature itself, over the body.
type Signed struct {
	keyID         string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
	amzDate       string
	signedAt      time.Time
	key           headroom.AccessKey // set by CheckHeaders
}

// KeyID is the access key id the request names.
func (s *Signed) KeyID() string { return s.keyID }

// Verify checks a request's signature over body and returns its access key.
func (v *Verifier) Verify(r *http.Request, body []byte) (headroom.AccessKey, error) {
	s, err := v.CheckHeaders(r)
	if err != nil {
		return headroom.AccessKey{}, err
	}
	return v.CheckBody(r, s, body)
}

// CheckHeaders checks everything about a request that its headers decide,
// so that a caller who cannot be authenticated is refused before its body
// is read: the Authorization header and its credential scope, that the
// access key exists, and X-Amz-Date against the clock. Only the signature,
// which covers the body, is left to CheckBody.
func (v *Verifier) CheckHeaders(r *http.Request) (*Signed, error) {
	s, err := v.Parse(r)
	if err != nil {
		return nil, err
	}
	key, err := v.findKey(r.Context(), s.keyID)
	if err != nil {
		return nil, err
	}
	now := v.Clock.Now().UTC()
	switch {
	case s.signedAt.Before(now.Add(-MaxClockSkew)):
		return nil, errorf(Expired, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			s.amzDate, now.Add(-MaxClockSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	case s.signedAt.After(now.Add(MaxClockSkew)):
		return nil, errorf(Expired, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			s.amzDate, now.Add(MaxClockSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	}
	s.key = key
	return s, nil
}

// Parse parses and checks a request's signature headers without looking
// anything up: the Authorization header, the credential scope and
// X-Amz-Date's form.
func (v *Verifier) Parse(r *http.Request) (*Signed, error) {
	authz := r.Header.Values("Authorization")
	if len(authz) == 0 || len(authz) == 1 && authz[0] == "" {
		return nil, errorf(Missing, "Missing Authentication Token: sign requests with AWS Signature Version 4 and an access key Headroom issued")
	}
	// Two headers are refused, not resolved by taking one: the one checked
	// must be the only one any part of the stack could read.
	if len(authz) > 1 {
		return nil, errorf(Incomplete, "a request must carry one Authorization header, not %d", len(authz))
	}
	if n := len(r.Header.Values("X-Amz-Date")); n > 1 {
		return nil, errorf(Incomplete, "a request must carry one X-Amz-Date header, not %d", n)
	}
	a, err := parseAuthorization(authz[0])
	if err != nil {
		return nil, err
	}
	if a.service != v.Service {
		return nil, errorf(WrongScope, "Credential should be scoped to correct service: '%s'", v.Service)
	}
	if a.region != v.Region {
		return nil, errorf(WrongScope, "Credential should be scoped to a valid region: this endpoint serves '%s', not '%s'", v.Region, Clip(a.region))
	}
	if !hasHeader(a.signedHeaders, "host") {
		return nil, errorf(Incomplete, "SignedHeaders must include 'host'")
	}
	for _, h := range v.MustSign {
		if _, present := r.Header[http.CanonicalHeaderKey(h)]; present && !hasHeader(a.signedHeaders, h) {
			// AWS's wording for an unsigned host; the error name for
			// another unsigned header is not documented, and
			// InvalidSignatureException is what an altered signed
			// header would get.
			return nil, errorf(BadSignature, "'%s' must be a 'SignedHeader' in the AWS Authorization", h)
		}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" || !hasHeader(a.signedHeaders, "x-amz-date") {
		return nil, errorf(Incomplete, "requests must carry and sign an 'X-Amz-Date' header")
	}
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return nil, errorf(Incomplete, "X-Amz-Date %q is not in the form 20060102T150405Z", Clip(amzDate))
	}
	if day := signedAt.Format("20060102"); day != a.date {
		return nil, errorf(WrongScope, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'", Clip(a.date), day, amzDate)
	}
	a.amzDate, a.signedAt = amzDate, signedAt
	return a, nil
}

// CheckBody checks the signature of a request whose headers CheckHeaders
// passed, over its body, and returns its access key.
func (v *Verifier) CheckBody(r *http.Request, s *Signed, body []byte) (headroom.AccessKey, error) {
	if s.key.ID == "" {
		// Parse alone found no key: there is no secret to check against.
		return headroom.AccessKey{}, errorf(UnknownKey, "The security token included in the request is invalid.")
	}
	want := signature(s.key.Secret, s, CanonicalRequest(r, s.signedHeaders, body))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(s.signature))) {
		return headroom.AccessKey{}, errorf(BadSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return s.key, nil
}

// Authenticate checks a request as every SigV4 API of Headroom does: its
// headers first, refusing a caller they do not authenticate before a byte
// of the body is read (LeaveBodyUnread); then the body, at most maxBody
// bytes (httpbody.Read's errors); then the signature over it. It returns
// the caller's access key and the body. Errors are *Error for the
// signature, or those of httpbody.Read.
func (v *Verifier) Authenticate(w http.ResponseWriter, r *http.Request, maxBody int64) (headroom.AccessKey, []byte, error) {
	s, err := v.CheckHeaders(r)
	if err != nil {
		LeaveBodyUnread(w, r)
		return headroom.AccessKey{}, nil, err
	}
	body, err := httpbody.Read(w, r, maxBody)
	if err != nil {
		return headroom.AccessKey{}, nil, err
	}
	key, err := v.CheckBody(r, s, body)
	if err != nil {
		return headroom.AccessKey{}, nil, err
	}
	return key, body, nil
}

// LeaveBodyUnread is for answering a request refused by CheckHeaders: it
// asks the server to close the connection after the answer, so that the
// body, which was not read, is not drained either (Go's server otherwise
// reads up to 256 KiB of it to keep the connection).
func LeaveBodyUnread(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
}

func (v *Verifier) findKey(ctx context.Context, id string) (headroom.AccessKey, error) {
	if len(id) > 128 {
		return headroom.AccessKey{}, errorf(UnknownKey, "The security token included in the request is invalid.")
	}
	k, err := v.Keys(ctx, id)
	if err != nil {
		if c := headroom.ErrorCodeOf(err); c == headroom.ENOTFOUND || c == headroom.EUNKNOWNACCOUNT {
			return headroom.AccessKey{}, errorf(UnknownKey, "The security token included in the request is invalid.")
		}
		return headroom.AccessKey{}, err
	}
	return k, nil
}

// Clip shortens a caller's value for an error message.
func Clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=HEX".
func parseAuthorization(v string) (*Signed, error) {
	a := &Signed{}
	alg, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if alg != Algorithm {
		return nil, errorf(Incomplete, "unsupported authorization algorithm %q; sign requests with AWS Signature Version 4 (%s)", Clip(alg), Algorithm)
	}
	var cred, signed, sig string
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, errorf(Incomplete, "authorization header element %q is not KEY=VALUE", Clip(part))
		}
		var dst *string
		switch k {
		case "Credential":
			dst = &cred
		case "SignedHeaders":
			dst = &signed
		case "Signature":
			dst = &sig
		default:
			continue
		}
		if *dst != "" {
			return nil, errorf(Incomplete, "authorization header has '%s' twice", k)
		}
		*dst = val
	}
	switch {
	case cred == "":
		return nil, errorf(Incomplete, "authorization header requires a 'Credential' parameter")
	case signed == "":
		return nil, errorf(Incomplete, "authorization header requires a 'SignedHeaders' parameter")
	case sig == "":
		return nil, errorf(Incomplete, "authorization header requires a 'Signature' parameter")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != scopeTerminal {
		return nil, errorf(Incomplete, "credential %q is not ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request", Clip(cred))
	}
	a.keyID, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
	a.signedHeaders = strings.Split(signed, ";")
	for _, h := range a.signedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return nil, errorf(Incomplete, "SignedHeaders %q must list lower-case header names separated by ';'", Clip(signed))
		}
	}
	if len(sig) != 64 {
		return nil, errorf(Incomplete, "Signature must be 64 hexadecimal digits")
	}
	a.signature = sig
	return a, nil
}

func hasHeader(list []string, name string) bool {
	for _, h := range list {
		if h == name {
			return true
		}
	}
	return false
}

// CanonicalRequest builds the SigV4 canonical request from the headers the
// client signed, in the order it listed them.
func CanonicalRequest(r *http.Request, signed []string, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		switch name {
		case "host":
			b.WriteString(collapseSpaces(r.Host))
		case "content-length":
			if v := r.Header.Get("Content-Length"); v != "" {
				b.WriteString(collapseSpaces(v))
			} else if r.ContentLength >= 0 {
				b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			}
		default:
			for i, v := range r.Header.Values(name) {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(collapseSpaces(v))
			}
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// signature computes the hex signature of a canonical request.
func signature(secret string, a *Signed, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	toSign := Algorithm + "\n" + a.amzDate + "\n" + a.date + "/" + a.region + "/" + a.service + "/" + scopeTerminal + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+secret), a.date)
	k = hmacSHA256(k, a.region)
	k = hmacSHA256(k, a.service)
	k = hmacSHA256(k, scopeTerminal)
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// collapseSpaces trims a header value and collapses runs of spaces, as the
// canonical form requires.
func collapseSpaces(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// canonicalURI URI-encodes the escaped path once more, as SigV4 does for
// every service but S3.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return uriEncode(p, false)
}

// canonicalQuery reads the query as the SDKs' signers read it (aws-sdk-go-v2
// parses it with url.ParseQuery): '+' is a space, and a pair that does not
// parse (a bad escape, a semicolon) is left out, as every handler's
// r.URL.Query() leaves it out. It then encodes every name and value and
// sorts them by name, then value.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	values, _ := url.ParseQuery(raw)
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range values {
		ek := uriEncode(k, true)
		for _, v := range vs {
			pairs = append(pairs, pair{ek, uriEncode(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// uriEncode percent-encodes every byte but the unreserved characters
// (and '/', unless encodeSlash).
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// ScopeService returns the service name of a request's credential scope
// (such as "connect" or "profile"), or "" when its Authorization header is
// missing or malformed. It checks nothing: it only tells which API a
// request is meant for where paths meet, before that API verifies it.
func ScopeService(r *http.Request) string {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return ""
	}
	return a.service
}
