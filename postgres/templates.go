package postgres

import (
	"context"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// settingTemplateAssociated is the settings row that records whether the
// quota request template is associated: "1" or "0".
const settingTemplateAssociated = "template_associated"

// PutTemplateEntry implements headroom.Store: it creates or replaces the
// entry for (service, code, region).
func (s *Store) PutTemplateEntry(ctx context.Context, e headroom.TemplateEntry, audit headroom.AuditEntry) error {
	return s.write(ctx, "put template entry", func(w *wtx) error {
		_, err := w.exec(`INSERT INTO template_entries (service, code, region, desired_value) VALUES ($1, $2, $3, $4)
			ON CONFLICT (service, code, region) DO UPDATE SET desired_value = excluded.desired_value`,
			e.Service, e.Code, e.Region, dbcodec.EncFloat(e.DesiredValue))
		if err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// DeleteTemplateEntry implements headroom.Store: ENOTFOUND if there is no
// such entry.
func (s *Store) DeleteTemplateEntry(ctx context.Context, service, code, region string, audit headroom.AuditEntry) error {
	return s.write(ctx, "delete template entry", func(w *wtx) error {
		n, err := w.exec("DELETE FROM template_entries WHERE service = $1 AND code = $2 AND region = $3", service, code, region)
		if err != nil {
			return err
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
	var out []headroom.TemplateEntry
	err := s.read(ctx, "list template entries", func(ctx context.Context, q querier) (err error) {
		out, err = collect(ctx, q, func(r pgx.Row) (headroom.TemplateEntry, error) {
			var e headroom.TemplateEntry
			var v *float64
			err := r.Scan(&e.Service, &e.Code, &e.Region, &v)
			e.DesiredValue = dbcodec.DecFloat(v)
			return e, err
		}, "SELECT service, code, region, desired_value FROM template_entries ORDER BY service, code, region")
		return err
	})
	if err == nil && out == nil {
		out = []headroom.TemplateEntry{}
	}
	return out, err
}

// SetTemplateAssociated implements headroom.Store.
func (s *Store) SetTemplateAssociated(ctx context.Context, on bool, audit headroom.AuditEntry) error {
	v := "0"
	if on {
		v = "1"
	}
	return s.write(ctx, "set template association", func(w *wtx) error {
		_, err := w.exec("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			settingTemplateAssociated, v)
		if err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// TemplateAssociated implements headroom.Store; false until first set.
func (s *Store) TemplateAssociated(ctx context.Context) (bool, error) {
	var v string
	err := s.read(ctx, "read template association", func(ctx context.Context, q querier) error {
		err := q.QueryRow(ctx, "SELECT value FROM settings WHERE name = $1", settingTemplateAssociated).Scan(&v)
		if noRows(err) {
			return nil
		}
		return err
	})
	return v == "1", err
}
