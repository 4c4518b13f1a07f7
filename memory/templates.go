package memory

import (
	"context"
	"sort"

	"github.com/headroomhq/headroom"
)

// PutTemplateEntry implements headroom.Store.
func (s *Store) PutTemplateEntry(_ context.Context, e headroom.TemplateEntry, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.template[[3]string{e.Service, e.Code, e.Region}] = e
	s.appendAuditLocked(audit)
	return nil
}

// DeleteTemplateEntry implements headroom.Store.
func (s *Store) DeleteTemplateEntry(_ context.Context, service, code, region string, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [3]string{service, code, region}
	if _, ok := s.template[k]; !ok {
		return headroom.Errorf(headroom.ENOTFOUND, "the template has no entry for %s %s in %s", service, code, region)
	}
	delete(s.template, k)
	s.appendAuditLocked(audit)
	return nil
}

// ListTemplateEntries implements headroom.Store.
func (s *Store) ListTemplateEntries(context.Context) ([]headroom.TemplateEntry, error) {
	s.mu.RLock()
	out := make([]headroom.TemplateEntry, 0, len(s.template))
	for _, e := range s.template {
		out = append(out, e)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Region < b.Region
	})
	return out, nil
}

// SetTemplateAssociated implements headroom.Store.
func (s *Store) SetTemplateAssociated(_ context.Context, on bool, audit headroom.AuditEntry) error {
	s.mu.Lock()
	s.templateOn = on
	s.appendAuditLocked(audit)
	s.mu.Unlock()
	return nil
}

// TemplateAssociated implements headroom.Store.
func (s *Store) TemplateAssociated(context.Context) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.templateOn, nil
}

// TagResource implements headroom.Store.
func (s *Store) TagResource(_ context.Context, account, resource string, tags map[string]string, max int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{account, resource}
	m := s.tags[k]
	if max > 0 {
		n := len(m)
		for key := range tags {
			if _, ok := m[key]; !ok {
				n++
			}
		}
		if n > max {
			return headroom.TooManyTags(resource, max, len(m), n)
		}
	}
	if m == nil {
		m = map[string]string{}
		s.tags[k] = m
	}
	for key, v := range tags {
		m[key] = v
	}
	return nil
}

// UntagResource implements headroom.Store.
func (s *Store) UntagResource(_ context.Context, account, resource string, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{account, resource}
	for _, key := range keys {
		delete(s.tags[k], key)
	}
	if len(s.tags[k]) == 0 {
		delete(s.tags, k)
	}
	return nil
}

// ListTags implements headroom.Store.
func (s *Store) ListTags(_ context.Context, account, resource string) (map[string]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]string{}
	for key, v := range s.tags[[2]string{account, resource}] {
		out[key] = v
	}
	return out, nil
}
