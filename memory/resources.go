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
// token or hold, checks the id and name, applies the hold, records the
// token and stores the resource; a refused hold stores nothing.
func (s *Store) CreateResource(_ context.Context, r headroom.Resource, hold *headroom.CountChange, token *headroom.ResourceToken, audit headroom.AuditEntry) (headroom.ResourceResult, error) {
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
	if hold != nil {
		if res, done, err := s.replayLocked("reserve", *hold); done || err != nil {
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
	res := headroom.CountResult{Applied: true}
	if hold != nil {
		if res = s.reserveLocked(*hold); !res.Applied {
			return resourceResult(res, r.ID, 0), nil
		}
	}
	if set == nil {
		set = &resourceSet{byID: map[string]headroom.Resource{}, byName: map[[2]string]string{}}
		s.resources[[2]string{r.Account, r.Kind}] = set
	}
	set.byID[r.ID] = r
	if r.Name != "" {
		set.byName[[2]string{r.Parent, r.Name}] = r.ID
	}
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

// UpdateResource implements headroom.Store. The resource keeps its Parent
// and Created; r's Parent is ignored. Under umu it checks the resource, its
// version and its name, applies hold (stopping there if it is refused), the
// update and free.
func (s *Store) UpdateResource(_ context.Context, r headroom.Resource, hold, free *headroom.CountChange) (headroom.ResourceResult, error) {
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
	res := headroom.CountResult{Applied: true}
	if hold != nil {
		replayed, done, err := s.replayLocked("reserve", *hold)
		if err != nil {
			return headroom.ResourceResult{}, err
		}
		if done {
			return resourceResult(replayed, r.ID, old.Version), nil // this update's hold was applied before
		}
		if res = s.reserveLocked(*hold); !res.Applied {
			return resourceResult(res, r.ID, old.Version), nil
		}
	}
	if free != nil {
		if _, done, err := s.replayLocked("release", *free); err != nil {
			return headroom.ResourceResult{}, err
		} else if !done {
			s.releaseLocked(*free)
		}
	}
	if old.Name != "" {
		delete(set.byName, [2]string{old.Parent, old.Name})
	}
	if r.Name != "" {
		set.byName[[2]string{old.Parent, r.Name}] = r.ID
	}
	old.Name, old.Data, old.Updated = r.Name, r.Data, r.Updated
	old.Version++
	set.byID[r.ID] = old
	return resourceResult(res, r.ID, old.Version), nil
}

// DeleteResource implements headroom.Store. Under umu it removes the
// resource and its tokens and applies free; a resource that does not exist
// frees nothing.
func (s *Store) DeleteResource(_ context.Context, account, kind, id string, free *headroom.CountChange, audit headroom.AuditEntry) error {
	s.umu.Lock()
	defer s.umu.Unlock()
	if _, ok := s.findLocked(account, kind, id); !ok {
		return headroom.ResourceNotFound(account, kind, id)
	}
	if free != nil {
		// The release goes first: its idempotency key may be refused,
		// and then the resource must stay.
		if _, done, err := s.replayLocked("release", *free); err != nil {
			return err
		} else if !done {
			s.releaseLocked(*free)
		}
	}
	s.removeLocked(account, kind, id)
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return nil
}

// DeleteResourceTree implements headroom.Store: under umu it removes the
// resource, its descendants and their tokens, drops the usage of scope and
// below, and applies free.
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

// removeLocked deletes a resource and the tokens that name it.
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
