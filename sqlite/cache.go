package sqlite

import (
	"sync"
	"sync/atomic"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// cache holds every account and override in memory, for FindAccount and
// FindOverrides, which the engine calls on every decision. The database is
// the truth: Open loads the cache from it, and the writer changes the cache
// only after the transaction that changed the database has committed (in
// wtx.onCommit functions, which run with mu held).
//
// Reads take no lock, so that decisions on many cores do not contend: the
// accounts are in a sync.Map, and each account's overrides are an immutable
// map that a write replaces whole. Accounts never change once created, and
// even a hundred thousand of them load in a fraction of a second.
type cache struct {
	mu       sync.Mutex // serializes changes; readers do not take it
	accounts sync.Map   // account id → *cachedAccount
}

// cachedAccount is one account and its overrides.
type cachedAccount struct {
	account headroom.Account
	// overrides maps a quota code to its overrides, one per scope. Neither
	// the map nor its slices are modified once stored, so FindOverrides
	// hands the slices out without copying.
	overrides atomic.Pointer[map[string][]headroom.Override]
}

// load fills the cache from the database. It runs before the writer starts.
func (c *cache) load(w *wtx) error {
	rows, err := w.query("SELECT id, created, partner FROM accounts")
	if err != nil {
		return err
	}
	for rows.Next() {
		var a headroom.Account
		var created int64
		if err := rows.Scan(&a.ID, &created, &a.Partner); err != nil {
			rows.Close()
			return err
		}
		a.Created = dbcodec.DecTime(created)
		c.accounts.Store(a.ID, &cachedAccount{account: a})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = w.query(overrideSelect + " ORDER BY account, code, scope")
	if err != nil {
		return err
	}
	defer rows.Close()
	byAccount := map[string]map[string][]headroom.Override{}
	for rows.Next() {
		o, err := scanOverride(rows)
		if err != nil {
			return err
		}
		m := byAccount[o.Account]
		if m == nil {
			m = map[string][]headroom.Override{}
			byAccount[o.Account] = m
		}
		m[o.Code] = append(m[o.Code], o)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, m := range byAccount {
		if e := c.entry(id); e != nil {
			e.overrides.Store(&m)
		}
	}
	return nil
}

func (c *cache) entry(id string) *cachedAccount {
	e, ok := c.accounts.Load(id)
	if !ok {
		return nil
	}
	return e.(*cachedAccount)
}

func (c *cache) account(id string) (headroom.Account, bool) {
	if e := c.entry(id); e != nil {
		return e.account, true
	}
	return headroom.Account{}, false
}

func (c *cache) overridesOf(account, code string) []headroom.Override {
	e := c.entry(account)
	if e == nil {
		return nil
	}
	if m := e.overrides.Load(); m != nil {
		return (*m)[code]
	}
	return nil
}

// putAccountLocked records a committed account; mu must be held.
func (c *cache) putAccountLocked(a headroom.Account) {
	c.accounts.Store(a.ID, &cachedAccount{account: a})
}

// changeOverridesLocked replaces the overrides of (account, code) with
// change(old); mu must be held.
func (c *cache) changeOverridesLocked(account, code string, change func(old []headroom.Override) []headroom.Override) {
	e := c.entry(account)
	if e == nil {
		return // cannot happen: overrides need an account, and accounts stay
	}
	next := map[string][]headroom.Override{}
	if old := e.overrides.Load(); old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	if l := change(next[code]); len(l) > 0 {
		next[code] = l
	} else {
		delete(next, code)
	}
	e.overrides.Store(&next)
}

// putOverrideLocked records a committed override, replacing the one of the
// same scope; mu must be held.
func (c *cache) putOverrideLocked(o headroom.Override) {
	c.changeOverridesLocked(o.Account, o.Code, func(old []headroom.Override) []headroom.Override {
		next := make([]headroom.Override, 0, len(old)+1)
		for _, x := range old {
			if x.Scope != o.Scope {
				next = append(next, x)
			}
		}
		return append(next, o)
	})
}

// deleteOverrideLocked forgets a deleted override; mu must be held.
func (c *cache) deleteOverrideLocked(account, code, scope string) {
	c.changeOverridesLocked(account, code, func(old []headroom.Override) []headroom.Override {
		next := make([]headroom.Override, 0, len(old))
		for _, x := range old {
			if x.Scope != scope {
				next = append(next, x)
			}
		}
		return next
	})
}
