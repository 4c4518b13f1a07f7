package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestChangesReachOtherStores changes accounts, overrides, access keys
// and tokens through one Store and checks that another Store on the same
// schema serves each change from its cache within a second. (Accounts and
// keys, which never change once made, are also read through on a miss:
// TestNewAccountsAndKeysReadThrough.)
func TestChangesReachOtherStores(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	key := make([]byte, postgres.SecretKeySize)
	a := openStore(t, postgres.Config{URL: url, SecretKey: key})
	b := openStore(t, postgres.Config{URL: url, SecretKey: key})

	if err := a.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "account created on A seen by B", func() bool {
		_, err := b.FindAccount(ctx, acct)
		return err == nil
	})

	o := headroom.Override{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount, Value: 7, UpdatedBy: "t", UpdatedAt: t0}
	if err := a.PutOverride(ctx, o, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "override put on A seen by B", func() bool {
		l, _ := b.FindOverrides(ctx, acct, "L-1")
		return len(l) == 1 && l[0].Value == 7
	})
	if err := a.DeleteOverride(ctx, acct, "L-1", headroom.ScopeAccount, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "override deleted on A gone from B", func() bool {
		l, _ := b.FindOverrides(ctx, acct, "L-1")
		return len(l) == 0
	})

	r := headroom.ChangeRequest{ID: "cr-1", Type: headroom.RequestIncrease, Account: acct, Code: "L-2", Scope: headroom.ScopeAccount,
		DesiredValue: 20, Status: headroom.StatusPending, Requester: "t", Created: t0, LastUpdated: t0}
	if err := a.CreateChangeRequest(ctx, r, 10, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	apply := headroom.Override{Account: acct, Code: "L-2", Scope: headroom.ScopeAccount, Value: 20, UpdatedBy: "t", UpdatedAt: t0}
	if _, err := a.TransitionChangeRequest(ctx, headroom.Transition{RequestID: "cr-1", From: headroom.StatusPending,
		To: headroom.StatusApproved, Actor: "t", At: t0, GrantedValue: 20}, &apply, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "override of an approved request seen by B", func() bool {
		l, _ := b.FindOverrides(ctx, acct, "L-2")
		return len(l) == 1 && l[0].Value == 20
	})

	if err := a.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIA1", Account: acct, Secret: "s3cret", Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "access key created on A seen by B", func() bool {
		k, err := b.FindAccessKey(ctx, "AKIA1")
		return err == nil && k.Secret == "s3cret"
	})

	tok := headroom.Token{ID: "tok-1", Name: "ops", Role: headroom.RoleOperator, Hash: []byte("hash-1"), Created: t0}
	if err := a.CreateToken(ctx, tok, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "token created on A seen by B", func() bool {
		_, err := b.FindToken(ctx, []byte("hash-1"))
		return err == nil
	})
	if err := a.DeleteToken(ctx, "tok-1", headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FindToken(ctx, []byte("hash-1")); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("FindToken on A after delete = %v, want ENOTFOUND at once", err)
	}
	within(t, time.Second, "token deleted on A stops working on B", func() bool {
		_, err := b.FindToken(ctx, []byte("hash-1"))
		return headroom.ErrorCodeOf(err) == headroom.ENOTFOUND
	})
}

// TestListenerReconnectReloads cuts store B's link to PostgreSQL, makes
// changes through A while B cannot hear of them, restores the link and
// checks that B, having reconnected, reloaded its cache.
func TestListenerReconnectReloads(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	a := openStore(t, postgres.Config{URL: url})
	p, viaProxy := proxied(t, url)
	b := openStore(t, postgres.Config{URL: viaProxy})
	if err := a.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	tok := headroom.Token{ID: "tok-1", Name: "ops", Role: headroom.RoleOperator, Hash: []byte("hash-1"), Created: t0}
	if err := a.CreateToken(ctx, tok, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "token seen by B before the cut", func() bool {
		_, err := b.FindToken(ctx, []byte("hash-1"))
		return err == nil
	})
	reloads := b.Stats().Reloads

	p.Cut()
	o := headroom.Override{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount, Value: 9, UpdatedBy: "t", UpdatedAt: t0}
	if err := a.PutOverride(ctx, o, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteToken(ctx, "tok-1", headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	// B heard nothing: the notifications went to a connection that is gone.
	if l, _ := b.FindOverrides(ctx, acct, "L-1"); len(l) != 0 {
		t.Fatalf("B saw the override through a cut link: %+v", l)
	}
	p.Restore()
	took := within(t, 2*time.Second, "B reloads after the link is restored", func() bool {
		l, _ := b.FindOverrides(ctx, acct, "L-1")
		_, err := b.FindToken(ctx, []byte("hash-1"))
		return len(l) == 1 && l[0].Value == 9 && headroom.ErrorCodeOf(err) == headroom.ENOTFOUND
	})
	if b.Stats().Reloads <= reloads {
		t.Fatalf("B's reloads = %d, want more than %d", b.Stats().Reloads, reloads)
	}
	t.Logf("B caught up %v after the restore", took)
}

// TestImportReachesOtherStores imports a snapshot through one Store and
// checks that another Store on the same schema serves it from its cache
// within a second.
func TestImportReachesOtherStores(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	a := openStore(t, postgres.Config{URL: url})
	b := openStore(t, postgres.Config{URL: url})
	snap := headroom.Snapshot{
		Accounts:  []headroom.Account{{ID: acct, Created: t0}},
		Overrides: []headroom.Override{{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount, Value: 3, UpdatedBy: "t", UpdatedAt: t0}},
		Tokens:    []headroom.Token{{ID: "tok-1", Name: "ops", Role: headroom.RoleOperator, Hash: []byte("hash-1"), Created: t0}},
	}
	if err := a.Import(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FindAccount(ctx, acct); err != nil {
		t.Fatalf("FindAccount on the importing store = %v", err)
	}
	within(t, time.Second, "an import through A seen by B", func() bool {
		_, errA := b.FindAccount(ctx, acct)
		l, _ := b.FindOverrides(ctx, acct, "L-1")
		_, errT := b.FindToken(ctx, []byte("hash-1"))
		return errA == nil && len(l) == 1 && errT == nil
	})
}

// TestListenerFindsSilentLink makes store B's link to PostgreSQL so slow
// that its listening connection answers nothing, as a link that died
// without a reset does: B's listener finds it by its ping, reconnects and
// reloads what changed meanwhile.
func TestListenerFindsSilentLink(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	a := openStore(t, postgres.Config{URL: url})
	p, viaProxy := proxied(t, url)
	b := openStore(t, postgres.Config{URL: viaProxy, OpTimeout: 300 * time.Millisecond, HeartbeatInterval: 100 * time.Millisecond})
	// Before B closes, drop the connections the delay still holds, whose
	// closing would otherwise wait for the pool's own timeout.
	t.Cleanup(func() { p.Cut(); p.Restore() })
	if err := a.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "account seen by B", func() bool {
		_, err := b.FindAccount(ctx, acct)
		return err == nil
	})
	reloads := b.Stats().Reloads
	p.SetDelay(time.Hour)
	o := headroom.Override{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount, Value: 4, UpdatedBy: "t", UpdatedAt: t0}
	if err := a.PutOverride(ctx, o, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	// The notification, sent at A's commit, reaches the proxy at once and
	// is held there for an hour, and so is everything after it on B's
	// listening connection: only a ping that times out can tell B. The
	// pause lets the notification reach the proxy before the delay is
	// lifted for new chunks; no assertion rests on it.
	time.Sleep(200 * time.Millisecond)
	p.SetDelay(0)
	within(t, 2*time.Second, "B reloads over a new connection", func() bool {
		l, _ := b.FindOverrides(ctx, acct, "L-1")
		return len(l) == 1 && l[0].Value == 4 && b.Stats().Reloads > reloads
	})
}

// TestNewAccountsAndKeysReadThrough: an account or access key made on one
// node works on another at once, before its notification arrives: a
// client that creates an account on one node and signs its next request
// for another is not refused.
func TestNewAccountsAndKeysReadThrough(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	key := make([]byte, postgres.SecretKeySize)
	a := openStore(t, postgres.Config{URL: url, SecretKey: key})
	b := openStore(t, postgres.Config{URL: url, SecretKey: key})
	for i := 0; i < 20; i++ {
		id := fmt.Sprintf("1000000000%02d", i)
		if err := a.CreateAccount(ctx, headroom.Account{ID: id, Created: t0}, headroom.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		kid := fmt.Sprintf("AKIART%02d", i)
		if err := a.CreateAccessKey(ctx, headroom.AccessKey{ID: kid, Account: id, Secret: "s-" + kid, Created: t0}, headroom.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		if got, err := b.FindAccount(ctx, id); err != nil || got.ID != id {
			t.Fatalf("account %s on B right after A made it: %+v, %v", id, got, err)
		}
		if k, err := b.FindAccessKey(ctx, kid); err != nil || k.Secret != "s-"+kid || k.Account != id {
			t.Fatalf("key %s on B right after A made it: %+v, %v", kid, k, err)
		}
	}
	if _, err := b.FindAccount(ctx, "999999999999"); headroom.ErrorCodeOf(err) != headroom.EUNKNOWNACCOUNT {
		t.Fatalf("unknown account: %v", err)
	}
	if _, err := b.FindAccessKey(ctx, "AKIANONE"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("unknown key: %v", err)
	}
}
