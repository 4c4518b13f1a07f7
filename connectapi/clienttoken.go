package connectapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"sort"
	"sync"
	"time"

	"github.com/headroomhq/headroom"
)

// ClientTokenTTL is how long a ClientToken is remembered. A request with a
// token first seen longer ago than this is a new request.
const ClientTokenTTL = 8 * time.Hour

// maxClientToken is the longest ClientToken Connect's model accepts.
const maxClientToken = 500

// kindClientToken records one use of a ClientToken: the hash of the
// request that used it, the id of the resource it created and, once the
// create succeeded, the response. Its id is the operation and a hash of
// the token, so a token is unique per account and operation.
var kindClientToken = &kind{name: "connect:client-token", label: "Client token"}

// idempotencyOps are the operations whose model lists IdempotencyException
// for a token reused with other parameters; the others answer their
// validation error.
var idempotencyOps = map[string]bool{
	"ClaimPhoneNumber": true, "ReleasePhoneNumber": true, "TransferContact": true, "MonitorContact": true,
}

// tokenRecord is a kindClientToken resource's data.
type tokenRecord struct {
	Hash     string          `json:"Hash"`
	ID       string          `json:"Id"`
	Response json.RawMessage `json:"Response,omitempty"`
}

// tokenLocks serialize the requests that share a token, so that a retry
// racing its first attempt waits for it and replays its result.
type tokenLocks [64]sync.Mutex

func (l *tokenLocks) lock(key string) func() {
	f := fnv.New32a()
	f.Write([]byte(key))
	m := &l[f.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// once runs create at most once per account, operation and token. create
// gets the id the new resource must take; on success its response is
// recorded and a retry with the same token and the same parameters gets
// it back without creating anything. A retry after a crash between the
// create and the record finds the resource of kind k by id and answers
// respond(id). The resource is still created, with its slot, in one
// transaction by create: the record only names it. Without a token create
// runs with a fresh id. Records live under parent, so that deleting an
// instance removes them.
func (h *Handler) once(c *call, op, token string, k *kind, parent string, create func(id string) (any, error), respond func(id string) any) (any, error) {
	if token == "" {
		return create(newID())
	}
	if len(token) > maxClientToken {
		return nil, newError(badInputOf(op), "ClientToken must be at most %d characters", maxClientToken)
	}
	sum := sha256.Sum256([]byte(token))
	recID := op + "/" + hex.EncodeToString(sum[:20])
	defer h.tokens.lock(c.account + "/" + recID)()
	hash := requestHash(c)

	r, err := h.store.FindResource(c.ctx, c.account, kindClientToken.name, recID)
	switch {
	case err == nil && !h.now().Before(r.Created.Add(ClientTokenTTL)):
		// Forgotten: the token starts a new request.
		if err := h.store.DeleteResource(c.ctx, c.account, kindClientToken.name, recID, nil, h.audit(c, op, "", "", "ClientToken record "+recID+" forgotten after "+ClientTokenTTL.String())); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			return nil, err
		}
	case err == nil:
		var rec tokenRecord
		if err := json.Unmarshal(r.Data, &rec); err != nil {
			return nil, err
		}
		if rec.Hash != hash {
			name := badInputOf(op)
			if idempotencyOps[op] {
				name = errIdempotency
			}
			return nil, newError(name, "ClientToken %q was already used for a %s request with other parameters; use a new token for a new request", clip(token), op)
		}
		if rec.Response != nil {
			return rec.Response, nil
		}
		if _, err := h.store.FindResource(c.ctx, c.account, k.name, rec.ID); err == nil {
			out := respond(rec.ID)
			h.recordResponse(c, r, rec, out)
			return out, nil
		}
		// The first attempt stored nothing: try again with its id.
		return h.runOnce(c, op, r, rec, create)
	case headroom.ErrorCodeOf(err) != headroom.ENOTFOUND:
		return nil, err
	}
	rec := tokenRecord{Hash: hash, ID: newID()}
	data, _ := json.Marshal(rec)
	now := h.now()
	r = headroom.Resource{Account: c.account, Kind: kindClientToken.name, ID: recID, Parent: parent, Data: data, Created: now, Updated: now}
	if _, err := h.store.CreateResource(c.ctx, r, nil, h.audit(c, op, "", "", "ClientToken record "+recID+" for "+rec.ID)); err != nil {
		return nil, err
	}
	return h.runOnce(c, op, r, rec, create)
}

// runOnce runs create for a pending record: it records the response on
// success and forgets the token on failure, so that a failed request may
// be retried with other parameters.
func (h *Handler) runOnce(c *call, op string, r headroom.Resource, rec tokenRecord, create func(id string) (any, error)) (any, error) {
	out, err := create(rec.ID)
	if err != nil {
		if derr := h.store.DeleteResource(c.ctx, c.account, kindClientToken.name, r.ID, nil, h.audit(c, op, "", "", "ClientToken record "+r.ID+" forgotten: the request failed")); derr != nil {
			h.log.Error("forgetting a failed request's client token", "err", derr)
		}
		return nil, err
	}
	h.recordResponse(c, r, rec, out)
	return out, nil
}

func (h *Handler) recordResponse(c *call, r headroom.Resource, rec tokenRecord, out any) {
	raw, err := json.Marshal(out)
	if err == nil {
		rec.Response = raw
		r.Data, _ = json.Marshal(rec)
		r.Updated = h.now()
		_, err = h.store.UpdateResource(c.ctx, r, nil, nil)
	}
	if err != nil {
		// The resource exists; a retry finds it by id.
		h.log.Error("recording a client token's response", "err", err)
	}
}

// requestHash hashes what a request asks for: its method, path, query and
// body, without the ClientToken, with the body's members in a fixed order.
func requestHash(c *call) string {
	s := sha256.New()
	s.Write([]byte(c.r.Method + " " + c.r.URL.Path + "\n"))
	q := c.r.URL.Query()
	q.Del("clientToken")
	s.Write([]byte(q.Encode() + "\n"))
	var m map[string]json.RawMessage
	if json.Unmarshal(c.body, &m) == nil {
		delete(m, "ClientToken")
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.Write([]byte(k + "\x00"))
			s.Write(m[k])
			s.Write([]byte{0})
		}
	} else {
		s.Write(c.body)
	}
	return hex.EncodeToString(s.Sum(nil))
}

// badInputOf is the validation error of an operation that takes a
// ClientToken, as its route lists it.
func badInputOf(op string) string {
	switch op {
	case "CreateInstance", "TransferContact", "MonitorContact":
		return errInvalidRequest
	}
	return errInvalidParameter
}
