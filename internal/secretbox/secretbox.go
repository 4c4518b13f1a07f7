// Package secretbox seals the secrets of access keys at rest with a key
// kept outside the database, for every store that keeps them: AES-256-GCM,
// each secret bound to its key id and account. The encryption key and the
// check value a store records to recognise its key are derived from the
// configured key with HKDF, each for its own purpose.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a key: an AES-256 key.
const KeySize = 32

// Prefix starts a secret sealed by a Box, version 1: AES-256-GCM, then
// base64 of the nonce and the sealed secret.
const Prefix = "v1:"

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead  cipher.AEAD
	check string
}

// New returns the Box of key, which must be KeySize bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: the key must be %d bytes, got %d", KeySize, len(key))
	}
	ek, err := hkdf.Key(sha256.New, key, nil, "headroom access-key secrets v1", 32)
	if err != nil {
		return nil, err
	}
	ck, err := hkdf.Key(sha256.New, key, nil, "headroom secret key check v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(ek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, ck)
	mac.Write([]byte("the secret key of a Headroom store"))
	return &Box{aead: aead, check: "v1:" + hex.EncodeToString(mac.Sum(nil))}, nil
}

// Check is the value a store records to recognise the key its secrets are
// sealed with; it reveals nothing of the key.
func (b *Box) Check() string { return b.check }

// Matches reports whether check, as recorded by a store, is this key's.
func (b *Box) Matches(check string) bool { return hmac.Equal([]byte(check), []byte(b.check)) }

// Sealed reports whether stored is a sealed secret rather than plaintext.
func Sealed(stored string) bool { return strings.HasPrefix(stored, Prefix) }

// aad binds a sealed secret to its key id and account, so that a secret
// copied onto another key's row does not open.
func aad(id, account string) []byte {
	return []byte("headroom access key\x00" + id + "\x00" + account)
}

// Seal returns secret sealed for the access key id of account.
func (b *Box) Seal(id, account, secret string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(secret)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, []byte(secret), aad(id, account))
	return Prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open returns the secret that Seal sealed for the same id and account; an
// error if stored is not such a secret or was sealed with another key.
func (b *Box) Open(id, account, stored string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(stored, Prefix))
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", errors.New("not a sealed secret")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], aad(id, account))
	if err != nil {
		return "", err
	}
	return string(plain), nil
}
