package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// The invariants that used to be held by locks in the transports, each now
// one atomic Store operation, each with a race of its own: many goroutines,
// one winner.

func instance(id string) headroom.Resource {
	return headroom.Resource{Account: Account, Kind: kindInstance, ID: id, Created: T0, Updated: T0}
}

func mustCreate(t *testing.T, s headroom.Store, r headroom.Resource, slots headroom.SlotChange) {
	t.Helper()
	if res, err := s.CreateResource(context.Background(), r, slots, nil, headroom.AuditEntry{}); err != nil || !res.Applied {
		t.Fatalf("CreateResource(%s %s) = %+v, %v", r.Kind, r.ID, res, err)
	}
}

func testResourceTokens(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	tok := &headroom.ResourceToken{Key: "CreateInstance/t1", Hash: "h1", Expires: T0.Add(8 * time.Hour)}
	res, err := s.CreateResource(ctx, instance("i-1"), headroom.SlotChange{}, tok, auditEntry("instance.create", "i-1"))
	if err != nil || !res.Applied || res.Replayed || res.ID != "i-1" || res.Version != 1 {
		t.Fatalf("first create with a token = %+v, %v", res, err)
	}
	// A retry with the same token and hash creates nothing and names the
	// first resource, whatever id it proposes.
	retry := instance("i-2")
	retry.Created = T0.Add(time.Hour)
	res, err = s.CreateResource(ctx, retry, headroom.SlotChange{}, tok, auditEntry("instance.create", "i-2"))
	if err != nil || !res.Replayed || res.ID != "i-1" {
		t.Fatalf("retry = %+v, %v; want a replay naming i-1", res, err)
	}
	wantNoResource(t, s, Account, kindInstance, "i-2")
	// The same token with another hash is refused.
	other := *tok
	other.Hash = "h2"
	_, err = s.CreateResource(ctx, retry, headroom.SlotChange{}, &other, headroom.AuditEntry{})
	wantCode(t, err, headroom.EIDEMPOTENCY)
	wantNoResource(t, s, Account, kindInstance, "i-2")
	// Tokens are per account.
	elsewhere := retry
	elsewhere.Account = "999988887777"
	if res, err := s.CreateResource(ctx, elsewhere, headroom.SlotChange{}, tok, headroom.AuditEntry{}); err != nil || res.Replayed {
		t.Fatalf("same token in another account = %+v, %v", res, err)
	}
	// After the token expires the same token is a new request.
	late := instance("i-3")
	late.Created = T0.Add(9 * time.Hour)
	later := headroom.ResourceToken{Key: tok.Key, Hash: "h3", Expires: T0.Add(17 * time.Hour)}
	if res, err := s.CreateResource(ctx, late, headroom.SlotChange{}, &later, headroom.AuditEntry{}); err != nil || res.Replayed || res.ID != "i-3" {
		t.Fatalf("create after the token expired = %+v, %v", res, err)
	}
	// Deleting the resource forgets its token: the retry creates anew.
	if err := s.DeleteResource(ctx, Account, kindInstance, "i-3", headroom.SlotChange{}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	again := instance("i-4")
	again.Created = late.Created
	if res, err := s.CreateResource(ctx, again, headroom.SlotChange{}, &later, headroom.AuditEntry{}); err != nil || res.Replayed || res.ID != "i-4" {
		t.Fatalf("create after the token's resource was deleted = %+v, %v", res, err)
	}
	// A refused hold records no token.
	full := &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Limit: 0, Now: T0}
	t5 := headroom.ResourceToken{Key: "CreateInstance/t5", Hash: "h5", Expires: T0.Add(8 * time.Hour)}
	if res, err := s.CreateResource(ctx, instance("i-5"), headroom.SlotChange{Hold: full}, &t5, headroom.AuditEntry{}); err != nil || res.Applied {
		t.Fatalf("create over the limit = %+v, %v", res, err)
	}
	t5.Hash = "other"
	if res, err := s.CreateResource(ctx, instance("i-5"), headroom.SlotChange{}, &t5, headroom.AuditEntry{}); err != nil || res.Replayed {
		t.Fatalf("token of a refused create was kept: %+v, %v", res, err)
	}
	// Purge forgets tokens recorded before keysBefore.
	t6 := headroom.ResourceToken{Key: "CreateInstance/t6", Hash: "h6", Expires: T0.Add(100 * time.Hour)}
	mustToken := func(id string, at time.Time) headroom.ResourceResult {
		r := instance(id)
		r.Created = at
		res, err := s.CreateResource(ctx, r, headroom.SlotChange{}, &t6, headroom.AuditEntry{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	mustToken("i-6", T0)
	if pr, err := s.Purge(ctx, T0.Add(10*time.Hour), T0.Add(time.Minute)); err != nil || pr.Tokens < 1 {
		t.Fatalf("Purge = %+v, %v; want tokens forgotten", pr, err)
	}
	if res := mustToken("i-7", T0.Add(11*time.Hour)); res.Replayed {
		t.Fatalf("purged token replayed: %+v", res)
	}
}

func testRaceResourceToken(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	tok := &headroom.ResourceToken{Key: "CreateInstance/race", Hash: "h", Expires: T0.Add(time.Hour)}
	var created, replayed atomic.Int64
	var winner atomic.Value
	race(t, func(i int) error {
		r := instance(fmt.Sprint("i-", i))
		res, err := s.CreateResource(ctx, r, headroom.SlotChange{Hold: &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Limit: Racers, Now: T0}}, tok, headroom.AuditEntry{})
		switch {
		case err != nil:
			return err
		case res.Replayed:
			replayed.Add(1)
		default:
			created.Add(1)
			winner.Store(res.ID)
		}
		return nil
	})
	if created.Load() != 1 || replayed.Load() != Racers-1 {
		t.Fatalf("%d created and %d replayed of %d racers sharing a token; want 1 and the rest", created.Load(), replayed.Load(), Racers)
	}
	wantUsage(t, s, key("L-INST", headroom.ScopeAccount), 1)
	list, _ := s.ListResources(ctx, headroom.ResourceFilter{Account: Account, Kind: kindInstance})
	if len(list) != 1 || list[0].ID != winner.Load() {
		t.Fatalf("instances after the race = %s, want only %v", ids(list), winner.Load())
	}
}

// testRaceResourceVersion races read-change-writes of one resource: each
// racer adds one to a number in its data, retrying when another wins the
// version. No update is lost.
func testRaceResourceVersion(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	r := instance("i-1")
	r.Data = []byte(`{"n":0}`)
	mustCreate(t, s, r, headroom.SlotChange{})
	const writers = 40
	var retries atomic.Int64
	gate := make(chan struct{})
	errs := make(chan error, writers)
	for range writers {
		go func() {
			<-gate
			for {
				got, err := s.FindResource(ctx, Account, kindInstance, "i-1")
				if err != nil {
					errs <- err
					return
				}
				var d struct{ N int }
				json.Unmarshal(got.Data, &d)
				d.N++
				got.Data, _ = json.Marshal(d)
				_, err = s.UpdateResource(ctx, got, headroom.SlotChange{})
				if headroom.ErrorCodeOf(err) == headroom.ESTALE {
					retries.Add(1)
					continue
				}
				errs <- err
				return
			}
		}()
	}
	close(gate)
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.FindResource(ctx, Account, kindInstance, "i-1")
	if string(got.Data) != fmt.Sprintf(`{"N":%d}`, writers) || got.Version != writers+1 {
		t.Fatalf("after %d racing updates (%d retries): data %s, version %d", writers, retries.Load(), got.Data, got.Version)
	}
}

func testResourceTree(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	for _, id := range []string{"i-1", "i-2"} {
		mustCreate(t, s, instance(id), headroom.SlotChange{Hold: &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Limit: 2, Now: T0}})
		mustCreate(t, s, user("u-"+id, id, "alice", T0), headroom.SlotChange{Hold: holdUser(id, 10)})
		s.Reserve(ctx, headroom.CountChange{Key: key("L-PAIRS", "instance/"+id+"/routing-profile/rp"), Amount: 3, Limit: 10, IdempotencyKey: "pairs-" + id, Now: T0})
		s.AcquireLease(ctx, headroom.LeaseChange{Key: key("L-CALLS", "instance/"+id), LeaseID: "c-" + id, Limit: 10, Now: T0, Expires: T0.Add(time.Hour)})
		s.AddCounter(ctx, key("breaches", "instance/"+id), 2)
	}
	// A grandchild, and a child of another kind.
	mustCreate(t, s, headroom.Resource{Account: Account, Kind: "connect:phone", ID: "p-1", Parent: "u-i-1", Created: T0}, headroom.SlotChange{})
	mustCreate(t, s, headroom.Resource{Account: Account, Kind: "connect:queue", ID: "q-1", Parent: "i-1", Name: "q", Created: T0}, headroom.SlotChange{})
	// A scope that only starts with the same letters is not below it.
	s.Reserve(ctx, headroom.CountChange{Key: key("L-USERS", "instance/i-10"), Amount: 1, Limit: 10, Now: T0})

	free := &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Now: T0}
	n, err := s.DeleteResourceTree(ctx, Account, kindInstance, "i-1", "instance/i-1", free, auditEntry("instance.delete", "i-1"))
	if err != nil || n != 4 {
		t.Fatalf("DeleteResourceTree = %d, %v; want 4 resources", n, err)
	}
	for _, r := range [][2]string{{kindInstance, "i-1"}, {kindUser, "u-i-1"}, {"connect:phone", "p-1"}, {"connect:queue", "q-1"}} {
		wantNoResource(t, s, Account, r[0], r[1])
	}
	wantUsage(t, s, key("L-INST", headroom.ScopeAccount), 1)
	wantUsage(t, s, userSlot("i-1"), 0)
	wantUsage(t, s, key("L-PAIRS", "instance/i-1/routing-profile/rp"), 0)
	if n, _ := s.LeaseUsage(ctx, key("L-CALLS", "instance/i-1"), T0); n != 0 {
		t.Fatalf("leases of a deleted tree = %d", n)
	}
	if n, _ := s.Counter(ctx, key("breaches", "instance/i-1")); n != 0 {
		t.Fatalf("counter of a deleted tree = %d", n)
	}
	// The idempotency key of a deleted scope is forgotten too.
	if r, _ := s.Reserve(ctx, headroom.CountChange{Key: key("L-PAIRS", "instance/i-1/routing-profile/rp"), Amount: 3, Limit: 10, IdempotencyKey: "pairs-i-1", Now: T0}); r.Replayed {
		t.Fatalf("key of a deleted tree replayed: %+v", r)
	}
	// The other instance and the look-alike scope are untouched.
	wantResource(t, s, user("u-i-2", "i-2", "alice", T0))
	wantUsage(t, s, userSlot("i-2"), 1)
	wantUsage(t, s, key("L-USERS", "instance/i-10"), 1)
	if n, _ := s.Counter(ctx, key("breaches", "instance/i-2")); n != 2 {
		t.Fatalf("counter of the other tree = %d", n)
	}
	_, err = s.DeleteResourceTree(ctx, Account, kindInstance, "i-1", "instance/i-1", free, headroom.AuditEntry{})
	wantCode(t, err, headroom.ENOTFOUND)
	wantUsage(t, s, key("L-INST", headroom.ScopeAccount), 1)
	_, err = s.DeleteResourceTree(ctx, Account, kindInstance, "i-2", headroom.ScopeAccount, nil, headroom.AuditEntry{})
	wantCode(t, err, headroom.EINVALID)
	wantResource(t, s, instance("i-2"))
}

// testRaceCreateDuringDelete races children created with ParentKind against
// the deletion of their parent's tree: whatever the order, no child and no
// slot outlives the delete.
func testRaceCreateDuringDelete(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	mustCreate(t, s, instance("i-1"), headroom.SlotChange{})
	var created, refused atomic.Int64
	race(t, func(i int) error {
		if i == Racers/2 {
			_, err := s.DeleteResourceTree(ctx, Account, kindInstance, "i-1", "instance/i-1", nil, headroom.AuditEntry{})
			return err
		}
		u := user(fmt.Sprint("u-", i), "i-1", fmt.Sprint("user-", i), T0)
		u.ParentKind = kindInstance
		res, err := s.CreateResource(ctx, u, headroom.SlotChange{Hold: holdUser("i-1", Racers)}, nil, headroom.AuditEntry{})
		switch {
		case headroom.ErrorCodeOf(err) == headroom.ENOTFOUND:
			refused.Add(1)
			return nil
		case err != nil:
			return err
		case !res.Applied:
			return fmt.Errorf("hold refused below the limit: %+v", res)
		}
		created.Add(1)
		return nil
	})
	list, _ := s.ListResources(ctx, headroom.ResourceFilter{Account: Account, Kind: kindUser})
	if len(list) != 0 {
		t.Fatalf("%d users outlived their instance's delete (%d created before it, %d refused after)", len(list), created.Load(), refused.Load())
	}
	wantUsage(t, s, userSlot("i-1"), 0)
	if created.Load()+refused.Load() != Racers-1 {
		t.Fatalf("%d created + %d refused, want %d", created.Load(), refused.Load(), Racers-1)
	}
	// Without its parent a child is refused; with ParentKind unset the
	// store does not look.
	u := user("u-x", "i-404", "x", T0)
	u.ParentKind = kindInstance
	_, err := s.CreateResource(ctx, u, headroom.SlotChange{}, nil, headroom.AuditEntry{})
	wantCode(t, err, headroom.ENOTFOUND)
	u.ParentKind = ""
	mustCreate(t, s, u, headroom.SlotChange{})
}

func testCounters(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("connect:CallsBreachingConcurrencyQuota", "instance/i-1")
	if n, err := s.Counter(ctx, k); err != nil || n != 0 {
		t.Fatalf("unknown counter = %d, %v", n, err)
	}
	if n, err := s.AddCounter(ctx, k, 2); err != nil || n != 2 {
		t.Fatalf("AddCounter = %d, %v", n, err)
	}
	_, err := s.AddCounter(ctx, k, 0)
	wantCode(t, err, headroom.EINVALID)
	race(t, func(int) error { _, err := s.AddCounter(ctx, k, 1); return err })
	if n, _ := s.Counter(ctx, k); n != Racers+2 {
		t.Fatalf("counter after %d racing adds = %d", Racers, n)
	}
	// Counters are not usage.
	if list, _ := s.ListUsage(ctx, Account, T0); len(list) != 0 {
		t.Fatalf("ListUsage lists counters: %v", list)
	}
}

// testRaceTags races tag changes that each add a new key against the tag
// limit: exactly max of them succeed.
func testRaceTags(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	const max = 50
	arn := "arn:aws:servicequotas:us-east-1:111122223333:connect/L-1"
	var ok, refused atomic.Int64
	race(t, func(i int) error {
		err := s.TagResource(ctx, Account, arn, map[string]string{fmt.Sprint("k", i): "v"}, max)
		switch headroom.ErrorCodeOf(err) {
		case "":
			ok.Add(1)
		case headroom.EQUOTAEXCEEDED:
			refused.Add(1)
		default:
			return err
		}
		return nil
	})
	tags, _ := s.ListTags(ctx, Account, arn)
	if ok.Load() != max || len(tags) != max || refused.Load() != Racers-max {
		t.Fatalf("%d tagged, %d refused, %d tags; want %d tagged and stored", ok.Load(), refused.Load(), len(tags), max)
	}
	// Replacing a value adds no key, so it is allowed at the limit; a batch
	// that would pass it changes nothing.
	if err := s.TagResource(ctx, Account, arn, map[string]string{"k0": "w"}, max); err != nil && tags["k0"] != "" {
		t.Fatalf("replacing a value at the limit: %v", err)
	}
	err := s.TagResource(ctx, Account, arn, map[string]string{"new": "v", "k1": "w"}, max)
	wantCode(t, err, headroom.EQUOTAEXCEEDED)
	if after, _ := s.ListTags(ctx, Account, arn); len(after) != max || after["k1"] == "w" && tags["k1"] != "" {
		t.Fatalf("a refused tag change applied part of itself: %v", after)
	}
}

func testAuditRetention(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	for i := range 3 {
		if err := s.AppendAudit(ctx, headroom.AuditEntry{Time: T0.Add(time.Duration(i) * time.Hour), Actor: "op", Action: fmt.Sprint("a", i)}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PurgeAudit(ctx, T0.Add(90*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("PurgeAudit = %d, %v; want 2", n, err)
	}
	s.AppendAudit(ctx, headroom.AuditEntry{Time: T0.Add(3 * time.Hour), Actor: "op", Action: "a3"})
	list, _ := s.ListAudit(ctx, headroom.AuditFilter{})
	if len(list) != 2 || list[0].Action != "a2" || list[1].Action != "a3" || list[1].ID <= list[0].ID || list[0].ID != 3 {
		t.Fatalf("audit after the purge = %+v; want a2 (id 3), a3 with ids never reused", list)
	}
}

func auditEntry(action, detail string) headroom.AuditEntry {
	return headroom.AuditEntry{Time: T0, Actor: "suite", Account: Account, Action: action, Detail: detail}
}

func group(id string, uses ...string) headroom.Resource {
	r := headroom.Resource{Account: Account, Kind: "connect:group", ID: id, Parent: "i-1", Created: T0, Updated: T0}
	for _, u := range uses {
		r.Uses = append(r.Uses, headroom.ResourceRef{Kind: "connect:group", ID: u})
	}
	return r
}

// testResourceUses: a resource is created or updated only with the
// resources it uses present, and is not deleted while another uses it.
func testResourceUses(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	_, err := s.CreateResource(ctx, group("child", "parent"), headroom.SlotChange{}, nil, headroom.AuditEntry{})
	wantCode(t, err, headroom.ENOTFOUND)
	wantNoResource(t, s, Account, "connect:group", "child")
	mustCreate(t, s, group("parent"), headroom.SlotChange{})
	mustCreate(t, s, group("other"), headroom.SlotChange{})
	mustCreate(t, s, group("child", "parent"), headroom.SlotChange{})
	got, _ := s.FindResource(ctx, Account, "connect:group", "child")
	if fmt.Sprint(got.Uses) != "[{connect:group parent}]" {
		t.Fatalf("uses = %v", got.Uses)
	}
	err = s.DeleteResource(ctx, Account, "connect:group", "parent", headroom.SlotChange{}, headroom.AuditEntry{})
	wantCode(t, err, headroom.EINUSE)
	if !strings.Contains(err.Error(), "child") {
		t.Fatalf("in-use error %q does not name the user", err)
	}
	wantResource(t, s, group("parent"))
	// Moving the child to another parent frees the first; a use of a
	// missing resource is refused and changes nothing.
	got.Uses = []headroom.ResourceRef{{Kind: "connect:group", ID: "nope"}}
	_, err = s.UpdateResource(ctx, got, headroom.SlotChange{})
	wantCode(t, err, headroom.ENOTFOUND)
	got.Uses = []headroom.ResourceRef{{Kind: "connect:group", ID: "other"}}
	if _, err := s.UpdateResource(ctx, got, headroom.SlotChange{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteResource(ctx, Account, "connect:group", "parent", headroom.SlotChange{}, headroom.AuditEntry{}); err != nil {
		t.Fatalf("delete after the use moved: %v", err)
	}
	wantCode(t, s.DeleteResource(ctx, Account, "connect:group", "other", headroom.SlotChange{}, headroom.AuditEntry{}), headroom.EINUSE)
	// Deleting the user ends its uses.
	if err := s.DeleteResource(ctx, Account, "connect:group", "child", headroom.SlotChange{}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteResource(ctx, Account, "connect:group", "other", headroom.SlotChange{}, headroom.AuditEntry{}); err != nil {
		t.Fatalf("delete after its user went: %v", err)
	}
	// A tree delete takes the uses of and by its resources with it.
	mustCreate(t, s, instance("i-1"), headroom.SlotChange{})
	mustCreate(t, s, group("g1"), headroom.SlotChange{})
	mustCreate(t, s, group("g2", "g1"), headroom.SlotChange{})
	if _, err := s.DeleteResourceTree(ctx, Account, kindInstance, "i-1", "instance/i-1", nil, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, group("g1"), headroom.SlotChange{})
	if err := s.DeleteResource(ctx, Account, "connect:group", "g1", headroom.SlotChange{}, headroom.AuditEntry{}); err != nil {
		t.Fatalf("a use outlived its tree: %v", err)
	}
}

// testRaceUseDuringDelete races resources created using a resource against
// its deletion: either the delete is refused, or no user of it survives.
func testRaceUseDuringDelete(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	mustCreate(t, s, group("parent"), headroom.SlotChange{})
	var created, deleted atomic.Int64
	race(t, func(i int) error {
		if i%100 == 50 {
			err := s.DeleteResource(ctx, Account, "connect:group", "parent", headroom.SlotChange{}, headroom.AuditEntry{})
			switch headroom.ErrorCodeOf(err) {
			case "":
				deleted.Add(1)
			case headroom.EINUSE, headroom.ENOTFOUND:
			default:
				return err
			}
			return nil
		}
		_, err := s.CreateResource(ctx, group(fmt.Sprint("c-", i), "parent"), headroom.SlotChange{}, nil, headroom.AuditEntry{})
		switch headroom.ErrorCodeOf(err) {
		case "":
			created.Add(1)
		case headroom.ENOTFOUND:
		default:
			return err
		}
		return nil
	})
	list, _ := s.ListResources(ctx, headroom.ResourceFilter{Account: Account, Kind: "connect:group"})
	_, parentErr := s.FindResource(ctx, Account, "connect:group", "parent")
	users := len(list)
	if parentErr == nil {
		users--
	}
	if deleted.Load() > 0 && (parentErr == nil || users != 0) || deleted.Load() == 0 && (parentErr != nil || int64(users) != created.Load()) {
		t.Fatalf("deleted %d times, parent %v, %d users left of %d created", deleted.Load(), parentErr, users, created.Load())
	}
}

// testResourceLeases: a resource write takes and gives back leases with the
// resource, in one transaction.
func testResourceLeases(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	calls := key("L-CALLS", "instance/i-1")
	acquire := func(id string, limit int64) *headroom.LeaseChange {
		return &headroom.LeaseChange{Key: calls, LeaseID: id, Limit: limit, Now: T0, Expires: T0.Add(time.Hour)}
	}
	contact := func(id string) headroom.Resource {
		return headroom.Resource{Account: Account, Kind: "connect:contact", ID: id, Parent: "i-1", Created: T0, Updated: T0}
	}
	res, err := s.CreateResource(ctx, contact("c-1"), headroom.SlotChange{Acquire: acquire("c-1", 1)}, nil, headroom.AuditEntry{})
	if err != nil || !res.Applied || res.Used != 1 {
		t.Fatalf("create with a lease = %+v, %v", res, err)
	}
	// At the limit the create stores nothing, and records no token.
	tok := &headroom.ResourceToken{Key: "StartChatContact/t", Hash: "h", Expires: T0.Add(time.Hour)}
	res, err = s.CreateResource(ctx, contact("c-2"), headroom.SlotChange{Acquire: acquire("c-2", 1)}, tok, headroom.AuditEntry{})
	if err != nil || res.Applied || res.Used != 1 {
		t.Fatalf("create over the lease limit = %+v, %v", res, err)
	}
	wantNoResource(t, s, Account, "connect:contact", "c-2")
	tok.Hash = "other"
	if res, err := s.CreateResource(ctx, contact("c-2"), headroom.SlotChange{Acquire: acquire("c-2", 2)}, tok, headroom.AuditEntry{}); err != nil || res.Replayed || !res.Applied {
		t.Fatalf("the refused create's token was kept: %+v, %v", res, err)
	}
	// An update that ends a contact gives its lease back with the change.
	got, _ := s.FindResource(ctx, Account, "connect:contact", "c-1")
	got.Data = []byte(`{"State":"ENDED"}`)
	release := headroom.LeaseChange{Key: calls, LeaseID: "c-1", Now: T0}
	if _, err := s.UpdateResource(ctx, got, headroom.SlotChange{Release: []headroom.LeaseChange{release}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.LeaseUsage(ctx, calls, T0); n != 1 {
		t.Fatalf("leases after the update = %d, want 1", n)
	}
	// A stale update gives nothing back.
	_, err = s.UpdateResource(ctx, got, headroom.SlotChange{Release: []headroom.LeaseChange{{Key: calls, LeaseID: "c-2", Now: T0}}})
	wantCode(t, err, headroom.ESTALE)
	if n, _ := s.LeaseUsage(ctx, calls, T0); n != 1 {
		t.Fatalf("a stale update released a lease: %d", n)
	}
	// An update that takes a lease at the limit changes nothing.
	got.Version++
	got.Data = []byte(`{"State":"CONNECTED"}`)
	if res, err := s.UpdateResource(ctx, got, headroom.SlotChange{Acquire: acquire("c-1b", 1)}); err != nil || res.Applied {
		t.Fatalf("update over the lease limit = %+v, %v", res, err)
	}
	if now, _ := s.FindResource(ctx, Account, "connect:contact", "c-1"); string(now.Data) != `{"State":"ENDED"}` {
		t.Fatalf("a refused update changed the data: %s", now.Data)
	}
	// A delete gives its leases back.
	if err := s.DeleteResource(ctx, Account, "connect:contact", "c-2", headroom.SlotChange{Release: []headroom.LeaseChange{{Key: calls, LeaseID: "c-2", Now: T0}}}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.LeaseUsage(ctx, calls, T0); n != 0 {
		t.Fatalf("leases after the delete = %d", n)
	}
}
