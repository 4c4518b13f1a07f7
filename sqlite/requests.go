package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// openStatuses is the SQL list of the statuses that are open.
const openStatuses = "('" + string(headroom.StatusPending) + "', '" + string(headroom.StatusCaseOpened) + "')"

const requestSelect = `SELECT id, type, account, code, scope, desired_value, granted_value, allow, deny, details,
	status, case_id, support_case_allowed, requester, created, last_updated FROM change_requests`

func scanRequest(sc interface{ Scan(...any) error }) (headroom.ChangeRequest, error) {
	var r headroom.ChangeRequest
	var typ, status, allow, deny string
	var desired, granted sql.NullFloat64
	var support, created, updated int64
	if err := sc.Scan(&r.ID, &typ, &r.Account, &r.Code, &r.Scope, &desired, &granted, &allow, &deny, &r.Details,
		&status, &r.CaseID, &support, &r.Requester, &created, &updated); err != nil {
		return r, err
	}
	r.Type, r.Status = headroom.RequestType(typ), headroom.RequestStatus(status)
	r.DesiredValue, r.GrantedValue = decFloat(desired), decFloat(granted)
	r.SupportCaseAllowed = support != 0
	r.Created, r.LastUpdated = dbcodec.DecTime(created), dbcodec.DecTime(updated)
	var err error
	if r.Allow, err = dbcodec.DecList(allow); err != nil {
		return r, err
	}
	r.Deny, err = dbcodec.DecList(deny)
	return r, err
}

// CreateChangeRequest implements headroom.Store. In one transaction it
// checks that the account exists (EUNKNOWNACCOUNT), that the id is new
// (ECONFLICT), that no other open request has the same code and scope
// (ECONFLICT) and that the account has fewer than maxOpen open requests
// (EQUOTAEXCEEDED), then stores the request, its first transition and audit.
func (s *Store) CreateChangeRequest(ctx context.Context, r headroom.ChangeRequest, maxOpen int, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		if err := accountExists(w, r.Account); err != nil {
			return err
		}
		var one int
		err := w.row("SELECT 1 FROM change_requests WHERE id = ?", r.ID).Scan(&one)
		if err == nil {
			return headroom.Errorf(headroom.ECONFLICT, "change request %s already exists", r.ID)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return s.backendError("create change request", err)
		}
		if r.Status.Open() {
			open, err := scanRequest(w.row(requestSelect+" WHERE account = ? AND status IN "+openStatuses+" AND code = ? AND scope = ? LIMIT 1",
				r.Account, r.Code, r.Scope))
			if err == nil {
				return headroom.OpenRequestExists(open)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return s.backendError("create change request", err)
			}
			var n int
			if err := w.row("SELECT count(*) FROM change_requests WHERE account = ? AND status IN "+openStatuses, r.Account).Scan(&n); err != nil {
				return s.backendError("create change request", err)
			}
			if n >= maxOpen {
				return headroom.TooManyOpenRequests(r.Account, maxOpen)
			}
		}
		_, err = w.exec(`INSERT INTO change_requests (id, type, account, code, scope, desired_value, granted_value, allow, deny,
			details, status, case_id, support_case_allowed, requester, created, last_updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, string(r.Type), r.Account, r.Code, r.Scope, r.DesiredValue, r.GrantedValue, dbcodec.EncList(r.Allow), dbcodec.EncList(r.Deny),
			r.Details, string(r.Status), r.CaseID, boolInt(r.SupportCaseAllowed), r.Requester, dbcodec.EncTime(r.Created), dbcodec.EncTime(r.LastUpdated))
		if err != nil {
			return s.backendError("create change request", err)
		}
		if err := insertTransition(w, headroom.Transition{RequestID: r.ID, To: r.Status, Actor: r.Requester, At: r.Created}); err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

func insertTransition(w *wtx, t headroom.Transition) error {
	_, err := w.exec(`INSERT INTO transitions (request_id, from_status, to_status, actor, at, note, case_id, granted_value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.RequestID, string(t.From), string(t.To), t.Actor, dbcodec.EncTime(t.At), t.Note, t.CaseID, t.GrantedValue)
	if err != nil {
		return w.backendError("record transition", err)
	}
	return nil
}

// TransitionChangeRequest implements headroom.Store. The status moves only
// if it is still t.From: a conditional update in the same transaction as
// the transition record, the override and the audit entry.
func (s *Store) TransitionChangeRequest(ctx context.Context, t headroom.Transition, apply *headroom.Override, audit headroom.AuditEntry) (headroom.ChangeRequest, error) {
	var out headroom.ChangeRequest
	err := s.write(ctx, func(w *wtx) error {
		n, err := w.execN(`UPDATE change_requests SET status = ?1, last_updated = ?2,
			case_id = CASE WHEN ?3 != '' THEN ?3 ELSE case_id END,
			granted_value = CASE WHEN ?4 != 0 THEN ?4 ELSE granted_value END
			WHERE id = ?5 AND status = ?6`,
			string(t.To), dbcodec.EncTime(t.At), t.CaseID, t.GrantedValue, t.RequestID, string(t.From))
		if err != nil {
			return s.backendError("transition change request", err)
		}
		r, err := scanRequest(w.row(requestSelect+" WHERE id = ?", t.RequestID))
		if errors.Is(err, sql.ErrNoRows) {
			return headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", t.RequestID)
		}
		if err != nil {
			return s.backendError("transition change request", err)
		}
		if n == 0 {
			return headroom.StaleTransition(r, t)
		}
		if apply != nil {
			if err := s.putOverride(w, *apply); err != nil {
				return err
			}
		}
		if err := insertTransition(w, t); err != nil {
			return err
		}
		if err := appendAudit(w, audit); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// FindChangeRequest implements headroom.Store: ENOTFOUND if there is no
// such request.
func (s *Store) FindChangeRequest(ctx context.Context, id string) (headroom.ChangeRequest, error) {
	r, err := scanRequest(s.readRow(ctx, requestSelect+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return headroom.ChangeRequest{}, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", id)
	}
	if err != nil {
		return headroom.ChangeRequest{}, s.backendError("find change request", err)
	}
	return r, nil
}

// ListChangeRequests implements headroom.Store: the requests matching f,
// ordered by creation time then id, after f.AfterID if that request exists.
func (s *Store) ListChangeRequests(ctx context.Context, f headroom.ChangeRequestFilter) ([]headroom.ChangeRequest, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var q strings.Builder
	q.WriteString(requestSelect)
	q.WriteString(` WHERE (NOT EXISTS (SELECT 1 FROM change_requests WHERE id = ?1)
		OR (created, id) > (SELECT created, id FROM change_requests WHERE id = ?1))`)
	args := []any{f.AfterID}
	for _, c := range []struct{ col, v string }{{"account", f.Account}, {"code", f.Code}, {"scope", f.Scope}, {"status", string(f.Status)}} {
		if c.v != "" {
			args = append(args, c.v)
			q.WriteString(" AND " + c.col + " = ?")
		}
	}
	q.WriteString(" ORDER BY created, id LIMIT ?")
	args = append(args, limit)
	rows, err := s.readRows(ctx, q.String(), args...)
	if err != nil {
		return nil, s.backendError("list change requests", err)
	}
	defer rows.Close()
	var out []headroom.ChangeRequest
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, s.backendError("list change requests", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list change requests", err)
	}
	return out, nil
}

// ListTransitions implements headroom.Store: ENOTFOUND if there is no such
// request.
func (s *Store) ListTransitions(ctx context.Context, id string) ([]headroom.Transition, error) {
	// One statement, so the request's existence and its transitions come
	// from the same snapshot: a request without transitions yields one row
	// of NULLs.
	rows, err := s.readRows(ctx, `SELECT t.from_status, t.to_status, t.actor, t.at, t.note, t.case_id, t.granted_value
		FROM change_requests r LEFT JOIN transitions t ON t.request_id = r.id
		WHERE r.id = ? ORDER BY t.seq`, id)
	if err != nil {
		return nil, s.backendError("list transitions", err)
	}
	defer rows.Close()
	found := false
	var out []headroom.Transition
	for rows.Next() {
		found = true
		var from, to, actor, note, caseID sql.NullString
		var at sql.NullInt64
		var granted sql.NullFloat64
		if err := rows.Scan(&from, &to, &actor, &at, &note, &caseID, &granted); err != nil {
			return nil, s.backendError("list transitions", err)
		}
		if !to.Valid {
			continue
		}
		out = append(out, headroom.Transition{RequestID: id, From: headroom.RequestStatus(from.String), To: headroom.RequestStatus(to.String),
			Actor: actor.String, At: dbcodec.DecTime(at.Int64), Note: note.String, CaseID: caseID.String, GrantedValue: decFloat(granted)})
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list transitions", err)
	}
	if !found {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", id)
	}
	return out, nil
}
