package postgres

import (
	"context"
	"fmt"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

var (
	_ headroom.Exporter = (*Store)(nil)
	_ headroom.Importer = (*Store)(nil)
)

// Export implements headroom.Exporter. It reads every table in one
// REPEATABLE READ, READ ONLY transaction, so the snapshot is one moment of
// the database whatever other writers do meanwhile, and opens the
// access-key and webhook secrets with the store's key. Leases, idempotency keys and
// resource tokens are copied as stored, expired or not. It never writes.
// Export moves the whole state, so only ctx bounds it, not OpTimeout.
func (s *Store) Export(ctx context.Context) (headroom.Snapshot, error) {
	if s.closed.Load() {
		return headroom.Snapshot{}, errClosed
	}
	var snap headroom.Snapshot
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		x := &exporter{s: s, ctx: ctx, tx: tx}
		for _, step := range []func(*headroom.Snapshot) error{x.accounts, x.usage, x.workflow, x.audit, x.resources, x.alarms} {
			if err := step(&snap); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return headroom.Snapshot{}, fmt.Errorf("export: %w", s.backendError("export", err))
	}
	return snap, nil
}

// exporter reads the tables of one snapshot in its transaction.
type exporter struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
}

// list runs q in the export's transaction and scans every row.
func list[T any](x *exporter, what string, scan func(pgx.Row) (T, error), q string, args ...any) ([]T, error) {
	l, err := collect(x.ctx, x.tx, scan, q, args...)
	if err != nil {
		return nil, wrapErr("export "+what, err)
	}
	if len(l) == 0 {
		return nil, nil // as an empty snapshot holds it
	}
	return l, nil
}

func (x *exporter) accounts(snap *headroom.Snapshot) (err error) {
	if snap.Accounts, err = list(x, "accounts", scanAccount, "SELECT id, created, partner FROM accounts ORDER BY id"); err != nil {
		return err
	}
	if snap.Overrides, err = list(x, "overrides", scanOverride, overrideSelect+" ORDER BY account, code, scope"); err != nil {
		return err
	}
	if snap.AccessKeys, err = list(x, "access keys", scanAccessKey, accessKeySelect+" ORDER BY seq"); err != nil {
		return err
	}
	for i, k := range snap.AccessKeys {
		if snap.AccessKeys[i].Secret, err = x.s.openSecret(k.ID, k.Account, k.Secret); err != nil {
			return err
		}
	}
	snap.Tokens, err = list(x, "tokens", scanToken, tokenSelect+" ORDER BY id")
	return err
}

func scanUsage(r pgx.Row) (headroom.Usage, error) {
	var u headroom.Usage
	err := r.Scan(&u.Key.Account, &u.Key.Code, &u.Key.Scope, &u.Used)
	return u, err
}

func (x *exporter) usage(snap *headroom.Snapshot) (err error) {
	if snap.Counts, err = list(x, "usage", scanUsage, "SELECT account, code, scope, used FROM counts ORDER BY account, code, scope"); err != nil {
		return err
	}
	if snap.Counters, err = list(x, "counters", scanUsage, "SELECT account, code, scope, value FROM counters ORDER BY account, code, scope"); err != nil {
		return err
	}
	snap.Leases, err = list(x, "leases", func(r pgx.Row) (headroom.LeaseRecord, error) {
		var l headroom.LeaseRecord
		var expires int64
		err := r.Scan(&l.Key.Account, &l.Key.Code, &l.Key.Scope, &l.LeaseID, &expires)
		l.Expires = dbcodec.DecTime(expires)
		return l, err
	}, "SELECT account, code, scope, lease_id, expires FROM leases ORDER BY account, code, scope, lease_id")
	if err != nil {
		return err
	}
	snap.IdempotencyKeys, err = list(x, "idempotency keys", func(r pgx.Row) (headroom.IdempotencyRecord, error) {
		var k headroom.IdempotencyRecord
		var op string
		var recorded int64
		err := r.Scan(&k.Account, &k.Key, &op, &k.Code, &k.Scope, &k.Amount, &recorded)
		k.Op, k.Recorded = headroom.Op(op), dbcodec.DecTime(recorded)
		return k, err
	}, "SELECT account, key, op, code, scope, amount, recorded FROM idempotency_keys ORDER BY account, key")
	return err
}

func (x *exporter) workflow(snap *headroom.Snapshot) (err error) {
	if snap.Requests, err = list(x, "change requests", scanRequest, requestSelect+" ORDER BY created, id"); err != nil {
		return err
	}
	snap.Transitions, err = list(x, "transitions", func(r pgx.Row) (headroom.Transition, error) {
		var t headroom.Transition
		var from, to string
		var at int64
		var granted *float64
		err := r.Scan(&t.RequestID, &from, &to, &t.Actor, &at, &t.Note, &t.CaseID, &granted)
		t.From, t.To, t.At, t.GrantedValue = headroom.RequestStatus(from), headroom.RequestStatus(to), dbcodec.DecTime(at), dbcodec.DecFloat(granted)
		return t, err
	}, `SELECT t.request_id, t.from_status, t.to_status, t.actor, t.at, t.note, t.case_id, t.granted_value
		FROM transitions t JOIN change_requests r ON r.id = t.request_id ORDER BY r.created, r.id, t.seq`)
	if err != nil {
		return err
	}
	snap.Template, err = list(x, "template", func(r pgx.Row) (headroom.TemplateEntry, error) {
		var e headroom.TemplateEntry
		var v *float64
		err := r.Scan(&e.Service, &e.Code, &e.Region, &v)
		e.DesiredValue = dbcodec.DecFloat(v)
		return e, err
	}, "SELECT service, code, region, desired_value FROM template_entries ORDER BY service, code, region")
	if err != nil {
		return err
	}
	var on string
	err = x.tx.QueryRow(x.ctx, "SELECT value FROM settings WHERE name = $1", settingTemplateAssociated).Scan(&on)
	if err != nil && !noRows(err) {
		return wrapErr("export the template association", err)
	}
	snap.TemplateAssociated = on == "1"
	return nil
}

func (x *exporter) audit(snap *headroom.Snapshot) (err error) {
	snap.Audit, err = list(x, "audit", func(r pgx.Row) (headroom.AuditEntry, error) {
		var e headroom.AuditEntry
		var at int64
		err := r.Scan(&e.ID, &at, &e.Actor, &e.Account, &e.Action, &e.Code, &e.Scope, &e.Detail)
		e.Time = dbcodec.DecTime(at)
		return e, err
	}, "SELECT id, time, actor, account, action, code, scope, detail FROM audit ORDER BY id")
	if err != nil {
		return err
	}
	// The sequence keeps the largest id ever given, committed or not.
	err = x.tx.QueryRow(x.ctx, `SELECT greatest(
		coalesce(pg_sequence_last_value(pg_get_serial_sequence('audit', 'id')::regclass), 0),
		coalesce((SELECT max(id) FROM audit), 0))`).Scan(&snap.LastAuditID)
	if err != nil {
		return wrapErr("export the audit sequence", err)
	}
	return nil
}

func (x *exporter) resources(snap *headroom.Snapshot) (err error) {
	if snap.Resources, err = list(x, "resources", scanResource, resourceSelect+" ORDER BY created, id, account, kind"); err != nil {
		return err
	}
	snap.ResourceTokens, err = list(x, "resource tokens", func(r pgx.Row) (headroom.ResourceTokenRecord, error) {
		var t headroom.ResourceTokenRecord
		var created, expires int64
		err := r.Scan(&t.Account, &t.Token.Key, &t.Token.Hash, &t.Kind, &t.ID, &created, &expires)
		t.Created, t.Token.Expires = dbcodec.DecTime(created), dbcodec.DecTime(expires)
		return t, err
	}, "SELECT account, key, hash, kind, id, created, expires FROM resource_tokens ORDER BY account, key")
	if err != nil {
		return err
	}
	type tag struct{ account, resource, key, value string }
	tags, err := list(x, "tags", func(r pgx.Row) (tag, error) {
		var t tag
		err := r.Scan(&t.account, &t.resource, &t.key, &t.value)
		return t, err
	}, "SELECT account, resource, key, value FROM tags ORDER BY account, resource, key")
	if err != nil {
		return err
	}
	for _, t := range tags {
		if n := len(snap.Tags); n == 0 || snap.Tags[n-1].Account != t.account || snap.Tags[n-1].Resource != t.resource {
			snap.Tags = append(snap.Tags, headroom.ResourceTags{Account: t.account, Resource: t.resource, Tags: map[string]string{}})
		}
		snap.Tags[len(snap.Tags)-1].Tags[t.key] = t.value
	}
	return nil
}
