package awsapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// SigningName is the service name requests are signed for, as in the
// credential scope DATE/REGION/servicequotas/aws4_request.
const SigningName = "servicequotas"

// MaxClockSkew is how far a request's X-Amz-Date may be from the server's
// clock, either way, as AWS allows.
const MaxClockSkew = sigv4.MaxClockSkew

// caller is an authenticated principal: an access key and its account.
type caller struct {
	Account string
	KeyID   string
}

// sigError converts a sigv4 failure to the wire error; other errors pass.
func sigError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return newError(se.Kind.ErrorName(), "%s", se.Message)
	}
	return err
}

// authenticate verifies a request's SigV4 signature against the secret of
// its access key, and returns the caller with the request body, which the
// signature covers. A caller its headers do not authenticate (no or a
// malformed Authorization header, another scope, an unknown key, a date too
// far off) is refused before a byte of the body is read; the body read is
// at most the body limit.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*caller, []byte, error) {
	v := sigv4.Verifier{Service: SigningName, Region: h.region, Clock: h.clock,
		Keys: func(ctx context.Context, id string) (headroom.AccessKey, error) {
			return h.svc.FindAccessKey(ctx, id)
		},
		// X-Amz-Target names the operation, so it must be signed.
		MustSign: []string{"x-amz-target"}}
	key, body, err := v.Authenticate(w, r, h.maxBody)
	if err != nil {
		return nil, nil, sigError(err)
	}
	return &caller{Account: key.Account, KeyID: key.ID}, body, nil
}
