package sqlite

import (
	"context"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// appendAudit appends e in the transaction. An entry without an action
// records nothing, as in every Store.
func appendAudit(w *wtx, e headroom.AuditEntry) error {
	if e.Action == "" {
		return nil
	}
	_, err := w.exec("INSERT INTO audit (time, actor, account, action, code, scope, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
		dbcodec.EncTime(e.Time), e.Actor, e.Account, e.Action, e.Code, e.Scope, e.Detail)
	if err != nil {
		return w.backendError("append audit", err)
	}
	return nil
}

// AppendAudit implements headroom.Store.
func (s *Store) AppendAudit(ctx context.Context, e headroom.AuditEntry) error {
	if e.Action == "" {
		return nil
	}
	return s.write(ctx, func(w *wtx) error { return appendAudit(w, e) })
}

// ListAudit implements headroom.Store.
func (s *Store) ListAudit(ctx context.Context, f headroom.AuditFilter) ([]headroom.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var q strings.Builder
	q.WriteString("SELECT id, time, actor, account, action, code, scope, detail FROM audit WHERE id > ?")
	args := []any{f.AfterID}
	if f.Account != "" {
		q.WriteString(" AND account = ?")
		args = append(args, f.Account)
	}
	if f.Code != "" {
		q.WriteString(" AND code = ?")
		args = append(args, f.Code)
	}
	q.WriteString(" ORDER BY id LIMIT ?")
	args = append(args, limit)
	rows, err := s.readRows(ctx, q.String(), args...)
	if err != nil {
		return nil, s.backendError("list audit", err)
	}
	defer rows.Close()
	var out []headroom.AuditEntry
	for rows.Next() {
		var e headroom.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Account, &e.Action, &e.Code, &e.Scope, &e.Detail); err != nil {
			return nil, s.backendError("list audit", err)
		}
		e.Time = dbcodec.DecTime(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list audit", err)
	}
	return out, nil
}
