package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// The kinds of resource the suite stores.
const (
	kindInstance = "connect:instance"
	kindUser     = "connect:user"
)

// user returns a user resource of the suite's account under instance.
func user(id, instance, name string, at time.Time) headroom.Resource {
	return headroom.Resource{Account: Account, Kind: kindUser, ID: id, Parent: instance, Name: name,
		Data: []byte(`{"Id":"` + id + `"}`), Created: at, Updated: at}
}

// userSlot is the usage key of the users of one instance.
func userSlot(instance string) headroom.UsageKey { return key("L-USERS", "instance/"+instance) }

func holdUser(instance string, limit int64) *headroom.CountChange {
	return &headroom.CountChange{Key: userSlot(instance), Amount: 1, Limit: limit, Now: T0}
}

func wantUsage(t *testing.T, s headroom.Store, k headroom.UsageKey, want int64) {
	t.Helper()
	if n, err := s.CountUsage(context.Background(), k); err != nil || n != want {
		t.Fatalf("usage of %s %s = %d, %v; want %d", k.Code, k.Scope, n, err, want)
	}
}

// wantResource checks that the store holds r as given.
func wantResource(t *testing.T, s headroom.Store, r headroom.Resource) {
	t.Helper()
	got, err := s.FindResource(context.Background(), r.Account, r.Kind, r.ID)
	if err != nil {
		t.Fatalf("FindResource(%s %s): %v", r.Kind, r.ID, err)
	}
	if got.Account != r.Account || got.Kind != r.Kind || got.ID != r.ID || got.Parent != r.Parent || got.Name != r.Name ||
		string(got.Data) != string(r.Data) || !got.Created.Equal(r.Created) || !got.Updated.Equal(r.Updated) ||
		r.Version != 0 && got.Version != r.Version {
		t.Fatalf("FindResource = %+v (data %s), want %+v (data %s)", got, got.Data, r, r.Data)
	}
}

func wantNoResource(t *testing.T, s headroom.Store, account, kind, id string) {
	t.Helper()
	_, err := s.FindResource(context.Background(), account, kind, id)
	wantCode(t, err, headroom.ENOTFOUND)
}

func auditActions(t *testing.T, s headroom.Store) string {
	t.Helper()
	list, err := s.ListAudit(context.Background(), headroom.AuditFilter{Account: Account})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Action+" "+e.Detail)
	}
	return fmt.Sprint(out)
}

func testResources(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	audit := func(action, detail string) headroom.AuditEntry {
		return headroom.AuditEntry{Time: T0, Actor: "op", Account: Account, Action: action, Detail: detail}
	}

	// Without a hold: stored, nothing counted. Times come back in UTC to
	// the nanosecond, and Data is the store's own copy.
	at := time.Date(2026, 3, 1, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))
	inst := headroom.Resource{Account: Account, Kind: kindInstance, ID: "i-1", Name: "support", Data: []byte(`{"Id":"i-1"}`), Created: at, Updated: at}
	buf := inst.Data
	res, err := s.CreateResource(ctx, inst, headroom.SlotChange{}, nil, audit("instance.create", "i-1"))
	if err != nil || !res.Applied || res.Replayed {
		t.Fatalf("CreateResource without hold = %+v, %v", res, err)
	}
	copy(buf, "XXXXXXXXXXXX")
	inst.Data = []byte(`{"Id":"i-1"}`)
	wantResource(t, s, inst)
	got, _ := s.FindResource(ctx, Account, kindInstance, "i-1")
	if got.Created.Location() != time.UTC || got.Updated.Location() != time.UTC || got.Created.Nanosecond() != 123456789 {
		t.Fatalf("times = %v, %v; want UTC with nanoseconds", got.Created, got.Updated)
	}
	copy(got.Data, "XXXXXXXXXXXX")
	wantResource(t, s, inst)

	// With a hold: the slot is taken with the resource.
	u1 := user("u-1", "i-1", "alice", T0)
	res, err = s.CreateResource(ctx, u1, headroom.SlotChange{Hold: holdUser("i-1", 2)}, nil, audit("user.create", "u-1"))
	if err != nil || !res.Applied || res.Used != 1 || res.Replayed {
		t.Fatalf("CreateResource with hold = %+v, %v; want applied, used 1", res, err)
	}
	wantResource(t, s, u1)
	wantUsage(t, s, userSlot("i-1"), 1)

	// A duplicate id, or a duplicate name under the same parent, is a
	// conflict that takes no slot and stores nothing; audit included.
	dupID := user("u-1", "i-1", "bob", T0.Add(time.Second))
	_, err = s.CreateResource(ctx, dupID, headroom.SlotChange{Hold: holdUser("i-1", 2)}, nil, audit("user.create", "dup-id"))
	wantCode(t, err, headroom.ECONFLICT)
	dupName := user("u-2", "i-1", "alice", T0.Add(time.Second))
	_, err = s.CreateResource(ctx, dupName, headroom.SlotChange{Hold: holdUser("i-1", 2)}, nil, audit("user.create", "dup-name"))
	wantCode(t, err, headroom.ECONFLICT)
	wantNoResource(t, s, Account, kindUser, "u-2")
	wantResource(t, s, u1)
	wantUsage(t, s, userSlot("i-1"), 1)
	// A conflict is reported even when the hold would also be refused.
	_, err = s.CreateResource(ctx, dupName, headroom.SlotChange{Hold: holdUser("i-1", 1)}, nil, audit("user.create", "dup-full"))
	wantCode(t, err, headroom.ECONFLICT)

	// The same name under another parent, unnamed resources, and the same
	// id in another kind are all fine.
	other := user("u-2", "i-2", "alice", T0.Add(time.Second))
	if res, err := s.CreateResource(ctx, other, headroom.SlotChange{Hold: holdUser("i-2", 2)}, nil, headroom.AuditEntry{}); err != nil || !res.Applied || res.Used != 1 {
		t.Fatalf("same name under another parent = %+v, %v", res, err)
	}
	for _, id := range []string{"u-3", "u-4"} {
		if _, err := s.CreateResource(ctx, user(id, "i-2", "", T0.Add(2*time.Second)), headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
			t.Fatalf("unnamed %s: %v", id, err)
		}
	}
	sameID := headroom.Resource{Account: Account, Kind: "connect:queue", ID: "u-1", Parent: "i-1", Name: "alice", Created: T0}
	if _, err := s.CreateResource(ctx, sameID, headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
		t.Fatalf("same id and name in another kind: %v", err)
	}
	if got, _ := s.FindResource(ctx, Account, "connect:queue", "u-1"); got.Data != nil {
		t.Fatalf("empty data came back as %q, want nil", got.Data)
	}

	// A hold at the limit is refused: nothing is stored, usage and audit
	// stay, and the id and name stay free.
	full := user("u-5", "i-1", "carol", T0.Add(3*time.Second))
	res, err = s.CreateResource(ctx, full, headroom.SlotChange{Hold: holdUser("i-1", 1)}, nil, audit("user.create", "refused"))
	if err != nil || res.Applied || res.Used != 1 || res.Replayed {
		t.Fatalf("CreateResource at the limit = %+v, %v; want refused with used 1", res, err)
	}
	wantNoResource(t, s, Account, kindUser, "u-5")
	wantUsage(t, s, userSlot("i-1"), 1)
	if res, err := s.CreateResource(ctx, full, headroom.SlotChange{Hold: holdUser("i-1", 2)}, nil, audit("user.create", "u-5")); err != nil || !res.Applied || res.Used != 2 {
		t.Fatalf("CreateResource after the refusal = %+v, %v", res, err)
	}
	wantResource(t, s, full)

	// A hold with an idempotency key: a retry is a replay that creates
	// nothing twice; the key reused for another change is a conflict.
	keyed := user("u-6", "i-3", "dave", T0.Add(4*time.Second))
	hold := &headroom.CountChange{Key: userSlot("i-3"), Amount: 1, Limit: 5, IdempotencyKey: "create-u-6", Now: T0}
	for i := 0; i < 2; i++ {
		res, err := s.CreateResource(ctx, keyed, headroom.SlotChange{Hold: hold}, nil, audit("user.create", "u-6"))
		if err != nil || !res.Applied || res.Used != 1 || res.Replayed != (i > 0) {
			t.Fatalf("keyed create try %d = %+v, %v; want used 1, replayed on the retry", i, res, err)
		}
	}
	wantResource(t, s, keyed)
	bad := *hold
	bad.Amount = 2
	_, err = s.CreateResource(ctx, user("u-7", "i-3", "erin", T0), headroom.SlotChange{Hold: &bad}, nil, audit("user.create", "bad-key"))
	wantCode(t, err, headroom.ECONFLICT)
	wantNoResource(t, s, Account, kindUser, "u-7")
	wantUsage(t, s, userSlot("i-3"), 1)

	// Missing account, kind or id.
	for _, r := range []headroom.Resource{{Kind: kindUser, ID: "x"}, {Account: Account, ID: "x"}, {Account: Account, Kind: kindUser}} {
		_, err := s.CreateResource(ctx, r, headroom.SlotChange{Hold: holdUser("i-9", 5)}, nil, headroom.AuditEntry{})
		wantCode(t, err, headroom.EINVALID)
	}
	wantUsage(t, s, userSlot("i-9"), 0)

	// Update replaces name, data and updated; the resource keeps its
	// parent and creation time.
	later := T0.Add(time.Hour)
	upd := u1
	upd.Version = 1
	upd.Name, upd.Data, upd.Updated = "alice2", []byte(`{"Id":"u-1","v":2}`), later
	upd.Parent, upd.Created = "ignored", later
	if res, err := s.UpdateResource(ctx, upd, headroom.SlotChange{}); err != nil || res.Version != 2 {
		t.Fatalf("update of version 1 = %+v, %v; want version 2", res, err)
	}
	u1.Name, u1.Data, u1.Updated, u1.Version = upd.Name, upd.Data, later, 2
	wantResource(t, s, u1)
	// An update of a version that is no longer stored changes nothing.
	stale := upd
	stale.Data = []byte(`{"lost":true}`)
	_, err = s.UpdateResource(ctx, stale, headroom.SlotChange{})
	wantCode(t, err, headroom.ESTALE)
	wantResource(t, s, u1)
	// The old name is free again; a taken name is a conflict; an unknown
	// resource is not found.
	if _, err := s.CreateResource(ctx, user("u-8", "i-1", "alice", T0.Add(5*time.Second)), headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
		t.Fatalf("create with a name freed by an update: %v", err)
	}
	clash := u1
	clash.Name = "carol"
	_, err = s.UpdateResource(ctx, clash, headroom.SlotChange{})
	wantCode(t, err, headroom.ECONFLICT)
	wantResource(t, s, u1)
	keep := u1
	keep.Data = []byte(`{"v":3}`)
	if _, err := s.UpdateResource(ctx, keep, headroom.SlotChange{}); err != nil {
		t.Fatalf("update keeping its own name: %v", err)
	}
	keep.Version = 3
	wantResource(t, s, keep)
	missing := user("u-404", "i-1", "zed", T0)
	_, err = s.UpdateResource(ctx, missing, headroom.SlotChange{})
	wantCode(t, err, headroom.ENOTFOUND)

	// Delete frees the slot with the resource; the second time it is not
	// found and frees nothing.
	free := &headroom.CountChange{Key: userSlot("i-1"), Amount: 1, Now: T0}
	if err := s.DeleteResource(ctx, Account, kindUser, "u-5", headroom.SlotChange{Free: free}, audit("user.delete", "u-5")); err != nil {
		t.Fatal(err)
	}
	wantNoResource(t, s, Account, kindUser, "u-5")
	wantUsage(t, s, userSlot("i-1"), 1)
	wantCode(t, s.DeleteResource(ctx, Account, kindUser, "u-5", headroom.SlotChange{Free: free}, audit("user.delete", "again")), headroom.ENOTFOUND)
	wantUsage(t, s, userSlot("i-1"), 1)
	// A free never takes usage below zero.
	if err := s.DeleteResource(ctx, Account, kindUser, "u-3", headroom.SlotChange{Free: &headroom.CountChange{Key: userSlot("i-2"), Amount: 5, Now: T0}}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, s, userSlot("i-2"), 0)
	// A free whose idempotency key was used for another change is a
	// conflict, and the resource stays.
	badFree := &headroom.CountChange{Key: userSlot("i-3"), Amount: 1, IdempotencyKey: "create-u-6", Now: T0}
	wantCode(t, s.DeleteResource(ctx, Account, kindUser, "u-6", headroom.SlotChange{Free: badFree}, headroom.AuditEntry{}), headroom.ECONFLICT)
	wantResource(t, s, keyed)
	wantUsage(t, s, userSlot("i-3"), 1)
	// Without a free, usage is left alone.
	if err := s.DeleteResource(ctx, Account, kindInstance, "i-1", headroom.SlotChange{}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	wantNoResource(t, s, Account, kindInstance, "i-1")
	wantUsage(t, s, userSlot("i-1"), 1)
	// The deleted name and id can be used again.
	if _, err := s.CreateResource(ctx, user("u-5", "i-1", "carol", T0), headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
		t.Fatalf("re-create after delete: %v", err)
	}

	if got, want := auditActions(t, s), "[instance.create i-1 user.create u-1 user.create u-5 user.create u-6 user.delete u-5]"; got != want {
		t.Fatalf("audit = %s, want %s", got, want)
	}
}

func ids(list []headroom.Resource) string {
	var out []string
	for _, r := range list {
		out = append(out, r.ID)
	}
	return fmt.Sprint(out)
}

func testResourceList(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	// Created out of id order, with ties in Created broken by ID.
	for _, r := range []headroom.Resource{
		user("u-c", "i-1", "c", T0.Add(2*time.Second)),
		user("u-a", "i-2", "a", T0.Add(3*time.Second)),
		user("u-b", "i-1", "b", T0.Add(1*time.Second)),
		user("u-e", "i-1", "e", T0.Add(2*time.Second)),
		user("u-d", "i-2", "d", T0.Add(2*time.Second)),
		{Account: Account, Kind: kindInstance, ID: "i-1", Created: T0},
		{Account: "999988887777", Kind: kindUser, ID: "u-x", Parent: "i-1", Created: T0},
	} {
		if _, err := s.CreateResource(ctx, r, headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
			t.Fatalf("create %s: %v", r.ID, err)
		}
	}
	list := func(f headroom.ResourceFilter) string {
		t.Helper()
		l, err := s.ListResources(ctx, f)
		if err != nil {
			t.Fatalf("ListResources(%+v): %v", f, err)
		}
		for _, r := range l {
			if r.Account != f.Account || r.Kind != f.Kind {
				t.Fatalf("ListResources(%+v) returned %+v", f, r)
			}
		}
		return ids(l)
	}
	all := headroom.ResourceFilter{Account: Account, Kind: kindUser}
	if got := list(all); got != "[u-b u-c u-d u-e u-a]" {
		t.Fatalf("all users = %s, want by created then id", got)
	}
	l, _ := s.ListResources(ctx, all)
	if len(l) == 5 && (l[0].Parent != "i-1" || l[0].Name != "b" || string(l[0].Data) != `{"Id":"u-b"}` || !l[0].Created.Equal(T0.Add(time.Second))) {
		t.Fatalf("listed resource lost fields: %+v", l[0])
	}
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, Parent: "i-1"}); got != "[u-b u-c u-e]" {
		t.Fatalf("users of i-1 = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, Parent: "i-9"}); got != "[]" {
		t.Fatalf("users of i-9 = %s", got)
	}
	// Pages: after an id, up to a limit; an unknown AfterID is ignored.
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, AfterID: "u-c", Limit: 2}); got != "[u-d u-e]" {
		t.Fatalf("page after u-c = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, Parent: "i-1", AfterID: "u-c"}); got != "[u-e]" {
		t.Fatalf("users of i-1 after u-c = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, Limit: 1}); got != "[u-b]" {
		t.Fatalf("limit 1 = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, AfterID: "u-a"}); got != "[]" {
		t.Fatalf("after the last = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindUser, AfterID: "u-404", Limit: 2}); got != "[u-b u-c]" {
		t.Fatalf("after an unknown id = %s", got)
	}
	var pages []string
	f := headroom.ResourceFilter{Account: Account, Kind: kindUser, Limit: 2}
	for {
		l, err := s.ListResources(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(l) == 0 {
			break
		}
		pages = append(pages, ids(l))
		f.AfterID = l[len(l)-1].ID
	}
	if fmt.Sprint(pages) != "[[u-b u-c] [u-d u-e] [u-a]]" {
		t.Fatalf("pages = %v", pages)
	}
	// Kinds and accounts apart.
	if got := list(headroom.ResourceFilter{Account: Account, Kind: kindInstance}); got != "[i-1]" {
		t.Fatalf("instances = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: "999988887777", Kind: kindUser}); got != "[u-x]" {
		t.Fatalf("other account = %s", got)
	}
	if got := list(headroom.ResourceFilter{Account: "444455556666", Kind: kindUser}); got != "[]" {
		t.Fatalf("account without resources = %s", got)
	}
	wantNoResource(t, s, "999988887777", kindUser, "u-a")
	wantNoResource(t, s, Account, kindUser, "u-x")
	wantNoResource(t, s, Account, "connect:queue", "u-a")
	_, err := s.UpdateResource(ctx, headroom.Resource{Account: "999988887777", Kind: kindUser, ID: "u-a", Name: "a"}, headroom.SlotChange{})
	wantCode(t, err, headroom.ENOTFOUND)
	wantCode(t, s.DeleteResource(ctx, "999988887777", kindUser, "u-a", headroom.SlotChange{}, headroom.AuditEntry{}), headroom.ENOTFOUND)
	// The same id and name in another account do not clash.
	if _, err := s.CreateResource(ctx, headroom.Resource{Account: "999988887777", Kind: kindUser, ID: "u-a", Parent: "i-2", Name: "a", Created: T0}, headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
		t.Fatalf("same id and name in another account: %v", err)
	}
	// Account and kind are required.
	for _, f := range []headroom.ResourceFilter{{Kind: kindUser}, {Account: Account}, {Parent: "i-1"}} {
		_, err := s.ListResources(ctx, f)
		wantCode(t, err, headroom.EINVALID)
	}
}

func testRaceResources(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := userSlot("i-1")
	const limit = 500
	if r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: limit - Slots, Limit: limit, Now: T0}); err != nil || !r.Applied {
		t.Fatalf("fill: %+v, %v", r, err)
	}
	var created atomic.Int64
	race(t, func(i int) error {
		id := fmt.Sprint("race-", i)
		r, err := s.CreateResource(ctx, user(id, "i-1", id, T0), headroom.SlotChange{Hold: holdUser("i-1", limit)}, nil, headroom.AuditEntry{})
		if r.Applied {
			created.Add(1)
		}
		return err
	})
	if got := created.Load(); got != Slots {
		t.Fatalf("%d of %d racers created a resource for %d slots", got, Racers, Slots)
	}
	wantUsage(t, s, k, limit)
	list, err := s.ListResources(ctx, headroom.ResourceFilter{Account: Account, Kind: kindUser, Parent: "i-1"})
	if err != nil || len(list) != Slots {
		t.Fatalf("%d resources stored, %v; want %d", len(list), err, Slots)
	}
}

// testResourceUpdateHolds: an update takes and gives back slots in the same
// transaction as the change, and a refused hold changes nothing.
func testResourceUpdateHolds(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	pairs := headroom.UsageKey{Account: Account, Code: "L-PAIRS", Scope: "instance/i-1/routing-profile/rp-1"}
	rp := headroom.Resource{Account: Account, Kind: "test:routing-profile", ID: "rp-1", Parent: "i-1", Name: "basic",
		Data: []byte(`{"Queues":[]}`), Created: T0, Updated: T0}
	if _, err := s.CreateResource(ctx, rp, headroom.SlotChange{}, nil, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	hold := func(n int64) *headroom.CountChange {
		return &headroom.CountChange{Key: pairs, Amount: n, Limit: 3, Now: T0}
	}
	three := rp
	three.Version = 1
	three.Data = []byte(`{"Queues":["a-voice","a-chat","b-voice"]}`)
	if r, err := s.UpdateResource(ctx, three, headroom.SlotChange{Hold: hold(3)}); err != nil || !r.Applied || r.Used != 3 {
		t.Fatalf("update holding 3 of 3: %+v, %v", r, err)
	}
	three.Version = 2
	wantResource(t, s, three)
	wantUsage(t, s, pairs, 3)
	// One more pair is refused: neither the data, the version nor the usage
	// changes.
	four := three
	four.Data = []byte(`{"Queues":["a-voice","a-chat","b-voice","c-voice"]}`)
	if r, err := s.UpdateResource(ctx, four, headroom.SlotChange{Hold: hold(1)}); err != nil || r.Applied || r.Used != 3 {
		t.Fatalf("update beyond the limit: %+v, %v", r, err)
	}
	wantResource(t, s, three)
	wantUsage(t, s, pairs, 3)
	// Giving two back frees them with the change.
	one := three
	one.Data = []byte(`{"Queues":["b-voice"]}`)
	if r, err := s.UpdateResource(ctx, one, headroom.SlotChange{Free: &headroom.CountChange{Key: pairs, Amount: 2, Now: T0}}); err != nil || !r.Applied {
		t.Fatalf("update freeing 2: %+v, %v", r, err)
	}
	one.Version = 3
	wantResource(t, s, one)
	wantUsage(t, s, pairs, 1)
	// A hold on a resource that does not exist takes nothing.
	ghost := rp
	ghost.ID = "rp-404"
	_, err := s.UpdateResource(ctx, ghost, headroom.SlotChange{Hold: hold(1)})
	wantCode(t, err, headroom.ENOTFOUND)
	wantUsage(t, s, pairs, 1)
}
