package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/httpbody"
)

// rawEnforce is the outer shape of an enforce body. Items are decoded one by
// one, so that one malformed item gets its own error and the others run.
type rawEnforce struct {
	Items []json.RawMessage `json:"items"`
}

func (s *Server) handleEnforce(w http.ResponseWriter, r *http.Request) {
	body, err := httpbody.Read(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The common case decodes in one pass. Only a body that fails it is
	// decoded again item by item, so that each bad item gets its own error
	// and the good ones still run.
	var req EnforceRequest
	var items []EnforceItem
	var itemErrs []error
	if err := decodeJSON(body, "", &req); err == nil {
		items = req.Items
	} else {
		var raw rawEnforce
		if err := decodeJSON(body, "", &raw); err != nil {
			s.writeError(w, r, err)
			return
		}
		items, itemErrs = make([]EnforceItem, len(raw.Items)), make([]error, len(raw.Items))
		for i, it := range raw.Items {
			itemErrs[i] = decodeJSON(it, itemPrefix(i), &items[i])
		}
	}
	if len(items) == 0 {
		s.writeError(w, r, headroom.FieldErrorf("items", "must hold at least one item"))
		return
	}
	if len(items) > s.cfg.MaxBatchItems {
		s.writeError(w, r, headroom.FieldErrorf("items", "holds %d items; at most %d per call", len(items), s.cfg.MaxBatchItems))
		return
	}
	p := principalOf(r.Context())
	out := EnforceResponse{Results: make([]EnforceResult, len(items))}
	for i := range items {
		if itemErrs != nil && itemErrs[i] != nil {
			out.Results[i] = failed(itemErrs[i])
			continue
		}
		out.Results[i] = s.enforceOne(r, p, i, &items[i])
	}
	writeEnforce(w, &out)
}

func itemPrefix(i int) string { return "items[" + strconv.Itoa(i) + "]" }

func (s *Server) enforceOne(r *http.Request, p *principal, i int, item *EnforceItem) EnforceResult {
	req, err := item.request(i)
	if err != nil {
		return failed(err)
	}
	if !p.mayAct(item.Account) {
		return failed(headroom.Errorf(headroom.EFORBIDDEN, "this token may not act for account %s", item.Account))
	}
	d, err := s.svc.Do(r.Context(), req)
	s.decisions.count(req.Code, d.Allowed, err)
	res := EnforceResult{Allowed: d.Allowed, Code: d.Code, Scope: d.Scope, Limit: d.Limit, Level: string(d.Level), Used: d.Used,
		Remaining: d.Remaining, RetryAfterMS: ceilMS(d.RetryAfter), Replayed: d.Replayed}
	if !d.Expires.IsZero() {
		exp := d.Expires.UTC()
		res.Expires = &exp
	}
	res.Uncounted = req.Op == headroom.OpAcquire && d.Allowed && !d.Counted && err == nil
	if err != nil {
		var he *headroom.Error
		if asHeadroomError(err, &he) && he.Field != "" && he.Code == headroom.EINVALID {
			err = &headroom.Error{Code: he.Code, Field: joinField(itemPrefix(i), he.Field), Message: he.Message, Denial: he.Denial}
		}
		if headroom.ErrorCodeOf(err) == headroom.EINTERNAL {
			s.log.Error("enforce item failed", "item", i, "err", err)
		}
		_, body := errorBody(err)
		res.Error = &body
	}
	return res
}

func failed(err error) EnforceResult {
	_, body := errorBody(err)
	return EnforceResult{Error: &body}
}

// ceilMS rounds a retry-after up to whole milliseconds, so that a client
// that waits that long finds the token there.
func ceilMS(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// request converts a wire item to an engine request.
// The item's index names its fields in errors, as "items[3].ttl_seconds";
// the name is only built for an error, so good items cost no allocation.
func (it *EnforceItem) request(i int) (headroom.Request, error) {
	field := func(name string) string { return joinField(itemPrefix(i), name) }
	ttl, ok := seconds(it.TTLSeconds)
	if !ok {
		return headroom.Request{}, secondsError(field("ttl_seconds"), it.TTLSeconds)
	}
	dur, ok := seconds(it.DurationSeconds)
	if !ok {
		return headroom.Request{}, secondsError(field("duration_seconds"), it.DurationSeconds)
	}
	switch {
	case it.Op == "":
		return headroom.Request{}, headroom.FieldErrorf(field("op"), "is required")
	case it.Account == "":
		return headroom.Request{}, headroom.FieldErrorf(field("account"), "is required")
	case it.Code == "":
		return headroom.Request{}, headroom.FieldErrorf(field("code"), "is required")
	}
	r := headroom.Request{Op: headroom.Op(it.Op), Account: it.Account, Code: it.Code, Scope: it.Scope, Amount: it.Amount,
		IdempotencyKey: it.IdempotencyKey, LeaseID: it.LeaseID, TTL: ttl, State: it.State, Size: it.Size, Text: it.Text,
		Value: it.Value, Duration: dur}
	if it.Start != nil {
		r.Start = *it.Start
	}
	return r, nil
}

// maxSeconds bounds a seconds field so that it fits a time.Duration.
const maxSeconds = 100 * 365 * 24 * 3600

func seconds(v float64) (time.Duration, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > maxSeconds {
		return 0, false
	}
	return time.Duration(v * float64(time.Second)), true
}

func secondsError(field string, v float64) error {
	return headroom.FieldErrorf(field, "must be a number of seconds from 0 to %d, got %v", maxSeconds, v)
}

func asHeadroomError(err error, target **headroom.Error) bool { return errors.As(err, target) }

func itoa(n int64) string { return fmt.Sprint(n) }
