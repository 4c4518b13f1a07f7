package connectapi

import (
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
)

// TestCallTTLMatchesCatalog keeps the lapse of a stale call slot equal to
// the value the default catalog states as Headroom's own (invented
// lease-ttl of the concurrent calls quota).
func TestCallTTLMatchesCatalog(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	q, err := cat.Quota(headroom.CodeConcurrentCalls)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range q.Invented {
		if x.Field == "lease-ttl" {
			d, err := time.ParseDuration(x.Value)
			if err != nil || d != callTTL {
				t.Fatalf("catalog says %q (%v), callTTL is %v", x.Value, err, callTTL)
			}
			return
		}
	}
	t.Fatalf("the catalog does not state the call slot lapse: %+v", q.Invented)
}
