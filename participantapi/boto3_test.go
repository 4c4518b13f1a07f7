package participantapi_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/headroomhq/headroom/internal/testsvc"
)

// TestBoto3Participant drives the Participant Service with boto3's
// connectparticipant client, the official AWS SDK for Python, through
// tests/python/test_participant_boto3.py: the chat session, the message
// length, attachments, the per-instance throttle and an override moving
// its edge, disconnection and the 25-hour end. The script moves the
// server's manual clock through a loopback endpoint of this test.
func TestBoto3Participant(t *testing.T) {
	py := testsvc.Boto3(t)
	e := newEnv(t)
	e.account(acctA)
	e.override(acctA, "L-AA17A6B9", "", 10) // instances per account
	clockURL := testsvc.ClockServer(t, e.clk.Advance)

	type chat struct {
		Instance string `json:"instance"`
		Token    string `json:"token"`
	}
	chats := map[string]chat{}
	start := func(name, iid string) {
		_, tok := e.chat(acctA, iid)
		chats[name] = chat{iid, tok}
	}
	session, throttled, other, raised := e.instance(acctA), e.instance(acctA), e.instance(acctA), e.instance(acctA)
	start("session", session)
	start("attach", session)
	start("leaving", session)
	start("long", session)
	start("throttled-a", throttled)
	start("throttled-b", throttled)
	start("other-instance", other)
	start("raised", raised)
	e.override(acctA, "HR-PARTICIPANT-SEND-MESSAGE-RATE", "instance/"+raised, 20)
	data, err := json.Marshal(chats)
	if err != nil {
		t.Fatal(err)
	}
	testsvc.RunPython(t, py, filepath.Join("..", "tests", "python", "test_participant_boto3.py"), map[string]string{
		"HEADROOM_URL": e.url, "HEADROOM_CLOCK_URL": clockURL, "HEADROOM_CHATS": string(data)})
}
