package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// importTables are the tables that hold state: a store is empty when they
// have no rows. The settings table is checked apart, as it also holds the
// secret key's check value and shared keys, which are no state of the
// installation.
var importTables = []string{
	"accounts", "overrides", "access_keys", "tokens", "counts", "counters", "leases", "idempotency_keys",
	"change_requests", "transitions", "template_entries", "audit", "resources", "resource_uses",
	"resource_tokens", "tags", "alarm_rules", "alarm_states", "webhooks", "notifications",
}

// Import implements headroom.Importer. It checks the alarm part of the
// snapshot (headroom.Snapshot.CheckAlarms) and seals the access-key and
// webhook secrets with the store's key, then writes the whole snapshot in one transaction: it
// checks that the store is empty (ECONFLICT otherwise) and inserts every
// row, audit entries with their ids, and moves the audit sequence past
// LastAuditID. A duplicate, or a reference to something the snapshot does
// not hold, is EINVALID, and undoes everything the import wrote. Every
// Store on the schema reloads its cache once the transaction has
// committed. Import moves the whole state, so only ctx bounds it, not
// OpTimeout.
func (s *Store) Import(ctx context.Context, snap headroom.Snapshot) error {
	if s.closed.Load() {
		return errClosed
	}
	secrets := make([]string, len(snap.AccessKeys))
	for i, k := range snap.AccessKeys {
		var err error
		if secrets[i], err = s.sealSecret(k.ID, k.Account, k.Secret); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := snap.CheckAlarms(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	hookSecrets, err := s.sealWebhookSecrets(snap)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		w := &wtx{Tx: tx, ctx: ctx, store: s}
		// Writes that start meanwhile wait for the import, and the
		// emptiness checked below holds until it commits.
		if _, err := w.exec("LOCK TABLE " + joinTables(importTables) + ", settings IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		if err := importEmpty(w); err != nil {
			return err
		}
		im := &importer{w: w, snap: snap, known: map[string]bool{}}
		for _, step := range []func() error{im.accounts, func() error { return im.accessKeys(secrets) }, im.usage, im.workflow, im.audit, im.resources,
			func() error { return im.alarms(hookSecrets) }, im.auditSequence} {
			if err := step(); err != nil {
				return err
			}
		}
		return notifyChange(w, change{What: "all"})
	})
	if err != nil {
		return fmt.Errorf("import: %w", s.backendError("import", err))
	}
	// This Store's listener reloads too, on the notification; reloading
	// here as well makes the import visible to this Store's next call.
	if err := s.loadAll(ctx, s.pool); err != nil {
		return fmt.Errorf("import: %w", s.backendError("reload the cache", err))
	}
	return nil
}

func joinTables(l []string) string {
	out := ""
	for i, t := range l {
		if i > 0 {
			out += ", "
		}
		out += t
	}
	return out
}

// importEmpty returns ECONFLICT unless the store holds no state.
func importEmpty(w *wtx) error {
	for _, t := range importTables {
		var n bool
		if err := w.row("SELECT EXISTS (SELECT 1 FROM " + t + ")").Scan(&n); err != nil {
			return wrapErr("check that the store is empty", err)
		}
		if n {
			return headroom.Errorf(headroom.ECONFLICT, "the store in schema %s is not empty (table %s has rows): a snapshot is imported only into an empty store", w.store.schema, t)
		}
	}
	var n bool
	if err := w.row("SELECT EXISTS (SELECT 1 FROM settings WHERE name = $1)", settingTemplateAssociated).Scan(&n); err != nil {
		return wrapErr("check that the store is empty", err)
	}
	if n {
		return headroom.Errorf(headroom.ECONFLICT, "the store in schema %s is not empty (the template association is set): a snapshot is imported only into an empty store", w.store.schema)
	}
	return nil
}

// importer writes one snapshot in the import's transaction.
type importer struct {
	w     *wtx
	snap  headroom.Snapshot
	known map[string]bool
	// lastAudit is the audit id the sequence moves to.
	lastAudit int64
}

func invalid(format string, args ...any) error {
	return headroom.Errorf(headroom.EINVALID, "the snapshot "+format, args...)
}

// insert runs one INSERT; a constraint it breaks (a duplicate key, a
// missing reference) is EINVALID naming what.
func (im *importer) insert(what, q string, args ...any) error {
	if _, err := im.w.exec(q, args...); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code[:2] == "23" { // integrity constraint violation
			return invalid("has %s twice, or breaks a constraint: %v", what, err)
		}
		return wrapErr("import "+what, err)
	}
	return nil
}

func (im *importer) needAccount(what, id string) error {
	if !im.known[id] {
		return invalid("has %s of account %s, which it does not hold", what, id)
	}
	return nil
}

func (im *importer) accounts() error {
	for _, a := range im.snap.Accounts {
		if err := im.insert("account "+a.ID, "INSERT INTO accounts (id, created, partner) VALUES ($1, $2, $3)",
			a.ID, dbcodec.EncTime(a.Created), a.Partner); err != nil {
			return err
		}
		im.known[a.ID] = true
	}
	for _, o := range im.snap.Overrides {
		if err := im.needAccount("an override of "+o.Code, o.Account); err != nil {
			return err
		}
		o = normOverride(o)
		if err := im.insert(fmt.Sprintf("the override of %s in %s", o.Code, headroom.DescribeScope(o.Account, o.Scope)),
			`INSERT INTO overrides (account, code, scope, value, allow, deny, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			o.Account, o.Code, o.Scope, dbcodec.EncFloat(o.Value), dbcodec.EncList(o.Allow), dbcodec.EncList(o.Deny), o.UpdatedBy, dbcodec.EncTime(o.UpdatedAt)); err != nil {
			return err
		}
	}
	for _, t := range im.snap.Tokens {
		if err := im.insert("token "+t.ID+" (by id or by hash)", "INSERT INTO tokens (id, name, role, hash, accounts, created) VALUES ($1, $2, $3, $4, $5, $6)",
			t.ID, t.Name, string(t.Role), append([]byte{}, t.Hash...), dbcodec.EncList(t.Accounts), dbcodec.EncTime(t.Created)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) accessKeys(secrets []string) error {
	for i, k := range im.snap.AccessKeys {
		if err := im.needAccount("access key "+k.ID, k.Account); err != nil {
			return err
		}
		if err := im.insert("access key "+k.ID, "INSERT INTO access_keys (id, account, secret, created) VALUES ($1, $2, $3, $4)",
			k.ID, k.Account, secrets[i], dbcodec.EncTime(k.Created)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) usage() error {
	for _, u := range im.snap.Counts {
		if u.Used <= 0 {
			continue // a counter at zero has no row
		}
		if err := im.insert("the usage of "+u.Key.Code+" in "+headroom.DescribeScope(u.Key.Account, u.Key.Scope),
			"INSERT INTO counts (account, code, scope, used) VALUES ($1, $2, $3, $4)", u.Key.Account, u.Key.Code, u.Key.Scope, u.Used); err != nil {
			return err
		}
	}
	for _, u := range im.snap.Counters {
		if err := im.insert("the counter "+u.Key.Code+" in "+headroom.DescribeScope(u.Key.Account, u.Key.Scope),
			"INSERT INTO counters (account, code, scope, value) VALUES ($1, $2, $3, $4)", u.Key.Account, u.Key.Code, u.Key.Scope, u.Used); err != nil {
			return err
		}
	}
	for _, l := range im.snap.Leases {
		if err := im.insert("lease "+l.LeaseID+" of "+l.Key.Code, "INSERT INTO leases (account, code, scope, lease_id, expires) VALUES ($1, $2, $3, $4, $5)",
			l.Key.Account, l.Key.Code, l.Key.Scope, l.LeaseID, dbcodec.EncTime(l.Expires)); err != nil {
			return err
		}
	}
	for _, r := range im.snap.IdempotencyKeys {
		if err := im.insert(fmt.Sprintf("idempotency key %q of account %s", r.Key, r.Account),
			"INSERT INTO idempotency_keys (account, key, op, code, scope, amount, recorded) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			r.Account, r.Key, string(r.Op), r.Code, r.Scope, r.Amount, dbcodec.EncTime(r.Recorded)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) workflow() error {
	requests := map[string]bool{}
	for _, r := range im.snap.Requests {
		if err := im.needAccount("change request "+r.ID, r.Account); err != nil {
			return err
		}
		if err := im.insert("change request "+r.ID, `INSERT INTO change_requests (id, type, account, code, scope, desired_value,
			granted_value, allow, deny, details, status, case_id, support_case_allowed, requester, created, last_updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			r.ID, string(r.Type), r.Account, r.Code, r.Scope, dbcodec.EncFloat(r.DesiredValue), dbcodec.EncFloat(r.GrantedValue), dbcodec.EncList(r.Allow), dbcodec.EncList(r.Deny),
			r.Details, string(r.Status), r.CaseID, r.SupportCaseAllowed, r.Requester, dbcodec.EncTime(r.Created), dbcodec.EncTime(r.LastUpdated)); err != nil {
			return err
		}
		requests[r.ID] = true
	}
	for _, t := range im.snap.Transitions {
		if !requests[t.RequestID] {
			return invalid("has a transition of change request %s, which it does not hold", t.RequestID)
		}
		if err := insertTransition(im.w, t); err != nil {
			return err
		}
	}
	for _, e := range im.snap.Template {
		if err := im.insert(fmt.Sprintf("the template entry of %s %s in %s", e.Service, e.Code, e.Region),
			"INSERT INTO template_entries (service, code, region, desired_value) VALUES ($1, $2, $3, $4)",
			e.Service, e.Code, e.Region, dbcodec.EncFloat(e.DesiredValue)); err != nil {
			return err
		}
	}
	if im.snap.TemplateAssociated {
		return im.insert("the template association", "INSERT INTO settings (name, value) VALUES ($1, '1')", settingTemplateAssociated)
	}
	return nil
}

// audit inserts the entries with their ids, oldest first, and moves the
// audit id sequence to LastAuditID, so that the next entry gets an id after
// every id the source gave.
func (im *importer) audit() error {
	var last int64
	for _, e := range im.snap.Audit {
		if e.ID <= last {
			return invalid("has audit entry %d out of order or twice", e.ID)
		}
		last = e.ID
		if err := im.insert(fmt.Sprintf("audit entry %d", e.ID),
			"INSERT INTO audit (id, time, actor, account, action, code, scope, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			e.ID, dbcodec.EncTime(e.Time), e.Actor, e.Account, e.Action, e.Code, e.Scope, e.Detail); err != nil {
			return err
		}
	}
	im.lastAudit = max(last, im.snap.LastAuditID)
	return nil
}

// auditSequence moves the audit id sequence to the last id the source
// gave. A sequence is not transactional (a rollback leaves it moved), so
// it runs last, once every row is in.
func (im *importer) auditSequence() error {
	if im.lastAudit == 0 {
		return nil
	}
	if _, err := im.w.exec("SELECT setval(pg_get_serial_sequence('audit', 'id'), $1, true)", im.lastAudit); err != nil {
		return wrapErr("import the audit sequence", err)
	}
	return nil
}

// resources inserts the resources, then, once all are in, checks their
// parents and uses and records the uses, then the tokens and tags.
func (im *importer) resources() error {
	type ref struct{ account, kind, id string }
	have := map[ref]bool{}
	for _, r := range im.snap.Resources {
		if err := headroom.CheckResource(r); err != nil {
			return err
		}
		if err := im.insert(fmt.Sprintf("resource %s %s of account %s (by id, or by name within its parent)", r.Kind, r.ID, r.Account),
			`INSERT INTO resources (account, kind, id, parent, name, data, created, updated, version, uses)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.Account, r.Kind, r.ID, r.Parent, r.Name, encData(r.Data), dbcodec.EncTime(r.Created), dbcodec.EncTime(r.Updated), r.Version, encUses(r.Uses)); err != nil {
			return err
		}
		have[ref{r.Account, r.Kind, r.ID}] = true
	}
	for _, r := range im.snap.Resources {
		if r.ParentKind != "" && !have[ref{r.Account, r.ParentKind, r.Parent}] {
			return invalid("has resource %s %s whose parent %s %s it does not hold", r.Kind, r.ID, r.ParentKind, r.Parent)
		}
		for _, u := range r.Uses {
			if !have[ref{r.Account, u.Kind, u.ID}] {
				return invalid("has resource %s %s using %s %s, which it does not hold", r.Kind, r.ID, u.Kind, u.ID)
			}
		}
		if err := putUses(im.w, r); err != nil {
			return err
		}
	}
	for _, t := range im.snap.ResourceTokens {
		if !have[ref{t.Account, t.Kind, t.ID}] {
			return invalid("has resource token %q naming %s %s, which it does not hold", t.Token.Key, t.Kind, t.ID)
		}
		if err := im.insert(fmt.Sprintf("resource token %q of account %s", t.Token.Key, t.Account),
			"INSERT INTO resource_tokens (account, key, hash, kind, id, created, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			t.Account, t.Token.Key, t.Token.Hash, t.Kind, t.ID, dbcodec.EncTime(t.Created), dbcodec.EncTime(t.Token.Expires)); err != nil {
			return err
		}
	}
	for _, t := range im.snap.Tags {
		for k, v := range t.Tags {
			if err := im.insert(fmt.Sprintf("the tags of %s in account %s", t.Resource, t.Account),
				"INSERT INTO tags (account, resource, key, value) VALUES ($1, $2, $3, $4)", t.Account, t.Resource, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}
