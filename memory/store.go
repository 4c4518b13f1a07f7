package memory

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/headroomhq/headroom"
)

// Store is an in-memory headroom.Store. It is safe for concurrent use.
type Store struct {
	mu       sync.RWMutex // guards accounts, overrides, audit
	accounts map[string]headroom.Account
	// overrides maps (account, code) to its overrides, one per scope. Each
	// slice is immutable once stored, so FindOverrides can hand it out
	// without copying; writes replace the slice.
	overrides map[[2]string][]headroom.Override
	audit     []headroom.AuditEntry
	auditSeq  int64 // the last audit ID given; IDs are never reused
	keys      map[string]headroom.AccessKey
	keyOrder  []string
	tokens    map[string]headroom.Token
	requests  map[string]headroom.ChangeRequest
	// transitions maps a request id to its transitions, oldest first.
	transitions map[string][]headroom.Transition
	template    map[[3]string]headroom.TemplateEntry // (service, code, region)
	// blobs are chat attachments' bytes, under their own lock so that a
	// 20 MB copy never holds up a decision.
	blobMu     sync.RWMutex
	blobs      map[blobKey][]byte
	templateOn bool
	tags       map[[2]string]map[string]string // (account, resource) → tags
	// alarms holds alarm rules, states, webhooks and the outbox, under mu.
	alarms alarmData

	// umu guards usage state and the resources that hold slots of it. A
	// method that needs both locks takes umu first, then mu.
	umu    sync.Mutex
	counts map[headroom.UsageKey]int64
	idem   map[[2]string]idemRecord // (account, idempotency key)
	leases map[headroom.UsageKey]*leaseSet
	// resources maps (account, kind) to its resources.
	resources map[[2]string]*resourceSet
	// rtokens maps (account, token key) to the resource the token made.
	rtokens map[[2]string]resourceToken
	// counters holds the plain counters of AddCounter.
	counters map[headroom.UsageKey]int64
	// usedBy maps (account, kind, id) to the resources that use it.
	usedBy map[[3]string]map[headroom.ResourceRef]bool

	// history is the usage history, under its own lock.
	history history
}

type idemRecord struct {
	op     string
	key    headroom.UsageKey
	amount int64
	at     time.Time
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		accounts:  map[string]headroom.Account{},
		overrides: map[[2]string][]headroom.Override{},
		counts:    map[headroom.UsageKey]int64{},
		idem:      map[[2]string]idemRecord{},
		leases:    map[headroom.UsageKey]*leaseSet{},
		keys:      map[string]headroom.AccessKey{},
		tokens:    map[string]headroom.Token{},
		requests:  map[string]headroom.ChangeRequest{},

		transitions: map[string][]headroom.Transition{},
		template:    map[[3]string]headroom.TemplateEntry{},
		tags:        map[[2]string]map[string]string{},
		resources:   map[[2]string]*resourceSet{},
		rtokens:     map[[2]string]resourceToken{},
		counters:    map[headroom.UsageKey]int64{},
		usedBy:      map[[3]string]map[headroom.ResourceRef]bool{},
	}
}

var _ headroom.Store = (*Store)(nil)

// CreateAccount implements headroom.Store.
func (s *Store) CreateAccount(_ context.Context, a headroom.Account, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[a.ID]; ok {
		return headroom.Errorf(headroom.ECONFLICT, "account %s already exists", a.ID)
	}
	s.accounts[a.ID] = a
	s.appendAuditLocked(audit)
	return nil
}

// FindAccount implements headroom.Store.
func (s *Store) FindAccount(_ context.Context, id string) (headroom.Account, error) {
	s.mu.RLock()
	a, ok := s.accounts[id]
	s.mu.RUnlock()
	if !ok {
		return headroom.Account{}, headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", id)
	}
	return a, nil
}

// ListAccounts implements headroom.Store.
func (s *Store) ListAccounts(context.Context) ([]headroom.Account, error) {
	s.mu.RLock()
	out := make([]headroom.Account, 0, len(s.accounts))
	for _, a := range s.accounts {
		out = append(out, a)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// PutOverride implements headroom.Store.
func (s *Store) PutOverride(_ context.Context, o headroom.Override, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[o.Account]; !ok {
		return headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", o.Account)
	}
	s.putOverrideLocked(o)
	s.appendAuditLocked(audit)
	return nil
}

func (s *Store) putOverrideLocked(o headroom.Override) {
	k := [2]string{o.Account, o.Code}
	o.Allow = append([]string(nil), o.Allow...)
	o.Deny = append([]string(nil), o.Deny...)
	old := s.overrides[k]
	next := make([]headroom.Override, 0, len(old)+1)
	for _, x := range old {
		if x.Scope != o.Scope {
			next = append(next, x)
		}
	}
	s.overrides[k] = append(next, o)
}

// DeleteOverride implements headroom.Store.
func (s *Store) DeleteOverride(_ context.Context, account, code, scope string, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{account, code}
	old := s.overrides[k]
	next := make([]headroom.Override, 0, len(old))
	for _, x := range old {
		if x.Scope != scope {
			next = append(next, x)
		}
	}
	if len(next) == len(old) {
		return headroom.Errorf(headroom.ENOTFOUND, "no override of %s in %s", code, headroom.DescribeScope(account, scope))
	}
	if len(next) == 0 {
		delete(s.overrides, k)
	} else {
		s.overrides[k] = next
	}
	s.appendAuditLocked(audit)
	return nil
}

// FindOverrides implements headroom.Store. The slice it returns is shared
// and must not be modified.
func (s *Store) FindOverrides(_ context.Context, account, code string) ([]headroom.Override, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.overrides[[2]string{account, code}], nil
}

// ListOverrides implements headroom.Store.
func (s *Store) ListOverrides(_ context.Context, account string) ([]headroom.Override, error) {
	s.mu.RLock()
	var out []headroom.Override
	for k, list := range s.overrides {
		if k[0] == account {
			out = append(out, list...)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return out[i].Scope < out[j].Scope
	})
	return out, nil
}

// Reserve implements headroom.Store.
func (s *Store) Reserve(_ context.Context, c headroom.CountChange) (headroom.CountResult, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	if r, done, err := s.replayLocked("reserve", c); done || err != nil {
		return r, err
	}
	return s.reserveLocked(c), nil
}

// reserveLocked applies a reserve whose idempotency key is new, if it stays
// within the limit, and records the key.
func (s *Store) reserveLocked(c headroom.CountChange) headroom.CountResult {
	used := s.counts[c.Key]
	if used+c.Amount > c.Limit {
		return headroom.CountResult{Used: used}
	}
	used += c.Amount
	s.counts[c.Key] = used
	s.recordLocked("reserve", c)
	return headroom.CountResult{Applied: true, Used: used}
}

// Release implements headroom.Store.
func (s *Store) Release(_ context.Context, c headroom.CountChange) (headroom.CountResult, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	if r, done, err := s.replayLocked("release", c); done || err != nil {
		return r, err
	}
	return s.releaseLocked(c), nil
}

// releaseLocked applies a release whose idempotency key is new and records
// the key.
func (s *Store) releaseLocked(c headroom.CountChange) headroom.CountResult {
	used := s.counts[c.Key] - c.Amount
	if used <= 0 {
		used = 0
		delete(s.counts, c.Key)
	} else {
		s.counts[c.Key] = used
	}
	s.recordLocked("release", c)
	return headroom.CountResult{Applied: true, Used: used}
}

// replayLocked answers a change whose idempotency key was seen before.
func (s *Store) replayLocked(op string, c headroom.CountChange) (headroom.CountResult, bool, error) {
	if c.IdempotencyKey == "" {
		return headroom.CountResult{}, false, nil
	}
	rec, ok := s.idem[[2]string{c.Key.Account, c.IdempotencyKey}]
	if !ok {
		return headroom.CountResult{}, false, nil
	}
	if rec.op != op || rec.key != c.Key || rec.amount != c.Amount {
		return headroom.CountResult{}, true, headroom.IdempotencyMismatch(c.IdempotencyKey, rec.op, rec.key, rec.amount)
	}
	return headroom.CountResult{Applied: true, Used: s.counts[c.Key], Replayed: true}, true, nil
}

func (s *Store) recordLocked(op string, c headroom.CountChange) {
	if c.IdempotencyKey == "" {
		return
	}
	s.idem[[2]string{c.Key.Account, c.IdempotencyKey}] = idemRecord{op: op, key: c.Key, amount: c.Amount, at: c.Now}
}

// Purge implements headroom.Store.
func (s *Store) Purge(_ context.Context, now, keysBefore time.Time) (headroom.PurgeResult, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	var res headroom.PurgeResult
	for k, r := range s.idem {
		if r.at.Before(keysBefore) {
			delete(s.idem, k)
			res.IdempotencyKeys++
		}
	}
	for k, t := range s.rtokens {
		if t.created.Before(keysBefore) || !now.Before(t.expires) {
			delete(s.rtokens, k)
			res.Tokens++
		}
	}
	for k, ls := range s.leases {
		before := len(ls.m)
		ls.purge(now.UnixNano())
		res.Leases += before - len(ls.m)
		s.dropIfEmptyLocked(k, ls)
	}
	return res, nil
}

// SetUsage implements headroom.Store.
func (s *Store) SetUsage(_ context.Context, key headroom.UsageKey, used int64, audit headroom.AuditEntry) error {
	s.umu.Lock()
	if used <= 0 {
		delete(s.counts, key)
	} else {
		s.counts[key] = used
	}
	s.umu.Unlock()
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return nil
}

// CountUsage implements headroom.Store.
func (s *Store) CountUsage(_ context.Context, key headroom.UsageKey) (int64, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	return s.counts[key], nil
}

// ListUsage implements headroom.Store.
func (s *Store) ListUsage(_ context.Context, account string, now time.Time) ([]headroom.Usage, error) {
	s.umu.Lock()
	var out []headroom.Usage
	for k, n := range s.counts {
		if k.Account == account && n > 0 {
			out = append(out, headroom.Usage{Key: k, Used: n})
		}
	}
	for k, ls := range s.leases {
		if k.Account != account {
			continue
		}
		if n := ls.live(now.UnixNano()); n > 0 {
			out = append(out, headroom.Usage{Key: k, Used: n})
		}
	}
	s.umu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Key, out[j].Key
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Scope < b.Scope
	})
	return out, nil
}

// AppendAudit implements headroom.Store.
func (s *Store) AppendAudit(_ context.Context, e headroom.AuditEntry) error {
	s.mu.Lock()
	s.appendAuditLocked(e)
	s.mu.Unlock()
	return nil
}

func (s *Store) appendAuditLocked(e headroom.AuditEntry) {
	if e.Action == "" {
		return
	}
	s.auditSeq++
	e.ID = s.auditSeq
	s.audit = append(s.audit, e)
}

// PurgeAudit implements headroom.Store.
func (s *Store) PurgeAudit(_ context.Context, before time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(s.audit) && s.audit[n].Time.Before(before) {
		n++
	}
	s.audit = append([]headroom.AuditEntry(nil), s.audit[n:]...)
	return int64(n), nil
}

// AddCounter implements headroom.Store.
func (s *Store) AddCounter(_ context.Context, key headroom.UsageKey, n int64) (int64, error) {
	if n < 1 {
		return 0, headroom.FieldErrorf("n", "must be at least 1, got %d", n)
	}
	s.umu.Lock()
	defer s.umu.Unlock()
	s.counters[key] += n
	return s.counters[key], nil
}

// Counter implements headroom.Store.
func (s *Store) Counter(_ context.Context, key headroom.UsageKey) (int64, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	return s.counters[key], nil
}

// ListAudit implements headroom.Store.
func (s *Store) ListAudit(_ context.Context, f headroom.AuditFilter) ([]headroom.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []headroom.AuditEntry
	for _, e := range s.audit {
		if e.ID <= f.AfterID || f.Account != "" && e.Account != f.Account || f.Code != "" && e.Code != f.Code {
			continue
		}
		out = append(out, e)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
