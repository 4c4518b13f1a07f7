// Package chattoken makes the bearer tokens of Amazon Connect chats: the
// ParticipantToken that StartChatContact answers and the ConnectionToken
// that CreateParticipantConnection answers. A token names the account,
// instance, contact and participant it was issued for and is authenticated
// with an HMAC under the server's paging key (the key every node sharing a
// store shares), so that any node verifies it without a store write; the
// caller then checks the named chat's state in the store, so that a token
// of an ended chat is refused.
package chattoken

import (
	"encoding/json"

	"github.com/headroomhq/headroom/internal/cursor"
)

// Kinds of token: a token of one kind is never accepted as the other.
const (
	Participant = "participant-token"
	Connection  = "connection-token"
	// Upload and Download sign an attachment's upload and download URLs.
	Upload   = "attachment-upload"
	Download = "attachment-download"
)

// Claims is what a token names.
type Claims struct {
	Account       string `json:"a"`
	InstanceID    string `json:"i"`
	ContactID     string `json:"c"`
	ParticipantID string `json:"p"`
	DisplayName   string `json:"n,omitempty"`
	// Attachment is the attachment an upload or download URL is for.
	Attachment string `json:"t,omitempty"`
	// Expires, in Unix seconds, is when an upload or download URL runs
	// out; zero for none.
	Expires int64 `json:"x,omitempty"`
}

// Mint returns the token of kind for claims: the same every time, so that
// a StartChatContact replayed with its ClientToken answers the same token.
func Mint(codec *cursor.Codec, kind string, c Claims) string {
	b, _ := json.Marshal(c)
	return codec.Encode(&cursor.Query{Op: kind}, string(b))
}

// Parse returns the claims of a token of kind; ok false for a token this
// codec did not issue as kind.
func Parse(codec *cursor.Codec, kind, token string) (c Claims, ok bool) {
	if token == "" {
		return c, false
	}
	raw, ok := codec.Decode(&cursor.Query{Op: kind}, token)
	if !ok || json.Unmarshal([]byte(raw), &c) != nil || c.Account == "" || c.InstanceID == "" || c.ContactID == "" {
		return Claims{}, false
	}
	return c, true
}
