package participantapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// A chat end to end: StartChatContact's ParticipantToken buys a
// ConnectionToken and a websocket URL on this server; messages and events
// sent with it are in the transcript.
func TestChatSession(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	cid, ptok := e.chat(acctA, iid)
	r := ok(t, e.call("/participant/connection", ptok, map[string]any{"Type": []string{"WEBSOCKET", "CONNECTION_CREDENTIALS"}}))
	ws := r.body["Websocket"].(map[string]any)
	if url := ws["Url"].(string); !strings.HasPrefix(url, "ws://"+strings.TrimPrefix(e.url, "http://")+"/participant/") {
		t.Errorf("websocket URL %q is not on this server", url)
	}
	ctok := r.body["ConnectionCredentials"].(map[string]any)["ConnectionToken"].(string)
	sent := ok(t, e.call("/participant/message", ctok, msg("hello")))
	ok(t, e.call("/participant/event", ctok, map[string]any{"ContentType": "application/vnd.amazonaws.connect.event.typing"}))
	tr := ok(t, e.call("/participant/transcript", ctok, map[string]any{}))
	items := tr.body["Transcript"].([]any)
	if len(items) != 2 || tr.body["InitialContactId"] != cid {
		t.Fatalf("transcript = %v", tr.body)
	}
	first := items[0].(map[string]any)
	if first["Id"] != sent.body["Id"] || first["Content"] != "hello" || first["Type"] != "MESSAGE" || first["ParticipantRole"] != "CUSTOMER" || first["DisplayName"] != "Ana" {
		t.Errorf("first item = %v", first)
	}
	// A retried SendMessage with its ClientToken answers the same message.
	a := ok(t, e.call("/participant/message", ctok, map[string]any{"ContentType": "text/plain", "Content": "x", "ClientToken": "t1"}))
	b := ok(t, e.call("/participant/message", ctok, map[string]any{"ContentType": "text/plain", "Content": "x", "ClientToken": "t1"}))
	if a.body["Id"] != b.body["Id"] {
		t.Errorf("a replayed ClientToken sent a second message")
	}
}

// A wrong token, a token of the other kind and another chat's contact are
// refused with AccessDeniedException.
func TestTokens(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	other, _ := e.chat(acctA, iid)
	wantErr(t, e.call("/participant/connection", "", map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}}), "AccessDeniedException", 403, "X-Amz-Bearer")
	wantErr(t, e.call("/participant/connection", "forged", map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}}), "AccessDeniedException", 403)
	wantErr(t, e.call("/participant/connection", ptok[:len(ptok)-2]+"AA", map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}}), "AccessDeniedException", 403)
	// The ParticipantToken is not a ConnectionToken.
	wantErr(t, e.call("/participant/message", ptok, msg("hi")), "AccessDeniedException", 403, "ConnectionToken")
	ctok := e.connection(ptok)
	// Nor the other way round.
	wantErr(t, e.call("/participant/connection", ctok, map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}}), "AccessDeniedException", 403, "ParticipantToken")
	wantErr(t, e.call("/participant/transcript", ctok, map[string]any{"ContactId": other}), "AccessDeniedException", 403, other)
	wantErr(t, e.call("/participant/connection", ptok, map[string]any{"Type": []string{"SMOKE"}}), "ValidationException", 400, "SMOKE")
}

// A message of 1,024 characters is sent, multi-byte ones too; one of
// 1,025 is refused with a ValidationException that names the limit.
func TestMessageLength(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	ok(t, e.call("/participant/message", ctok, msg(strings.Repeat("a", 1024))))
	ok(t, e.call("/participant/message", ctok, msg(strings.Repeat("é", 1024)))) // 2,048 bytes
	ok(t, e.call("/participant/message", ctok, msg(strings.Repeat("😀", 1024)))) // 4,096 bytes
	wantErr(t, e.call("/participant/message", ctok, msg(strings.Repeat("é", 1025))), "ValidationException", 400, "1024")
	wantErr(t, e.call("/participant/message", ctok, msg(strings.Repeat("a", 1025))), "ValidationException", 400, "1024")
	wantErr(t, e.call("/participant/message", ctok, map[string]any{"ContentType": "image/gif", "Content": "x"}), "ValidationException", 400, "image/gif")
}

// The chat ends 25 hours after it started, wait time included: every
// token of it is then refused.
func TestChatDuration(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	e.clk.Advance(25*time.Hour - time.Second)
	ok(t, e.call("/participant/message", ctok, msg("still here")))
	e.clk.Advance(time.Second)
	wantErr(t, e.call("/participant/message", ctok, msg("too late")), "AccessDeniedException", 403, "25 hours")
	wantErr(t, e.call("/participant/transcript", ctok, map[string]any{}), "AccessDeniedException", 403, "25 hours")
	wantErr(t, e.call("/participant/connection", ptok, map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}}), "AccessDeniedException", 403, "25 hours")
}

// After DisconnectParticipant the participant's tokens are refused.
func TestDisconnect(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	e.override(acctA, "L-D4BA6F6E", "instance/"+iid, 1) // concurrent active chats
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	// The instance's one chat slot is taken.
	if _, err := e.connect(acctA).StartChatContact(context.Background(), &connect.StartChatContactInput{InstanceId: &iid,
		ContactFlowId: aws.String(e.flow(acctA, iid)), ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String("Bo")}}); err == nil {
		t.Fatal("a second chat started past the limit of 1")
	}
	ok(t, e.call("/participant/disconnect", ctok, map[string]any{}))
	// The customer leaving ended the chat: its tokens are refused, and its
	// slot is free for the next chat.
	wantErr(t, e.call("/participant/message", ctok, msg("hi")), "AccessDeniedException", 403, "ended")
	wantErr(t, e.call("/participant/disconnect", ctok, map[string]any{}), "AccessDeniedException", 403, "ended")
	e.chat(acctA, iid)
}
