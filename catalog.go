package headroom

import (
	"fmt"
	"sort"
	"strings"
)

// Catalog is an immutable, indexed set of quota definitions. It is safe for
// concurrent use. Build one with NewCatalog, or load one from a file with the
// catalog package.
type Catalog struct {
	quotas []*Quota
	byCode map[string]*Quota
	// byOperation maps "api:Operation" to the rate quota throttling it.
	byOperation map[string]*Quota
	// fallback maps an api to its "api:*" rate quota.
	fallback map[string]*Quota
}

// NewCatalog validates the quotas and indexes them. It returns an *Error of
// code EINVALID naming the quota and field of the first problem: an invalid
// quota, a duplicate code, or an operation claimed by two rate quotas.
func NewCatalog(quotas []Quota) (*Catalog, error) {
	c := &Catalog{
		byCode:      make(map[string]*Quota, len(quotas)),
		byOperation: map[string]*Quota{},
		fallback:    map[string]*Quota{},
	}
	for i := range quotas {
		q := quotas[i]
		if err := q.Validate(); err != nil {
			return nil, fmt.Errorf("quota %s: %w", q.Code, err)
		}
		if _, dup := c.byCode[q.Code]; dup {
			return nil, fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("code", "duplicate code %s", q.Code))
		}
		qp := &q
		qp.kindRule = ruleFor(q.Kind)
		c.quotas = append(c.quotas, qp)
		c.byCode[q.Code] = qp
		for _, op := range q.Operations {
			api, name, ok := strings.Cut(op, ":")
			if !ok || api == "" || name == "" {
				return nil, fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("operations", "%q must be api:Operation or api:*", op))
			}
			if name == "*" {
				if other, dup := c.fallback[api]; dup {
					return nil, fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("operations", "api %s already has a fallback rate quota %s", api, other.Code))
				}
				c.fallback[api] = qp
				continue
			}
			k := op
			if other, dup := c.byOperation[k]; dup {
				return nil, fmt.Errorf("quota %s: %w", q.Code, FieldErrorf("operations", "operation %s is already throttled by %s", op, other.Code))
			}
			c.byOperation[k] = qp
		}
	}
	return c, nil
}

// Quota returns the quota with the given code, or an *Error of code
// EUNKNOWNQUOTA.
func (c *Catalog) Quota(code string) (*Quota, error) {
	q, ok := c.byCode[code]
	if !ok {
		return nil, &Error{Code: EUNKNOWNQUOTA, Field: "code", Message: fmt.Sprintf("no quota with code %q", code)}
	}
	return q, nil
}

// Quotas returns every quota in catalog order. The caller must not modify them.
func (c *Catalog) Quotas() []*Quota { return c.quotas }

// Services returns the service codes in the catalog, sorted.
func (c *Catalog) Services() []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range c.quotas {
		if !seen[q.Service] {
			seen[q.Service] = true
			out = append(out, q.Service)
		}
	}
	sort.Strings(out)
	return out
}

// RateQuotaFor returns the rate quota that throttles an operation of an API
// ("connect", "participant", "contact-lens", "profile"): the quota that names
// "api:Operation", else the API's "api:*" quota. It returns an *Error of code
// EUNKNOWNQUOTA if neither exists.
func (c *Catalog) RateQuotaFor(api, operation string) (*Quota, error) {
	if q, ok := c.byOperation[api+":"+operation]; ok {
		return q, nil
	}
	if q, ok := c.fallback[api]; ok {
		return q, nil
	}
	return nil, Errorf(EUNKNOWNQUOTA, "no rate quota throttles %s:%s", api, operation)
}
