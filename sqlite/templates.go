package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headroomhq/headroom"
)

// settingTemplateAssociated is the settings row that records whether the
// quota request template is associated: "1" or "0".
const settingTemplateAssociated = "template_associated"

// PutTemplateEntry implements headroom.Store: it creates or replaces the
// entry for (service, code, region).
func (s *Store) PutTemplateEntry(ctx context.Context, e headroom.TemplateEntry, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		_, err := w.exec(`INSERT INTO template_entries (service, code, region, desired_value) VALUES (?, ?, ?, ?)
			ON CONFLICT (service, code, region) DO UPDATE SET desired_value = excluded.desired_value`,
			e.Service, e.Code, e.Region, e.DesiredValue)
		if err != nil {
			return s.backendError("put template entry", err)
		}
		return appendAudit(w, audit)
	})
}

// DeleteTemplateEntry implements headroom.Store: ENOTFOUND if there is no
// such entry.
func (s *Store) DeleteTemplateEntry(ctx context.Context, service, code, region string, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("DELETE FROM template_entries WHERE service = ? AND code = ? AND region = ?", service, code, region)
		if err != nil {
			return s.backendError("delete template entry", err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "the template has no entry for %s %s in %s", service, code, region)
		}
		return appendAudit(w, audit)
	})
}

// ListTemplateEntries implements headroom.Store: the entries ordered by
// service, code, region.
func (s *Store) ListTemplateEntries(ctx context.Context) ([]headroom.TemplateEntry, error) {
	rows, err := s.readRows(ctx, "SELECT service, code, region, desired_value FROM template_entries ORDER BY service, code, region")
	if err != nil {
		return nil, s.backendError("list template entries", err)
	}
	defer rows.Close()
	out := []headroom.TemplateEntry{}
	for rows.Next() {
		var e headroom.TemplateEntry
		var v sql.NullFloat64
		if err := rows.Scan(&e.Service, &e.Code, &e.Region, &v); err != nil {
			return nil, s.backendError("list template entries", err)
		}
		e.DesiredValue = decFloat(v)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list template entries", err)
	}
	return out, nil
}

// SetTemplateAssociated implements headroom.Store.
func (s *Store) SetTemplateAssociated(ctx context.Context, on bool, audit headroom.AuditEntry) error {
	v := "0"
	if on {
		v = "1"
	}
	return s.write(ctx, func(w *wtx) error {
		_, err := w.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			settingTemplateAssociated, v)
		if err != nil {
			return s.backendError("set template association", err)
		}
		return appendAudit(w, audit)
	})
}

// TemplateAssociated implements headroom.Store; false until first set.
func (s *Store) TemplateAssociated(ctx context.Context) (bool, error) {
	var v string
	err := s.readRow(ctx, "SELECT value FROM settings WHERE name = ?", settingTemplateAssociated).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.backendError("read template association", err)
	}
	return v == "1", nil
}
