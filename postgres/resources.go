package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// errHoldRefused undoes a resource write whose hold or acquire the limit
// refused: the transaction rolls back, insert included, and the write
// answers Applied false. It never reaches a caller.
var errHoldRefused = fmt.Errorf("the hold was refused: %w", errRollback)

const resourceSelect = "SELECT account, kind, id, parent, name, data, created, updated, version, uses FROM resources"

func scanResource(sc pgx.Row) (headroom.Resource, error) {
	var r headroom.Resource
	var created, updated int64
	var uses string
	if err := sc.Scan(&r.Account, &r.Kind, &r.ID, &r.Parent, &r.Name, &r.Data, &created, &updated, &r.Version, &uses); err != nil {
		return r, err
	}
	if uses != "" {
		if err := json.Unmarshal([]byte(uses), &r.Uses); err != nil {
			return r, fmt.Errorf("resource %s %s: uses %q: %w", r.Kind, r.ID, uses, err)
		}
	}
	if len(r.Data) == 0 {
		r.Data = nil
	}
	r.Created, r.Updated = dbcodec.DecTime(created), dbcodec.DecTime(updated)
	return r, nil
}

// encData returns d as stored: a BLOB, never NULL.
func encData(d []byte) []byte {
	if d == nil {
		return []byte{}
	}
	return d
}

// CreateResource implements headroom.Store. In one write it answers a
// replayed token or hold, inserts the resource (ECONFLICT if its id or name
// is taken), applies the hold with the same conditional statement as
// Reserve, records the token and appends audit. A refused hold rolls the
// insert back with the rest of the op, so the call returns Applied false
// having stored nothing.
func (s *Store) CreateResource(ctx context.Context, r headroom.Resource, slots headroom.SlotChange, token *headroom.ResourceToken, audit headroom.AuditEntry) (headroom.ResourceResult, error) {
	if err := headroom.CheckResource(r); err != nil {
		return headroom.ResourceResult{}, err
	}
	var res headroom.ResourceResult
	err := s.write(ctx, "create resource", func(w *wtx) error {
		if err := w.lockAccount(r.Account); err != nil {
			return err
		}
		res = headroom.ResourceResult{Applied: true, ID: r.ID, Version: 1}
		if token != nil {
			done, err := replayToken(w, r, token, &res)
			if done || err != nil {
				return err
			}
		}
		if hold := slots.Hold; hold != nil {
			r0, done, err := replay(w, opReserve, *hold)
			if done || err != nil {
				res = resourceResult(r0, r.ID, 0)
				return err
			}
		}
		if r.ParentKind != "" {
			if err := mustExist(w, r.Account, r.ParentKind, r.Parent); err != nil {
				return err
			}
		}
		n, err := w.exec(`INSERT INTO resources (account, kind, id, parent, name, data, created, updated, version, uses)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) ON CONFLICT DO NOTHING`,
			r.Account, r.Kind, r.ID, r.Parent, r.Name, encData(r.Data), dbcodec.EncTime(r.Created), dbcodec.EncTime(r.Updated), encUses(r.Uses))
		if err != nil {
			return wrapErr("create resource", err)
		}
		if n == 0 {
			return resourceConflict(w, r)
		}
		if err := putUses(w, r); err != nil {
			return err
		}
		c, err := applySlots(w, slots, true)
		if err != nil {
			return err
		}
		res = resourceResult(c, r.ID, 1)
		if !c.Applied {
			res.Version = 0
			return errHoldRefused
		}
		if token != nil {
			_, err := w.exec(`INSERT INTO resource_tokens (account, key, hash, kind, id, created, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (account, key) DO UPDATE SET hash = excluded.hash, kind = excluded.kind, id = excluded.id,
				created = excluded.created, expires = excluded.expires`,
				r.Account, token.Key, token.Hash, r.Kind, r.ID, dbcodec.EncTime(r.Created), dbcodec.EncTime(token.Expires))
			if err != nil {
				return wrapErr("record resource token", err)
			}
		}
		return appendAudit(w, audit)
	})
	if errors.Is(err, errHoldRefused) {
		return res, nil
	}
	if err != nil {
		return headroom.ResourceResult{}, err
	}
	return res, nil
}

// replayToken answers a create whose token is live: done with the first
// request's resource in res for the same hash, EIDEMPOTENCY for another.
// A token that has expired is replaced by the create.
func replayToken(w *wtx, r headroom.Resource, token *headroom.ResourceToken, res *headroom.ResourceResult) (done bool, err error) {
	var hash, kind, id string
	var expires int64
	err = w.row("SELECT hash, kind, id, expires FROM resource_tokens WHERE account = $1 AND key = $2", r.Account, token.Key).
		Scan(&hash, &kind, &id, &expires)
	if noRows(err) || err == nil && expires <= dbcodec.EncTime(r.Created) {
		return false, nil
	}
	if err != nil {
		return false, wrapErr("read resource token", err)
	}
	if hash != token.Hash {
		return false, headroom.TokenReused(*token)
	}
	*res = headroom.ResourceResult{Applied: true, Replayed: true, ID: id}
	err = w.row("SELECT version FROM resources WHERE account = $1 AND kind = $2 AND id = $3", r.Account, kind, id).Scan(&res.Version)
	if err != nil && !noRows(err) {
		return false, wrapErr("read resource token", err)
	}
	return true, nil
}

func resourceResult(c headroom.CountResult, id string, version int64) headroom.ResourceResult {
	return headroom.ResourceResult{Applied: c.Applied, Used: c.Used, Replayed: c.Replayed, ID: id, Version: version}
}

// resourceConflict returns the error for r, whose insert or update clashed
// with a uniqueness constraint: its id, or its name under its parent.
func resourceConflict(w *wtx, r headroom.Resource) error {
	switch err := mustExist(w, r.Account, r.Kind, r.ID); headroom.ErrorCodeOf(err) {
	case "":
		return headroom.ResourceExists(r)
	case headroom.ENOTFOUND:
		return nameConflict(w, r)
	default:
		return err
	}
}

// mustExist returns nil if the resource exists in the transaction, and
// ENOTFOUND naming it if it does not.
func mustExist(w *wtx, account, kind, id string) error {
	var one int
	err := w.row("SELECT 1 FROM resources WHERE account = $1 AND kind = $2 AND id = $3", account, kind, id).Scan(&one)
	if noRows(err) {
		return headroom.ResourceNotFound(account, kind, id)
	}
	if err != nil {
		return wrapErr("find a resource", err)
	}
	return nil
}

// nameConflict returns the error for r's name, taken under r.Parent.
func nameConflict(w *wtx, r headroom.Resource) error {
	var id string
	err := w.row("SELECT id FROM resources WHERE account = $1 AND kind = $2 AND parent = $3 AND name = $4 AND name <> ''",
		r.Account, r.Kind, r.Parent, r.Name).Scan(&id)
	if err != nil {
		return wrapErr("find the resource with a name", err)
	}
	return headroom.ResourceNameTaken(r, id)
}

// UpdateResource implements headroom.Store: it replaces the Name, Data
// and Updated of a resource, which keeps its Parent and Created, if its
// version is still r.Version.
func (s *Store) UpdateResource(ctx context.Context, r headroom.Resource, slots headroom.SlotChange) (headroom.ResourceResult, error) {
	var res headroom.ResourceResult
	err := s.write(ctx, "update resource", func(w *wtx) error {
		if err := w.lockAccount(r.Account); err != nil {
			return err
		}
		res = headroom.ResourceResult{Applied: true, ID: r.ID, Version: r.Version + 1}
		var stored int64
		err := w.row("SELECT version, parent FROM resources WHERE account = $1 AND kind = $2 AND id = $3",
			r.Account, r.Kind, r.ID).Scan(&stored, &r.Parent)
		if noRows(err) {
			return headroom.ResourceNotFound(r.Account, r.Kind, r.ID)
		}
		if err != nil {
			return wrapErr("update resource", err)
		}
		if stored != r.Version {
			return headroom.ResourceChanged(r, stored)
		}
		if r.Name != "" {
			// Only the name can clash: the id is the row's own.
			var other string
			err := w.row("SELECT id FROM resources WHERE account = $1 AND kind = $2 AND parent = $3 AND name = $4 AND id <> $5",
				r.Account, r.Kind, r.Parent, r.Name, r.ID).Scan(&other)
			if err == nil {
				return headroom.ResourceNameTaken(r, other)
			}
			if !noRows(err) {
				return wrapErr("update resource", err)
			}
		}
		if _, err := w.exec("UPDATE resources SET name = $1, data = $2, updated = $3, uses = $4, version = version + 1 WHERE account = $5 AND kind = $6 AND id = $7",
			r.Name, encData(r.Data), dbcodec.EncTime(r.Updated), encUses(r.Uses), r.Account, r.Kind, r.ID); err != nil {
			return wrapErr("update resource", err)
		}
		if _, err := w.exec("DELETE FROM resource_uses WHERE account = $1 AND kind = $2 AND id = $3", r.Account, r.Kind, r.ID); err != nil {
			return wrapErr("update resource uses", err)
		}
		if err := putUses(w, r); err != nil {
			return err
		}
		if hold := slots.Hold; hold != nil {
			r0, done, err := replay(w, opReserve, *hold)
			if err != nil {
				return err
			}
			if done {
				// This update's hold was applied before: keep what was
				// stored then.
				res = resourceResult(r0, r.ID, r.Version)
				return errHoldRefused
			}
		}
		c, err := applySlots(w, slots, true)
		if err != nil {
			return err
		}
		res = resourceResult(c, r.ID, r.Version+1)
		if !c.Applied {
			res.Version = r.Version
			return errHoldRefused // rolls the update back
		}
		return nil
	})
	if errors.Is(err, errHoldRefused) {
		return res, nil
	}
	if err != nil {
		return headroom.ResourceResult{}, err
	}
	return res, nil
}

// applySlots applies a SlotChange in the transaction and returns the result
// of its hold or acquire; Applied false means the limit refused it, and the
// caller rolls the op back. fresh says a hold's idempotency key was
// already found new.
func applySlots(w *wtx, c headroom.SlotChange, fresh bool) (headroom.CountResult, error) {
	res := headroom.CountResult{Applied: true}
	var err error
	if h := c.Hold; h != nil {
		if fresh {
			res, err = reserveNew(w, *h)
		} else {
			res, err = reserve(w, *h)
		}
		if err != nil || !res.Applied {
			return res, err
		}
	}
	if f := c.Free; f != nil {
		if _, err := release(w, *f); err != nil {
			return res, err
		}
	}
	if a := c.Acquire; a != nil {
		l, err := acquireLease(w, *a)
		if err != nil {
			return res, err
		}
		res = headroom.CountResult{Applied: l.Applied, Used: l.Used}
		if !l.Applied {
			return res, nil
		}
	}
	for _, l := range c.Release {
		if _, err := releaseLease(w, l); err != nil {
			return res, err
		}
	}
	return res, nil
}

// encUses returns uses as the resources.uses column holds them.
func encUses(uses []headroom.ResourceRef) string {
	if len(uses) == 0 {
		return ""
	}
	b, _ := json.Marshal(uses)
	return string(b)
}

// putUses checks that every resource r uses exists (ENOTFOUND otherwise)
// and records the uses.
func putUses(w *wtx, r headroom.Resource) error {
	for _, u := range r.Uses {
		if err := mustExist(w, r.Account, u.Kind, u.ID); err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO resource_uses (account, kind, id, used_kind, used_id) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, r.Account, r.Kind, r.ID, u.Kind, u.ID); err != nil {
			return wrapErr("record a resource use", err)
		}
	}
	return nil
}

// DeleteResource implements headroom.Store: in one write it refuses a
// resource still in use (EINUSE), deletes the resource, its tokens and its
// uses (ENOTFOUND if there is none, and then nothing is freed), applies the
// slots' frees and releases and appends audit.
func (s *Store) DeleteResource(ctx context.Context, account, kind, id string, slots headroom.SlotChange, audit headroom.AuditEntry) error {
	slots.Hold, slots.Acquire = nil, nil
	return s.write(ctx, "delete resource", func(w *wtx) error {
		if err := w.lockAccount(account); err != nil {
			return err
		}
		var byKind, byID string
		err := w.row("SELECT kind, id FROM resource_uses WHERE account = $1 AND used_kind = $2 AND used_id = $3 ORDER BY kind, id LIMIT 1",
			account, kind, id).Scan(&byKind, &byID)
		if err == nil {
			return headroom.ResourceInUse(kind, id, headroom.ResourceRef{Kind: byKind, ID: byID})
		}
		if !noRows(err) {
			return wrapErr("find the uses of a resource", err)
		}
		if err := deleteResource(w, account, kind, id); err != nil {
			return err
		}
		if _, err := applySlots(w, slots, false); err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

func deleteResource(w *wtx, account, kind, id string) error {
	n, err := w.exec("DELETE FROM resources WHERE account = $1 AND kind = $2 AND id = $3", account, kind, id)
	if err != nil {
		return wrapErr("delete resource", err)
	}
	if n == 0 {
		return headroom.ResourceNotFound(account, kind, id)
	}
	if _, err := w.exec("DELETE FROM resource_tokens WHERE account = $1 AND kind = $2 AND id = $3", account, kind, id); err != nil {
		return wrapErr("delete resource tokens", err)
	}
	if _, err := w.exec("DELETE FROM resource_uses WHERE account = $1 AND (kind = $2 AND id = $3 OR used_kind = $4 AND used_id = $5)",
		account, kind, id, kind, id); err != nil {
		return wrapErr("delete resource uses", err)
	}
	return nil
}

// DeleteResourceTree implements headroom.Store: in one write it deletes the
// resource, its descendants and their tokens, the usage of scope and below,
// applies free and appends audit.
func (s *Store) DeleteResourceTree(ctx context.Context, account, kind, id, scope string, free *headroom.CountChange, audit headroom.AuditEntry) (int, error) {
	if scope == "" || scope == headroom.ScopeAccount {
		return 0, headroom.FieldErrorf("scope", "a resource tree is deleted with a scope below the account, not %q", scope)
	}
	return writeValue(s, ctx, "delete resource tree", func(w *wtx) (int, error) {
		if err := w.lockAccount(account); err != nil {
			return 0, err
		}
		if err := mustExist(w, account, kind, id); err != nil {
			return 0, err
		}
		if free != nil {
			if _, err := release(w, *free); err != nil {
				return 0, err
			}
		}
		rows, err := w.Query(w.ctx, `WITH RECURSIVE tree(kind, id) AS (SELECT $2::text COLLATE "C", $3::text COLLATE "C"
				UNION SELECT r.kind, r.id FROM resources r JOIN tree t ON r.account = $1 AND r.parent = t.id)
			SELECT kind, id FROM tree`, account, kind, id)
		if err != nil {
			return 0, wrapErr("delete resource tree", err)
		}
		var tree [][2]string
		for rows.Next() {
			var k, i string
			if err := rows.Scan(&k, &i); err != nil {
				rows.Close()
				return 0, wrapErr("delete resource tree", err)
			}
			tree = append(tree, [2]string{k, i})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, wrapErr("delete resource tree", err)
		}
		for _, n := range tree {
			if err := deleteResource(w, account, n[0], n[1]); err != nil {
				return 0, err
			}
		}
		// The scopes below scope are those in [scope+"/", scope+"0"): "0"
		// follows "/" in byte order.
		for _, table := range []string{"counts", "leases", "counters", "idempotency_keys"} {
			if _, err := w.exec("DELETE FROM "+table+" WHERE account = $1 AND (scope = $2 OR scope >= $3 AND scope < $4)",
				account, scope, scope+"/", scope+"0"); err != nil {
				return 0, wrapErr("delete resource tree usage", err)
			}
		}
		return len(tree), appendAudit(w, audit)
	})
}

// FindResource implements headroom.Store: ENOTFOUND if there is no such
// resource.
func (s *Store) FindResource(ctx context.Context, account, kind, id string) (headroom.Resource, error) {
	var r headroom.Resource
	err := s.read(ctx, "find resource", func(ctx context.Context, q querier) error {
		var err error
		r, err = scanResource(q.QueryRow(ctx, resourceSelect+" WHERE account = $1 AND kind = $2 AND id = $3", account, kind, id))
		if noRows(err) {
			return headroom.ResourceNotFound(account, kind, id)
		}
		return err
	})
	return r, err
}

// The listing queries: ?1 account, ?2 kind, ?3 after id, ?4 limit, ?5
// parent. The resource ?3 is looked up in the same statement, so the page
// comes from one snapshot; an id that names no resource compares as
// (math.MinInt64, ”), which is before every resource, since ids are not
// empty. Comparing with the row value (created, id) lets PostgreSQL seek
// resources_list to the first row of the page rather than scan to it.
const (
	resourceListWhere = ` WHERE account = $1 AND kind = $2 AND (created, id) > (
		coalesce((SELECT created FROM resources WHERE account = $1 AND kind = $2 AND id = $3), -9223372036854775808),
		coalesce((SELECT id FROM resources WHERE account = $1 AND kind = $2 AND id = $3), ''))`
	resourceListOrder    = " ORDER BY created, id LIMIT $4"
	resourceList         = resourceSelect + resourceListWhere + resourceListOrder
	resourceListChildren = resourceSelect + resourceListWhere + " AND parent = $5" + resourceListOrder
)

// ListResources implements headroom.Store: the resources of f's account
// and kind (and parent, if set), ordered by Created then ID, after the
// resource f.AfterID if it exists. EINVALID without an account or kind.
func (s *Store) ListResources(ctx context.Context, f headroom.ResourceFilter) ([]headroom.Resource, error) {
	if err := headroom.CheckResourceFilter(f); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	q, args := resourceList, []any{f.Account, f.Kind, f.AfterID, limit}
	if f.Parent != "" {
		q, args = resourceListChildren, append(args, f.Parent)
	}
	var out []headroom.Resource
	err := s.read(ctx, "list resources", func(ctx context.Context, qr querier) (err error) {
		out, err = collect(ctx, qr, scanResource, q, args...)
		return err
	})
	return out, err
}

// wrapErr says what failed, keeping err in the chain.
func wrapErr(what string, err error) error { return fmt.Errorf("%s: %w", what, err) }
