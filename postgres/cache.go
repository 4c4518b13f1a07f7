package postgres

import (
	"context"
	"sync"

	"github.com/headroomhq/headroom"
	"github.com/jackc/pgx/v5"
)

// cache holds every account, override, access key and API token in memory,
// for FindAccount, FindOverrides, FindAccessKey and FindToken, which the
// engine calls on every decision. The database is the truth: Open and every
// reconnection of the listening connection load the whole cache from it, a
// write of this Store changes it once its transaction has committed, and a
// notification of a write of another Store reloads what it names.
//
// The maps are replaced or changed only under mu; the override slices are
// never modified once stored, so FindOverrides hands them out without
// copying.
type cache struct {
	mu        sync.RWMutex
	accounts  map[string]headroom.Account
	overrides map[string]map[string][]headroom.Override // account → code → one per scope
	keys      map[string]headroom.AccessKey             // secrets opened
	tokens    map[string]headroom.Token                 // by string(Hash)
}

func (c *cache) account(id string) (headroom.Account, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.accounts[id]
	return a, ok
}

func (c *cache) overridesOf(account, code string) []headroom.Override {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.overrides[account][code]
}

func (c *cache) key(id string) (headroom.AccessKey, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.keys[id]
	return k, ok
}

func (c *cache) token(hash []byte) (headroom.Token, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.tokens[string(hash)]
	return t, ok
}

func (c *cache) putAccount(a headroom.Account) {
	c.mu.Lock()
	c.accounts[a.ID] = a
	c.mu.Unlock()
}

func (c *cache) putKey(k headroom.AccessKey) {
	c.mu.Lock()
	c.keys[k.ID] = k
	c.mu.Unlock()
}

// setOverrides replaces the overrides of (account, code).
func (c *cache) setOverrides(account, code string, l []headroom.Override) {
	c.changeOverrides(account, code, func([]headroom.Override) []headroom.Override { return l })
}

// changeOverrides replaces the overrides of (account, code) with
// change(old), under mu, so that changes of one quota do not lose each
// other.
func (c *cache) changeOverrides(account, code string, change func(old []headroom.Override) []headroom.Override) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.overrides[account]
	if m == nil {
		m = map[string][]headroom.Override{}
		c.overrides[account] = m
	}
	if l := change(m[code]); len(l) > 0 {
		m[code] = l
	} else {
		delete(m, code)
	}
}

// putOverride records a committed override, replacing the one of the same
// scope.
func (c *cache) putOverride(o headroom.Override) {
	c.changeOverrides(o.Account, o.Code, func(old []headroom.Override) []headroom.Override {
		next := make([]headroom.Override, 0, len(old)+1)
		for _, x := range old {
			if x.Scope != o.Scope {
				next = append(next, x)
			}
		}
		return append(next, o)
	})
}

// deleteOverride forgets a deleted override.
func (c *cache) deleteOverride(account, code, scope string) {
	c.changeOverrides(account, code, func(old []headroom.Override) []headroom.Override {
		next := make([]headroom.Override, 0, len(old))
		for _, x := range old {
			if x.Scope != scope {
				next = append(next, x)
			}
		}
		return next
	})
}

func (c *cache) putToken(t headroom.Token) {
	c.mu.Lock()
	c.tokens[string(t.Hash)] = t
	c.mu.Unlock()
}

func (c *cache) deleteToken(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, t := range c.tokens {
		if t.ID == id {
			delete(c.tokens, h)
		}
	}
}

// setTokens replaces every token.
func (c *cache) setTokens(l []headroom.Token) {
	m := make(map[string]headroom.Token, len(l))
	for _, t := range l {
		m[string(t.Hash)] = t
	}
	c.mu.Lock()
	c.tokens = m
	c.mu.Unlock()
}

// loadAll reads the whole cache from the database and replaces it.
func (s *Store) loadAll(ctx context.Context, q querier) error {
	accounts, err := queryAccounts(ctx, q, "SELECT id, created, partner FROM accounts")
	if err != nil {
		return err
	}
	overrides, err := queryOverrides(ctx, q, overrideSelect)
	if err != nil {
		return err
	}
	keys, err := s.queryKeys(ctx, q, accessKeySelect)
	if err != nil {
		return err
	}
	tokens, err := queryTokens(ctx, q, tokenSelect)
	if err != nil {
		return err
	}
	am := make(map[string]headroom.Account, len(accounts))
	for _, a := range accounts {
		am[a.ID] = a
	}
	om := map[string]map[string][]headroom.Override{}
	for _, o := range overrides {
		m := om[o.Account]
		if m == nil {
			m = map[string][]headroom.Override{}
			om[o.Account] = m
		}
		m[o.Code] = append(m[o.Code], o)
	}
	km := make(map[string]headroom.AccessKey, len(keys))
	for _, k := range keys {
		km[k.ID] = k
	}
	tm := make(map[string]headroom.Token, len(tokens))
	for _, t := range tokens {
		tm[string(t.Hash)] = t
	}
	s.cache.mu.Lock()
	s.cache.accounts, s.cache.overrides, s.cache.keys, s.cache.tokens = am, om, km, tm
	s.cache.mu.Unlock()
	s.reloads.Add(1)
	return nil
}

// change is the payload of a change notification: what changed.
type change struct {
	// What is "account", "override", "key" or "tokens".
	What    string `json:"what"`
	Account string `json:"account,omitempty"`
	Code    string `json:"code,omitempty"`
	ID      string `json:"id,omitempty"`
}

// reload reads again from the database what a change notification names.
func (s *Store) reload(ctx context.Context, q querier, c change) error {
	switch c.What {
	case "account":
		l, err := queryAccounts(ctx, q, "SELECT id, created, partner FROM accounts WHERE id = $1", c.ID)
		if err != nil {
			return err
		}
		for _, a := range l {
			s.cache.putAccount(a)
		}
	case "override":
		l, err := queryOverrides(ctx, q, overrideSelect+" WHERE account = $1 AND code = $2 ORDER BY scope", c.Account, c.Code)
		if err != nil {
			return err
		}
		s.cache.setOverrides(c.Account, c.Code, l)
	case "key":
		l, err := s.queryKeys(ctx, q, accessKeySelect+" WHERE id = $1", c.ID)
		if err != nil {
			return err
		}
		for _, k := range l {
			s.cache.putKey(k)
		}
	case "tokens":
		l, err := queryTokens(ctx, q, tokenSelect)
		if err != nil {
			return err
		}
		s.cache.setTokens(l)
	default:
		return s.loadAll(ctx, q)
	}
	return nil
}

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, q querier, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}
