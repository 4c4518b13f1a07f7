package postgres

import (
	"context"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// CreateAccount implements headroom.Store: ECONFLICT if the id exists.
func (s *Store) CreateAccount(ctx context.Context, a headroom.Account, audit headroom.AuditEntry) error {
	a.Created = dbcodec.NormTime(a.Created)
	return s.write(ctx, "create account "+a.ID, func(w *wtx) error {
		n, err := w.exec("INSERT INTO accounts (id, created, partner) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
			a.ID, dbcodec.EncTime(a.Created), a.Partner)
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ECONFLICT, "account %s already exists", a.ID)
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		if err := notifyChange(w, change{What: "account", ID: a.ID}); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.putAccount(a) })
		return nil
	})
}

// FindAccount implements headroom.Store, from memory: EUNKNOWNACCOUNT if
// the account does not exist.
func (s *Store) FindAccount(ctx context.Context, id string) (headroom.Account, error) {
	if s.closed.Load() {
		return headroom.Account{}, errClosed
	}
	if a, ok := s.cache.account(id); ok {
		return a, nil
	}
	// Not cached: perhaps created on another node a moment ago, its
	// notification still on the way. Accounts never change once created,
	// so what the table holds can be cached at once.
	var l []headroom.Account
	err := s.read(ctx, "find account", func(ctx context.Context, q querier) (err error) {
		l, err = queryAccounts(ctx, q, "SELECT id, created, partner FROM accounts WHERE id = $1", id)
		return err
	})
	if err != nil {
		return headroom.Account{}, err
	}
	if len(l) == 0 {
		return headroom.Account{}, unknownAccount(id)
	}
	s.cache.putAccount(l[0])
	return l[0], nil
}

func scanAccount(r pgx.Row) (headroom.Account, error) {
	var a headroom.Account
	var created int64
	err := r.Scan(&a.ID, &created, &a.Partner)
	a.Created = dbcodec.DecTime(created)
	return a, err
}

func queryAccounts(ctx context.Context, q querier, sql string, args ...any) ([]headroom.Account, error) {
	return collect(ctx, q, scanAccount, sql, args...)
}

// ListAccounts implements headroom.Store.
func (s *Store) ListAccounts(ctx context.Context) ([]headroom.Account, error) {
	var out []headroom.Account
	err := s.read(ctx, "list accounts", func(ctx context.Context, q querier) (err error) {
		out, err = queryAccounts(ctx, q, "SELECT id, created, partner FROM accounts ORDER BY id")
		return err
	})
	return out, err
}

// accountExists reports whether the account is in the database, as this
// transaction sees it.
func accountExists(w *wtx, id string) error {
	var one int
	err := w.row("SELECT 1 FROM accounts WHERE id = $1", id).Scan(&one)
	if noRows(err) {
		return unknownAccount(id)
	}
	return err
}

const overrideSelect = "SELECT account, code, scope, value, allow, deny, updated_by, updated_at FROM overrides"

func scanOverride(r pgx.Row) (headroom.Override, error) {
	var o headroom.Override
	var value *float64
	var allow, deny string
	var at int64
	if err := r.Scan(&o.Account, &o.Code, &o.Scope, &value, &allow, &deny, &o.UpdatedBy, &at); err != nil {
		return o, err
	}
	o.Value = dbcodec.DecFloat(value)
	o.UpdatedAt = dbcodec.DecTime(at)
	var err error
	if o.Allow, err = dbcodec.DecList(allow); err != nil {
		return o, err
	}
	o.Deny, err = dbcodec.DecList(deny)
	return o, err
}

func queryOverrides(ctx context.Context, q querier, sql string, args ...any) ([]headroom.Override, error) {
	return collect(ctx, q, scanOverride, sql, args...)
}

// normOverride returns o as it comes back from the database.
func normOverride(o headroom.Override) headroom.Override {
	o.Allow, o.Deny = dbcodec.CopyList(o.Allow), dbcodec.CopyList(o.Deny)
	o.UpdatedAt = dbcodec.NormTime(o.UpdatedAt)
	return o
}

// putOverride writes o in the transaction, notifies the other Stores and
// updates the cache on commit.
func (s *Store) putOverride(w *wtx, o headroom.Override) error {
	if err := accountExists(w, o.Account); err != nil {
		return err
	}
	o = normOverride(o)
	_, err := w.exec(`INSERT INTO overrides (account, code, scope, value, allow, deny, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (account, code, scope) DO UPDATE SET value = excluded.value, allow = excluded.allow,
			deny = excluded.deny, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		o.Account, o.Code, o.Scope, dbcodec.EncFloat(o.Value), dbcodec.EncList(o.Allow), dbcodec.EncList(o.Deny), o.UpdatedBy, dbcodec.EncTime(o.UpdatedAt))
	if err != nil {
		return err
	}
	if err := notifyChange(w, change{What: "override", Account: o.Account, Code: o.Code}); err != nil {
		return err
	}
	w.onCommit(func() { s.cache.putOverride(o) })
	return nil
}

// PutOverride implements headroom.Store: EUNKNOWNACCOUNT if the account
// does not exist.
func (s *Store) PutOverride(ctx context.Context, o headroom.Override, audit headroom.AuditEntry) error {
	return s.write(ctx, "put override", func(w *wtx) error {
		if err := s.putOverride(w, o); err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// DeleteOverride implements headroom.Store: ENOTFOUND if there is no such
// override.
func (s *Store) DeleteOverride(ctx context.Context, account, code, scope string, audit headroom.AuditEntry) error {
	return s.write(ctx, "delete override", func(w *wtx) error {
		n, err := w.exec("DELETE FROM overrides WHERE account = $1 AND code = $2 AND scope = $3", account, code, scope)
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "no override of %s in %s", code, headroom.DescribeScope(account, scope))
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		if err := notifyChange(w, change{What: "override", Account: account, Code: code}); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.deleteOverride(account, code, scope) })
		return nil
	})
}

// FindOverrides implements headroom.Store, from memory. The slice it
// returns is shared and must not be modified.
func (s *Store) FindOverrides(_ context.Context, account, code string) ([]headroom.Override, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	return s.cache.overridesOf(account, code), nil
}

// ListOverrides implements headroom.Store.
func (s *Store) ListOverrides(ctx context.Context, account string) ([]headroom.Override, error) {
	var out []headroom.Override
	err := s.read(ctx, "list overrides", func(ctx context.Context, q querier) (err error) {
		out, err = queryOverrides(ctx, q, overrideSelect+" WHERE account = $1 ORDER BY code, scope", account)
		return err
	})
	return out, err
}
