package contactlensapi_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/headroomhq/headroom/contactlensapi"
	"github.com/headroomhq/headroom/internal/testsvc"
)

// TestBoto3ContactLens drives ListRealtimeContactAnalysisSegments with
// boto3's connect-contact-lens client, the official AWS SDK for Python,
// through tests/python/test_contactlens_boto3.py: simulated segments paged
// with NextToken, the 1/s burst-2 throttle per account, and an override
// moving its edge. The script moves the server's manual clock through a
// loopback endpoint of this test.
func TestBoto3ContactLens(t *testing.T) {
	py := testsvc.Boto3(t)
	e := newEnv(t)
	e.account(acctA)
	e.account(acctB)
	e.override(acctB, lensCode, 5)
	ia, ib := e.instance(acctA), e.instance(acctB)
	const segments = 5
	for i := 0; i < segments; i++ {
		if err := e.addSegment(acctA, ia, "c-1", contactlensapi.TranscriptSegment{ParticipantRole: "AGENT", Content: fmt.Sprintf("line %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	clockURL := testsvc.ClockServer(t, e.clk.Advance)
	data, err := json.Marshal(map[string]any{
		"instance": map[string]string{"a": ia, "raised": ib},
		"contact":  "c-1",
		"segments": segments,
		"keys": map[string][2]string{
			"a":      {e.keys[acctA].ID, e.keys[acctA].Secret},
			"raised": {e.keys[acctB].ID, e.keys[acctB].Secret},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	testsvc.RunPython(t, py, filepath.Join("..", "tests", "python", "test_contactlens_boto3.py"), map[string]string{
		"HEADROOM_URL": e.url, "HEADROOM_CLOCK_URL": clockURL, "HEADROOM_CASE": string(data)})
}
