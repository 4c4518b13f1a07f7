package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/memory"
	sqlite3 "modernc.org/sqlite/lib"
)

// errHoldRefused undoes a CreateResource whose hold the limit refused: the
// writer rolls back the op's savepoint, insert included, and CreateResource
// answers Applied false. It never reaches a caller.
var errHoldRefused = errors.New("sqlite store: the hold was refused")

const resourceSelect = "SELECT account, kind, id, parent, name, data, created, updated FROM resources"

func scanResource(sc interface{ Scan(...any) error }) (headroom.Resource, error) {
	var r headroom.Resource
	var created, updated int64
	if err := sc.Scan(&r.Account, &r.Kind, &r.ID, &r.Parent, &r.Name, &r.Data, &created, &updated); err != nil {
		return r, err
	}
	if len(r.Data) == 0 {
		r.Data = nil
	}
	r.Created, r.Updated = dec(created), dec(updated)
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
// replayed hold, inserts the resource (ECONFLICT if its id or name is
// taken), applies the hold with the same conditional statement as Reserve
// and appends audit. A refused hold rolls the insert back with the rest of
// the op, so the call returns Applied false having stored nothing.
func (s *Store) CreateResource(ctx context.Context, r headroom.Resource, hold *headroom.CountChange, audit headroom.AuditEntry) (headroom.CountResult, error) {
	if err := memory.CheckResource(r); err != nil {
		return headroom.CountResult{}, err
	}
	var res headroom.CountResult
	err := s.write(ctx, func(w *wtx) error {
		res = headroom.CountResult{Applied: true}
		if hold != nil {
			r0, done, err := replay(w, opReserve, *hold)
			if done || err != nil {
				res = r0
				return err
			}
		}
		n, err := w.execN(`INSERT INTO resources (account, kind, id, parent, name, data, created, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.Account, r.Kind, r.ID, r.Parent, r.Name, encData(r.Data), enc(r.Created), enc(r.Updated))
		if err != nil {
			return backendError("create resource", err)
		}
		if n == 0 {
			return resourceConflict(w, r)
		}
		if hold != nil {
			if res, err = reserveNew(w, *hold); err != nil {
				return err
			}
			if !res.Applied {
				return errHoldRefused
			}
		}
		return appendAudit(w, audit)
	})
	if errors.Is(err, errHoldRefused) {
		return res, nil
	}
	if err != nil {
		return headroom.CountResult{}, err
	}
	return res, nil
}

// resourceConflict returns the error for r, whose insert or update clashed
// with a uniqueness constraint: its id, or its name under its parent.
func resourceConflict(w *wtx, r headroom.Resource) error {
	var one int
	err := w.row("SELECT 1 FROM resources WHERE account = ? AND kind = ? AND id = ?", r.Account, r.Kind, r.ID).Scan(&one)
	if err == nil {
		return memory.ResourceExists(r)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return backendError("create resource", err)
	}
	return nameConflict(w, r)
}

// nameConflict returns the error for r's name, taken under r.Parent.
func nameConflict(w *wtx, r headroom.Resource) error {
	var id string
	err := w.row("SELECT id FROM resources WHERE account = ? AND kind = ? AND parent = ? AND name = ? AND name <> ''",
		r.Account, r.Kind, r.Parent, r.Name).Scan(&id)
	if err != nil {
		return backendError("find the resource with a name", err)
	}
	return memory.ResourceNameTaken(r, id)
}

// UpdateResource implements headroom.Store: it replaces the Name, Data
// and Updated of a resource, which keeps its Parent and Created.
func (s *Store) UpdateResource(ctx context.Context, r headroom.Resource, hold, free *headroom.CountChange) (headroom.CountResult, error) {
	var res headroom.CountResult
	err := s.write(ctx, func(w *wtx) error {
		res = headroom.CountResult{Applied: true}
		n, err := w.execN("UPDATE resources SET name = ?, data = ?, updated = ? WHERE account = ? AND kind = ? AND id = ?",
			r.Name, encData(r.Data), enc(r.Updated), r.Account, r.Kind, r.ID)
		if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT {
			// Only the name can clash: the id is the row's own.
			if err := w.row("SELECT parent FROM resources WHERE account = ? AND kind = ? AND id = ?",
				r.Account, r.Kind, r.ID).Scan(&r.Parent); err != nil {
				return backendError("update resource", err)
			}
			return nameConflict(w, r)
		}
		if err != nil {
			return backendError("update resource", err)
		}
		if n == 0 {
			return memory.ResourceNotFound(r.Account, r.Kind, r.ID)
		}
		if hold != nil {
			r0, done, err := replay(w, opReserve, *hold)
			if err != nil {
				return err
			}
			if done {
				// This update's hold was applied before: keep what was
				// stored then.
				res = r0
				return errHoldRefused
			}
			if res, err = reserveNew(w, *hold); err != nil {
				return err
			}
			if !res.Applied {
				return errHoldRefused // rolls the update back
			}
		}
		if free != nil {
			if _, err := release(w, *free); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errHoldRefused) {
		return res, nil
	}
	if err != nil {
		return headroom.CountResult{}, err
	}
	return res, nil
}

// DeleteResource implements headroom.Store: in one write it deletes the
// resource (ENOTFOUND if there is none, and then nothing is freed),
// applies free as Release does and appends audit.
func (s *Store) DeleteResource(ctx context.Context, account, kind, id string, free *headroom.CountChange, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("DELETE FROM resources WHERE account = ? AND kind = ? AND id = ?", account, kind, id)
		if err != nil {
			return backendError("delete resource", err)
		}
		if n == 0 {
			return memory.ResourceNotFound(account, kind, id)
		}
		if free != nil {
			if _, err := release(w, *free); err != nil {
				return err
			}
		}
		return appendAudit(w, audit)
	})
}

// FindResource implements headroom.Store: ENOTFOUND if there is no such
// resource.
func (s *Store) FindResource(ctx context.Context, account, kind, id string) (headroom.Resource, error) {
	r, err := scanResource(s.readRow(ctx, resourceSelect+" WHERE account = ? AND kind = ? AND id = ?", account, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return headroom.Resource{}, memory.ResourceNotFound(account, kind, id)
	}
	if err != nil {
		return headroom.Resource{}, backendError("find resource", err)
	}
	return r, nil
}

// The listing queries: ?1 account, ?2 kind, ?3 after id, ?4 limit, ?5
// parent. The resource ?3 is looked up in the same statement, so the page
// comes from one snapshot; an id that names no resource compares as
// (math.MinInt64, ”), which is before every resource, since ids are not
// empty. Comparing with the row value (created, id) lets SQLite seek
// resources_list to the first row of the page rather than scan to it.
const (
	resourceListWhere = ` WHERE account = ?1 AND kind = ?2 AND (created, id) > (
		coalesce((SELECT created FROM resources WHERE account = ?1 AND kind = ?2 AND id = ?3), -9223372036854775808),
		coalesce((SELECT id FROM resources WHERE account = ?1 AND kind = ?2 AND id = ?3), ''))`
	resourceListOrder    = " ORDER BY created, id LIMIT ?4"
	resourceList         = resourceSelect + resourceListWhere + resourceListOrder
	resourceListChildren = resourceSelect + resourceListWhere + " AND parent = ?5" + resourceListOrder
)

// ListResources implements headroom.Store: the resources of f's account
// and kind (and parent, if set), ordered by Created then ID, after the
// resource f.AfterID if it exists. EINVALID without an account or kind.
func (s *Store) ListResources(ctx context.Context, f headroom.ResourceFilter) ([]headroom.Resource, error) {
	if err := memory.CheckResourceFilter(f); err != nil {
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
	rows, err := s.readRows(ctx, q, args...)
	if err != nil {
		return nil, backendError("list resources", err)
	}
	defer rows.Close()
	var out []headroom.Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, backendError("list resources", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, backendError("list resources", err)
	}
	return out, nil
}
