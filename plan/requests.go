package plan

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

// IncreaseRequest is an increase the plan says to file.
type IncreaseRequest struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Scope string `json:"scope"`
	// Value is the suggested value: the forecast peak plus the margin,
	// rounded up to a whole unit.
	Value float64 `json:"value"`
	// FileBy is the latest day to file, the break less the lead time.
	FileBy   time.Time `json:"file_by"`
	BreaksAt time.Time `json:"breaks_at"`
	// Late is true when FileBy is already past: file now.
	Late bool `json:"late"`
	// Reason explains the value.
	Reason string `json:"reason"`
	// Filed is the change request filed for it, or the open one found.
	Filed *Filed `json:"filed,omitempty"`
}

// Filed says what filing did.
type Filed struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Already is true when an open request for the same quota and scope
	// existed, so nothing new was filed.
	Already bool `json:"already"`
}

// suggest builds the increase requests for every adjustable quota the
// forecast breaks and that an increase can help (not an unstable queue
// without a quota-breaking peak).
func suggest(qs []QuotaPlan, in Input) []IncreaseRequest {
	out := []IncreaseRequest{}
	for _, q := range qs {
		if q.BreaksAt == nil || !q.Adjustable || q.Peak <= q.Applied {
			continue
		}
		v := math.Ceil(q.Peak * (1 + in.Margin))
		fileBy := q.BreaksAt.Add(-in.LeadTime)
		r := IncreaseRequest{Code: q.Code, Name: q.Name, Scope: q.Scope, Value: v, FileBy: fileBy, BreaksAt: *q.BreaksAt,
			Reason: fmt.Sprintf("forecast peak %g (%s) plus %g%% for forecast error, from %g; breaks %s",
				q.Peak, peakWhat(q.Model), 100*in.Margin, q.Applied, q.BreaksAt.Format(time.RFC3339))}
		if !in.Now.IsZero() && fileBy.Before(in.Now) {
			r.Late = true
		}
		out = append(out, r)
	}
	return out
}

func peakWhat(model string) string {
	switch model {
	case ModelVoice:
		return "99th percentile of calls handled plus waiting"
	case ModelChat:
		return "99th percentile of chats, waiting included"
	case ModelTasks:
		return "99th percentile of active tasks"
	case ModelAPI:
		return "steady requests per second"
	}
	return "planned total"
}

// Filer is what filing needs from the engine: the workflow.
// headroom.RequestService satisfies it.
type Filer interface {
	RequestChange(ctx context.Context, in headroom.ChangeInput) (headroom.ChangeRequest, error)
	ListChangeRequests(ctx context.Context, f headroom.ChangeRequestFilter) ([]headroom.ChangeRequest, error)
}

// File files the plan's requests through the quota-change workflow, never
// twice for the same quota and scope: an open request already there is
// reported, not repeated, and the store's refusal of a second open request
// (ECONFLICT, when two plans file at once) counts the same way. It stops at
// the first other error, reporting the requests filed so far in res.
func File(ctx context.Context, f Filer, res *Result, requester string) error {
	for i := range res.Requests {
		r := &res.Requests[i]
		existing, err := openRequest(ctx, f, res.Account, r.Code, r.Scope)
		if err != nil {
			return err
		}
		if existing != nil {
			r.Filed = &Filed{ID: existing.ID, Status: string(existing.Status), Already: true}
			continue
		}
		cr, err := f.RequestChange(ctx, headroom.ChangeInput{Account: res.Account, Code: r.Code, Scope: r.Scope, DesiredValue: r.Value,
			Details: "capacity plan: " + r.Reason, SupportCaseAllowed: true, Requester: requester})
		if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
			if existing, err2 := openRequest(ctx, f, res.Account, r.Code, r.Scope); err2 == nil && existing != nil {
				r.Filed = &Filed{ID: existing.ID, Status: string(existing.Status), Already: true}
				continue
			}
		}
		if err != nil {
			return fmt.Errorf("file %s in %s: %w", r.Code, r.Scope, err)
		}
		r.Filed = &Filed{ID: cr.ID, Status: string(cr.Status)}
	}
	return nil
}

func openRequest(ctx context.Context, f Filer, account, code, scope string) (*headroom.ChangeRequest, error) {
	for _, st := range []headroom.RequestStatus{headroom.StatusPending, headroom.StatusCaseOpened} {
		list, err := f.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Account: account, Code: code, Scope: scope, Status: st})
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", code, err)
		}
		if len(list) > 0 {
			return &list[0], nil
		}
	}
	return nil, nil
}

// ParseLeadTime reads a lead time: whole days as "5d", or a Go duration
// such as "36h". It must not be negative.
func ParseLeadTime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3650 {
			return 0, headroom.FieldErrorf("lead_time", "%q is not a number of days from 0 to 3650, such as 5d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, headroom.FieldErrorf("lead_time", "%q is not a lead time such as 5d or 36h", s)
	}
	return d, nil
}
