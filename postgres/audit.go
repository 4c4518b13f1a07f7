package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// appendAudit appends e in the transaction. An entry without an action
// records nothing, as in every Store.
func appendAudit(w *wtx, e headroom.AuditEntry) error {
	if e.Action == "" {
		return nil
	}
	_, err := w.exec("INSERT INTO audit (time, actor, account, action, code, scope, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		dbcodec.EncTime(e.Time), e.Actor, e.Account, e.Action, e.Code, e.Scope, e.Detail)
	return err
}

// AppendAudit implements headroom.Store.
func (s *Store) AppendAudit(ctx context.Context, e headroom.AuditEntry) error {
	if e.Action == "" {
		return nil
	}
	return s.write(ctx, "append audit", func(w *wtx) error { return appendAudit(w, e) })
}

// ListAudit implements headroom.Store.
func (s *Store) ListAudit(ctx context.Context, f headroom.AuditFilter) ([]headroom.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var q strings.Builder
	q.WriteString("SELECT id, time, actor, account, action, code, scope, detail FROM audit WHERE id > $1")
	args := []any{f.AfterID}
	if f.Account != "" {
		args = append(args, f.Account)
		fmt.Fprintf(&q, " AND account = $%d", len(args))
	}
	if f.Code != "" {
		args = append(args, f.Code)
		fmt.Fprintf(&q, " AND code = $%d", len(args))
	}
	args = append(args, limit)
	fmt.Fprintf(&q, " ORDER BY id LIMIT $%d", len(args))
	var out []headroom.AuditEntry
	err := s.read(ctx, "list audit", func(ctx context.Context, qr querier) (err error) {
		out, err = collect(ctx, qr, func(r pgx.Row) (headroom.AuditEntry, error) {
			var e headroom.AuditEntry
			var at int64
			err := r.Scan(&e.ID, &at, &e.Actor, &e.Account, &e.Action, &e.Code, &e.Scope, &e.Detail)
			e.Time = dbcodec.DecTime(at)
			return e, err
		}, q.String(), args...)
		return err
	})
	return out, err
}
