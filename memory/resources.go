package memory

import (
	"context"
	"fmt"
	"sort"
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

// CreateResource implements headroom.Store. Under umu it answers a replayed
// hold, checks the id and name, applies the hold and stores the resource;
// a refused hold stores nothing.
func (s *Store) CreateResource(_ context.Context, r headroom.Resource, hold *headroom.CountChange, audit headroom.AuditEntry) (headroom.CountResult, error) {
	if err := CheckResource(r); err != nil {
		return headroom.CountResult{}, err
	}
	r = normResource(r)
	s.umu.Lock()
	defer s.umu.Unlock()
	if hold != nil {
		if res, done, err := s.replayLocked("reserve", *hold); done || err != nil {
			return res, err
		}
	}
	set := s.resources[[2]string{r.Account, r.Kind}]
	if set != nil {
		if _, ok := set.byID[r.ID]; ok {
			return headroom.CountResult{}, ResourceExists(r)
		}
		if id, ok := set.byName[[2]string{r.Parent, r.Name}]; ok && r.Name != "" {
			return headroom.CountResult{}, ResourceNameTaken(r, id)
		}
	}
	res := headroom.CountResult{Applied: true}
	if hold != nil {
		if res = s.reserveLocked(*hold); !res.Applied {
			return res, nil
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
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return res, nil
}

// UpdateResource implements headroom.Store. The resource keeps its Parent
// and Created; r's Parent is ignored. Under umu it checks the resource and
// its name, applies hold (stopping there if it is refused), the update and
// free.
func (s *Store) UpdateResource(_ context.Context, r headroom.Resource, hold, free *headroom.CountChange) (headroom.CountResult, error) {
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
		return headroom.CountResult{}, ResourceNotFound(r.Account, r.Kind, r.ID)
	}
	if id, taken := set.byName[[2]string{old.Parent, r.Name}]; taken && r.Name != "" && id != r.ID {
		r.Parent = old.Parent
		return headroom.CountResult{}, ResourceNameTaken(r, id)
	}
	res := headroom.CountResult{Applied: true}
	if hold != nil {
		replayed, done, err := s.replayLocked("reserve", *hold)
		if err != nil {
			return headroom.CountResult{}, err
		}
		if done {
			return replayed, nil // this update's hold was applied before
		}
		if res = s.reserveLocked(*hold); !res.Applied {
			return res, nil
		}
	}
	if free != nil {
		if _, done, err := s.replayLocked("release", *free); err != nil {
			return headroom.CountResult{}, err
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
	set.byID[r.ID] = old
	return res, nil
}

// DeleteResource implements headroom.Store. Under umu it removes the
// resource and applies free; a resource that does not exist frees nothing.
func (s *Store) DeleteResource(_ context.Context, account, kind, id string, free *headroom.CountChange, audit headroom.AuditEntry) error {
	s.umu.Lock()
	defer s.umu.Unlock()
	set := s.resources[[2]string{account, kind}]
	var old headroom.Resource
	ok := false
	if set != nil {
		old, ok = set.byID[id]
	}
	if !ok {
		return ResourceNotFound(account, kind, id)
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
	delete(set.byID, id)
	if old.Name != "" {
		delete(set.byName, [2]string{old.Parent, old.Name})
	}
	if len(set.byID) == 0 {
		delete(s.resources, [2]string{account, kind})
	}
	s.mu.Lock()
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return nil
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
		return headroom.Resource{}, ResourceNotFound(account, kind, id)
	}
	r.Data = copyData(r.Data)
	return r, nil
}

// ListResources implements headroom.Store: the resources of f's account
// and kind (and parent, if set), ordered by Created then ID, after the
// resource f.AfterID if it exists.
func (s *Store) ListResources(_ context.Context, f headroom.ResourceFilter) ([]headroom.Resource, error) {
	if err := CheckResourceFilter(f); err != nil {
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

// CheckResource returns the EINVALID error for a resource without an
// account, kind or id, and nil for one that has them. Every Store checks a
// new resource with it, so the message is the same on every backend.
func CheckResource(r headroom.Resource) error {
	switch {
	case r.Account == "":
		return headroom.FieldErrorf("Account", "a resource needs an account")
	case r.Kind == "":
		return headroom.FieldErrorf("Kind", "a resource needs a kind")
	case r.ID == "":
		return headroom.FieldErrorf("ID", "a resource needs an id")
	}
	return nil
}

// CheckResourceFilter returns the EINVALID error for a filter without an
// account or kind, and nil for one that has them. Every Store checks a
// listing with it.
func CheckResourceFilter(f headroom.ResourceFilter) error {
	switch {
	case f.Account == "":
		return headroom.FieldErrorf("Account", "listing resources needs an account")
	case f.Kind == "":
		return headroom.FieldErrorf("Kind", "listing resources needs a kind")
	}
	return nil
}

// ResourceExists is the error for creating a resource whose id is taken.
// Every Store returns it, so the message is the same on every backend.
func ResourceExists(r headroom.Resource) error {
	return &headroom.Error{Code: headroom.ECONFLICT, Field: "ID", Message: fmt.Sprintf(
		"%s %s already exists in account %s", r.Kind, r.ID, r.Account)}
}

// ResourceNameTaken is the error for giving a resource a name that the
// resource id already has within the same account, kind and parent.
func ResourceNameTaken(r headroom.Resource, id string) error {
	where := "account " + r.Account
	if r.Parent != "" {
		where = r.Parent + " in " + where
	}
	return &headroom.Error{Code: headroom.ECONFLICT, Field: "Name", Message: fmt.Sprintf(
		"the name %q is taken by %s %s under %s", r.Name, r.Kind, id, where)}
}

// ResourceNotFound is the error for a resource that does not exist.
func ResourceNotFound(account, kind, id string) error {
	return headroom.Errorf(headroom.ENOTFOUND, "%s %s does not exist in account %s", kind, id, account)
}
