package memory

import (
	"context"
	"sort"

	"github.com/headroomhq/headroom"
)

// CreateChangeRequest implements headroom.Store.
func (s *Store) CreateChangeRequest(_ context.Context, r headroom.ChangeRequest, maxOpen int, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[r.Account]; !ok {
		return headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", r.Account)
	}
	if _, ok := s.requests[r.ID]; ok {
		return headroom.Errorf(headroom.ECONFLICT, "change request %s already exists", r.ID)
	}
	open := 0
	for _, x := range s.requests {
		if x.Account != r.Account || !x.Status.Open() {
			continue
		}
		open++
		if r.Status.Open() && x.Code == r.Code && x.Scope == r.Scope {
			return headroom.OpenRequestExists(x)
		}
	}
	if r.Status.Open() && open >= maxOpen {
		return headroom.TooManyOpenRequests(r.Account, maxOpen)
	}
	r.Allow = append([]string(nil), r.Allow...)
	r.Deny = append([]string(nil), r.Deny...)
	s.requests[r.ID] = r
	s.transitions[r.ID] = []headroom.Transition{{RequestID: r.ID, To: r.Status, Actor: r.Requester, At: r.Created}}
	s.appendAuditLocked(audit)
	return nil
}

// TransitionChangeRequest implements headroom.Store.
func (s *Store) TransitionChangeRequest(_ context.Context, t headroom.Transition, apply *headroom.Override, audit headroom.AuditEntry) (headroom.ChangeRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[t.RequestID]
	if !ok {
		return headroom.ChangeRequest{}, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", t.RequestID)
	}
	if r.Status != t.From {
		return headroom.ChangeRequest{}, headroom.StaleTransition(r, t)
	}
	r.Status, r.LastUpdated = t.To, t.At
	if t.CaseID != "" {
		r.CaseID = t.CaseID
	}
	if t.GrantedValue != 0 {
		r.GrantedValue = t.GrantedValue
	}
	if apply != nil {
		if _, ok := s.accounts[apply.Account]; !ok {
			return headroom.ChangeRequest{}, headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", apply.Account)
		}
		s.putOverrideLocked(*apply)
	}
	s.requests[r.ID] = r
	s.transitions[r.ID] = append(s.transitions[r.ID], t)
	s.appendAuditLocked(audit)
	return r, nil
}

// FindChangeRequest implements headroom.Store.
func (s *Store) FindChangeRequest(_ context.Context, id string) (headroom.ChangeRequest, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.requests[id]
	if !ok {
		return headroom.ChangeRequest{}, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", id)
	}
	return r, nil
}

// ListChangeRequests implements headroom.Store.
func (s *Store) ListChangeRequests(_ context.Context, f headroom.ChangeRequestFilter) ([]headroom.ChangeRequest, error) {
	s.mu.RLock()
	var all []headroom.ChangeRequest
	for _, r := range s.requests {
		if f.Account != "" && r.Account != f.Account || f.Code != "" && r.Code != f.Code ||
			f.Scope != "" && r.Scope != f.Scope || f.Status != "" && r.Status != f.Status {
			continue
		}
		all = append(all, r)
	}
	var after headroom.ChangeRequest
	var hasAfter bool
	if f.AfterID != "" {
		after, hasAfter = s.requests[f.AfterID]
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return requestBefore(all[i], all[j]) })
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	out := all[:0]
	for _, r := range all {
		if hasAfter && !requestBefore(after, r) {
			continue
		}
		out = append(out, r)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func requestBefore(a, b headroom.ChangeRequest) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.ID < b.ID
}

// ListTransitions implements headroom.Store.
func (s *Store) ListTransitions(_ context.Context, id string) ([]headroom.Transition, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.requests[id]; !ok {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", id)
	}
	return append([]headroom.Transition(nil), s.transitions[id]...), nil
}
