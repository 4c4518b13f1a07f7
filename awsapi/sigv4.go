package awsapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

// SigningName is the service name requests are signed for, as in the
// credential scope DATE/REGION/servicequotas/aws4_request.
const SigningName = "servicequotas"

// MaxClockSkew is how far a request's X-Amz-Date may be from the server's
// clock, either way, as AWS allows.
const MaxClockSkew = 15 * time.Minute

const (
	sigAlgorithm  = "AWS4-HMAC-SHA256"
	amzDateLayout = "20060102T150405Z"
	scopeTerminal = "aws4_request"
)

// caller is an authenticated principal: an access key and its account.
type caller struct {
	Account string
	KeyID   string
}

// authorization is a parsed Authorization header.
type authorization struct {
	keyID         string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=HEX". Failures are IncompleteSignatureException.
func parseAuthorization(v string) (authorization, error) {
	var a authorization
	alg, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if alg != sigAlgorithm {
		return a, newError(errIncompleteSignature, "unsupported authorization algorithm %q; sign requests with AWS Signature Version 4 (%s)", clip(alg), sigAlgorithm)
	}
	var cred, signed, sig string
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, newError(errIncompleteSignature, "authorization header element %q is not KEY=VALUE", clip(part))
		}
		switch k {
		case "Credential":
			cred = val
		case "SignedHeaders":
			signed = val
		case "Signature":
			sig = val
		}
	}
	switch {
	case cred == "":
		return a, newError(errIncompleteSignature, "authorization header requires a 'Credential' parameter")
	case signed == "":
		return a, newError(errIncompleteSignature, "authorization header requires a 'SignedHeaders' parameter")
	case sig == "":
		return a, newError(errIncompleteSignature, "authorization header requires a 'Signature' parameter")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != scopeTerminal {
		return a, newError(errIncompleteSignature, "credential %q is not ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request", clip(cred))
	}
	a.keyID, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
	a.signedHeaders = strings.Split(signed, ";")
	for _, h := range a.signedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return a, newError(errIncompleteSignature, "SignedHeaders %q must list lower-case header names separated by ';'", clip(signed))
		}
	}
	if len(sig) != 64 {
		return a, newError(errIncompleteSignature, "Signature must be 64 hexadecimal digits")
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

// authenticate verifies a request's SigV4 signature against the secret of
// its access key, and returns the caller with the request body, which the
// signature covers. It reads at most the body limit.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*caller, []byte, error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return nil, nil, newError(errMissingAuthToken, "Missing Authentication Token: sign requests with AWS Signature Version 4 and an access key Headroom issued")
	}
	a, err := parseAuthorization(authz)
	if err != nil {
		return nil, nil, err
	}
	if a.service != SigningName {
		return nil, nil, newError(errInvalidSignature, "Credential should be scoped to correct service: '%s'", SigningName)
	}
	if a.region != h.region {
		return nil, nil, newError(errInvalidSignature, "Credential should be scoped to a valid region: this endpoint serves '%s', not '%s'", h.region, clip(a.region))
	}
	if !hasHeader(a.signedHeaders, "host") {
		return nil, nil, newError(errIncompleteSignature, "SignedHeaders must include 'host'")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" || !hasHeader(a.signedHeaders, "x-amz-date") {
		return nil, nil, newError(errIncompleteSignature, "requests must carry and sign an 'X-Amz-Date' header")
	}
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return nil, nil, newError(errIncompleteSignature, "X-Amz-Date %q is not in the form 20060102T150405Z", clip(amzDate))
	}
	if day := signedAt.Format("20060102"); day != a.date {
		return nil, nil, newError(errInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'", clip(a.date), day, amzDate)
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return nil, nil, err
	}
	key, err := h.findKey(r.Context(), a.keyID)
	if err != nil {
		return nil, nil, err
	}
	now := h.clock.Now().UTC()
	switch {
	case signedAt.Before(now.Add(-MaxClockSkew)):
		return nil, nil, newError(errInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			amzDate, now.Add(-MaxClockSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	case signedAt.After(now.Add(MaxClockSkew)):
		return nil, nil, newError(errInvalidSignature, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			amzDate, now.Add(MaxClockSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	}
	want := signature(key.Secret, &a, amzDate, canonicalRequest(r, a.signedHeaders, body))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.signature))) {
		return nil, nil, newError(errInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return &caller{Account: key.Account, KeyID: key.ID}, body, nil
}

// findKey looks an access key up; UnrecognizedClientException if there is
// no such key.
func (h *Handler) findKey(ctx context.Context, id string) (headroom.AccessKey, error) {
	if len(id) > 128 {
		return headroom.AccessKey{}, newError(errUnrecognizedClient, "The security token included in the request is invalid.")
	}
	k, err := h.store.FindAccessKey(ctx, id)
	if err != nil {
		if c := headroom.ErrorCodeOf(err); c == headroom.ENOTFOUND || c == headroom.EUNKNOWNACCOUNT {
			return headroom.AccessKey{}, newError(errUnrecognizedClient, "The security token included in the request is invalid.")
		}
		return headroom.AccessKey{}, err
	}
	return k, nil
}

// readBody reads the body, at most MaxBodyBytes.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{name: errIllegalArgument, status: http.StatusRequestEntityTooLarge,
				message: "request body is over the limit of " + strconv.FormatInt(h.maxBody, 10) + " bytes"}
		}
		return nil, illegal("request body", "could not be read: %v", err)
	}
	return body, nil
}

// canonicalRequest builds the SigV4 canonical request from the headers the
// client signed, in the order it listed them.
func canonicalRequest(r *http.Request, signed []string, body []byte) string {
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
func signature(secret string, a *authorization, amzDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	toSign := sigAlgorithm + "\n" + amzDate + "\n" + a.date + "/" + a.region + "/" + a.service + "/" + scopeTerminal + "\n" + hex.EncodeToString(sum[:])
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

// canonicalQuery sorts the query by name, then value, and encodes both.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
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
