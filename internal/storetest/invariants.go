package storetest

import (
	"context"
	"encoding/json"
	"fmt"
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

func mustCreate(t *testing.T, s headroom.Store, r headroom.Resource, hold *headroom.CountChange) {
	t.Helper()
	if res, err := s.CreateResource(context.Background(), r, hold, nil, headroom.AuditEntry{}); err != nil || !res.Applied {
		t.Fatalf("CreateResource(%s %s) = %+v, %v", r.Kind, r.ID, res, err)
	}
}

func testResourceTokens(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	tok := &headroom.ResourceToken{Key: "CreateInstance/t1", Hash: "h1", Expires: T0.Add(8 * time.Hour)}
	res, err := s.CreateResource(ctx, instance("i-1"), nil, tok, auditEntry("instance.create", "i-1"))
	if err != nil || !res.Applied || res.Replayed || res.ID != "i-1" || res.Version != 1 {
		t.Fatalf("first create with a token = %+v, %v", res, err)
	}
	// A retry with the same token and hash creates nothing and names the
	// first resource, whatever id it proposes.
	retry := instance("i-2")
	retry.Created = T0.Add(time.Hour)
	res, err = s.CreateResource(ctx, retry, nil, tok, auditEntry("instance.create", "i-2"))
	if err != nil || !res.Replayed || res.ID != "i-1" {
		t.Fatalf("retry = %+v, %v; want a replay naming i-1", res, err)
	}
	wantNoResource(t, s, Account, kindInstance, "i-2")
	// The same token with another hash is refused.
	other := *tok
	other.Hash = "h2"
	_, err = s.CreateResource(ctx, retry, nil, &other, headroom.AuditEntry{})
	wantCode(t, err, headroom.EIDEMPOTENCY)
	wantNoResource(t, s, Account, kindInstance, "i-2")
	// Tokens are per account.
	elsewhere := retry
	elsewhere.Account = "999988887777"
	if res, err := s.CreateResource(ctx, elsewhere, nil, tok, headroom.AuditEntry{}); err != nil || res.Replayed {
		t.Fatalf("same token in another account = %+v, %v", res, err)
	}
	// After the token expires the same token is a new request.
	late := instance("i-3")
	late.Created = T0.Add(9 * time.Hour)
	later := headroom.ResourceToken{Key: tok.Key, Hash: "h3", Expires: T0.Add(17 * time.Hour)}
	if res, err := s.CreateResource(ctx, late, nil, &later, headroom.AuditEntry{}); err != nil || res.Replayed || res.ID != "i-3" {
		t.Fatalf("create after the token expired = %+v, %v", res, err)
	}
	// Deleting the resource forgets its token: the retry creates anew.
	if err := s.DeleteResource(ctx, Account, kindInstance, "i-3", nil, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	again := instance("i-4")
	again.Created = late.Created
	if res, err := s.CreateResource(ctx, again, nil, &later, headroom.AuditEntry{}); err != nil || res.Replayed || res.ID != "i-4" {
		t.Fatalf("create after the token's resource was deleted = %+v, %v", res, err)
	}
	// A refused hold records no token.
	full := &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Limit: 0, Now: T0}
	t5 := headroom.ResourceToken{Key: "CreateInstance/t5", Hash: "h5", Expires: T0.Add(8 * time.Hour)}
	if res, err := s.CreateResource(ctx, instance("i-5"), full, &t5, headroom.AuditEntry{}); err != nil || res.Applied {
		t.Fatalf("create over the limit = %+v, %v", res, err)
	}
	t5.Hash = "other"
	if res, err := s.CreateResource(ctx, instance("i-5"), nil, &t5, headroom.AuditEntry{}); err != nil || res.Replayed {
		t.Fatalf("token of a refused create was kept: %+v, %v", res, err)
	}
	// Purge forgets tokens recorded before keysBefore.
	t6 := headroom.ResourceToken{Key: "CreateInstance/t6", Hash: "h6", Expires: T0.Add(100 * time.Hour)}
	mustToken := func(id string, at time.Time) headroom.ResourceResult {
		r := instance(id)
		r.Created = at
		res, err := s.CreateResource(ctx, r, nil, &t6, headroom.AuditEntry{})
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
		res, err := s.CreateResource(ctx, r, &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Limit: Racers, Now: T0}, tok, headroom.AuditEntry{})
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
	mustCreate(t, s, r, nil)
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
				_, err = s.UpdateResource(ctx, got, nil, nil)
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
		mustCreate(t, s, instance(id), &headroom.CountChange{Key: key("L-INST", headroom.ScopeAccount), Amount: 1, Limit: 2, Now: T0})
		mustCreate(t, s, user("u-"+id, id, "alice", T0), holdUser(id, 10))
		s.Reserve(ctx, headroom.CountChange{Key: key("L-PAIRS", "instance/"+id+"/routing-profile/rp"), Amount: 3, Limit: 10, IdempotencyKey: "pairs-" + id, Now: T0})
		s.AcquireLease(ctx, headroom.LeaseChange{Key: key("L-CALLS", "instance/"+id), LeaseID: "c-" + id, Limit: 10, Now: T0, Expires: T0.Add(time.Hour)})
		s.AddCounter(ctx, key("breaches", "instance/"+id), 2)
	}
	// A grandchild, and a child of another kind.
	mustCreate(t, s, headroom.Resource{Account: Account, Kind: "connect:phone", ID: "p-1", Parent: "u-i-1", Created: T0}, nil)
	mustCreate(t, s, headroom.Resource{Account: Account, Kind: "connect:queue", ID: "q-1", Parent: "i-1", Name: "q", Created: T0}, nil)
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
	mustCreate(t, s, instance("i-1"), nil)
	var created, refused atomic.Int64
	race(t, func(i int) error {
		if i == Racers/2 {
			_, err := s.DeleteResourceTree(ctx, Account, kindInstance, "i-1", "instance/i-1", nil, headroom.AuditEntry{})
			return err
		}
		u := user(fmt.Sprint("u-", i), "i-1", fmt.Sprint("user-", i), T0)
		u.ParentKind = kindInstance
		res, err := s.CreateResource(ctx, u, holdUser("i-1", Racers), nil, headroom.AuditEntry{})
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
	_, err := s.CreateResource(ctx, u, nil, nil, headroom.AuditEntry{})
	wantCode(t, err, headroom.ENOTFOUND)
	u.ParentKind = ""
	mustCreate(t, s, u, nil)
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
