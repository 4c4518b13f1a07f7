package participantapi

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/chattoken"
	"github.com/headroomhq/headroom/internal/ids"
)

// Attachment states, as the model names them.
const (
	attachPending  = "PENDING_UPLOAD" // started, bytes not yet put
	attachUploaded = "UPLOADED"       // bytes put, not yet completed
	attachApproved = "APPROVED"       // completed: visible and downloadable
)

// urlTTL is how long an upload or download URL is good for: the
// Participant Service's five minutes.
const urlTTL = 5 * time.Minute

// attachment is an attachment of a chat as stored in its transcript.
type attachment struct {
	Id          string    `json:"Id"`
	Name        string    `json:"Name"`
	ContentType string    `json:"ContentType"`
	Size        int64     `json:"Size"`
	Status      string    `json:"Status"`
	Participant string    `json:"Participant"`
	Token       string    `json:"Token,omitempty"`
	UploadBy    time.Time `json:"UploadBy"`
}

// holdsSlot reports whether an attachment counts against the
// attachments per conversation: an upload that failed or ran out does not.
func (a *attachment) holdsSlot(now time.Time) bool {
	return a.Status != attachPending || now.Before(a.UploadBy)
}

func (t *transcript) attachment(id string) *attachment {
	for i := range t.Attachments {
		if t.Attachments[i].Id == id {
			return &t.Attachments[i]
		}
	}
	return nil
}

// blobKey is where an attachment's bytes are kept in the engine's blob
// store, under the chat's account.
func blobKey(who chattoken.Claims, id string) string {
	return who.ContactID + "/" + id
}

// signedURL is a URL on this server for an attachment, signed for kind.
func (h *Handler) signedURL(c *call, kind, id string, expires time.Time) string {
	claims := c.who
	claims.Attachment, claims.Expires = id, expires.Unix()
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	op := "upload"
	if kind == chattoken.Download {
		op = "download"
	}
	return scheme + "://" + c.r.Host + "/participant/attachment-files/" + op + "?token=" + url.QueryEscape(chattoken.Mint(h.tokens, kind, claims))
}

// startAttachmentUpload checks a file's type (the seed's list), size (20
// MB) and the chat's attachments (5 per conversation, uploads under way
// included), and answers a URL on this server to PUT its bytes to.
func startAttachmentUpload(h *Handler, c *call) (any, error) {
	var in struct {
		ContentType           string `json:"ContentType"`
		AttachmentSizeInBytes *int64 `json:"AttachmentSizeInBytes"`
		AttachmentName        string `json:"AttachmentName"`
		ClientToken           string `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ContentType == "":
		return nil, newError(errValidation, "ContentType is required")
	case in.AttachmentName == "":
		return nil, newError(errValidation, "AttachmentName is required")
	case in.AttachmentSizeInBytes == nil:
		return nil, newError(errValidation, "AttachmentSizeInBytes is required")
	case *in.AttachmentSizeInBytes < 1:
		return nil, newError(errValidation, "AttachmentSizeInBytes must be at least 1, got %d", *in.AttachmentSizeInBytes)
	case in.ClientToken == "":
		return nil, newError(errValidation, "ClientToken is required")
	}
	if err := checkClientToken(in.ClientToken); err != nil {
		return nil, err
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.who.Account, Code: headroom.CodeAttachmentTypes, Value: in.AttachmentName}); err != nil {
		return nil, asValidation("AttachmentName", err)
	}
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.who.Account, Code: headroom.CodeAttachmentSize, Size: *in.AttachmentSizeInBytes}); err != nil {
		return nil, asValidation("AttachmentSizeInBytes", err)
	}
	limit, err := h.engine.Applied(c.ctx, c.who.Account, headroom.CodeAttachmentsPerChat, "")
	if err != nil {
		return nil, err
	}
	var out attachment
	_, err = h.changeTranscript(c, func(t *transcript) error {
		if t.Left[c.who.ParticipantID] {
			return denied("Access denied: participant %s has disconnected from the chat", c.who.ParticipantID)
		}
		held := 0
		for _, a := range t.Attachments {
			if a.Token == in.ClientToken && a.Participant == c.who.ParticipantID {
				out = a
				return nil
			}
			if a.holdsSlot(c.now) {
				held++
			}
		}
		if float64(held+1) > limit.Value {
			return newError(errServiceQuota, "Attachments per conversation quota of %g reached for contact %s (%d attached or being uploaded)",
				limit.Value, c.who.ContactID, held)
		}
		out = attachment{Id: ids.New(), Name: in.AttachmentName, ContentType: in.ContentType, Size: *in.AttachmentSizeInBytes,
			Status: attachPending, Participant: c.who.ParticipantID, Token: in.ClientToken, UploadBy: c.now.Add(urlTTL)}
		t.Attachments = append(t.Attachments, out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"AttachmentId": out.Id, "UploadMetadata": map[string]any{
		"Url": h.signedURL(c, chattoken.Upload, out.Id, out.UploadBy), "UrlExpiry": wireTime(out.UploadBy),
		"HeadersToInclude": map[string]string{"Content-Type": out.ContentType},
	}}, nil
}

// asValidation is a quota's refusal of a parameter as a ValidationException.
func asValidation(field string, err error) error {
	switch headroom.ErrorCodeOf(err) {
	case headroom.EQUOTAEXCEEDED, headroom.ETOOLARGE, headroom.EINVALID, headroom.ENOTALLOWED:
		return newError(errValidation, "%s: %s", field, headroom.ErrorMessage(err))
	}
	return err
}

// completeAttachmentUpload makes uploaded attachments visible: they are
// then in the transcript and GetAttachment serves them.
func completeAttachmentUpload(h *Handler, c *call) (any, error) {
	var in struct {
		AttachmentIds []string `json:"AttachmentIds"`
		ClientToken   string   `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case len(in.AttachmentIds) == 0:
		return nil, newError(errValidation, "AttachmentIds is required")
	case len(in.AttachmentIds) > 1:
		return nil, newError(errValidation, "AttachmentIds may hold 1 attachment, got %d", len(in.AttachmentIds))
	case in.ClientToken == "":
		return nil, newError(errValidation, "ClientToken is required")
	}
	_, err := h.changeTranscript(c, func(t *transcript) error {
		for _, id := range in.AttachmentIds {
			a := t.attachment(id)
			switch {
			case a == nil || a.Participant != c.who.ParticipantID:
				return newError(errValidation, "AttachmentId %s is not an attachment of this participant", clip(id))
			case a.Status == attachApproved:
				continue
			case a.Status != attachUploaded:
				return newError(errConflict, "attachment %s has not been uploaded", a.Id)
			}
			a.Status = attachApproved
			it := c.newItem("ATTACHMENT", "", "")
			it.Attachments = []attachItem{{AttachmentId: a.Id, AttachmentName: a.Name, ContentType: a.ContentType, Status: attachApproved}}
			t.Items = append(t.Items, storedItem{item: it})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// getAttachment answers a download URL of a completed attachment.
func getAttachment(h *Handler, c *call) (any, error) {
	var in struct {
		AttachmentId       string `json:"AttachmentId"`
		UrlExpiryInSeconds *int   `json:"UrlExpiryInSeconds"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.AttachmentId == "" {
		return nil, newError(errValidation, "AttachmentId is required")
	}
	ttl := urlTTL
	if in.UrlExpiryInSeconds != nil {
		if *in.UrlExpiryInSeconds < 5 || *in.UrlExpiryInSeconds > 300 {
			return nil, newError(errValidation, "UrlExpiryInSeconds must be between 5 and 300, got %d", *in.UrlExpiryInSeconds)
		}
		ttl = time.Duration(*in.UrlExpiryInSeconds) * time.Second
	}
	t, err := h.readTranscript(c)
	if err != nil {
		return nil, err
	}
	a := t.attachment(in.AttachmentId)
	if a == nil || a.Status != attachApproved {
		return nil, newError(errNotFound, "attachment %s is not an attachment of this chat", clip(in.AttachmentId))
	}
	exp := c.now.Add(ttl)
	return map[string]any{"Url": h.signedURL(c, chattoken.Download, a.Id, exp), "UrlExpiry": wireTime(exp), "AttachmentSizeInBytes": a.Size}, nil
}

// serveFile serves an upload (PUT) or download (GET) URL.
func (h *Handler) serveFile(kind string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h.file(w, r, kind)
		if err != nil {
			h.writeError(w, kind, err)
		}
	})
}

func (h *Handler) file(w http.ResponseWriter, r *http.Request, kind string) error {
	who, ok := chattoken.Parse(h.tokens, kind, r.URL.Query().Get("token"))
	if !ok || who.Attachment == "" {
		return denied("Access denied: the URL is not valid")
	}
	c := &call{ctx: r.Context(), r: r, who: who, now: h.engine.Clock().Now()}
	if c.now.Unix() >= who.Expires {
		return denied("Access denied: the URL expired at %s", wireTime(time.Unix(who.Expires, 0)))
	}
	if _, err := h.liveChat(c); err != nil {
		return err
	}
	t, err := h.readTranscript(c)
	if err != nil {
		return err
	}
	a := t.attachment(who.Attachment)
	if kind == chattoken.Download {
		if a == nil || a.Status != attachApproved {
			return newError(errNotFound, "attachment %s is not available", who.Attachment)
		}
		data, err := h.engine.GetBlob(c.ctx, who.Account, blobKey(who, a.Id))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", a.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
		return nil
	}
	if a == nil || a.Status != attachPending {
		return newError(errConflict, "attachment %s is not waiting for an upload", who.Attachment)
	}
	// The bytes are read whole (at most the declared size, itself at most
	// 20 MB, plus one byte to tell a longer upload) before anything is
	// kept: more or fewer than were declared fail the upload, which then
	// holds no slot.
	data, err := io.ReadAll(io.LimitReader(r.Body, a.Size+1))
	if err != nil {
		return err
	}
	if n := int64(len(data)); n != a.Size {
		h.dropAttachment(c, a.Id)
		return newError(errValidation, "the upload is %s bytes, but AttachmentSizeInBytes declared %d: the upload failed and holds no attachment slot",
			sizeWord(n, a.Size), a.Size)
	}
	if err := h.engine.PutBlob(c.ctx, who.Account, blobKey(who, a.Id), data); err != nil {
		return err
	}
	_, err = h.changeTranscript(c, func(t *transcript) error {
		a := t.attachment(who.Attachment)
		if a == nil || a.Status != attachPending {
			return newError(errConflict, "attachment %s is not waiting for an upload", who.Attachment)
		}
		a.Status = attachUploaded
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func sizeWord(n, declared int64) string {
	if n > declared {
		return "more than " + strconv.FormatInt(declared, 10)
	}
	return strconv.FormatInt(n, 10)
}

// dropAttachment forgets a failed upload.
func (h *Handler) dropAttachment(c *call, id string) {
	_, err := h.changeTranscript(c, func(t *transcript) error {
		for i := range t.Attachments {
			if t.Attachments[i].Id == id {
				t.Attachments = append(t.Attachments[:i], t.Attachments[i+1:]...)
				return nil
			}
		}
		return nil
	})
	if err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		h.log.Warn("participant api: could not drop a failed upload", "attachment", id, "err", err)
	}
}
