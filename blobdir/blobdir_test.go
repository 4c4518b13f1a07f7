package blobdir_test

import (
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/blobdir"
	"github.com/headroomhq/headroom/internal/storetest"
)

func TestBlobStoreContract(t *testing.T) {
	storetest.TestBlobStore(t, func(t *testing.T) headroom.BlobStore {
		s, err := blobdir.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
