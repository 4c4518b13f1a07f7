package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// SnapshotStore is a Store that can give and take its whole state, as
// TestSnapshot needs.
type SnapshotStore interface {
	headroom.Store
	headroom.Exporter
	headroom.Importer
}

// TestSnapshot runs the contract of headroom.Exporter and headroom.Importer
// against stores made by newStore, which must implement both: a store
// filled through the Store API with every kind of state is exported,
// imported into a fresh store, and the copy must behave as the source and
// export equal to it; an import into a store that is not empty, or of a
// snapshot that is not consistent, must change nothing.
func TestSnapshot(t *testing.T, newStore NewStoreFunc) {
	open := func(t *testing.T) SnapshotStore {
		t.Helper()
		s := newStore(t)
		ss, ok := s.(SnapshotStore)
		if !ok {
			t.Fatalf("the store %T does not implement headroom.Exporter and headroom.Importer", s)
		}
		return ss
	}
	t.Run("RoundTrip", func(t *testing.T) { testSnapshotRoundTrip(t, open) })
	t.Run("AuditSequence", func(t *testing.T) { testSnapshotAuditSequence(t, open) })
	t.Run("Empty", func(t *testing.T) { testSnapshotEmpty(t, open) })
	t.Run("NotEmpty", func(t *testing.T) { testSnapshotNotEmpty(t, open) })
	t.Run("BadSnapshot", func(t *testing.T) { testSnapshotBad(t, open) })
}

// The second account of the snapshot tests.
const snapAccount2 = "444455556666"

// The fixed things FillSnapshot makes, which the tests look for on the copy.
var (
	snapTokenHash = []byte("sha256 of the operator's secret")
	snapResToken  = &headroom.ResourceToken{Key: "CreateInstance/t-1", Hash: "h-1", Expires: T0.Add(8 * time.Hour)}
	snapCount     = headroom.CountChange{Key: key("L-USERS", "instance/i-1"), Amount: 2, Limit: 10, IdempotencyKey: "idem-1", Now: T0}
	snapLease     = headroom.LeaseChange{Key: key("L-CALLS", "instance/i-1"), LeaseID: "call-1", Limit: 5, Now: T0, Expires: T0.Add(time.Hour)}
)

// FillSnapshot puts at least one of every kind of state in s through the
// Store API.
func FillSnapshot(t *testing.T, s headroom.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// An entry purged at once, so that the audit ids start above 1.
	must("AppendAudit", s.AppendAudit(ctx, headroom.AuditEntry{Time: T0.Add(-time.Hour), Actor: "suite", Action: "old"}))
	if _, err := s.PurgeAudit(ctx, T0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	must("CreateAccount", s.CreateAccount(ctx, headroom.Account{ID: Account, Created: T0}, auditEntry("account.create", "a")))
	must("CreateAccount", s.CreateAccount(ctx, headroom.Account{ID: snapAccount2, Created: T0.Add(time.Second), Partner: headroom.PartnerAISPL},
		headroom.AuditEntry{Time: T0, Actor: "suite", Account: snapAccount2, Action: "account.create"}))

	must("PutOverride", s.PutOverride(ctx, headroom.Override{Account: Account, Code: "L-USERS", Scope: headroom.ScopeAccount, Value: 50,
		UpdatedBy: "op", UpdatedAt: T0}, auditEntry("override.set", "50")))
	must("PutOverride", s.PutOverride(ctx, headroom.Override{Account: Account, Code: "L-USERS", Scope: "instance/i-1", Value: 7,
		UpdatedBy: "op", UpdatedAt: T0}, headroom.AuditEntry{}))
	must("PutOverride", s.PutOverride(ctx, headroom.Override{Account: snapAccount2, Code: "L-COUNTRIES", Scope: headroom.ScopeAccount,
		Allow: []string{"+44"}, Deny: []string{"+1"}, UpdatedBy: "op", UpdatedAt: T0}, headroom.AuditEntry{}))

	must("CreateAccessKey", s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAZZZZ", Account: snapAccount2, Secret: "secret-z", Created: T0},
		auditEntry("key.create", "z")))
	must("CreateAccessKey", s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAAAAA", Account: Account, Secret: "secret-a", Created: T0.Add(time.Second)},
		headroom.AuditEntry{}))
	must("CreateToken", s.CreateToken(ctx, headroom.Token{ID: "tok-op", Name: "ops", Role: headroom.RoleOperator, Hash: snapTokenHash, Created: T0},
		auditEntry("token.create", "op")))
	must("CreateToken", s.CreateToken(ctx, headroom.Token{ID: "tok-svc", Name: "svc", Role: headroom.RoleService, Hash: []byte("another hash"),
		Accounts: []string{Account, snapAccount2}, Created: T0}, headroom.AuditEntry{}))

	// Usage: a reserve whose key is replayed, a release with a key, a
	// reconciled counter, plain counters and a live lease.
	for i := 0; i < 2; i++ {
		r, err := s.Reserve(ctx, snapCount)
		if err != nil || !r.Applied || r.Replayed != (i == 1) || r.Used != 2 {
			t.Fatalf("Reserve #%d = %+v, %v", i+1, r, err)
		}
	}
	must("Reserve", reserveOK(s, headroom.CountChange{Key: key("L-QUEUES", "instance/i-1"), Amount: 3, Limit: 10, Now: T0}))
	if _, err := s.Release(ctx, headroom.CountChange{Key: key("L-QUEUES", "instance/i-1"), Amount: 1, IdempotencyKey: "idem-2", Now: T0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	must("SetUsage", s.SetUsage(ctx, headroom.UsageKey{Account: snapAccount2, Code: "L-NUMBERS", Scope: headroom.ScopeAccount}, 4,
		auditEntry("usage.reconcile", "4")))
	for _, n := range []int64{2, 3} {
		if _, err := s.AddCounter(ctx, key("breach.L-USERS", headroom.ScopeAccount), n); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := s.AcquireLease(ctx, snapLease); err != nil || !r.Applied {
		t.Fatalf("AcquireLease = %+v, %v", r, err)
	}

	// Change requests: one approved through a case, one open.
	r1 := request("req-1", "L-USERS", headroom.ScopeAccount, T0)
	r1.Allow = []string{"x"}
	must("CreateChangeRequest", s.CreateChangeRequest(ctx, r1, headroom.MaxOpenRequests, auditEntry("request.create", "req-1")))
	must("CreateChangeRequest", s.CreateChangeRequest(ctx, request("req-2", "L-QUEUES", "instance/i-1", T0.Add(time.Second)),
		headroom.MaxOpenRequests, headroom.AuditEntry{}))
	_, err := s.TransitionChangeRequest(ctx, headroom.Transition{RequestID: "req-1", From: headroom.StatusPending, To: headroom.StatusCaseOpened,
		Actor: "reviewer", At: T0.Add(time.Minute), Note: "needs a look", CaseID: "case-1"}, nil, headroom.AuditEntry{})
	must("TransitionChangeRequest", err)
	_, err = s.TransitionChangeRequest(ctx, headroom.Transition{RequestID: "req-1", From: headroom.StatusCaseOpened, To: headroom.StatusApproved,
		Actor: "reviewer", At: T0.Add(2 * time.Minute), GrantedValue: 80},
		&headroom.Override{Account: Account, Code: "L-USERS", Scope: headroom.ScopeAccount, Value: 80, UpdatedBy: "reviewer", UpdatedAt: T0.Add(2 * time.Minute)},
		auditEntry("request.approve", "req-1"))
	must("TransitionChangeRequest", err)

	must("PutTemplateEntry", s.PutTemplateEntry(ctx, headroom.TemplateEntry{Service: "connect", Code: "L-USERS", Region: "eu-west-2", DesiredValue: 100},
		auditEntry("template.put", "")))
	must("PutTemplateEntry", s.PutTemplateEntry(ctx, headroom.TemplateEntry{Service: "connect", Code: "L-QUEUES", Region: "eu-west-2", DesiredValue: 9},
		headroom.AuditEntry{}))
	must("SetTemplateAssociated", s.SetTemplateAssociated(ctx, true, auditEntry("template.associate", "")))

	// Resources: an instance made with a live token, holding a slot and a
	// lease; a named user under it; a group that uses a newer group, so
	// that a user comes before the resource it uses.
	inst := instance("i-1")
	inst.Data = []byte(`{"Id":"i-1"}`)
	res, err := s.CreateResource(ctx, inst, headroom.SlotChange{
		Hold:    &headroom.CountChange{Key: key("L-INSTANCES", headroom.ScopeAccount), Amount: 1, Limit: 2, Now: T0},
		Acquire: &headroom.LeaseChange{Key: key("L-SESSIONS", headroom.ScopeAccount), LeaseID: "i-1", Limit: 3, Now: T0, Expires: T0.Add(24 * time.Hour)},
	}, snapResToken, auditEntry("instance.create", "i-1"))
	if err != nil || !res.Applied {
		t.Fatalf("CreateResource(i-1) = %+v, %v", res, err)
	}
	u := user("u-1", "i-1", "alice", T0.Add(time.Second))
	u.ParentKind = kindInstance
	mustCreate(t, s, u, headroom.SlotChange{})
	mustCreate(t, s, withTime(group("g-a"), T0.Add(2*time.Second)), headroom.SlotChange{})
	mustCreate(t, s, withTime(group("g-b"), T0.Add(3*time.Second)), headroom.SlotChange{})
	ga := withTime(group("g-a", "g-b"), T0.Add(2*time.Second))
	ga.Version, ga.Updated = 1, T0.Add(4*time.Second)
	if res, err := s.UpdateResource(ctx, ga, headroom.SlotChange{}); err != nil || res.Version != 2 {
		t.Fatalf("UpdateResource(g-a) = %+v, %v", res, err)
	}
	must("TagResource", s.TagResource(ctx, Account, "arn:aws:connect:eu-west-2:111122223333:instance/i-1",
		map[string]string{"team": "blue", "env": "prod"}, headroom.MaxTags))
	fillAlarms(t, s)
	must("AppendAudit", s.AppendAudit(ctx, auditEntry("note", "the end")))
}

func reserveOK(s headroom.Store, c headroom.CountChange) error {
	r, err := s.Reserve(context.Background(), c)
	if err == nil && !r.Applied {
		err = fmt.Errorf("reserve of %s refused: %+v", c.Key.Code, r)
	}
	return err
}

func withTime(r headroom.Resource, at time.Time) headroom.Resource {
	r.Created, r.Updated = at, at
	return r
}

func export(t *testing.T, s headroom.Exporter) headroom.Snapshot {
	t.Helper()
	snap, err := s.Export(context.Background())
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return snap
}

// wantSameSnapshot fails t naming the first field where got and want
// differ.
func wantSameSnapshot(t *testing.T, got, want headroom.Snapshot) {
	t.Helper()
	if d := SnapshotDiff(got, want); d != "" {
		t.Fatalf("snapshots differ: %s", d)
	}
}

// SnapshotDiff returns "" if a and b are deeply equal, or else names the
// first field (and element) where they differ, with both values.
func SnapshotDiff(a, b headroom.Snapshot) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		name := va.Type().Field(i).Name
		fa, fb := va.Field(i), vb.Field(i)
		if reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			continue
		}
		if fa.Kind() != reflect.Slice {
			return fmt.Sprintf("%s: %v, want %v", name, fa.Interface(), fb.Interface())
		}
		for j := 0; j < min(fa.Len(), fb.Len()); j++ {
			if !reflect.DeepEqual(fa.Index(j).Interface(), fb.Index(j).Interface()) {
				return fmt.Sprintf("%s[%d]: %+v, want %+v", name, j, fa.Index(j).Interface(), fb.Index(j).Interface())
			}
		}
		return fmt.Sprintf("%s: %d elements, want %d (got %+v, want %+v)", name, fa.Len(), fb.Len(), fa.Interface(), fb.Interface())
	}
	return ""
}

func testSnapshotRoundTrip(t *testing.T, open func(*testing.T) SnapshotStore) {
	ctx := context.Background()
	src := open(t)
	FillSnapshot(t, src)
	snap := export(t, src)
	checkFilled(t, snap)

	dst := open(t)
	if err := dst.Import(ctx, snap); err != nil {
		t.Fatalf("Import: %v", err)
	}
	wantSameSnapshot(t, export(t, dst), snap)
	// The source is unchanged by the export.
	wantSameSnapshot(t, export(t, src), snap)

	// The copy behaves as the source.
	for _, s := range []headroom.Store{src, dst} {
		a, err := s.FindAccount(ctx, snapAccount2)
		if err != nil || a.Partner != headroom.PartnerAISPL {
			t.Fatalf("FindAccount = %+v, %v", a, err)
		}
		os, err := s.FindOverrides(ctx, Account, "L-USERS")
		if err != nil || len(os) != 2 {
			t.Fatalf("FindOverrides = %+v, %v; want 2", os, err)
		}
		k, err := s.FindAccessKey(ctx, "AKIAZZZZ")
		if err != nil || k.Secret != "secret-z" || k.Account != snapAccount2 {
			t.Fatalf("FindAccessKey = %+v, %v; want secret-z", k, err)
		}
		tok, err := s.FindToken(ctx, snapTokenHash)
		if err != nil || tok.ID != "tok-op" {
			t.Fatalf("FindToken = %+v, %v", tok, err)
		}
		if n, err := s.Counter(ctx, key("breach.L-USERS", headroom.ScopeAccount)); err != nil || n != 5 {
			t.Fatalf("Counter = %d, %v; want 5", n, err)
		}
		on, err := s.TemplateAssociated(ctx)
		if err != nil || !on {
			t.Fatalf("TemplateAssociated = %v, %v", on, err)
		}
		tags, err := s.ListTags(ctx, Account, "arn:aws:connect:eu-west-2:111122223333:instance/i-1")
		if err != nil || len(tags) != 2 || tags["team"] != "blue" {
			t.Fatalf("ListTags = %v, %v", tags, err)
		}
	}
	for _, id := range []string{"req-1", "req-2"} {
		want, err := src.ListTransitions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.ListTransitions(ctx, id)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ListTransitions(%s) on the copy = %+v, %v; want %+v", id, got, err, want)
		}
	}
	if tr, _ := dst.ListTransitions(ctx, "req-1"); len(tr) != 3 || tr[2].To != headroom.StatusApproved {
		t.Fatalf("transitions of req-1 = %+v; want 3 ending APPROVED", tr)
	}
	wantAudit, err := src.ListAudit(ctx, headroom.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	gotAudit, err := dst.ListAudit(ctx, headroom.AuditFilter{})
	if err != nil || !reflect.DeepEqual(gotAudit, wantAudit) {
		t.Fatalf("ListAudit on the copy = %+v, %v; want %+v", gotAudit, err, wantAudit)
	}
	if wantAudit[0].ID < 2 {
		t.Fatalf("the first audit id is %d; the suite purged one, so it must be above 1", wantAudit[0].ID)
	}

	// The idempotency key replays, and a different change with it is
	// refused.
	r, err := dst.Reserve(ctx, snapCount)
	if err != nil || !r.Replayed || r.Used != 2 {
		t.Fatalf("Reserve with the copied idempotency key = %+v, %v; want a replay at 2", r, err)
	}
	other := snapCount
	other.Amount = 1
	_, err = dst.Reserve(ctx, other)
	wantCode(t, err, headroom.ECONFLICT)
	// The resource token replays.
	retry := instance("i-9")
	retry.Created = T0.Add(time.Hour)
	res, err := dst.CreateResource(ctx, retry, headroom.SlotChange{}, snapResToken, headroom.AuditEntry{})
	if err != nil || !res.Replayed || res.ID != "i-1" || res.Version != 1 {
		t.Fatalf("CreateResource with the copied token = %+v, %v; want a replay naming i-1", res, err)
	}
	// The lease is live and counted: a limit of 1 leaves no room.
	now := T0.Add(time.Minute)
	if n, err := dst.LeaseUsage(ctx, snapLease.Key, now); err != nil || n != 1 {
		t.Fatalf("LeaseUsage on the copy = %d, %v; want 1", n, err)
	}
	lr, err := dst.AcquireLease(ctx, headroom.LeaseChange{Key: snapLease.Key, LeaseID: "call-2", Limit: 1, Now: now, Expires: now.Add(time.Hour)})
	if err != nil || lr.Applied {
		t.Fatalf("AcquireLease beyond the copied lease = %+v, %v; want refused", lr, err)
	}
	// Resources keep their versions, data and uses.
	for _, id := range []string{"g-a", "g-b"} {
		want, err := src.FindResource(ctx, Account, "connect:group", id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.FindResource(ctx, Account, "connect:group", id)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("FindResource(%s) on the copy = %+v, %v; want %+v", id, got, err, want)
		}
	}
	if u, err := dst.FindResource(ctx, Account, kindUser, "u-1"); err != nil || u.Parent != "i-1" || string(u.Data) != `{"Id":"u-1"}` {
		t.Fatalf("FindResource(u-1) on the copy = %+v, %v", u, err)
	}
	err = dst.DeleteResource(ctx, Account, "connect:group", "g-b", headroom.SlotChange{}, headroom.AuditEntry{})
	wantCode(t, err, headroom.EINUSE)
	checkAlarmsCopied(t, src, dst)
	// New audit entries get ids after the copied ones.
	if err := dst.AppendAudit(ctx, auditEntry("after", "")); err != nil {
		t.Fatal(err)
	}
	after, err := dst.ListAudit(ctx, headroom.AuditFilter{AfterID: snap.LastAuditID})
	if err != nil || len(after) != 1 || after[0].Action != "after" {
		t.Fatalf("audit after the copied entries = %+v, %v; want the new entry only", after, err)
	}
}

// checkFilled fails t unless snap holds every kind of state FillSnapshot
// makes, so that a store whose Export forgets a kind cannot pass by
// forgetting it on both sides.
func checkFilled(t *testing.T, snap headroom.Snapshot) {
	t.Helper()
	counts := map[string][2]int{
		"Accounts": {len(snap.Accounts), 2}, "Overrides": {len(snap.Overrides), 3}, "AccessKeys": {len(snap.AccessKeys), 2},
		"Tokens": {len(snap.Tokens), 2}, "Counts": {len(snap.Counts), 4}, "Counters": {len(snap.Counters), 1},
		"Leases": {len(snap.Leases), 2}, "IdempotencyKeys": {len(snap.IdempotencyKeys), 2}, "Requests": {len(snap.Requests), 2},
		"Transitions": {len(snap.Transitions), 4}, "Template": {len(snap.Template), 2}, "Resources": {len(snap.Resources), 4},
		"ResourceTokens": {len(snap.ResourceTokens), 1}, "Tags": {len(snap.Tags), 1}, "Audit": {len(snap.Audit), 12},
	}
	for name, c := range counts {
		if c[0] != c[1] {
			t.Errorf("the export has %d %s, want %d", c[0], name, c[1])
		}
	}
	if !snap.TemplateAssociated {
		t.Error("the export lost the template association")
	}
	if len(snap.AccessKeys) == 2 && (snap.AccessKeys[0].ID != "AKIAZZZZ" || snap.AccessKeys[0].Secret != "secret-z") {
		t.Errorf("access keys = %+v; want AKIAZZZZ first, in clear", snap.AccessKeys)
	}
	if n := len(snap.Audit); n > 0 && snap.LastAuditID < snap.Audit[n-1].ID {
		t.Errorf("LastAuditID = %d, below the last entry's %d", snap.LastAuditID, snap.Audit[n-1].ID)
	}
	for _, r := range snap.IdempotencyKeys {
		if r.Key == "idem-1" && (r.Op != headroom.OpReserve || r.Amount != 2 || !r.Recorded.Equal(T0) || r.Code != "L-USERS") {
			t.Errorf("idempotency key idem-1 = %+v", r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	checkAlarmsFilled(t, snap)
}

// testSnapshotAuditSequence imports a snapshot whose source gave audit ids
// beyond its last entry (their entries since purged), and wants the copy
// never to give those ids again.
func testSnapshotAuditSequence(t *testing.T, open func(*testing.T) SnapshotStore) {
	ctx := context.Background()
	src := open(t)
	FillSnapshot(t, src)
	snap := export(t, src)
	snap.LastAuditID += 10
	dst := open(t)
	if err := dst.Import(ctx, snap); err != nil {
		t.Fatalf("Import: %v", err)
	}
	wantSameSnapshot(t, export(t, dst), snap)
	if err := dst.AppendAudit(ctx, auditEntry("after", "")); err != nil {
		t.Fatal(err)
	}
	list, err := dst.ListAudit(ctx, headroom.AuditFilter{AfterID: snap.Audit[len(snap.Audit)-1].ID})
	if err != nil || len(list) != 1 || list[0].ID <= snap.LastAuditID {
		t.Fatalf("audit after the import = %+v, %v; want one entry with an id above %d", list, err, snap.LastAuditID)
	}
	// A snapshot with no entries at all keeps its sequence too.
	snap = headroom.Snapshot{LastAuditID: 42}
	dst = open(t)
	if err := dst.Import(ctx, snap); err != nil {
		t.Fatalf("Import: %v", err)
	}
	wantSameSnapshot(t, export(t, dst), snap)
}

func testSnapshotEmpty(t *testing.T, open func(*testing.T) SnapshotStore) {
	ctx := context.Background()
	src, dst := open(t), open(t)
	snap := export(t, src)
	if err := dst.Import(ctx, snap); err != nil {
		t.Fatalf("Import of an empty snapshot: %v", err)
	}
	wantSameSnapshot(t, export(t, dst), snap)

	// A store whose only lease was released holds nothing, and takes a
	// snapshot.
	full := open(t)
	FillSnapshot(t, full)
	dst = open(t)
	if _, err := dst.AcquireLease(ctx, snapLease); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.ReleaseLease(ctx, snapLease); err != nil {
		t.Fatal(err)
	}
	if err := dst.Import(ctx, export(t, full)); err != nil {
		t.Fatalf("Import into a store whose lease was released: %v", err)
	}
}

func testSnapshotNotEmpty(t *testing.T, open func(*testing.T) SnapshotStore) {
	ctx := context.Background()
	src := open(t)
	FillSnapshot(t, src)
	snap := export(t, src)
	for _, tc := range []struct {
		name string
		fill func(s headroom.Store) error
	}{
		{"account", func(s headroom.Store) error {
			return s.CreateAccount(ctx, headroom.Account{ID: "999988887777", Created: T0}, headroom.AuditEntry{})
		}},
		{"counter", func(s headroom.Store) error { _, err := s.AddCounter(ctx, key("c", "account"), 1); return err }},
		{"audit", func(s headroom.Store) error { return s.AppendAudit(ctx, auditEntry("x", "")) }},
		{"alarm rule", func(s headroom.Store) error {
			return s.PutAlarmRule(ctx, headroom.DefaultAlarmRule(), headroom.AuditEntry{})
		}},
		{"webhook", func(s headroom.Store) error { return s.CreateWebhook(ctx, snapWebhooks[0], headroom.AuditEntry{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := open(t)
			if err := tc.fill(dst); err != nil {
				t.Fatal(err)
			}
			before := export(t, dst)
			err := dst.Import(ctx, snap)
			wantCode(t, err, headroom.ECONFLICT)
			wantSameSnapshot(t, export(t, dst), before)
		})
	}
}

// testSnapshotBad imports snapshots that break late, after much of them
// could have been written, and wants the destination left empty, and
// still able to take a good snapshot.
func testSnapshotBad(t *testing.T, open func(*testing.T) SnapshotStore) {
	ctx := context.Background()
	src := open(t)
	FillSnapshot(t, src)
	good := export(t, src)
	empty := export(t, open(t))
	clone := func() headroom.Snapshot {
		s := good
		s.Overrides = append([]headroom.Override(nil), good.Overrides...)
		s.Audit = append([]headroom.AuditEntry(nil), good.Audit...)
		s.Resources = append([]headroom.Resource(nil), good.Resources...)
		s.ResourceTokens = append([]headroom.ResourceTokenRecord(nil), good.ResourceTokens...)
		s.AlarmRules = append([]headroom.AlarmRule(nil), good.AlarmRules...)
		s.AlarmStates = append([]headroom.AlarmState(nil), good.AlarmStates...)
		s.Webhooks = append([]headroom.Webhook(nil), good.Webhooks...)
		s.Notifications = append([]headroom.Notification(nil), good.Notifications...)
		return s
	}
	cases := []struct {
		name    string
		corrupt func(s *headroom.Snapshot)
	}{
		{"override of a missing account", func(s *headroom.Snapshot) {
			s.Overrides = append(s.Overrides, headroom.Override{Account: "999999999999", Code: "L-X", Scope: headroom.ScopeAccount, Value: 1})
		}},
		{"duplicate audit id", func(s *headroom.Snapshot) { s.Audit = append(s.Audit, s.Audit[len(s.Audit)-1]) }},
		{"duplicate resource", func(s *headroom.Snapshot) { s.Resources = append(s.Resources, s.Resources[0]) }},
		{"use of a missing resource", func(s *headroom.Snapshot) {
			r := withTime(group("g-z", "g-missing"), T0.Add(time.Hour))
			s.Resources = append(s.Resources, r)
		}},
		{"token of a missing resource", func(s *headroom.Snapshot) {
			tok := s.ResourceTokens[0]
			tok.Token.Key, tok.ID = "CreateInstance/t-9", "i-missing"
			s.ResourceTokens = append(s.ResourceTokens, tok)
		}},
	}
	for _, tc := range append(cases, badAlarmSnapshots...) {
		t.Run(tc.name, func(t *testing.T) {
			dst := open(t)
			bad := clone()
			tc.corrupt(&bad)
			err := dst.Import(ctx, bad)
			wantCode(t, err, headroom.EINVALID)
			wantSameSnapshot(t, export(t, dst), empty)
			if _, err := dst.FindAccount(ctx, Account); headroom.ErrorCodeOf(err) != headroom.EUNKNOWNACCOUNT {
				t.Fatalf("FindAccount after a failed import = %v; want EUNKNOWNACCOUNT", err)
			}
			if err := dst.Import(ctx, good); err != nil {
				t.Fatalf("Import of the good snapshot after a failed one: %v", err)
			}
			wantSameSnapshot(t, export(t, dst), good)
		})
	}
}
