package memory

import (
	"context"
	"sort"

	"github.com/headroomhq/headroom"
)

// CreateAccessKey implements headroom.Store.
func (s *Store) CreateAccessKey(_ context.Context, k headroom.AccessKey, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[k.Account]; !ok {
		return headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", k.Account)
	}
	if _, ok := s.keys[k.ID]; ok {
		return headroom.Errorf(headroom.ECONFLICT, "access key %s already exists", k.ID)
	}
	s.keys[k.ID] = k
	s.keyOrder = append(s.keyOrder, k.ID)
	s.appendAuditLocked(audit)
	return nil
}

// FindAccessKey implements headroom.Store.
func (s *Store) FindAccessKey(_ context.Context, id string) (headroom.AccessKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[id]
	if !ok {
		return headroom.AccessKey{}, headroom.Errorf(headroom.ENOTFOUND, "access key %s does not exist", id)
	}
	return k, nil
}

// ListAccessKeys implements headroom.Store.
func (s *Store) ListAccessKeys(_ context.Context, account string) ([]headroom.AccessKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []headroom.AccessKey
	for _, id := range s.keyOrder {
		if k := s.keys[id]; k.Account == account {
			out = append(out, k)
		}
	}
	return out, nil
}

// CreateToken implements headroom.Store.
func (s *Store) CreateToken(_ context.Context, t headroom.Token, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.tokens {
		if x.ID == t.ID || string(x.Hash) == string(t.Hash) {
			return headroom.Errorf(headroom.ECONFLICT, "token %s already exists", t.ID)
		}
	}
	t.Hash = append([]byte(nil), t.Hash...)
	t.Accounts = append([]string(nil), t.Accounts...)
	s.tokens[t.ID] = t
	s.appendAuditLocked(audit)
	return nil
}

// FindToken implements headroom.Store.
func (s *Store) FindToken(_ context.Context, hash []byte) (headroom.Token, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.tokens {
		if string(t.Hash) == string(hash) {
			return t, nil
		}
	}
	return headroom.Token{}, headroom.Errorf(headroom.ENOTFOUND, "no such token")
}

// ListTokens implements headroom.Store.
func (s *Store) ListTokens(context.Context) ([]headroom.Token, error) {
	s.mu.RLock()
	out := make([]headroom.Token, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, t)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// DeleteToken implements headroom.Store.
func (s *Store) DeleteToken(_ context.Context, id string, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[id]; !ok {
		return headroom.Errorf(headroom.ENOTFOUND, "token %s does not exist", id)
	}
	delete(s.tokens, id)
	s.appendAuditLocked(audit)
	return nil
}
