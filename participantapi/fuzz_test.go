package participantapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// FuzzRequests sends arbitrary bodies and bearer tokens to every
// operation of a live chat: nothing may panic or answer 500.
func FuzzRequests(f *testing.F) {
	e := newEnv(f)
	e.account(acctA)
	for _, q := range e.engine.Catalog().Quotas() {
		if strings.HasPrefix(q.Code, "HR-PARTICIPANT-") {
			e.override(acctA, q.Code, "", 1e6)
		}
	}
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	paths := []string{"/participant/connection", "/participant/message", "/participant/event", "/participant/transcript", "/participant/disconnect"}
	f.Add(uint8(0), `{"Type":["WEBSOCKET"]}`, "")
	f.Add(uint8(1), `{"ContentType":"text/plain","Content":"hi","ClientToken":"c"}`, "")
	f.Add(uint8(2), `{"ContentType":"application/vnd.amazonaws.connect.event.typing"}`, "")
	f.Add(uint8(3), `{"MaxResults":2,"NextToken":"AQ","ScanDirection":"FORWARD","SortOrder":"DESCENDING","StartPosition":{"MostRecent":1}}`, "")
	f.Add(uint8(3), `{"MaxResults":-1}`, "x")
	f.Add(uint8(1), `[]`, "")
	f.Add(uint8(3), `{"StartPosition":{"Id":"x","AbsoluteTime":"2026-12-03T10:00:00.000Z"}}`, "")
	f.Add(uint8(3), `{"ScanDirection":"BACKWARD","StartPosition":{"AbsoluteTime":"2026-12-03T10:00:00.000Z"}}`, "")
	f.Add(uint8(1), `{"Content":1}`, "")
	f.Fuzz(func(t *testing.T, op uint8, body, tokSuffix string) {
		path := paths[int(op)%len(paths)]
		if path == "/participant/disconnect" && tokSuffix == "" {
			tokSuffix = "no disconnect" // keep the chat's participant connected
		}
		tok := ctok
		if path == "/participant/connection" {
			tok = ptok
		}
		tok += tokSuffix
		r, _ := http.NewRequest("POST", e.url+path, bytes.NewReader([]byte(body)))
		r.Header.Set("X-Amz-Bearer", tok)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return // a header the client will not send
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: status %d", path, body, resp.StatusCode)
		}
	})
}
