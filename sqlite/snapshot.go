package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

var (
	_ headroom.Exporter = (*Store)(nil)
	_ headroom.Importer = (*Store)(nil)
)

// Export implements headroom.Exporter. It reads every table in one read
// transaction, so the snapshot is one moment of the database whatever the
// writer does meanwhile, and opens the access-key secrets with the store's
// key, and the webhook secrets too. Leases, idempotency keys and resource tokens are copied as stored,
// expired or not. It never writes.
func (s *Store) Export(ctx context.Context) (headroom.Snapshot, error) {
	if s.closed.Load() {
		return headroom.Snapshot{}, errClosed
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return headroom.Snapshot{}, s.backendError("begin the export", err)
	}
	defer tx.Rollback()
	x := &exporter{s: s, ctx: ctx, tx: tx}
	snap, err := x.export()
	if err != nil {
		return headroom.Snapshot{}, fmt.Errorf("export: %w", err)
	}
	return snap, nil
}

// exporter reads the tables of one snapshot in its transaction.
type exporter struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
}

// each runs q and calls scan for every row.
func (x *exporter) each(what, q string, scan func(rows *sql.Rows) error) error {
	rows, err := x.tx.QueryContext(x.ctx, q)
	if err != nil {
		return x.s.backendError("export "+what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return x.s.backendError("export "+what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return x.s.backendError("export "+what, err)
	}
	return nil
}

func (x *exporter) export() (headroom.Snapshot, error) {
	var snap headroom.Snapshot
	steps := []func(*headroom.Snapshot) error{x.accounts, x.usage, x.workflow, x.audit, x.resources, x.alarms}
	for _, step := range steps {
		if err := step(&snap); err != nil {
			return headroom.Snapshot{}, err
		}
	}
	return snap, nil
}

func (x *exporter) accounts(snap *headroom.Snapshot) error {
	err := x.each("accounts", "SELECT id, created, partner FROM accounts ORDER BY id", func(rows *sql.Rows) error {
		var a headroom.Account
		var created int64
		if err := rows.Scan(&a.ID, &created, &a.Partner); err != nil {
			return err
		}
		a.Created = dbcodec.DecTime(created)
		snap.Accounts = append(snap.Accounts, a)
		return nil
	})
	if err != nil {
		return err
	}
	err = x.each("overrides", overrideSelect+" ORDER BY account, code, scope", func(rows *sql.Rows) error {
		o, err := scanOverride(rows)
		snap.Overrides = append(snap.Overrides, o)
		return err
	})
	if err != nil {
		return err
	}
	err = x.each("access keys", "SELECT id, account, secret, created FROM access_keys ORDER BY seq", func(rows *sql.Rows) error {
		var k headroom.AccessKey
		var created int64
		if err := rows.Scan(&k.ID, &k.Account, &k.Secret, &created); err != nil {
			return err
		}
		k.Created = dbcodec.DecTime(created)
		var err error
		if k.Secret, err = x.s.openSecret(k.ID, k.Account, k.Secret); err != nil {
			return err
		}
		snap.AccessKeys = append(snap.AccessKeys, k)
		return nil
	})
	if err != nil {
		return err
	}
	return x.each("tokens", tokenSelect+" ORDER BY id", func(rows *sql.Rows) error {
		t, err := scanToken(rows)
		snap.Tokens = append(snap.Tokens, t)
		return err
	})
}

func (x *exporter) usage(snap *headroom.Snapshot) error {
	for _, u := range []struct {
		what, q string
		list    *[]headroom.Usage
	}{
		{"usage", "SELECT account, code, scope, used FROM counts ORDER BY account, code, scope", &snap.Counts},
		{"counters", "SELECT account, code, scope, value FROM counters ORDER BY account, code, scope", &snap.Counters},
	} {
		err := x.each(u.what, u.q, func(rows *sql.Rows) error {
			var v headroom.Usage
			if err := rows.Scan(&v.Key.Account, &v.Key.Code, &v.Key.Scope, &v.Used); err != nil {
				return err
			}
			*u.list = append(*u.list, v)
			return nil
		})
		if err != nil {
			return err
		}
	}
	err := x.each("leases", "SELECT account, code, scope, lease_id, expires FROM leases ORDER BY account, code, scope, lease_id",
		func(rows *sql.Rows) error {
			var l headroom.LeaseRecord
			var expires int64
			if err := rows.Scan(&l.Key.Account, &l.Key.Code, &l.Key.Scope, &l.LeaseID, &expires); err != nil {
				return err
			}
			l.Expires = dbcodec.DecTime(expires)
			snap.Leases = append(snap.Leases, l)
			return nil
		})
	if err != nil {
		return err
	}
	return x.each("idempotency keys", "SELECT account, key, op, code, scope, amount, recorded FROM idempotency_keys ORDER BY account, key",
		func(rows *sql.Rows) error {
			var r headroom.IdempotencyRecord
			var op string
			var recorded int64
			if err := rows.Scan(&r.Account, &r.Key, &op, &r.Code, &r.Scope, &r.Amount, &recorded); err != nil {
				return err
			}
			r.Op, r.Recorded = headroom.Op(op), dbcodec.DecTime(recorded)
			snap.IdempotencyKeys = append(snap.IdempotencyKeys, r)
			return nil
		})
}

func (x *exporter) workflow(snap *headroom.Snapshot) error {
	err := x.each("change requests", requestSelect+" ORDER BY created, id", func(rows *sql.Rows) error {
		r, err := scanRequest(rows)
		snap.Requests = append(snap.Requests, r)
		return err
	})
	if err != nil {
		return err
	}
	err = x.each("transitions", `SELECT t.request_id, t.from_status, t.to_status, t.actor, t.at, t.note, t.case_id, t.granted_value
		FROM transitions t JOIN change_requests r ON r.id = t.request_id ORDER BY r.created, r.id, t.seq`, func(rows *sql.Rows) error {
		var t headroom.Transition
		var from, to string
		var at int64
		var granted sql.NullFloat64
		if err := rows.Scan(&t.RequestID, &from, &to, &t.Actor, &at, &t.Note, &t.CaseID, &granted); err != nil {
			return err
		}
		t.From, t.To, t.At, t.GrantedValue = headroom.RequestStatus(from), headroom.RequestStatus(to), dbcodec.DecTime(at), decFloat(granted)
		snap.Transitions = append(snap.Transitions, t)
		return nil
	})
	if err != nil {
		return err
	}
	err = x.each("template", "SELECT service, code, region, desired_value FROM template_entries ORDER BY service, code, region",
		func(rows *sql.Rows) error {
			var e headroom.TemplateEntry
			var v sql.NullFloat64
			if err := rows.Scan(&e.Service, &e.Code, &e.Region, &v); err != nil {
				return err
			}
			e.DesiredValue = decFloat(v)
			snap.Template = append(snap.Template, e)
			return nil
		})
	if err != nil {
		return err
	}
	var on string
	err = x.tx.QueryRowContext(x.ctx, "SELECT value FROM settings WHERE name = ?", settingTemplateAssociated).Scan(&on)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return x.s.backendError("export the template association", err)
	}
	snap.TemplateAssociated = on == "1"
	return nil
}

func (x *exporter) audit(snap *headroom.Snapshot) error {
	err := x.each("audit", "SELECT id, time, actor, account, action, code, scope, detail FROM audit ORDER BY id", func(rows *sql.Rows) error {
		var e headroom.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Account, &e.Action, &e.Code, &e.Scope, &e.Detail); err != nil {
			return err
		}
		e.Time = dbcodec.DecTime(at)
		snap.Audit = append(snap.Audit, e)
		return nil
	})
	if err != nil {
		return err
	}
	// AUTOINCREMENT keeps the largest id ever given in sqlite_sequence.
	err = x.tx.QueryRowContext(x.ctx, `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0),
		coalesce((SELECT max(id) FROM audit), 0))`).Scan(&snap.LastAuditID)
	if err != nil {
		return x.s.backendError("export the audit sequence", err)
	}
	return nil
}

func (x *exporter) resources(snap *headroom.Snapshot) error {
	err := x.each("resources", resourceSelect+" ORDER BY created, id, account, kind", func(rows *sql.Rows) error {
		r, err := scanResource(rows)
		snap.Resources = append(snap.Resources, r)
		return err
	})
	if err != nil {
		return err
	}
	err = x.each("resource tokens", "SELECT account, key, hash, kind, id, created, expires FROM resource_tokens ORDER BY account, key",
		func(rows *sql.Rows) error {
			var t headroom.ResourceTokenRecord
			var created, expires int64
			if err := rows.Scan(&t.Account, &t.Token.Key, &t.Token.Hash, &t.Kind, &t.ID, &created, &expires); err != nil {
				return err
			}
			t.Created, t.Token.Expires = dbcodec.DecTime(created), dbcodec.DecTime(expires)
			snap.ResourceTokens = append(snap.ResourceTokens, t)
			return nil
		})
	if err != nil {
		return err
	}
	return x.each("tags", "SELECT account, resource, key, value FROM tags ORDER BY account, resource, key", func(rows *sql.Rows) error {
		var account, resource, k, v string
		if err := rows.Scan(&account, &resource, &k, &v); err != nil {
			return err
		}
		if n := len(snap.Tags); n == 0 || snap.Tags[n-1].Account != account || snap.Tags[n-1].Resource != resource {
			snap.Tags = append(snap.Tags, headroom.ResourceTags{Account: account, Resource: resource, Tags: map[string]string{}})
		}
		snap.Tags[len(snap.Tags)-1].Tags[k] = v
		return nil
	})
}
