package participantapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/chattoken"
	"github.com/headroomhq/headroom/internal/ids"
)

// pollEvery is how often an open websocket reads its chat's transcript
// for new items: the transcript is in the store, so that a message sent
// through any node reaches the websockets on every node.
const pollEvery = 100 * time.Millisecond

// frame is a websocket message in Connect's format: a topic, and for
// aws/chat the transcript item as a JSON string.
type frame struct {
	Topic       string `json:"topic"`
	ContentType string `json:"contentType,omitempty"`
	Content     any    `json:"content,omitempty"`
}

// serveWebsocket serves the websocket URL CreateParticipantConnection
// answers: it takes one of the participant's open-websocket slots (5, a
// lease in the store) for as long as it is open, and delivers every item
// the chat's transcript gains as an aws/chat message.
func (h *Handler) serveWebsocket() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.websocket(w, r); err != nil {
			h.writeError(w, "Websocket", err)
		}
	})
}

func (h *Handler) websocket(w http.ResponseWriter, r *http.Request) error {
	who, ok := chattoken.Parse(h.tokens, chattoken.Connection, r.URL.Query().Get("token"))
	if !ok {
		return denied("Access denied: the websocket URL's ConnectionToken is not valid")
	}
	c := &call{ctx: r.Context(), r: r, who: who, now: h.engine.Clock().Now()}
	chat, err := h.liveChat(c)
	if err != nil {
		return err
	}
	t, err := h.readTranscript(c)
	if err != nil {
		return err
	}
	if t.Left[who.ParticipantID] {
		return denied("Access denied: participant %s has disconnected from the chat", who.ParticipantID)
	}
	// The slot lives at most as long as the chat: a node that dies with
	// it open does not hold it past then.
	lease := headroom.Request{Op: headroom.OpAcquire, Account: who.Account, Code: headroom.CodeWebsocketsPerParty,
		Scope: "participant/" + who.ParticipantID, LeaseID: ids.New(), TTL: chat.Expires.Sub(c.now)}
	if _, err := h.engine.Do(c.ctx, lease); err != nil {
		return err
	}
	release := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		lease.Op = headroom.OpReleaseLease
		h.engine.Do(ctx, lease)
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		release()
		return nil // Accept has answered
	}
	defer release()
	defer conn.CloseNow()
	h.pump(r.Context(), conn, c, len(t.Items))
	return nil
}

// pump writes the transcript's new items from sent on, and answers the
// client's subscribe and heartbeat messages, until either side closes.
func (h *Handler) pump(ctx context.Context, conn *websocket.Conn, c *call, sent int) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	replies := make(chan frame, 4)
	go func() {
		defer cancel()
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var in frame
			if json.Unmarshal(data, &in) != nil {
				continue
			}
			var out frame
			switch in.Topic {
			case "aws/subscribe":
				out = frame{Topic: "aws/subscribe", ContentType: "application/json", Content: map[string]any{"status": "success", "topics": []string{"aws/chat"}}}
			case "aws/heartbeat":
				out = frame{Topic: "aws/heartbeat"}
			default:
				continue
			}
			select {
			case replies <- out:
			case <-ctx.Done():
				return
			}
		}
	}()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	write := func(f frame) bool {
		data, _ := json.Marshal(f)
		return conn.Write(ctx, websocket.MessageText, data) == nil
	}
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-replies:
			if !write(f) {
				return
			}
		case <-tick.C:
			c.now = h.engine.Clock().Now()
			if _, err := h.liveChat(c); err != nil {
				conn.Close(websocket.StatusNormalClosure, "the chat has ended")
				return
			}
			t, err := h.readTranscript(c)
			if err != nil {
				continue
			}
			for ; sent < len(t.Items); sent++ {
				item, _ := json.Marshal(t.Items[sent].item)
				if !write(frame{Topic: "aws/chat", ContentType: "application/json", Content: string(item)}) {
					return
				}
			}
			if t.Left[c.who.ParticipantID] {
				conn.Close(websocket.StatusNormalClosure, "the participant has disconnected")
				return
			}
		}
	}
}
