package headroom

import "fmt"

// Extra quotas are rate quotas that live beside the catalog and change while
// the engine runs: the Envoy rate-limit service (package rls) turns each
// rule of its configuration files into one, and replaces the whole set when
// the files change. The catalog is immutable; the extra set is swapped
// whole through an atomic pointer, so a decision reads one set or the
// other, never half of each, and takes no lock.
//
// An extra quota is a quota like any other for Do, Batch, Applied, Status,
// ListStatus, SetOverride, DeleteOverride and the change-request workflow,
// with one addition: a take with an empty Account is decided at the quota's
// default, with no account lookup and no overrides, for traffic that names
// no tenant. The catalog is looked up first, so the catalog's own decisions
// cost what they did before extra quotas existed.

// extraSet is one generation of extra quotas.
type extraSet struct {
	catalog *Catalog
}

// ScopeDescriptor is the scope type of extra quotas whose buckets are keyed
// by a request's values (the rls package's descriptor values), as
// "descriptor/<id>".
const ScopeDescriptor = "descriptor"

// SetExtraQuotas replaces the engine's extra quotas with quotas, atomically.
// Each must be a valid rate quota whose code the catalog does not hold and
// which appears once. On error the previous set stays in force and the
// error is an *Error of code EINVALID naming the quota and field. Buckets,
// overrides and requests of quotas that leave the set are kept: they apply
// again if a quota of the same code returns. Safe for concurrent use with
// every other method; concurrent SetExtraQuotas calls are applied in some
// order, the last one winning.
func (e *Engine) SetExtraQuotas(quotas []Quota) error {
	for i := range quotas {
		q := &quotas[i]
		if q.Kind != KindRate {
			return fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("kind", "an extra quota must be a rate quota, not %q", q.Kind))
		}
		if _, err := e.catalog.Quota(q.Code); err == nil {
			return fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("code", "the catalog already has a quota %s", q.Code))
		}
		if len(q.Operations) > 0 {
			return fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("operations", "an extra quota throttles no API operation"))
		}
	}
	c, err := NewCatalog(quotas)
	if err != nil {
		return err
	}
	for _, q := range c.quotas {
		q.extra = true
	}
	e.extra.Store(&extraSet{catalog: c})
	return nil
}

// ExtraQuotas returns the extra quotas in force, in the order they were
// set. The caller must not modify them. Safe for concurrent use.
func (e *Engine) ExtraQuotas() []*Quota {
	if s := e.extra.Load(); s != nil {
		return s.catalog.quotas
	}
	return nil
}

// quota returns the catalog's quota of that code, else the extra quota of
// that code, else an *Error of code EUNKNOWNQUOTA. The catalog comes
// first, so its decisions pay nothing for the extra set.
func (e *Engine) quota(code string) (*Quota, error) {
	if q, ok := e.catalog.byCode[code]; ok {
		return q, nil
	}
	if s := e.extra.Load(); s != nil {
		if q, ok := s.catalog.byCode[code]; ok {
			return q, nil
		}
	}
	return e.catalog.Quota(code)
}

// quotas returns the catalog's quotas followed by the extra quotas in force.
func (e *Engine) quotas() []*Quota {
	s := e.extra.Load()
	if s == nil || len(s.catalog.quotas) == 0 {
		return e.catalog.quotas
	}
	out := make([]*Quota, 0, len(e.catalog.quotas)+len(s.catalog.quotas))
	return append(append(out, e.catalog.quotas...), s.catalog.quotas...)
}

// IsExtra reports whether q is an extra quota (see SetExtraQuotas).
func (q *Quota) IsExtra() bool { return q.extra }
