package secretbox

import (
	"bytes"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal("AKIA1", "111122223333", "the secret")
	if err != nil {
		t.Fatal(err)
	}
	if !Sealed(sealed) || strings.Contains(sealed, "the secret") {
		t.Fatalf("Seal = %q, want a sealed secret", sealed)
	}
	if Sealed("plain") {
		t.Fatal("Sealed(plain) = true")
	}
	if got, err := b.Open("AKIA1", "111122223333", sealed); err != nil || got != "the secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open("AKIA2", "111122223333", sealed); err == nil {
		t.Fatal("a secret opened under another key id")
	}
	if _, err := b.Open("AKIA1", "999922223333", sealed); err == nil {
		t.Fatal("a secret opened under another account")
	}
	other, err := New(bytes.Repeat([]byte{8}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open("AKIA1", "111122223333", sealed); err == nil {
		t.Fatal("a secret opened with another key")
	}
	if !b.Matches(b.Check()) || b.Matches(other.Check()) {
		t.Fatal("Matches does not tell the keys apart")
	}
	again, _ := New(key)
	if again.Check() != b.Check() {
		t.Fatal("the check value of one key changed")
	}
	if _, err := New(key[:16]); err == nil {
		t.Fatal("New accepted a 16-byte key")
	}
}
