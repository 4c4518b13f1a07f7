package participantapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/server"
)

// Two nodes on one PostgreSQL database: a chat started on one is served by
// the other. Its tokens, signed with the key the nodes share, are taken
// there; an attachment put through one node's upload URL is downloaded
// through the other's; and both nodes count the conversation's five
// attachments against one total.
func TestTwoNodesShareChats(t *testing.T) {
	pg := testsvc.Postgres(t)
	clk := clock.NewManual(time.Now())
	node := func() *env {
		m := server.New()
		m.Config.Addr, m.Config.Store, m.Config.DataDir = "127.0.0.1:0", pg, t.TempDir()
		m.Config.AdminToken, m.Config.Region = "hr_test-operator-secret", region
		m.Config.SecretKey = strings.Repeat("ab", 32) // the nodes' shared key for access-key secrets
		m.Clock, m.SignClock, m.Stderr = clk, clock.System{}, io.Discard
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return &env{t: t, url: m.URL(), clk: clk, engine: m.Engine(), keys: map[string]headroom.AccessKey{}}
	}
	a, b := node(), node()
	a.account(acctA)
	iid := a.instance(acctA)
	_, ptok := a.chat(acctA, iid)
	// Connected on node b with node a's ParticipantToken.
	ctok := b.connection(ptok)
	ok(t, a.call("/participant/message", ctok, msg("from a")))
	tr := ok(t, b.call("/participant/transcript", ctok, map[string]any{}))
	if text, _ := json.Marshal(tr.body); !strings.Contains(string(text), "from a") {
		t.Fatalf("node b's transcript lacks node a's message: %v", tr.body)
	}
	// The upload URL comes from node a; its bytes go through node b; the
	// download URL from node b is served by node a.
	data := []byte("%PDF-1.4 shared")
	r := ok(t, a.call("/participant/start-attachment-upload", ctok, startUpload("r.pdf", int64(len(data)), "u1")))
	id := r.body["AttachmentId"].(string)
	up := strings.Replace(uploadURL(r), a.url, b.url, 1)
	if st, name := put(t, up, data); st != 200 {
		t.Fatalf("PUT through node b = %d %s", st, name)
	}
	ok(t, a.call("/participant/complete-attachment-upload", ctok, map[string]any{"AttachmentIds": []string{id}, "ClientToken": "c1"}))
	g := ok(t, b.call("/participant/attachment", ctok, map[string]any{"AttachmentId": id}))
	resp, err := http.Get(strings.Replace(g.body["Url"].(string), b.url, a.url, 1))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("download through node a = %d %q", resp.StatusCode, got)
	}
	// Five per conversation, counted across both nodes.
	for i, n := range []*env{a, b, a, b} {
		ok(t, n.call("/participant/start-attachment-upload", ctok, startUpload("f.txt", 1, "n"+string(rune('0'+i)))))
	}
	wantErr(t, b.call("/participant/start-attachment-upload", ctok, startUpload("f.txt", 1, "six")), "ServiceQuotaExceededException", 402, "5")
	wantErr(t, a.call("/participant/start-attachment-upload", ctok, startUpload("f.txt", 1, "seven")), "ServiceQuotaExceededException", 402, "5")
}
