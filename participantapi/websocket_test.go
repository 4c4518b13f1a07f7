package participantapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/headroomhq/headroom/server"
)

// wsURL connects the participant of ptok and returns its websocket URL and
// ConnectionToken.
func (e *env) wsURL(ptok string) (string, string) {
	e.t.Helper()
	r := ok(e.t, e.call("/participant/connection", ptok, map[string]any{"Type": []string{"WEBSOCKET", "CONNECTION_CREDENTIALS"}}))
	return r.body["Websocket"].(map[string]any)["Url"].(string), r.body["ConnectionCredentials"].(map[string]any)["ConnectionToken"].(string)
}

// A websocket client subscribes and receives a message sent with
// SendMessage in Connect's format; a participant holds at most 5 open
// websockets, and closing one frees its slot.
func TestWebsocket(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	url, ctok := e.wsURL(ptok)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var conns []*websocket.Conn
	for i := 0; i < 5; i++ {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatalf("websocket %d: %v", i+1, err)
		}
		defer c.CloseNow()
		conns = append(conns, c)
	}
	_, resp, err := websocket.Dial(ctx, url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusPaymentRequired || resp.Header.Get("X-Amzn-ErrorType") != "ServiceQuotaExceededException" {
		t.Fatalf("6th websocket: %v %v", err, resp)
	}

	c := conns[0]
	sub, _ := json.Marshal(map[string]any{"topic": "aws/subscribe", "content": map[string]any{"topics": []string{"aws/chat"}}})
	if err := c.Write(ctx, websocket.MessageText, sub); err != nil {
		t.Fatal(err)
	}
	sent := ok(t, e.call("/participant/message", ctok, msg("over the socket")))
	var gotSub, gotMsg bool
	for !gotSub || !gotMsg {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var f struct {
			Topic, ContentType string
			Content            json.RawMessage
		}
		json.Unmarshal(data, &f)
		switch f.Topic {
		case "aws/subscribe":
			gotSub = strings.Contains(string(f.Content), "success")
		case "aws/chat":
			var s string
			json.Unmarshal(f.Content, &s)
			var item map[string]any
			json.Unmarshal([]byte(s), &item)
			if item["Id"] == sent.body["Id"] {
				if item["Content"] != "over the socket" || item["Type"] != "MESSAGE" || item["ContentType"] != "text/plain" {
					t.Fatalf("item = %v", item)
				}
				gotMsg = true
			}
		}
	}

	// Closing one frees its slot: the server releases it once it sees
	// the close.
	conns[1].Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(10 * time.Second)
	for {
		c6, _, err := websocket.Dial(ctx, url, nil)
		if err == nil {
			c6.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slot of a closed websocket was not freed: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // waits for the server to see the close, not for a quota
	}
	// A wrong token is refused before the upgrade.
	if _, resp, err := websocket.Dial(ctx, url+"x", nil); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("wrong token: %v %v", err, resp)
	}
}

// A websocket outlives the server's read and write timeouts, which bound
// requests, not chats: a message sent after both have passed still
// arrives. The timeouts are socket deadlines on the wall clock, which no
// injected clock moves, so this test waits past them for real (a few
// hundred milliseconds).
func TestWebsocketOutlivesRequestTimeouts(t *testing.T) {
	const timeout = 200 * time.Millisecond
	e := newEnv(t, func(m *server.Server) {
		m.Config.ReadTimeout, m.Config.WriteTimeout = timeout, timeout
	})
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	url, ctok := e.wsURL(ptok)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	<-time.After(3 * timeout)
	sent := ok(t, e.call("/participant/message", ctok, msg("still here")))
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("the websocket closed after the request timeouts: %v", err)
		}
		if strings.Contains(string(data), sent.body["Id"].(string)) {
			return
		}
	}
}
