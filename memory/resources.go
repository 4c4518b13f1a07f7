package memory

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

// Resources live under umu, beside the counters whose slots they hold, so
// that a reserve and an insert (or a delete and a release) are one step
// under one lock. Their audit entries go under mu, taken while umu is
// held: the lock order is umu, then mu. Nothing takes umu while holding mu.

// resourceSet holds the resources of one (account, kind). Stored values are
// never modified in place; their Data is the store's own copy.
type resourceSet struct {
	byID map[string]headroom.Resource
	// byName maps (parent, name) to the id of the resource that has the
	// name; unnamed resources are not in it.
	byName map[[2]string]string
}

// resourceToken is what a ResourceToken recorded: the request's hash and
// the resource it created.
type resourceToken struct {
	hash, kind, id   string
	created, expires time.Time
}

// CreateResource implements headroom.Store. Under umu it answers a replayed
// token or hold, checks the id, name, parent, uses and slots, and only then
// applies the slots, records the token and stores the resource; a refused
// hold or acquire stores nothing.
func (s *Store) CreateResource(_ context.Context, r headroom.Resource, slots headroom.SlotChange, token *headroom.ResourceToken, audit headroom.AuditEntry) (headroom.ResourceResult, error) {
	if err := headroom.CheckResource(r); err != nil {
		return headroom.ResourceResult{}, err
	}
	r = normResource(r)
	r.Version = 1
	s.umu.Lock()
	defer s.umu.Unlock()
	if token != nil {
		if t, ok := s.rtokens[[2]string{r.Account, token.Key}]; ok && r.Created.Before(t.expires) {
			if t.hash != token.Hash {
				return headroom.ResourceResult{}, headroom.TokenReused(*token)
			}
			return headroom.ResourceResult{Applied: true, Replayed: true, ID: t.id, Version: s.versionLocked(r.Account, t.kind, t.id)}, nil
		}
	}
	if h := slots.Hold; h != nil {
		if res, done, err := s.replayLocked("reserve", *h); done || err != nil {
			return resourceResult(res, r.ID, 0), err
		}
	}
	if r.ParentKind != "" {
		if _, ok := s.findLocked(r.Account, r.ParentKind, r.Parent); !ok {
			return headroom.ResourceResult{}, headroom.ResourceNotFound(r.Account, r.ParentKind, r.Parent)
		}
		r.ParentKind = ""
	}
	set := s.resources[[2]string{r.Account, r.Kind}]
	if set != nil {
		if _, ok := set.byID[r.ID]; ok {
			return headroom.ResourceResult{}, headroom.ResourceExists(r)
		}
		if id, ok := set.byName[[2]string{r.Parent, r.Name}]; ok && r.Name != "" {
			return headroom.ResourceResult{}, headroom.ResourceNameTaken(r, id)
		}
	}
	if err := s.checkUsesLocked(r); err != nil {
		return headroom.ResourceResult{}, err
	}
	if res, done, err := s.checkSlotsLocked(slots); done || err != nil {
		return resourceResult(res, r.ID, 0), err
	}
	res := s.applySlotsLocked(slots)
	if set == nil {
		set = &resourceSet{byID: map[string]headroom.Resource{}, byName: map[[2]string]string{}}
		s.resources[[2]string{r.Account, r.Kind}] = set
	}
	set.byID[r.ID] = r
	if r.Name != "" {
		set.byName[[2]string{r.Parent, r.Name}] = r.ID
	}
	s.useLocked(r, true)
	if token != nil {
		s.rtokens[[2]string{r.Account, token.Key}] = resourceToken{hash: token.Hash, kind: r.Kind, id: r.ID,
			created: r.Created, expires: normTime(token.Expires)}
	}
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return resourceResult(res, r.ID, 1), nil
}

func resourceResult(c headroom.CountResult, id string, version int64) headroom.ResourceResult {
	return headroom.ResourceResult{Applied: c.Applied, Used: c.Used, Replayed: c.Replayed, ID: id, Version: version}
}

// versionLocked returns a resource's version, zero if it is gone.
func (s *Store) versionLocked(account, kind, id string) int64 {
	if set := s.resources[[2]string{account, kind}]; set != nil {
		return set.byID[id].Version
	}
	return 0
}

// checkSlotsLocked checks what applySlotsLocked will do, changing nothing.
// done is true when the write must stop with res: a hold whose idempotency
// key was applied before (res.Replayed), or a hold or acquire the limit
// refuses (res.Applied false).
func (s *Store) checkSlotsLocked(c headroom.SlotChange) (res headroom.CountResult, done bool, err error) {
	if h := c.Hold; h != nil {
		if res, done, err := s.replayLocked("reserve", *h); done || err != nil {
			return res, true, err
		}
		if used := s.counts[h.Key]; used+h.Amount > h.Limit {
			return headroom.CountResult{Used: used}, true, nil
		}
	}
	if f := c.Free; f != nil {
		if _, _, err := s.replayLocked("release", *f); err != nil {
			return headroom.CountResult{}, true, err
		}
	}
	if a := c.Acquire; a != nil {
		ls := s.leasesLocked(a.Key, a.Now.UnixNano(), true)
		if _, live := ls.m[a.LeaseID]; !live && int64(len(ls.m))+1 > a.Limit {
			return headroom.CountResult{Used: int64(len(ls.m))}, true, nil
		}
	}
	return headroom.CountResult{}, false, nil
}

// applySlotsLocked applies a SlotChange that checkSlotsLocked passed. It
// returns the result of the hold or the acquire.
func (s *Store) applySlotsLocked(c headroom.SlotChange) headroom.CountResult {
	res := headroom.CountResult{Applied: true}
	if c.Hold != nil {
		res = s.reserveLocked(*c.Hold)
	}
	if f := c.Free; f != nil {
		if _, done, _ := s.replayLocked("release", *f); !done {
			s.releaseLocked(*f)
		}
	}
	if a := c.Acquire; a != nil {
		ls := s.leasesLocked(a.Key, a.Now.UnixNano(), true)
		if _, live := ls.m[a.LeaseID]; !live {
			ls.set(a.LeaseID, a.Expires.UnixNano())
		}
		res = headroom.CountResult{Applied: true, Used: int64(len(ls.m))}
	}
	for _, l := range c.Release {
		if ls := s.leasesLocked(l.Key, l.Now.UnixNano(), false); ls != nil {
			delete(ls.m, l.LeaseID)
		}
	}
	return res
}

// checkUsesLocked returns ENOTFOUND for a resource r uses that does not
// exist.
func (s *Store) checkUsesLocked(r headroom.Resource) error {
	for _, u := range r.Uses {
		if _, ok := s.findLocked(r.Account, u.Kind, u.ID); !ok {
			return headroom.ResourceNotFound(r.Account, u.Kind, u.ID)
		}
	}
	return nil
}

// useLocked records (on) or forgets r's uses in the reverse index.
func (s *Store) useLocked(r headroom.Resource, on bool) {
	by := headroom.ResourceRef{Kind: r.Kind, ID: r.ID}
	for _, u := range r.Uses {
		k := [3]string{r.Account, u.Kind, u.ID}
		if on {
			if s.usedBy[k] == nil {
				s.usedBy[k] = map[headroom.ResourceRef]bool{}
			}
			s.usedBy[k][by] = true
		} else {
			delete(s.usedBy[k], by)
			if len(s.usedBy[k]) == 0 {
				delete(s.usedBy, k)
			}
		}
	}
}

// inUseLocked returns the EINUSE error of a resource another one uses.
func (s *Store) inUseLocked(account, kind, id string) error {
	users := s.usedBy[[3]string{account, kind, id}]
	if len(users) == 0 {
		return nil
	}
	refs := make([]headroom.ResourceRef, 0, len(users))
	for by := range users {
		refs = append(refs, by)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Kind+"\x00"+refs[i].ID < refs[j].Kind+"\x00"+refs[j].ID })
	return headroom.ResourceInUse(kind, id, refs[0])
}

// UpdateResource implements headroom.Store. The resource keeps its Parent
// and Created; r's Parent is ignored. Under umu it checks the resource, its
// version, its name, its uses and the slots, then applies the slots and
// the update; a refused hold or acquire changes nothing.
func (s *Store) UpdateResource(_ context.Context, r headroom.Resource, slots headroom.SlotChange) (headroom.ResourceResult, error) {
	r = normResource(r)
	s.umu.Lock()
	defer s.umu.Unlock()
	set := s.resources[[2]string{r.Account, r.Kind}]
	var old headroom.Resource
	ok := false
	if set != nil {
		old, ok = set.byID[r.ID]
	}
	if !ok {
		return headroom.ResourceResult{}, headroom.ResourceNotFound(r.Account, r.Kind, r.ID)
	}
	if old.Version != r.Version {
		return headroom.ResourceResult{}, headroom.ResourceChanged(r, old.Version)
	}
	if id, taken := set.byName[[2]string{old.Parent, r.Name}]; taken && r.Name != "" && id != r.ID {
		r.Parent = old.Parent
		return headroom.ResourceResult{}, headroom.ResourceNameTaken(r, id)
	}
	if err := s.checkUsesLocked(r); err != nil {
		return headroom.ResourceResult{}, err
	}
	if res, done, err := s.checkSlotsLocked(slots); done || err != nil {
		return resourceResult(res, r.ID, old.Version), err // a replayed hold: this update was applied before
	}
	res := s.applySlotsLocked(slots)
	if old.Name != "" {
		delete(set.byName, [2]string{old.Parent, old.Name})
	}
	if r.Name != "" {
		set.byName[[2]string{old.Parent, r.Name}] = r.ID
	}
	s.useLocked(old, false)
	old.Name, old.Data, old.Updated, old.Uses = r.Name, r.Data, r.Updated, r.Uses
	s.useLocked(old, true)
	old.Version++
	set.byID[r.ID] = old
	return resourceResult(res, r.ID, old.Version), nil
}

// DeleteResource implements headroom.Store. Under umu it checks that the
// resource exists and is not in use, then removes it and its tokens and
// applies the slots' frees and releases.
func (s *Store) DeleteResource(_ context.Context, account, kind, id string, slots headroom.SlotChange, audit headroom.AuditEntry) error {
	slots.Hold, slots.Acquire = nil, nil
	s.umu.Lock()
	defer s.umu.Unlock()
	if _, ok := s.findLocked(account, kind, id); !ok {
		return headroom.ResourceNotFound(account, kind, id)
	}
	if err := s.inUseLocked(account, kind, id); err != nil {
		return err
	}
	// The free is checked first: its idempotency key may be refused, and
	// then the resource must stay.
	if _, _, err := s.checkSlotsLocked(slots); err != nil {
		return err
	}
	s.applySlotsLocked(slots)
	s.removeLocked(account, kind, id)
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return nil
}

// DeleteResourceTree implements headroom.Store: under umu it removes the
// resource, its descendants, their tokens and uses, drops the usage of
// scope and below, and applies free.
func (s *Store) DeleteResourceTree(_ context.Context, account, kind, id, scope string, free *headroom.CountChange, audit headroom.AuditEntry) (int, error) {
	if scope == "" || scope == headroom.ScopeAccount {
		return 0, headroom.FieldErrorf("scope", "a resource tree is deleted with a scope below the account, not %q", scope)
	}
	s.umu.Lock()
	defer s.umu.Unlock()
	if _, ok := s.findLocked(account, kind, id); !ok {
		return 0, headroom.ResourceNotFound(account, kind, id)
	}
	if free != nil {
		if _, done, err := s.replayLocked("release", *free); err != nil {
			return 0, err
		} else if !done {
			s.releaseLocked(*free)
		}
	}
	// Collect the tree breadth first: the resources whose parent is an id
	// already taken.
	type node struct{ kind, id string }
	tree := []node{{kind, id}}
	parents := map[string]bool{id: true}
	for grew := true; grew; {
		grew = false
		for k, set := range s.resources {
			if k[0] != account {
				continue
			}
			for rid, r := range set.byID {
				if parents[r.Parent] && !parents[rid] {
					parents[rid] = true
					tree = append(tree, node{k[1], rid})
					grew = true
				}
			}
		}
	}
	for _, n := range tree {
		s.removeLocked(account, n.kind, n.id)
	}
	inScope := func(k headroom.UsageKey) bool {
		return k.Account == account && (k.Scope == scope || strings.HasPrefix(k.Scope, scope+"/"))
	}
	for k := range s.counts {
		if inScope(k) {
			delete(s.counts, k)
		}
	}
	for k := range s.leases {
		if inScope(k) {
			delete(s.leases, k)
		}
	}
	for k := range s.counters {
		if inScope(k) {
			delete(s.counters, k)
		}
	}
	for k, r := range s.idem {
		if inScope(r.key) {
			delete(s.idem, k)
		}
	}
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return len(tree), nil
}

func (s *Store) findLocked(account, kind, id string) (headroom.Resource, bool) {
	if set := s.resources[[2]string{account, kind}]; set != nil {
		r, ok := set.byID[id]
		return r, ok
	}
	return headroom.Resource{}, false
}

// removeLocked deletes a resource, its uses of others and others' uses of
// it, and the tokens that name it.
func (s *Store) removeLocked(account, kind, id string) {
	set := s.resources[[2]string{account, kind}]
	old := set.byID[id]
	delete(set.byID, id)
	if old.Name != "" {
		delete(set.byName, [2]string{old.Parent, old.Name})
	}
	if len(set.byID) == 0 {
		delete(s.resources, [2]string{account, kind})
	}
	s.useLocked(old, false)
	delete(s.usedBy, [3]string{account, kind, id})
	for k, t := range s.rtokens {
		if k[0] == account && t.kind == kind && t.id == id {
			delete(s.rtokens, k)
		}
	}
}

// FindResource implements headroom.Store.
func (s *Store) FindResource(_ context.Context, account, kind, id string) (headroom.Resource, error) {
	s.umu.Lock()
	var r headroom.Resource
	ok := false
	if set := s.resources[[2]string{account, kind}]; set != nil {
		r, ok = set.byID[id]
	}
	s.umu.Unlock()
	if !ok {
		return headroom.Resource{}, headroom.ResourceNotFound(account, kind, id)
	}
	r.Data = copyData(r.Data)
	return r, nil
}

// ListResources implements headroom.Store: the resources of f's account
// and kind (and parent, if set), ordered by Created then ID, after the
// resource f.AfterID if it exists.
func (s *Store) ListResources(_ context.Context, f headroom.ResourceFilter) ([]headroom.Resource, error) {
	if err := headroom.CheckResourceFilter(f); err != nil {
		return nil, err
	}
	var all []headroom.Resource
	var after headroom.Resource
	hasAfter := false
	s.umu.Lock()
	if set := s.resources[[2]string{f.Account, f.Kind}]; set != nil {
		for _, r := range set.byID {
			if f.Parent == "" || r.Parent == f.Parent {
				all = append(all, r)
			}
		}
		if f.AfterID != "" {
			after, hasAfter = set.byID[f.AfterID]
		}
	}
	s.umu.Unlock()
	sort.Slice(all, func(i, j int) bool { return resourceBefore(all[i], all[j]) })
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	out := all[:0]
	for _, r := range all {
		if hasAfter && !resourceBefore(after, r) {
			continue
		}
		r.Data = copyData(r.Data)
		out = append(out, r)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func resourceBefore(a, b headroom.Resource) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.ID < b.ID
}

// normResource returns r as a store keeps it: its own copy of Data (nil if
// empty) and its times in UTC without a monotonic reading.
func normResource(r headroom.Resource) headroom.Resource {
	r.Data = copyData(r.Data)
	if len(r.Uses) == 0 {
		r.Uses = nil
	} else {
		r.Uses = append([]headroom.ResourceRef(nil), r.Uses...)
	}
	r.Created, r.Updated = normTime(r.Created), normTime(r.Updated)
	return r
}

func normTime(t time.Time) time.Time { return t.Round(0).UTC() }

func copyData(d []byte) []byte {
	if len(d) == 0 {
		return nil
	}
	return append([]byte(nil), d...)
}
