package console

import (
	"net/http"
	"strings"

	"github.com/headroomhq/headroom"
)

// signinData is the sign-in form's content.
type signinData struct {
	CSRF    string
	Problem string
}

// handleIndex shows the sign-in form without a session, else sends the
// browser to the accounts.
func (h *Handler) handleIndex(w http.ResponseWriter, r *http.Request) {
	if _, err := h.authenticate(r); err == nil {
		seeOther(w, r, "/console/accounts")
		return
	}
	h.showSignin(w, r, http.StatusOK, "")
}

func (h *Handler) showSignin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	tok, err := h.loginToken(w, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.render(w, r, nil, status, "signin", view{Title: "Sign in", Data: signinData{CSRF: tok, Problem: problem}})
}

// handleLogin exchanges the operator token or a service token for a
// session cookie. The form must carry the CSRF token bound to the
// pre-session cookie; a wrong token shows the form again with 401.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, nil, headroom.Errorf(headroom.EINVALID, "the form could not be read: %v", err))
		return
	}
	c, err := r.Cookie(LoginCookie)
	if err != nil || !h.checkCSRF(r.PostForm.Get(csrfField), h.loginCSRF(c.Value)) {
		h.refuseCSRF(w, r, nil)
		return
	}
	secret := strings.TrimSpace(r.PostForm.Get("token"))
	if secret == "" {
		h.showSignin(w, r, http.StatusUnauthorized, "Enter a token.")
		return
	}
	hash := headroom.HashToken(secret)
	tok, _, err := h.tokenOf(r.Context(), hash)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.EUNAUTHENTICATED {
			h.showSignin(w, r, http.StatusUnauthorized, "That token is not valid: it is unknown or was revoked.")
			return
		}
		h.fail(w, r, nil, err)
		return
	}
	if err := h.setSessionCookie(w, r, tok.Role, hash); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	clearCookie(w, r, LoginCookie)
	seeOther(w, r, "/console/accounts")
}

// handleLogout ends the session: the cookie is cleared.
func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) {
	clearCookie(w, r, SessionCookie)
	seeOther(w, r, "/console/")
}
