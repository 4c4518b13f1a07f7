package console

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/headroomhq/headroom"
)

// csrfField is the hidden field of every form that carries its CSRF token.
const csrfField = "csrf"

// LoginCookie is the pre-session cookie the sign-in form's CSRF token is
// bound to, since there is no session yet.
const LoginCookie = "headroom_login"

// sessionCSRF returns the CSRF token of a session: a MAC of its cookie, so
// that a page of another origin, which cannot read the cookie, cannot
// forge it.
func (h *Handler) sessionCSRF(cookie string) string {
	return base64.RawURLEncoding.EncodeToString(h.mac("csrf", cookie))
}

// loginCSRF returns the sign-in form's CSRF token for a pre-session cookie.
func (h *Handler) loginCSRF(cookie string) string {
	return base64.RawURLEncoding.EncodeToString(h.mac("login", cookie))
}

// checkCSRF compares a posted token with the expected one in constant
// time; an empty token never matches.
func (h *Handler) checkCSRF(got, want string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}

// loginToken returns the CSRF token of the sign-in form, setting the
// pre-session cookie it is bound to when the browser has none.
func (h *Handler) loginToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(LoginCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return h.loginCSRF(c.Value), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", headroom.Errorf(headroom.EINTERNAL, "reading random bytes: %v", err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: LoginCookie, Value: v, Path: cookiePath, HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode})
	return h.loginCSRF(v), nil
}

// refuseCSRF answers a form posted without its CSRF token, or with a wrong
// one: 403, with a page that says what to do.
func (h *Handler) refuseCSRF(w http.ResponseWriter, r *http.Request, p *principal) {
	h.fail(w, r, p, headroom.Errorf(headroom.EFORBIDDEN,
		"the form was refused because its security token (CSRF) is missing or does not match this session; go back, reload the page and send it again"))
}
