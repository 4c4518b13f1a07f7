package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// openStatuses is the SQL list of the statuses that are open.
const openStatuses = "('" + string(headroom.StatusPending) + "', '" + string(headroom.StatusCaseOpened) + "')"

const requestSelect = `SELECT id, type, account, code, scope, desired_value, granted_value, allow, deny, details,
	status, case_id, support_case_allowed, requester, created, last_updated FROM change_requests`

func scanRequest(sc pgx.Row) (headroom.ChangeRequest, error) {
	var r headroom.ChangeRequest
	var typ, status, allow, deny string
	var desired, granted *float64
	var created, updated int64
	if err := sc.Scan(&r.ID, &typ, &r.Account, &r.Code, &r.Scope, &desired, &granted, &allow, &deny, &r.Details,
		&status, &r.CaseID, &r.SupportCaseAllowed, &r.Requester, &created, &updated); err != nil {
		return r, err
	}
	r.Type, r.Status = headroom.RequestType(typ), headroom.RequestStatus(status)
	r.DesiredValue, r.GrantedValue = dbcodec.DecFloat(desired), dbcodec.DecFloat(granted)
	r.Created, r.LastUpdated = dbcodec.DecTime(created), dbcodec.DecTime(updated)
	var err error
	if r.Allow, err = dbcodec.DecList(allow); err != nil {
		return r, err
	}
	r.Deny, err = dbcodec.DecList(deny)
	return r, err
}

// CreateChangeRequest implements headroom.Store. In one transaction, under
// the account's advisory lock, it checks that the account exists
// (EUNKNOWNACCOUNT), that the id is new (ECONFLICT), that no other open
// request has the same code and scope (ECONFLICT) and that the account has
// fewer than maxOpen open requests (EQUOTAEXCEEDED), then stores the
// request, its first transition and audit.
func (s *Store) CreateChangeRequest(ctx context.Context, r headroom.ChangeRequest, maxOpen int, audit headroom.AuditEntry) error {
	return s.write(ctx, "create change request", func(w *wtx) error {
		if err := w.lockAccount(r.Account); err != nil {
			return err
		}
		if err := accountExists(w, r.Account); err != nil {
			return err
		}
		var one int
		err := w.row("SELECT 1 FROM change_requests WHERE id = $1", r.ID).Scan(&one)
		if err == nil {
			return headroom.Errorf(headroom.ECONFLICT, "change request %s already exists", r.ID)
		}
		if !noRows(err) {
			return err
		}
		if r.Status.Open() {
			open, err := scanRequest(w.row(requestSelect+" WHERE account = $1 AND status IN "+openStatuses+" AND code = $2 AND scope = $3 LIMIT 1",
				r.Account, r.Code, r.Scope))
			if err == nil {
				return headroom.OpenRequestExists(open)
			}
			if !noRows(err) {
				return err
			}
			var n int
			if err := w.row("SELECT count(*) FROM change_requests WHERE account = $1 AND status IN "+openStatuses, r.Account).Scan(&n); err != nil {
				return err
			}
			if n >= maxOpen {
				return headroom.TooManyOpenRequests(r.Account, maxOpen)
			}
		}
		_, err = w.exec(`INSERT INTO change_requests (id, type, account, code, scope, desired_value, granted_value, allow, deny,
			details, status, case_id, support_case_allowed, requester, created, last_updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			r.ID, string(r.Type), r.Account, r.Code, r.Scope, dbcodec.EncFloat(r.DesiredValue), dbcodec.EncFloat(r.GrantedValue), dbcodec.EncList(r.Allow), dbcodec.EncList(r.Deny),
			r.Details, string(r.Status), r.CaseID, r.SupportCaseAllowed, r.Requester, dbcodec.EncTime(r.Created), dbcodec.EncTime(r.LastUpdated))
		if err != nil {
			return err
		}
		if err := insertTransition(w, headroom.Transition{RequestID: r.ID, To: r.Status, Actor: r.Requester, At: r.Created}); err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

func insertTransition(w *wtx, t headroom.Transition) error {
	_, err := w.exec(`INSERT INTO transitions (request_id, from_status, to_status, actor, at, note, case_id, granted_value)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.RequestID, string(t.From), string(t.To), t.Actor, dbcodec.EncTime(t.At), t.Note, t.CaseID, dbcodec.EncFloat(t.GrantedValue))
	return err
}

// TransitionChangeRequest implements headroom.Store. The status moves only
// if it is still t.From: a conditional update in the same transaction as
// the transition record, the override (which every Store then sees) and the
// audit entry.
func (s *Store) TransitionChangeRequest(ctx context.Context, t headroom.Transition, apply *headroom.Override, audit headroom.AuditEntry) (headroom.ChangeRequest, error) {
	return writeValue(s, ctx, "transition change request", func(w *wtx) (headroom.ChangeRequest, error) {
		// A NaN granted value leaves the stored one, as a NULL does in SQLite.
		n, err := w.exec(`UPDATE change_requests SET status = $1, last_updated = $2,
			case_id = CASE WHEN $3 <> '' THEN $3 ELSE case_id END,
			granted_value = CASE WHEN $4::float8 IS NOT NULL AND $4::float8 <> 0 THEN $4::float8 ELSE granted_value END
			WHERE id = $5 AND status = $6`,
			string(t.To), dbcodec.EncTime(t.At), t.CaseID, dbcodec.EncFloat(t.GrantedValue), t.RequestID, string(t.From))
		if err != nil {
			return headroom.ChangeRequest{}, err
		}
		r, err := scanRequest(w.row(requestSelect+" WHERE id = $1", t.RequestID))
		if noRows(err) {
			return r, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", t.RequestID)
		}
		if err != nil {
			return r, err
		}
		if n == 0 {
			return r, headroom.StaleTransition(r, t)
		}
		if apply != nil {
			if err := s.putOverride(w, *apply); err != nil {
				return r, err
			}
		}
		if err := insertTransition(w, t); err != nil {
			return r, err
		}
		return r, appendAudit(w, audit)
	})
}

// FindChangeRequest implements headroom.Store: ENOTFOUND if there is no
// such request.
func (s *Store) FindChangeRequest(ctx context.Context, id string) (headroom.ChangeRequest, error) {
	var r headroom.ChangeRequest
	err := s.read(ctx, "find change request", func(ctx context.Context, q querier) error {
		var err error
		r, err = scanRequest(q.QueryRow(ctx, requestSelect+" WHERE id = $1", id))
		if noRows(err) {
			return headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", id)
		}
		return err
	})
	return r, err
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
	q.WriteString(` WHERE (NOT EXISTS (SELECT 1 FROM change_requests WHERE id = $1)
		OR (created, id) > (SELECT created, id FROM change_requests WHERE id = $1))`)
	args := []any{f.AfterID}
	for _, c := range []struct{ col, v string }{{"account", f.Account}, {"code", f.Code}, {"scope", f.Scope}, {"status", string(f.Status)}} {
		if c.v != "" {
			args = append(args, c.v)
			fmt.Fprintf(&q, " AND %s = $%d", c.col, len(args))
		}
	}
	args = append(args, limit)
	fmt.Fprintf(&q, " ORDER BY created, id LIMIT $%d", len(args))
	var out []headroom.ChangeRequest
	err := s.read(ctx, "list change requests", func(ctx context.Context, qr querier) (err error) {
		out, err = collect(ctx, qr, scanRequest, q.String(), args...)
		return err
	})
	return out, err
}

// ListTransitions implements headroom.Store: ENOTFOUND if there is no such
// request.
func (s *Store) ListTransitions(ctx context.Context, id string) ([]headroom.Transition, error) {
	type row struct {
		t     headroom.Transition
		valid bool
	}
	var rows []row
	err := s.read(ctx, "list transitions", func(ctx context.Context, q querier) (err error) {
		// One statement, so the request's existence and its transitions
		// come from the same snapshot: a request without transitions
		// yields one row of NULLs.
		rows, err = collect(ctx, q, func(r pgx.Row) (row, error) {
			var from, to, actor, note, caseID *string
			var at *int64
			var granted *float64
			if err := r.Scan(&from, &to, &actor, &at, &note, &caseID, &granted); err != nil {
				return row{}, err
			}
			if to == nil {
				return row{}, nil
			}
			return row{valid: true, t: headroom.Transition{RequestID: id, From: headroom.RequestStatus(*from), To: headroom.RequestStatus(*to),
				Actor: *actor, At: dbcodec.DecTime(*at), Note: *note, CaseID: *caseID, GrantedValue: dbcodec.DecFloat(granted)}}, nil
		}, `SELECT t.from_status, t.to_status, t.actor, t.at, t.note, t.case_id, t.granted_value
			FROM change_requests r LEFT JOIN transitions t ON t.request_id = r.id
			WHERE r.id = $1 ORDER BY t.seq`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "change request %s does not exist", id)
	}
	var out []headroom.Transition
	for _, r := range rows {
		if r.valid {
			out = append(out, r.t)
		}
	}
	return out, nil
}
