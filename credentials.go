package headroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// CreateAccount validates and stores a new account, with an access key pair
// for it, and records both in the audit log as the work of actor. When the
// quota request template is associated, its increases for the engine's
// region become the account's overrides. Errors: EINVALID naming the bad
// field, ECONFLICT if the id exists.
func (e *Engine) CreateAccount(ctx context.Context, a Account, actor string) (Account, AccessKey, error) {
	if a.Created.IsZero() {
		a.Created = e.clock.Now()
	}
	a.Created = a.Created.UTC()
	if err := a.Validate(); err != nil {
		return Account{}, AccessKey{}, err
	}
	audit := AuditEntry{Time: e.clock.Now(), Actor: actor, Account: a.ID, Action: "account.create",
		Detail: fmt.Sprintf("created %s, partner %q", a.Created.Format(time.DateOnly), a.Partner)}
	if err := e.store.CreateAccount(ctx, a, audit); err != nil {
		return Account{}, AccessKey{}, fmt.Errorf("create account: %w", err)
	}
	// The template's increases are applied after the account exists; if
	// that fails the error says so, and the account is kept.
	if err := e.applyTemplate(ctx, a.ID, actor); err != nil {
		return Account{}, AccessKey{}, err
	}
	k, err := e.CreateAccessKey(ctx, a.ID, actor)
	if err != nil {
		return Account{}, AccessKey{}, err
	}
	return a, k, nil
}

// CreateAccessKey adds a new AWS-style key pair to an existing account. Keys
// of one account share everything the account has. Errors: EUNKNOWNACCOUNT.
func (e *Engine) CreateAccessKey(ctx context.Context, account, actor string) (AccessKey, error) {
	id, err := randomString(keyIDAlphabet, 16)
	if err != nil {
		return AccessKey{}, err
	}
	secret, err := randomString(secretAlphabet, 40)
	if err != nil {
		return AccessKey{}, err
	}
	k := AccessKey{ID: "AKIA" + id, Account: account, Secret: secret, Created: e.clock.Now().UTC()}
	audit := AuditEntry{Time: k.Created, Actor: actor, Account: account, Action: "key.create", Detail: "access key " + k.ID}
	if err := e.store.CreateAccessKey(ctx, k, audit); err != nil {
		return AccessKey{}, fmt.Errorf("create access key: %w", err)
	}
	return k, nil
}

const (
	keyIDAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randomString(alphabet string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", Errorf(EINTERNAL, "reading random bytes: %v", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// TokenPrefix starts every API token secret, so that leaked tokens are easy
// to recognise.
const TokenPrefix = "hr_"

// NewTokenSecret returns a fresh random API token secret.
func NewTokenSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", Errorf(EINTERNAL, "reading random bytes: %v", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the SHA-256 of a token secret; only hashes are stored.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SameHash compares two token hashes in constant time.
func SameHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// CreateToken creates an API token and returns its secret, which is shown
// once and never stored. A service token must name the accounts it may act
// for; an operator token must not. Errors: EINVALID, EUNKNOWNACCOUNT.
func (e *Engine) CreateToken(ctx context.Context, name string, role Role, accounts []string, actor string) (Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Token{}, "", FieldErrorf("name", "must not be empty")
	}
	switch role {
	case RoleOperator:
		if len(accounts) > 0 {
			return Token{}, "", FieldErrorf("accounts", "an operator token acts for every account; bind accounts to service tokens only")
		}
	case RoleService:
		if len(accounts) == 0 {
			return Token{}, "", FieldErrorf("accounts", "a service token needs at least one account")
		}
		for _, a := range accounts {
			if _, err := e.store.FindAccount(ctx, a); err != nil {
				return Token{}, "", err
			}
		}
	default:
		return Token{}, "", FieldErrorf("role", "unknown role %q (want operator or service)", role)
	}
	secret, err := NewTokenSecret()
	if err != nil {
		return Token{}, "", err
	}
	id, err := randomString(keyIDAlphabet, 10)
	if err != nil {
		return Token{}, "", err
	}
	t := Token{ID: "tok-" + strings.ToLower(id), Name: name, Role: role, Hash: HashToken(secret), Accounts: accounts, Created: e.clock.Now().UTC()}
	audit := AuditEntry{Time: t.Created, Actor: actor, Action: "token.create", Detail: fmt.Sprintf("%s token %s (%s) for %v", role, t.ID, name, accounts)}
	if err := e.store.CreateToken(ctx, t, audit); err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// DeleteToken revokes an API token and records it in the audit log.
// Errors: ENOTFOUND.
func (e *Engine) DeleteToken(ctx context.Context, id, actor string) error {
	audit := AuditEntry{Time: e.clock.Now().UTC(), Actor: actor, Action: "token.delete", Detail: "token " + id}
	if err := e.store.DeleteToken(ctx, id, audit); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}
