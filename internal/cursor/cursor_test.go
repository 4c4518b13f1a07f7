package cursor

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func TestRoundTrip(t *testing.T) {
	c, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	q := &Query{Op: "ListThings", Account: "123456789012", Params: []string{"connect", ""}}
	for _, cur := range []string{"0", "42", "req-0001", "", strings.Repeat("x", 500)} {
		tok := c.Encode(q, cur)
		got, ok := c.Decode(q, tok)
		if !ok || got != cur {
			t.Fatalf("%q: decoded %q %v", cur, got, ok)
		}
	}
	if cur, ok := c.Decode(q, ""); !ok || cur != "" {
		t.Fatalf("empty token: %q %v", cur, ok)
	}
}

func TestRefused(t *testing.T) {
	c, _ := New(key)
	q := &Query{Op: "ListThings", Account: "123456789012", Params: []string{"a", "b"}}
	tok := c.Encode(q, "7")
	other, _ := New([]byte("another key of at least 16 bytes"))
	refuse := func(name string, c *Codec, q *Query, tok string) {
		t.Helper()
		if cur, ok := c.Decode(q, tok); ok {
			t.Errorf("%s: accepted as %q", name, cur)
		}
	}
	refuse("other op", c, &Query{Op: "ListOthers", Account: q.Account, Params: q.Params}, tok)
	refuse("other account", c, &Query{Op: q.Op, Account: "210987654321", Params: q.Params}, tok)
	refuse("other params", c, &Query{Op: q.Op, Account: q.Account, Params: []string{"a", "c"}}, tok)
	// Parameters are length-prefixed: moving a boundary is another query.
	refuse("shifted params", c, &Query{Op: q.Op, Account: q.Account, Params: []string{"ab", ""}}, tok)
	refuse("fewer params", c, &Query{Op: q.Op, Account: q.Account, Params: []string{"a"}}, tok)
	refuse("other key", other, q, tok)
	refuse("garbage", c, q, "not a token!")
	refuse("short", c, q, base64.RawURLEncoding.EncodeToString([]byte{version, 1, 2}))
	refuse("too long", c, q, strings.Repeat("A", MaxLen+1))
	b, _ := base64.RawURLEncoding.DecodeString(tok)
	for i := range b {
		m := append([]byte(nil), b...)
		m[i] ^= 1
		refuse("altered byte", c, q, base64.RawURLEncoding.EncodeToString(m))
	}
}

func TestKeys(t *testing.T) {
	if _, err := New([]byte("short")); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("short key: %v", err)
	}
	// An empty key is a random one: two codecs do not read each other's
	// tokens.
	a, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(nil)
	q := &Query{Op: "op"}
	if _, ok := b.Decode(q, a.Encode(q, "1")); ok {
		t.Fatal("random keys agree")
	}
	// The codec keeps its own copy of the key.
	k := append([]byte(nil), key...)
	c, _ := New(k)
	tok := c.Encode(q, "1")
	k[0] ^= 1
	if _, ok := c.Decode(q, tok); !ok {
		t.Fatal("changing the caller's key slice changed the codec")
	}
}
