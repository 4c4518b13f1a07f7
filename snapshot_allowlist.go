package headroom

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Per-instance allow-lists. The seed says the countries an existing Amazon
// Connect instance may call can differ from a new instance's. So when an
// instance is created, the engine copies into the instance resource's Data
// the entries that each instance-scoped set quota (the outbound country
// allow-list) has for the account at that moment. The copy is written by
// the same store operation that creates the instance, so no instance exists
// without its list, and none is left behind if the create fails; an
// override in scope instance/ID would have needed a second write.
//
// An instance's list is then: its snapshot, changed by the overrides in
// its own scope (an approved allow-list request with a ContextId or
// --scope instance/ID). An account-wide change reaches the instances
// created after it, not the existing ones. An instance with no snapshot
// (created before snapshots, or imported) follows the account.

// KindConnectInstance is the resource kind of an Amazon Connect instance.
const KindConnectInstance = "connect:instance"

// AllowListsField is the member of an instance's Data that holds its
// snapshots: quota code → entries.
const AllowListsField = "HeadroomAllowLists"

// SetEntries are a set quota's entries: the allowed and the denied.
type SetEntries struct {
	Allow []string `json:"Allow,omitempty"`
	Deny  []string `json:"Deny,omitempty"`
}

// snapshotAllowLists adds to an instance's Data the account's current
// entries of every set quota counted per instance.
func (e *Engine) snapshotAllowLists(ctx context.Context, r *Resource) error {
	if r.Kind != KindConnectInstance {
		return nil
	}
	snaps := map[string]SetEntries{}
	var acct *Account
	for _, q := range e.quotas() {
		if q.Kind != KindSet || !strings.HasPrefix(string(q.Scope), "instance") {
			continue
		}
		if acct == nil {
			a, err := e.store.FindAccount(ctx, r.Account)
			if err != nil {
				return err
			}
			acct = &a
		}
		applied, err := e.resolve(ctx, acct, q, ScopeAccount)
		if err != nil {
			return err
		}
		var s SetEntries
		for entry, ok := range applied.Entries {
			if ok {
				s.Allow = append(s.Allow, entry)
			} else {
				s.Deny = append(s.Deny, entry)
			}
		}
		sort.Strings(s.Allow)
		sort.Strings(s.Deny)
		snaps[q.Code] = s
	}
	if len(snaps) == 0 {
		return nil
	}
	data := map[string]json.RawMessage{}
	if len(r.Data) > 0 {
		if err := json.Unmarshal(r.Data, &data); err != nil {
			return FieldErrorf("data", "an instance's data must be a JSON object to take its allow-lists: %v", err)
		}
	}
	raw, err := json.Marshal(snaps)
	if err != nil {
		return fmt.Errorf("snapshot allow-lists: %w", err)
	}
	data[AllowListsField] = raw
	out, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("snapshot allow-lists: %w", err)
	}
	r.Data = out
	return nil
}

// keepAllowLists carries an instance's snapshot from its data before an
// update into its data after, when the update, which rewrites the data
// from the transport's own shape, left it out.
func keepAllowLists(before, after []byte) ([]byte, error) {
	var old map[string]json.RawMessage
	if json.Unmarshal(before, &old) != nil || old[AllowListsField] == nil {
		return after, nil
	}
	data := map[string]json.RawMessage{}
	if len(after) > 0 {
		if err := json.Unmarshal(after, &data); err != nil {
			return nil, FieldErrorf("data", "an instance's data must be a JSON object to keep its allow-lists: %v", err)
		}
	}
	if _, ok := data[AllowListsField]; ok {
		return after, nil
	}
	data[AllowListsField] = old[AllowListsField]
	out, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("keep allow-lists: %w", err)
	}
	return out, nil
}

// instanceSnapshot returns the snapshot of q's entries kept by the
// instance that scope names ("instance/ID" or below it), if it has one.
func (e *Engine) instanceSnapshot(ctx context.Context, account string, q *Quota, scope string) (*SetEntries, string, error) {
	typ, rest, ok := strings.Cut(scope, "/")
	if !ok || typ != "instance" {
		return nil, "", nil
	}
	id, _, _ := strings.Cut(rest, "/")
	r, err := e.store.FindResource(ctx, account, KindConnectInstance, id)
	if ErrorCodeOf(err) == ENOTFOUND {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("allow-list of instance %s: %w", id, err)
	}
	var d struct {
		Lists map[string]SetEntries `json:"HeadroomAllowLists"`
	}
	if len(r.Data) == 0 || json.Unmarshal(r.Data, &d) != nil {
		return nil, "", nil
	}
	s, ok := d.Lists[q.Code]
	if !ok {
		return nil, "", nil
	}
	return &s, "instance/" + id, nil
}
