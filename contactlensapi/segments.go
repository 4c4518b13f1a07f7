package contactlensapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/ids"
)

// The resource kinds: a contact's transcript, a child of its instance, so
// that deleting the instance deletes it; and its segments, children of the
// transcript.
const (
	KindTranscript = "contact-lens:transcript"
	KindSegment    = "contact-lens:segment"
	// segmentSeqCode names the counter that numbers a transcript's
	// segments in the order they were added.
	segmentSeqCode = "contact-lens:segment-seq"
)

// Bounds of the Contact Lens model.
const (
	maxIDLength     = 256
	maxResults      = 100
	maxTokenLength  = 131070
	maxContentChars = 8000
	// maxSegmentsListed bounds the segments one contact may hold, so that
	// a listing reads a bounded number of resources.
	maxSegmentsListed = 10000
)

// ListRequest is ListRealtimeContactAnalysisSegments' request body.
type ListRequest struct {
	InstanceId string
	ContactId  string
	MaxResults *int
	NextToken  string
}

// DecodeListRequest decodes and validates a request body as the model
// does; EINVALID (InvalidRequestException) for what it refuses.
func DecodeListRequest(body []byte) (ListRequest, error) {
	var in ListRequest
	if err := decode(body, &in); err != nil {
		return in, err
	}
	for _, f := range []struct{ name, v string }{{"InstanceId", in.InstanceId}, {"ContactId", in.ContactId}} {
		if f.v == "" {
			return in, headroom.Errorf(headroom.EINVALID, "%s is required", f.name)
		}
		if len(f.v) > maxIDLength || !utf8.ValidString(f.v) {
			return in, headroom.Errorf(headroom.EINVALID, "%s must be 1 to %d characters", f.name, maxIDLength)
		}
	}
	if in.MaxResults != nil && (*in.MaxResults < 0 || *in.MaxResults > maxResults) {
		return in, headroom.Errorf(headroom.EINVALID, "MaxResults must be between 0 and %d, got %d", maxResults, *in.MaxResults)
	}
	if len(in.NextToken) > maxTokenLength {
		return in, headroom.Errorf(headroom.EINVALID, "NextToken is longer than %d characters", maxTokenLength)
	}
	return in, nil
}

// Transcript is one transcript segment, in the model's shape.
type Transcript struct {
	Id                string
	ParticipantId     string
	ParticipantRole   string
	Content           string
	BeginOffsetMillis int64
	EndOffsetMillis   int64
	Sentiment         string
}

// Segment is one analysis segment of the listing.
type Segment struct {
	Transcript *Transcript `json:",omitempty"`
}

// ListResponse is ListRealtimeContactAnalysisSegments' answer.
type ListResponse struct {
	Segments  []Segment
	NextToken string `json:",omitempty"`
}

// transcriptID is the id of a contact's transcript, the parent of its
// segments: derived from the instance and the contact, so that two
// instances' contacts never mix.
func transcriptID(instance, contact string) string {
	return ids.Derived(instance+"\x00"+contact, "contact-lens transcript")
}

// findInstance is ENOTFOUND (ResourceNotFoundException) for an instance
// the account does not have.
func (h *Handler) findInstance(ctx context.Context, account, id string) error {
	_, err := h.engine.FindResource(ctx, account, headroom.KindConnectInstance, id)
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return headroom.Errorf(headroom.ENOTFOUND, "Instance %s not found", id)
	}
	return err
}

// segments returns a contact's transcripts, ordered by their offset.
func (h *Handler) segments(ctx context.Context, account, instance, contact string) ([]Transcript, error) {
	var out []Transcript
	after := ""
	for len(out) < maxSegmentsListed {
		rs, err := h.engine.ListResources(ctx, headroom.ResourceFilter{Account: account, Kind: KindSegment, Parent: transcriptID(instance, contact), AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			var t Transcript
			if err := json.Unmarshal(r.Data, &t); err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		if len(rs) < 1000 {
			break
		}
		after = rs[len(rs)-1].ID
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].BeginOffsetMillis < out[j].BeginOffsetMillis })
	return out, nil
}

func (h *Handler) listSegments(ctx context.Context, account string, in ListRequest) (*ListResponse, error) {
	if err := h.findInstance(ctx, account, in.InstanceId); err != nil {
		return nil, err
	}
	q := &cursor.Query{Op: OpListSegments, Account: account, Params: []string{in.InstanceId, in.ContactId}}
	after, ok := h.cursors.Decode(q, in.NextToken)
	if !ok || in.NextToken != "" && after == "" {
		return nil, headroom.Errorf(headroom.EINVALID, "NextToken is not a token this API returned for this contact")
	}
	offset := 0
	if after != "" {
		offset, _ = strconv.Atoi(after)
	}
	limit := maxResults
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = *in.MaxResults
	}
	all, err := h.segments(ctx, account, in.InstanceId, in.ContactId)
	if err != nil {
		return nil, err
	}
	out := &ListResponse{Segments: []Segment{}}
	for i := offset; i < len(all); i++ {
		if len(out.Segments) == limit {
			out.NextToken = h.cursors.Encode(q, strconv.Itoa(i))
			break
		}
		t := all[i]
		out.Segments = append(out.Segments, Segment{Transcript: &t})
	}
	return out, nil
}

// Simulated transcripts: Headroom transcribes no calls, so a platform's
// tests add the segments Contact Lens would have produced.

// TranscriptSegment is the body of a simulated transcript segment.
type TranscriptSegment struct {
	ParticipantID     string `json:"participant_id"`
	ParticipantRole   string `json:"participant_role"`
	Content           string `json:"content"`
	BeginOffsetMillis int64  `json:"begin_offset_millis"`
	EndOffsetMillis   int64  `json:"end_offset_millis"`
	Sentiment         string `json:"sentiment,omitempty"`
}

// SegmentAdded is the answer to a simulated segment.
type SegmentAdded struct {
	ID string `json:"id"`
}

// SimulateRoute is one native endpoint of simulated traffic, as
// connectapi.SimulateRoute.
type SimulateRoute struct {
	Pattern string
	Serve   func(ctx context.Context, account, actor string, r *http.Request, body []byte) (any, error)
}

// SimulateRoutes returns the simulation endpoints, for the native API to
// mount under /v1/simulate/.
func (h *Handler) SimulateRoutes() []SimulateRoute {
	return []SimulateRoute{{
		Pattern: "POST /v1/simulate/{account}/instances/{instance}/contacts/{contact}/transcript-segments",
		Serve:   h.simAddSegment,
	}}
}

var (
	roles      = map[string]bool{"AGENT": true, "CUSTOMER": true, "SYSTEM": true, "CUSTOM_BOT": true, "SUPERVISOR": true}
	sentiments = map[string]bool{"POSITIVE": true, "NEUTRAL": true, "NEGATIVE": true}
)

func (h *Handler) simAddSegment(ctx context.Context, account, actor string, r *http.Request, body []byte) (any, error) {
	if err := h.engine.CheckAvailable(ctx, account, headroom.CodeConcurrentCalls); err != nil {
		return nil, err
	}
	var in TranscriptSegment
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Sentiment == "" {
		in.Sentiment = "NEUTRAL"
	}
	switch {
	case !roles[in.ParticipantRole]:
		return nil, headroom.FieldErrorf("participant_role", "must be AGENT, CUSTOMER, SYSTEM, CUSTOM_BOT or SUPERVISOR, got %q", in.ParticipantRole)
	case !sentiments[in.Sentiment]:
		return nil, headroom.FieldErrorf("sentiment", "must be POSITIVE, NEUTRAL or NEGATIVE, got %q", in.Sentiment)
	case in.Content == "":
		return nil, headroom.FieldErrorf("content", "is required")
	case utf8.RuneCountInString(in.Content) > maxContentChars:
		return nil, headroom.FieldErrorf("content", "is over %d characters", maxContentChars)
	case in.BeginOffsetMillis < 0 || in.EndOffsetMillis < in.BeginOffsetMillis:
		return nil, headroom.FieldErrorf("end_offset_millis", "must not be before begin_offset_millis, and neither negative")
	}
	if in.ParticipantID == "" {
		in.ParticipantID = in.ParticipantRole
	}
	instance, contact := r.PathValue("instance"), r.PathValue("contact")
	if len(contact) > maxIDLength {
		return nil, headroom.FieldErrorf("contact", "is over %d characters", maxIDLength)
	}
	if err := h.findInstance(ctx, account, instance); err != nil {
		return nil, err
	}
	t := Transcript{Id: ids.New(), ParticipantId: in.ParticipantID, ParticipantRole: in.ParticipantRole, Content: in.Content,
		BeginOffsetMillis: in.BeginOffsetMillis, EndOffsetMillis: in.EndOffsetMillis, Sentiment: in.Sentiment}
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	tid := transcriptID(instance, contact)
	head, _ := json.Marshal(struct{ InstanceId, ContactId string }{instance, contact})
	_, err = h.engine.CreateResource(ctx, headroom.ResourceCreate{
		Resource: headroom.Resource{Account: account, Kind: KindTranscript, ID: tid, Parent: instance, ParentKind: headroom.KindConnectInstance, Data: head},
		Note:     headroom.Note{Actor: actor, Action: "simulate.Transcript", Detail: fmt.Sprintf("transcript of contact %s in instance %s", contact, instance)},
	})
	if err != nil && headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		return nil, h.goneIfNotFound(err, instance)
	}
	// Segments list by resource id, and segments with equal offsets keep
	// that order: a sequence number per transcript, taken in one store
	// operation, makes it the order they were added in on every node.
	seq, err := h.engine.AddCounter(ctx, headroom.UsageKey{Account: account, Code: segmentSeqCode, Scope: "transcript/" + tid}, 1)
	if err != nil {
		return nil, err
	}
	_, err = h.engine.CreateResource(ctx, headroom.ResourceCreate{
		Resource: headroom.Resource{Account: account, Kind: KindSegment, ID: fmt.Sprintf("%012d-%s", seq, t.Id), Parent: tid, ParentKind: KindTranscript, Data: data},
		Note:     headroom.Note{Actor: actor, Action: "simulate.TranscriptSegment", Detail: fmt.Sprintf("segment of contact %s in instance %s", contact, instance)},
	})
	if err != nil {
		return nil, h.goneIfNotFound(err, instance)
	}
	return SegmentAdded{ID: t.Id}, nil
}

// goneIfNotFound names the instance for an ENOTFOUND: the instance (and so
// the transcript) went while the segment was added.
func (h *Handler) goneIfNotFound(err error, instance string) error {
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return headroom.Errorf(headroom.ENOTFOUND, "Instance %s not found", instance)
	}
	return err
}
