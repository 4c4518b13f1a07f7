package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

// SessionCookie is the name of the console's session cookie.
const SessionCookie = "headroom_session"

// cookiePath keeps the console's cookies to the console.
const cookiePath = "/console/"

// session is what a session cookie carries: the role signed in, the hash
// of the token used, when the session ends, and a random nonce that makes
// every sign-in's session (and so its CSRF token) its own.
type session struct {
	Role    headroom.Role
	Hash    []byte
	Expires time.Time
	Nonce   string
}

// principal is who a console request acts as.
type principal struct {
	// tok is the token signed in with; the operator token is an operator
	// Token with no id.
	tok headroom.Token
	// actor names the principal in the audit log, as the native API does.
	actor string
	// cookie is the session cookie's value, from which the CSRF token is
	// derived.
	cookie string
}

func (p *principal) operator() bool { return p.tok.Role == headroom.RoleOperator }

// mac returns the HMAC-SHA256 of purpose and msg under the key.
func (h *Handler) mac(purpose, msg string) []byte {
	m := hmac.New(sha256.New, h.cfg.Key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// encodeSession returns a session's cookie value: the payload
// (role|hash|expiry|nonce) and its MAC, both base64url.
func (h *Handler) encodeSession(s session) string {
	payload := string(s.Role) + "|" + hex.EncodeToString(s.Hash) + "|" + strconv.FormatInt(s.Expires.Unix(), 10) + "|" + s.Nonce
	p := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return p + "." + base64.RawURLEncoding.EncodeToString(h.mac("session", p))
}

// decodeSession checks a cookie value's MAC and expiry against now.
// Errors: EUNAUTHENTICATED for a malformed, forged or expired value.
func (h *Handler) decodeSession(value string, now time.Time) (session, error) {
	bad := headroom.Errorf(headroom.EUNAUTHENTICATED, "the session is not valid; sign in again")
	p, sig, ok := strings.Cut(value, ".")
	if !ok || len(value) > 512 {
		return session{}, bad
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(mac, h.mac("session", p)) {
		return session{}, bad
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(p)
	if err != nil {
		return session{}, bad
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 {
		return session{}, bad
	}
	hash, err := hex.DecodeString(parts[1])
	if err != nil || len(hash) != sha256.Size {
		return session{}, bad
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return session{}, bad
	}
	s := session{Role: headroom.Role(parts[0]), Hash: hash, Expires: time.Unix(exp, 0).UTC(), Nonce: parts[3]}
	if s.Role != headroom.RoleOperator && s.Role != headroom.RoleService {
		return session{}, bad
	}
	if !now.Before(s.Expires) {
		return session{}, headroom.Errorf(headroom.EUNAUTHENTICATED, "the session has expired; sign in again")
	}
	return s, nil
}

// tokenOf finds the token whose secret hashes to hash: the operator token,
// or a stored token. Errors: EUNAUTHENTICATED for an unknown or deleted
// token, or the store's error.
func (h *Handler) tokenOf(ctx context.Context, hash []byte) (headroom.Token, string, error) {
	if headroom.SameHash(hash, h.adminHash) {
		return headroom.Token{Role: headroom.RoleOperator, Name: "operator"}, "operator", nil
	}
	tok, err := h.svc.FindToken(ctx, hash)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return headroom.Token{}, "", headroom.Errorf(headroom.EUNAUTHENTICATED, "unknown or revoked token")
		}
		return headroom.Token{}, "", err
	}
	if !headroom.SameHash(tok.Hash, hash) {
		return headroom.Token{}, "", headroom.Errorf(headroom.EUNAUTHENTICATED, "unknown or revoked token")
	}
	return tok, "token:" + tok.ID, nil
}

// authenticate returns the principal of a request's session cookie,
// checking the token again: a deleted token ends its sessions.
func (h *Handler) authenticate(r *http.Request) (*principal, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, headroom.Errorf(headroom.EUNAUTHENTICATED, "sign in to use the console")
	}
	s, err := h.decodeSession(c.Value, h.svc.Clock().Now())
	if err != nil {
		return nil, err
	}
	tok, actor, err := h.tokenOf(r.Context(), s.Hash)
	if err != nil {
		return nil, err
	}
	if tok.Role != s.Role {
		return nil, headroom.Errorf(headroom.EUNAUTHENTICATED, "the token's role changed; sign in again")
	}
	return &principal{tok: tok, actor: actor, cookie: c.Value}, nil
}

// setSessionCookie starts a session for a token's hash.
func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, role headroom.Role, hash []byte) error {
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return headroom.Errorf(headroom.EINTERNAL, "reading random bytes: %v", err)
	}
	exp := h.svc.Clock().Now().Add(h.cfg.SessionTTL)
	v := h.encodeSession(session{Role: role, Hash: hash, Expires: exp, Nonce: hex.EncodeToString(nonce)})
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: v, Path: cookiePath, HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(h.cfg.SessionTTL / time.Second)})
	return nil
}

// clearCookie removes a console cookie.
func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: cookiePath, HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

type principalKey struct{}

func principalOf(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}

// signedIn requires a session. A page asked for without one sends the
// browser to the sign-in form; a form posted without one is refused.
// Posted forms must carry the session's CSRF token.
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		if err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EUNAUTHENTICATED {
				h.fail(w, r, nil, err)
				return
			}
			clearCookie(w, r, SessionCookie)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/console/", http.StatusSeeOther)
				return
			}
			h.fail(w, r, nil, err)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				h.fail(w, r, p, headroom.Errorf(headroom.EINVALID, "the form could not be read: %v", err))
				return
			}
			if !h.checkCSRF(r.PostForm.Get(csrfField), h.sessionCSRF(p.cookie)) {
				h.refuseCSRF(w, r, p)
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// forAccount requires a session that may act for the {account} in the
// path: 403 otherwise.
func (h *Handler) forAccount(next http.HandlerFunc) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if acct := r.PathValue("account"); !p.tok.MayAct(acct) {
			h.fail(w, r, p, headroom.Errorf(headroom.EFORBIDDEN, "this session may not see account %s", acct))
			return
		}
		next(w, r)
	})
}

// operator requires the operator's session: 403 otherwise.
func (h *Handler) operator(next http.HandlerFunc) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if p := principalOf(r); !p.operator() {
			h.fail(w, r, p, headroom.Errorf(headroom.EFORBIDDEN, "only the operator may do this"))
			return
		}
		next(w, r)
	})
}
