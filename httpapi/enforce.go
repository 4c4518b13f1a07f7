package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
)

func (s *Server) handleEnforce(w http.ResponseWriter, r *http.Request) {
	if isLarge(r, s.cfg.LargeBatchBytes) {
		release, err := s.large.wait(r.Context(), principalOf(r.Context()).name)
		if err != nil {
			s.writeError(w, r, headroom.Errorf(headroom.EUNAVAILABLE, "the request ended while it waited its turn: %v", err))
			return
		}
		defer release()
	}
	// The body is decoded as it is read: a batch over the item cap is
	// refused at the first item past it, without reading the rest.
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	items, itemErrs, err := decodeEnforce(body, s.cfg.MaxBatchItems)
	if err != nil {
		err = bodyError(err, s.cfg.MaxBodyBytes)
		s.writeError(w, r, err)
		return
	}
	p := principalOf(r.Context())
	out := EnforceResponse{Results: make([]EnforceResult, len(items))}
	if len(items) == 1 && itemErrs == nil {
		out.Results[0] = s.enforceOne(r, p, &items[0])
	} else {
		s.enforceMany(r, p, items, itemErrs, out.Results)
	}
	writeEnforce(w, &out)
}

// enforceMany decides a batch's good items in one engine Batch call, so
// that their rate takes reach a distributed limiter in one round trip, and
// fills out with every item's result.
func (s *Server) enforceMany(r *http.Request, p *principal, items []EnforceItem, itemErrs []error, out []EnforceResult) {
	reqs := make([]headroom.Request, 0, len(items))
	index := make([]int, 0, len(items))
	for i := range items {
		if itemErrs != nil && itemErrs[i] != nil {
			out[i] = failed(jsonError(itemErrs[i], itemPrefix(i)))
			continue
		}
		req, err := itemRequest(p, i, &items[i])
		if err != nil {
			out[i] = failed(err)
			continue
		}
		reqs = append(reqs, req)
		index = append(index, i)
	}
	if len(reqs) == 0 {
		return
	}
	for j, res := range s.svc.Batch(r.Context(), reqs) {
		out[index[j]] = s.enforceResult(index[j], &reqs[j], res.Decision, res.Err)
	}
}

func itemPrefix(i int) string { return "items[" + strconv.Itoa(i) + "]" }

// yieldEvery is how many items a batch decodes before it yields the CPU.
const yieldEvery = 64

// decodeEnforce decodes an enforce body in one streaming pass as it is
// read: each item straight into its EnforceItem, so that a malformed item
// gets its own error and the others still run, and the item cap applies
// while reading, so that an oversized batch costs no more than the bytes
// read before the cap. itemErrs is nil when every item decoded. A body
// that is not one JSON object with an "items" array of at most max items
// is an EINVALID error; a read error is returned as it is.
func decodeEnforce(body io.Reader, max int) (items []EnforceItem, itemErrs []error, err error) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := expectDelim(dec, '{', ""); err != nil {
		return nil, nil, err
	}
	seen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, readError(err, "")
		}
		if key, _ := tok.(string); key != "items" {
			return nil, nil, headroom.FieldErrorf(fmt.Sprint(tok), "unknown field")
		}
		if seen {
			return nil, nil, headroom.FieldErrorf("items", "is given twice")
		}
		seen = true
		if err := expectDelim(dec, '[', "items"); err != nil {
			return nil, nil, err
		}
		for dec.More() {
			i := len(items)
			if i == max {
				return nil, nil, headroom.FieldErrorf("items", "holds more than %d items; at most %d per call", max, max)
			}
			if i%yieldEvery == yieldEvery-1 {
				// A large batch lets other requests run between its items,
				// so that small calls wait microseconds behind it, not the
				// scheduler's 10 ms time slice.
				runtime.Gosched()
			}
			items = append(items, EnforceItem{})
			if err := dec.Decode(&items[i]); err != nil {
				if !itemError(err) {
					return nil, nil, readError(err, "")
				}
				// The decoder read the whole item before it failed: the
				// next item starts where this one ended. The error is
				// described only if the batch is answered: a batch over
				// the cap never is.
				if itemErrs == nil {
					itemErrs = make([]error, i, max)
				}
				itemErrs = append(itemErrs, err)
			} else if itemErrs != nil {
				itemErrs = append(itemErrs, nil)
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return nil, nil, readError(err, "")
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, nil, readError(err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, headroom.Errorf(headroom.EINVALID, "unexpected data after the JSON value")
	}
	if len(items) == 0 {
		return nil, nil, headroom.FieldErrorf("items", "must hold at least one item")
	}
	return items, itemErrs, nil
}

// itemError reports whether err, from decoding one item, is the item's
// own fault (a wrong type, an unknown field, a bad time), after which the
// decoder has read the whole item and the next one can be decoded; other
// errors (malformed JSON, a failed or refused read) end the body. A type
// switch, not errors.As: it runs for every bad item of a batch.
func itemError(err error) bool {
	switch err.(type) {
	case *json.SyntaxError, *http.MaxBytesError, *headroom.Error, net.Error:
		return false
	}
	return err != io.ErrUnexpectedEOF && err != io.EOF
}

// readError describes a decoding error of the enforce body with prefix, as
// jsonError does, but passes a failure to read the body through as it is,
// for bodyError.
func readError(err error, prefix string) error {
	var mbe *http.MaxBytesError
	var he *headroom.Error
	if errors.As(err, &mbe) || errors.As(err, &he) {
		return err
	}
	return jsonError(err, prefix)
}

// bodyError turns a failure to read or decode an enforce body into its
// error: a body over the limit is ETOOLARGE, and an *headroom.Error (a
// decoding error, or the server's own refusal to read more bodies at once)
// stays as it is.
func bodyError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	var he *headroom.Error
	switch {
	case errors.As(err, &mbe):
		return headroom.Errorf(headroom.ETOOLARGE, "request body is over the limit of %d bytes", limit)
	case errors.As(err, &he):
		return err
	}
	return headroom.Errorf(headroom.EINVALID, "request body could not be read: %v", err)
}

// expectDelim reads the next token, which must be delim; field names what
// holds it in the error.
func expectDelim(dec *json.Decoder, delim json.Delim, field string) error {
	tok, err := dec.Token()
	if err != nil {
		return readError(err, field)
	}
	if d, ok := tok.(json.Delim); !ok || d != delim {
		want := "a JSON object"
		if delim == '[' {
			want = "a JSON array"
		}
		return headroom.FieldErrorf(field, "must be %s, not %v", want, tok)
	}
	return nil
}

// enforceOne decides a batch of one item.
func (s *Server) enforceOne(r *http.Request, p *principal, item *EnforceItem) EnforceResult {
	req, err := itemRequest(p, 0, item)
	if err != nil {
		return failed(err)
	}
	d, err := s.svc.Do(r.Context(), req)
	return s.enforceResult(0, &req, d, err)
}

// itemRequest converts item i to an engine request that p may make.
func itemRequest(p *principal, i int, item *EnforceItem) (headroom.Request, error) {
	req, err := item.request(i)
	if err != nil {
		return req, err
	}
	if !p.mayAct(item.Account) {
		return req, headroom.Errorf(headroom.EFORBIDDEN, "this token may not act for account %s", item.Account)
	}
	return req, nil
}

// enforceResult is item i's wire result for the engine's answer to req.
func (s *Server) enforceResult(i int, req *headroom.Request, d headroom.Decision, err error) EnforceResult {
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
