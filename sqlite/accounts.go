package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// CreateAccount implements headroom.Store: ECONFLICT if the id exists.
func (s *Store) CreateAccount(ctx context.Context, a headroom.Account, audit headroom.AuditEntry) error {
	a.Created = dbcodec.NormTime(a.Created)
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("INSERT INTO accounts (id, created, partner) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			a.ID, dbcodec.EncTime(a.Created), a.Partner)
		if err != nil {
			return s.backendError("create account "+a.ID, err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ECONFLICT, "account %s already exists", a.ID)
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.putAccountLocked(a) })
		return nil
	})
}

// FindAccount implements headroom.Store, from memory: EUNKNOWNACCOUNT if
// the account does not exist.
func (s *Store) FindAccount(_ context.Context, id string) (headroom.Account, error) {
	if s.closed.Load() {
		return headroom.Account{}, errClosed
	}
	a, ok := s.cache.account(id)
	if !ok {
		return headroom.Account{}, unknownAccount(id)
	}
	return a, nil
}

// ListAccounts implements headroom.Store.
func (s *Store) ListAccounts(ctx context.Context) ([]headroom.Account, error) {
	rows, err := s.readRows(ctx, "SELECT id, created, partner FROM accounts ORDER BY id")
	if err != nil {
		return nil, s.backendError("list accounts", err)
	}
	defer rows.Close()
	var out []headroom.Account
	for rows.Next() {
		var a headroom.Account
		var created int64
		if err := rows.Scan(&a.ID, &created, &a.Partner); err != nil {
			return nil, s.backendError("list accounts", err)
		}
		a.Created = dbcodec.DecTime(created)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list accounts", err)
	}
	return out, nil
}

// accountExists reports whether the account is in the database, as this
// transaction sees it.
func accountExists(w *wtx, id string) error {
	var one int
	err := w.row("SELECT 1 FROM accounts WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return unknownAccount(id)
	}
	if err != nil {
		return w.backendError("find account "+id, err)
	}
	return nil
}

const overrideSelect = "SELECT account, code, scope, value, allow, deny, updated_by, updated_at FROM overrides"

// scanOverride reads a row of overrideSelect.
func scanOverride(rows *sql.Rows) (headroom.Override, error) {
	var o headroom.Override
	var value sql.NullFloat64
	var allow, deny string
	var at int64
	if err := rows.Scan(&o.Account, &o.Code, &o.Scope, &value, &allow, &deny, &o.UpdatedBy, &at); err != nil {
		return o, err
	}
	o.Value = decFloat(value)
	o.UpdatedAt = dbcodec.DecTime(at)
	var err error
	if o.Allow, err = dbcodec.DecList(allow); err != nil {
		return o, err
	}
	o.Deny, err = dbcodec.DecList(deny)
	return o, err
}

// decFloat reads a REAL column; SQLite stores NaN as NULL.
func decFloat(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}

// normOverride returns o as it comes back from the database.
func normOverride(o headroom.Override) headroom.Override {
	o.Allow, o.Deny = dbcodec.CopyList(o.Allow), dbcodec.CopyList(o.Deny)
	o.UpdatedAt = dbcodec.NormTime(o.UpdatedAt)
	return o
}

// putOverride writes o in the transaction and updates the cache on commit.
func (s *Store) putOverride(w *wtx, o headroom.Override) error {
	if err := accountExists(w, o.Account); err != nil {
		return err
	}
	o = normOverride(o)
	_, err := w.exec(`INSERT INTO overrides (account, code, scope, value, allow, deny, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account, code, scope) DO UPDATE SET value = excluded.value, allow = excluded.allow,
			deny = excluded.deny, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		o.Account, o.Code, o.Scope, o.Value, dbcodec.EncList(o.Allow), dbcodec.EncList(o.Deny), o.UpdatedBy, dbcodec.EncTime(o.UpdatedAt))
	if err != nil {
		return s.backendError("put override", err)
	}
	w.onCommit(func() { s.cache.putOverrideLocked(o) })
	return nil
}

// PutOverride implements headroom.Store: EUNKNOWNACCOUNT if the account
// does not exist.
func (s *Store) PutOverride(ctx context.Context, o headroom.Override, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		if err := s.putOverride(w, o); err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// DeleteOverride implements headroom.Store: ENOTFOUND if there is no such
// override.
func (s *Store) DeleteOverride(ctx context.Context, account, code, scope string, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("DELETE FROM overrides WHERE account = ? AND code = ? AND scope = ?", account, code, scope)
		if err != nil {
			return s.backendError("delete override", err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "no override of %s in %s", code, headroom.DescribeScope(account, scope))
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		w.onCommit(func() { s.cache.deleteOverrideLocked(account, code, scope) })
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
	rows, err := s.readRows(ctx, overrideSelect+" WHERE account = ? ORDER BY code, scope", account)
	if err != nil {
		return nil, s.backendError("list overrides", err)
	}
	defer rows.Close()
	var out []headroom.Override
	for rows.Next() {
		o, err := scanOverride(rows)
		if err != nil {
			return nil, s.backendError("list overrides", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list overrides", err)
	}
	return out, nil
}
