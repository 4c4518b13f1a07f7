package participantapi

import (
	"slices"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/chattoken"
	"github.com/headroomhq/headroom/internal/cursor"
)

// Content types the model allows.
var (
	messageTypes = []string{"text/plain", "text/markdown", "application/json",
		"application/vnd.amazonaws.connect.message.interactive",
		"application/vnd.amazonaws.connect.message.interactive.response"}
	eventTypes = []string{"application/vnd.amazonaws.connect.event.typing",
		"application/vnd.amazonaws.connect.event.connection.acknowledged",
		"application/vnd.amazonaws.connect.event.message.delivered",
		"application/vnd.amazonaws.connect.event.message.read"}
)

// createParticipantConnection answers the ConnectionToken (and the
// websocket URL) of the participant a ParticipantToken names.
func createParticipantConnection(h *Handler, c *call) (any, error) {
	var in struct {
		Type               []string `json:"Type"`
		ConnectParticipant *bool    `json:"ConnectParticipant"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if len(in.Type) == 0 {
		return nil, newError(errValidation, "Type is required: WEBSOCKET, CONNECTION_CREDENTIALS or both")
	}
	for _, t := range in.Type {
		if t != "WEBSOCKET" && t != "CONNECTION_CREDENTIALS" {
			return nil, newError(errValidation, "Type: %q is not WEBSOCKET or CONNECTION_CREDENTIALS", clip(t))
		}
	}
	_, err := h.changeTranscript(c, func(t *transcript) error {
		if t.Left[c.who.ParticipantID] {
			return denied("Access denied: participant %s has disconnected from the chat", c.who.ParticipantID)
		}
		if in.ConnectParticipant != nil && *in.ConnectParticipant && !t.Connected[c.who.ParticipantID] {
			if t.Connected == nil {
				t.Connected = map[string]bool{}
			}
			t.Connected[c.who.ParticipantID] = true
			it := c.newItem("EVENT", "application/vnd.amazonaws.connect.event.participant.joined", "")
			t.Items = append(t.Items, storedItem{item: it})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	conn := chattoken.Mint(h.tokens, chattoken.Connection, c.who)
	expiry := wireTime(c.chat.Expires)
	out := map[string]any{}
	for _, t := range in.Type {
		switch t {
		case "WEBSOCKET":
			scheme := "ws"
			if c.r.TLS != nil {
				scheme = "wss"
			}
			out["Websocket"] = map[string]string{"Url": scheme + "://" + c.r.Host + "/participant/websocket?token=" + conn, "ConnectionExpiry": expiry}
		case "CONNECTION_CREDENTIALS":
			out["ConnectionCredentials"] = map[string]string{"ConnectionToken": conn, "Expiry": expiry}
		}
	}
	return out, nil
}

// checkClientToken checks a ClientToken's length (the model's 500).
func checkClientToken(tok string) error {
	if len(tok) > 500 {
		return newError(errValidation, "ClientToken must be at most 500 characters, got %d", len(tok))
	}
	return nil
}

// sendMessage appends a message of at most 1,024 characters (counted as
// characters, not bytes: the seed's chat message limit).
func sendMessage(h *Handler, c *call) (any, error) {
	var in struct {
		ContentType string `json:"ContentType"`
		Content     string `json:"Content"`
		ClientToken string `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ContentType == "":
		return nil, newError(errValidation, "ContentType is required")
	case !slices.Contains(messageTypes, in.ContentType):
		return nil, newError(errValidation, "ContentType %q is not supported for messages", clip(in.ContentType))
	case in.Content == "":
		return nil, newError(errValidation, "Content is required")
	}
	if err := checkClientToken(in.ClientToken); err != nil {
		return nil, err
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.who.Account, Code: headroom.CodeChatMessageChars, Text: in.Content}); err != nil {
		if code := headroom.ErrorCodeOf(err); code == headroom.EQUOTAEXCEEDED || code == headroom.ETOOLARGE || code == headroom.EINVALID {
			return nil, newError(errValidation, "Content: %s", headroom.ErrorMessage(err))
		}
		return nil, err
	}
	it, err := h.appendItem(c, c.newItem("MESSAGE", in.ContentType, in.Content), in.ClientToken)
	if err != nil {
		return nil, err
	}
	return map[string]string{"Id": it.Id, "AbsoluteTime": it.AbsoluteTime}, nil
}

// sendEvent appends an event.
func sendEvent(h *Handler, c *call) (any, error) {
	var in struct {
		ContentType string `json:"ContentType"`
		Content     string `json:"Content"`
		ClientToken string `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ContentType == "":
		return nil, newError(errValidation, "ContentType is required")
	case !slices.Contains(eventTypes, in.ContentType):
		return nil, newError(errValidation, "ContentType %q is not a supported event type", clip(in.ContentType))
	case len(in.Content) > 16384:
		return nil, newError(errValidation, "Content must be at most 16384 characters")
	}
	if err := checkClientToken(in.ClientToken); err != nil {
		return nil, err
	}
	it, err := h.appendItem(c, c.newItem("EVENT", in.ContentType, in.Content), in.ClientToken)
	if err != nil {
		return nil, err
	}
	return map[string]string{"Id": it.Id, "AbsoluteTime": it.AbsoluteTime}, nil
}

// Transcript paging: 15 items a page unless asked, at most 100.
const (
	defaultPage = 15
	maxPage     = 100
)

// getTranscript answers a page of the chat's transcript. ScanDirection
// BACKWARD (the default) pages from the most recent item back, FORWARD
// from the first; SortOrder orders the items within a page.
func getTranscript(h *Handler, c *call) (any, error) {
	var in struct {
		ContactId     string    `json:"ContactId"`
		MaxResults    *int      `json:"MaxResults"`
		NextToken     string    `json:"NextToken"`
		ScanDirection string    `json:"ScanDirection"`
		SortOrder     string    `json:"SortOrder"`
		StartPosition *position `json:"StartPosition"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.ContactId != "" && in.ContactId != c.who.ContactID {
		return nil, denied("Access denied: the ConnectionToken is not for contact %s", clip(in.ContactId))
	}
	max := defaultPage
	if in.MaxResults != nil {
		if *in.MaxResults < 0 || *in.MaxResults > maxPage {
			return nil, newError(errValidation, "MaxResults must be between 0 and %d, got %d", maxPage, *in.MaxResults)
		}
		if *in.MaxResults > 0 {
			max = *in.MaxResults
		}
	}
	scan, sortOrder := in.ScanDirection, in.SortOrder
	if scan == "" {
		scan = "BACKWARD"
	}
	if sortOrder == "" {
		sortOrder = "ASCENDING"
	}
	if scan != "FORWARD" && scan != "BACKWARD" {
		return nil, newError(errValidation, "ScanDirection %q is not FORWARD or BACKWARD", clip(scan))
	}
	if sortOrder != "ASCENDING" && sortOrder != "DESCENDING" {
		return nil, newError(errValidation, "SortOrder %q is not ASCENDING or DESCENDING", clip(sortOrder))
	}
	start, err := startPosition(in.StartPosition)
	if err != nil {
		return nil, err
	}
	q := &cursor.Query{Op: "GetTranscript", Account: c.who.Account, Params: []string{c.who.ContactID, scan, sortOrder, start.key()}}
	cur, ok := h.tokens.Decode(q, in.NextToken)
	if !ok {
		return nil, newError(errValidation, "NextToken is not valid for this transcript query")
	}
	off := 0
	if cur != "" {
		n, err := strconv.Atoi(cur)
		if err != nil || n < 0 {
			return nil, newError(errValidation, "NextToken is not valid for this transcript query")
		}
		off = n
	}
	t, err := h.readTranscript(c)
	if err != nil {
		return nil, err
	}
	all := make([]item, len(t.Items))
	for i, s := range t.Items {
		all[i] = s.item
	}
	if scan == "BACKWARD" {
		slices.Reverse(all)
	}
	from, err := start.index(all, scan)
	if err != nil {
		return nil, err
	}
	all = all[from:]
	if off > len(all) {
		off = len(all)
	}
	end := min(off+max, len(all))
	page := slices.Clone(all[off:end])
	// The page holds consecutive items in scan order; put it in sort order.
	if (scan == "BACKWARD") == (sortOrder == "ASCENDING") {
		slices.Reverse(page)
	}
	out := map[string]any{"InitialContactId": c.who.ContactID, "Transcript": page}
	if end < len(all) {
		out["NextToken"] = h.tokens.Encode(q, strconv.Itoa(end))
	}
	return out, nil
}

// disconnectParticipant ends the participant's connection: its tokens are
// refused from then on, and the transcript records the participant left.
func disconnectParticipant(h *Handler, c *call) (any, error) {
	var in struct {
		ClientToken string `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := checkClientToken(in.ClientToken); err != nil {
		return nil, err
	}
	_, err := h.changeTranscript(c, func(t *transcript) error {
		if t.Left[c.who.ParticipantID] {
			return denied("Access denied: participant %s has already disconnected from the chat", c.who.ParticipantID)
		}
		if t.Left == nil {
			t.Left = map[string]bool{}
		}
		t.Left[c.who.ParticipantID] = true
		t.Items = append(t.Items, storedItem{item: c.newItem("EVENT", "application/vnd.amazonaws.connect.event.participant.left", "")},
			storedItem{item: c.newItem("EVENT", "application/vnd.amazonaws.connect.event.chat.ended", "")})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The customer leaving ends the chat, and frees its slots.
	if err := h.endChat(c); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// clip shortens a caller's string for a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
