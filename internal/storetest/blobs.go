package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/headroomhq/headroom"
)

// TestBlobStore runs the contract of headroom.BlobStore against the stores
// newStore returns: put, get, replace, delete, accounts kept apart, and
// readers seeing whole values while a writer replaces them.
func TestBlobStore(t *testing.T, newStore func(t *testing.T) headroom.BlobStore) {
	ctx := context.Background()
	t.Run("PutGetDelete", func(t *testing.T) {
		s := newStore(t)
		_, err := s.GetBlob(ctx, "111", "c-1/a-1")
		wantCode(t, err, headroom.ENOTFOUND)
		if err := s.PutBlob(ctx, "111", "c-1/a-1", []byte("first")); err != nil {
			t.Fatal(err)
		}
		if err := s.PutBlob(ctx, "222", "c-1/a-1", []byte("other account")); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetBlob(ctx, "111", "c-1/a-1"); err != nil || string(got) != "first" {
			t.Fatalf("GetBlob = %q, %v", got, err)
		}
		if err := s.PutBlob(ctx, "111", "c-1/a-1", []byte("second")); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetBlob(ctx, "111", "c-1/a-1"); string(got) != "second" {
			t.Fatalf("replaced blob = %q", got)
		}
		if err := s.PutBlob(ctx, "111", "c-1/empty", nil); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetBlob(ctx, "111", "c-1/empty"); err != nil || len(got) != 0 {
			t.Fatalf("empty blob = %q, %v", got, err)
		}
		if err := s.DeleteBlob(ctx, "111", "c-1/a-1"); err != nil {
			t.Fatal(err)
		}
		_, err = s.GetBlob(ctx, "111", "c-1/a-1")
		wantCode(t, err, headroom.ENOTFOUND)
		if err := s.DeleteBlob(ctx, "111", "c-1/a-1"); err != nil {
			t.Fatalf("deleting nothing: %v", err)
		}
		if got, _ := s.GetBlob(ctx, "222", "c-1/a-1"); string(got) != "other account" {
			t.Fatalf("the other account's blob = %q", got)
		}
	})
	t.Run("Large", func(t *testing.T) {
		s := newStore(t)
		big := bytes.Repeat([]byte{0, 1, 2, 0xff}, headroom.MaxBlobBytes/4)
		if err := s.PutBlob(ctx, "111", "big", big); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetBlob(ctx, "111", "big"); err != nil || !bytes.Equal(got, big) {
			t.Fatalf("20 MB blob: %d bytes back, %v", len(got), err)
		}
	})
	t.Run("ReadersSeeWholeValues", func(t *testing.T) {
		s := newStore(t)
		a, b := bytes.Repeat([]byte("a"), 64<<10), bytes.Repeat([]byte("b"), 64<<10)
		if err := s.PutBlob(ctx, "111", "k", a); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := s.PutBlob(ctx, "111", "k", [][]byte{a, b}[i%2]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		for i := 0; i < 20; i++ {
			got, err := s.GetBlob(ctx, "111", "k")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
				t.Fatalf("a reader saw a part: %d bytes", len(got))
			}
		}
		wg.Wait()
	})
}
