package memory

import (
	"context"
	"fmt"
	"sort"

	"github.com/headroomhq/headroom"
)

var (
	_ headroom.Exporter = (*Store)(nil)
	_ headroom.Importer = (*Store)(nil)
)

// Export implements headroom.Exporter. It holds both locks while it reads,
// so the snapshot is one moment of the store. Leases, idempotency keys and
// resource tokens are copied as stored, expired or not.
func (s *Store) Export(context.Context) (headroom.Snapshot, error) {
	s.umu.Lock()
	defer s.umu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var snap headroom.Snapshot

	for _, a := range s.accounts {
		snap.Accounts = append(snap.Accounts, a)
	}
	sort.Slice(snap.Accounts, func(i, j int) bool { return snap.Accounts[i].ID < snap.Accounts[j].ID })
	for _, list := range s.overrides {
		for _, o := range list {
			o.Allow, o.Deny = copyStrings(o.Allow), copyStrings(o.Deny)
			snap.Overrides = append(snap.Overrides, o)
		}
	}
	sort.Slice(snap.Overrides, func(i, j int) bool {
		a, b := snap.Overrides[i], snap.Overrides[j]
		return lessStrings([]string{a.Account, a.Code, a.Scope}, []string{b.Account, b.Code, b.Scope})
	})
	for _, id := range s.keyOrder {
		if k, ok := s.keys[id]; ok {
			snap.AccessKeys = append(snap.AccessKeys, k)
		}
	}
	for _, t := range s.tokens {
		t.Hash = append([]byte(nil), t.Hash...)
		t.Accounts = copyStrings(t.Accounts)
		snap.Tokens = append(snap.Tokens, t)
	}
	sort.Slice(snap.Tokens, func(i, j int) bool { return snap.Tokens[i].ID < snap.Tokens[j].ID })

	snap.Counts = usageList(s.counts)
	snap.Counters = usageList(s.counters)
	for k, ls := range s.leases {
		for id, at := range ls.m {
			snap.Leases = append(snap.Leases, headroom.LeaseRecord{Key: k, LeaseID: id, Expires: unixNano(at)})
		}
	}
	sort.Slice(snap.Leases, func(i, j int) bool {
		a, b := snap.Leases[i], snap.Leases[j]
		if a.Key != b.Key {
			return keyLess(a.Key, b.Key)
		}
		return a.LeaseID < b.LeaseID
	})
	for k, r := range s.idem {
		snap.IdempotencyKeys = append(snap.IdempotencyKeys, headroom.IdempotencyRecord{
			Account: k[0], Key: k[1], Op: headroom.Op(r.op), Code: r.key.Code, Scope: r.key.Scope, Amount: r.amount, Recorded: r.at})
	}
	sort.Slice(snap.IdempotencyKeys, func(i, j int) bool {
		a, b := snap.IdempotencyKeys[i], snap.IdempotencyKeys[j]
		return lessStrings([]string{a.Account, a.Key}, []string{b.Account, b.Key})
	})

	for _, r := range s.requests {
		r.Allow, r.Deny = copyStrings(r.Allow), copyStrings(r.Deny)
		snap.Requests = append(snap.Requests, r)
	}
	sort.Slice(snap.Requests, func(i, j int) bool { return requestBefore(snap.Requests[i], snap.Requests[j]) })
	for _, r := range snap.Requests {
		snap.Transitions = append(snap.Transitions, s.transitions[r.ID]...)
	}
	for _, e := range s.template {
		snap.Template = append(snap.Template, e)
	}
	sort.Slice(snap.Template, func(i, j int) bool {
		a, b := snap.Template[i], snap.Template[j]
		return lessStrings([]string{a.Service, a.Code, a.Region}, []string{b.Service, b.Code, b.Region})
	})
	snap.TemplateAssociated = s.templateOn
	snap.Audit = append([]headroom.AuditEntry(nil), s.audit...)
	snap.LastAuditID = s.auditSeq

	for _, set := range s.resources {
		for _, r := range set.byID {
			r.Data = copyData(r.Data)
			if r.Uses != nil {
				r.Uses = append([]headroom.ResourceRef(nil), r.Uses...)
			}
			snap.Resources = append(snap.Resources, r)
		}
	}
	sort.Slice(snap.Resources, func(i, j int) bool {
		a, b := snap.Resources[i], snap.Resources[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return lessStrings([]string{a.ID, a.Account, a.Kind}, []string{b.ID, b.Account, b.Kind})
	})
	for k, t := range s.rtokens {
		snap.ResourceTokens = append(snap.ResourceTokens, headroom.ResourceTokenRecord{
			Account: k[0], Token: headroom.ResourceToken{Key: k[1], Hash: t.hash, Expires: t.expires},
			Kind: t.kind, ID: t.id, Created: t.created})
	}
	sort.Slice(snap.ResourceTokens, func(i, j int) bool {
		a, b := snap.ResourceTokens[i], snap.ResourceTokens[j]
		return lessStrings([]string{a.Account, a.Token.Key}, []string{b.Account, b.Token.Key})
	})
	for k, m := range s.tags {
		if len(m) == 0 {
			continue
		}
		tags := make(map[string]string, len(m))
		for key, v := range m {
			tags[key] = v
		}
		snap.Tags = append(snap.Tags, headroom.ResourceTags{Account: k[0], Resource: k[1], Tags: tags})
	}
	sort.Slice(snap.Tags, func(i, j int) bool {
		a, b := snap.Tags[i], snap.Tags[j]
		return lessStrings([]string{a.Account, a.Resource}, []string{b.Account, b.Resource})
	})
	s.exportAlarmsLocked(&snap)
	return snap, nil
}

// Import implements headroom.Importer. It builds the whole state aside,
// checking the snapshot as it goes (EINVALID for a duplicate or for a
// reference to something the snapshot does not hold), and puts it in place
// only if all of it is good and the store is empty (ECONFLICT otherwise),
// under both locks, so no caller ever sees part of it.
func (s *Store) Import(_ context.Context, snap headroom.Snapshot) error {
	n := NewStore()
	if err := n.fill(snap); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	s.umu.Lock()
	defer s.umu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.emptyLocked() {
		return fmt.Errorf("import: %w", headroom.Errorf(headroom.ECONFLICT, "the store is not empty: a snapshot is imported only into an empty store"))
	}
	n.auditSeq = max(n.auditSeq, s.auditSeq)
	s.accounts, s.overrides, s.audit, s.auditSeq = n.accounts, n.overrides, n.audit, n.auditSeq
	s.keys, s.keyOrder, s.tokens = n.keys, n.keyOrder, n.tokens
	s.requests, s.transitions, s.template, s.templateOn, s.tags = n.requests, n.transitions, n.template, n.templateOn, n.tags
	s.counts, s.idem, s.leases, s.counters = n.counts, n.idem, n.leases, n.counters
	s.resources, s.rtokens, s.usedBy = n.resources, n.rtokens, n.usedBy
	s.alarms = n.alarms
	return nil
}

// emptyLocked reports whether the store holds no state; both locks must be
// held. The audit sequence alone does not count: it is kept. Nor does a
// lease set left empty by releases, which the next purge drops.
func (s *Store) emptyLocked() bool {
	for _, ls := range s.leases {
		if len(ls.m) > 0 {
			return false
		}
	}
	return len(s.accounts) == 0 && len(s.overrides) == 0 && len(s.audit) == 0 && len(s.keys) == 0 &&
		len(s.tokens) == 0 && len(s.requests) == 0 && len(s.template) == 0 && !s.templateOn && len(s.tags) == 0 &&
		len(s.counts) == 0 && len(s.idem) == 0 && len(s.counters) == 0 &&
		len(s.resources) == 0 && len(s.rtokens) == 0 && s.alarmsEmpty()
}

func invalid(format string, args ...any) error {
	return headroom.Errorf(headroom.EINVALID, "the snapshot "+format, args...)
}

// fill loads snap into n, a new store no one else holds.
func (n *Store) fill(snap headroom.Snapshot) error {
	for _, a := range snap.Accounts {
		if _, ok := n.accounts[a.ID]; ok {
			return invalid("has account %s twice", a.ID)
		}
		n.accounts[a.ID] = a
	}
	needAccount := func(what, id string) error {
		if _, ok := n.accounts[id]; !ok {
			return invalid("has %s of account %s, which it does not hold", what, id)
		}
		return nil
	}
	seen := map[[3]string]bool{}
	for _, o := range snap.Overrides {
		if err := needAccount("an override of "+o.Code, o.Account); err != nil {
			return err
		}
		if k := [3]string{o.Account, o.Code, o.Scope}; seen[k] {
			return invalid("has the override of %s in %s twice", o.Code, headroom.DescribeScope(o.Account, o.Scope))
		} else {
			seen[k] = true
		}
		n.putOverrideLocked(o)
	}
	for _, k := range snap.AccessKeys {
		if err := needAccount("access key "+k.ID, k.Account); err != nil {
			return err
		}
		if _, ok := n.keys[k.ID]; ok {
			return invalid("has access key %s twice", k.ID)
		}
		n.keys[k.ID] = k
		n.keyOrder = append(n.keyOrder, k.ID)
	}
	hashes := map[string]bool{}
	for _, t := range snap.Tokens {
		if _, ok := n.tokens[t.ID]; ok || hashes[string(t.Hash)] {
			return invalid("has token %s twice (by id or by hash)", t.ID)
		}
		hashes[string(t.Hash)] = true
		t.Hash = append([]byte(nil), t.Hash...)
		t.Accounts = copyStrings(t.Accounts)
		n.tokens[t.ID] = t
	}
	if err := fillUsage(n.counts, snap.Counts, "count"); err != nil {
		return err
	}
	if err := fillUsage(n.counters, snap.Counters, "counter"); err != nil {
		return err
	}
	for _, l := range snap.Leases {
		ls := n.leases[l.Key]
		if ls == nil {
			ls = &leaseSet{m: map[string]int64{}}
			n.leases[l.Key] = ls
		}
		if _, ok := ls.m[l.LeaseID]; ok {
			return invalid("has lease %s of %s twice", l.LeaseID, l.Key.Code)
		}
		ls.set(l.LeaseID, l.Expires.UnixNano())
	}
	for _, r := range snap.IdempotencyKeys {
		k := [2]string{r.Account, r.Key}
		if _, ok := n.idem[k]; ok {
			return invalid("has idempotency key %q of account %s twice", r.Key, r.Account)
		}
		n.idem[k] = idemRecord{op: string(r.Op), key: headroom.UsageKey{Account: r.Account, Code: r.Code, Scope: r.Scope},
			amount: r.Amount, at: r.Recorded}
	}
	if err := n.fillWorkflow(snap, needAccount); err != nil {
		return err
	}
	for _, e := range snap.Audit {
		if e.ID <= n.auditSeq {
			return invalid("has audit entry %d out of order or twice", e.ID)
		}
		n.audit = append(n.audit, e)
		n.auditSeq = e.ID
	}
	n.auditSeq = max(n.auditSeq, snap.LastAuditID)
	if err := n.fillAlarms(snap); err != nil {
		return err
	}
	return n.fillResources(snap)
}

func fillUsage(m map[headroom.UsageKey]int64, list []headroom.Usage, what string) error {
	for _, u := range list {
		if _, ok := m[u.Key]; ok {
			return invalid("has the %s of %s in %s twice", what, u.Key.Code, headroom.DescribeScope(u.Key.Account, u.Key.Scope))
		}
		if u.Used > 0 {
			m[u.Key] = u.Used
		}
	}
	return nil
}

// fillWorkflow loads the change requests, their transitions and the
// template.
func (n *Store) fillWorkflow(snap headroom.Snapshot, needAccount func(what, id string) error) error {
	for _, r := range snap.Requests {
		if err := needAccount("change request "+r.ID, r.Account); err != nil {
			return err
		}
		if _, ok := n.requests[r.ID]; ok {
			return invalid("has change request %s twice", r.ID)
		}
		r.Allow, r.Deny = copyStrings(r.Allow), copyStrings(r.Deny)
		n.requests[r.ID] = r
	}
	for _, t := range snap.Transitions {
		if _, ok := n.requests[t.RequestID]; !ok {
			return invalid("has a transition of change request %s, which it does not hold", t.RequestID)
		}
		n.transitions[t.RequestID] = append(n.transitions[t.RequestID], t)
	}
	for _, e := range snap.Template {
		k := [3]string{e.Service, e.Code, e.Region}
		if _, ok := n.template[k]; ok {
			return invalid("has the template entry of %s %s in %s twice", e.Service, e.Code, e.Region)
		}
		n.template[k] = e
	}
	n.templateOn = snap.TemplateAssociated
	return nil
}

// fillResources loads the resources with their uses, tokens and tags. The
// uses and parents are checked once every resource is in.
func (n *Store) fillResources(snap headroom.Snapshot) error {
	for _, r := range snap.Resources {
		if err := headroom.CheckResource(r); err != nil {
			return err
		}
		r = normResource(r)
		set := n.resources[[2]string{r.Account, r.Kind}]
		if set == nil {
			set = &resourceSet{byID: map[string]headroom.Resource{}, byName: map[[2]string]string{}}
			n.resources[[2]string{r.Account, r.Kind}] = set
		}
		if _, ok := set.byID[r.ID]; ok {
			return invalid("has resource %s %s of account %s twice", r.Kind, r.ID, r.Account)
		}
		if id, ok := set.byName[[2]string{r.Parent, r.Name}]; ok && r.Name != "" {
			return invalid("has two resources %s named %q in account %s: %s and %s", r.Kind, r.Name, r.Account, id, r.ID)
		}
		r.ParentKind = ""
		set.byID[r.ID] = r
		if r.Name != "" {
			set.byName[[2]string{r.Parent, r.Name}] = r.ID
		}
	}
	for _, r := range snap.Resources {
		if r.ParentKind != "" {
			if _, ok := n.findLocked(r.Account, r.ParentKind, r.Parent); !ok {
				return invalid("has resource %s %s whose parent %s %s it does not hold", r.Kind, r.ID, r.ParentKind, r.Parent)
			}
		}
		for _, u := range r.Uses {
			if _, ok := n.findLocked(r.Account, u.Kind, u.ID); !ok {
				return invalid("has resource %s %s using %s %s, which it does not hold", r.Kind, r.ID, u.Kind, u.ID)
			}
		}
		n.useLocked(r, true)
	}
	for _, t := range snap.ResourceTokens {
		k := [2]string{t.Account, t.Token.Key}
		if _, ok := n.rtokens[k]; ok {
			return invalid("has resource token %q of account %s twice", t.Token.Key, t.Account)
		}
		if _, ok := n.findLocked(t.Account, t.Kind, t.ID); !ok {
			return invalid("has resource token %q naming %s %s, which it does not hold", t.Token.Key, t.Kind, t.ID)
		}
		n.rtokens[k] = resourceToken{hash: t.Token.Hash, kind: t.Kind, id: t.ID,
			created: normTime(t.Created), expires: normTime(t.Token.Expires)}
	}
	for _, t := range snap.Tags {
		k := [2]string{t.Account, t.Resource}
		if _, ok := n.tags[k]; ok {
			return invalid("has the tags of %s in account %s twice", t.Resource, t.Account)
		}
		if len(t.Tags) == 0 {
			continue
		}
		m := make(map[string]string, len(t.Tags))
		for key, v := range t.Tags {
			m[key] = v
		}
		n.tags[k] = m
	}
	return nil
}

// usageList returns the counters of m, ordered by key.
func usageList(m map[headroom.UsageKey]int64) []headroom.Usage {
	var out []headroom.Usage
	for k, v := range m {
		out = append(out, headroom.Usage{Key: k, Used: v})
	}
	sort.Slice(out, func(i, j int) bool { return keyLess(out[i].Key, out[j].Key) })
	return out
}

func keyLess(a, b headroom.UsageKey) bool {
	return lessStrings([]string{a.Account, a.Code, a.Scope}, []string{b.Account, b.Code, b.Scope})
}

// lessStrings orders tuples of strings field by field.
func lessStrings(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func copyStrings(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return append([]string(nil), l...)
}
