package headroom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// Identifiers and names are bounded and free of control characters, and a
// refused one changes nothing.
func TestIdentifierBounds(t *testing.T) {
	f := newFixture(t)
	huge := strings.Repeat("k", 500<<10)
	reserve := headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}
	acquire := headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: "l", TTL: time.Minute}
	with := func(r headroom.Request, mod func(*headroom.Request)) headroom.Request { mod(&r); return r }
	for _, tc := range []struct {
		name  string
		r     headroom.Request
		field string
	}{
		{"500 KB idempotency key", with(reserve, func(r *headroom.Request) { r.IdempotencyKey = huge }), "idempotency_key"},
		{"257-byte idempotency key", with(reserve, func(r *headroom.Request) { r.IdempotencyKey = strings.Repeat("k", 257) }), "idempotency_key"},
		{"control character in a key", with(reserve, func(r *headroom.Request) { r.IdempotencyKey = "a\nb" }), "idempotency_key"},
		{"invalid UTF-8 key", with(reserve, func(r *headroom.Request) { r.IdempotencyKey = "a\xffb" }), "idempotency_key"},
		{"500 KB lease id", with(acquire, func(r *headroom.Request) { r.LeaseID = huge }), "lease_id"},
		{"lease id with NUL", with(acquire, func(r *headroom.Request) { r.LeaseID = "a\x00" }), "lease_id"},
		{"long state", with(acquire, func(r *headroom.Request) { r.State = strings.Repeat("s", 65) }), "state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.do(tc.r)
			var he *headroom.Error
			if headroom.ErrorCodeOf(err) != headroom.EINVALID || !asError(err, &he) || he.Field != tc.field {
				t.Fatalf("err = %v, want EINVALID on %s", err, tc.field)
			}
		})
	}
	if n, _ := f.e.Usage(f.ctx, acct, headroom.CodeUsers, "instance/i-1"); n != 0 {
		t.Fatalf("a refused request counted: usage %d", n)
	}
	// The longest allowed key is fine.
	f.must(t, with(reserve, func(r *headroom.Request) { r.IdempotencyKey = strings.Repeat("k", headroom.MaxIdentifierLength) }))

	for _, tc := range []struct {
		name string
		c    headroom.ResourceCreate
	}{
		{"name with a newline", headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: "k", ID: "1", Name: "a\nb"}}},
		{"name with an escape", headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: "k", ID: "2", Name: "\x1b[31mred"}}},
		{"name too long", headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: "k", ID: "3", Name: strings.Repeat("é", headroom.MaxNameLength+1)}}},
		{"id too long", headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: "k", ID: huge}}},
		{"token too long", headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: "k", ID: "4"}, Token: headroom.ResourceToken{Key: huge, Hash: "h"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.e.CreateResource(f.ctx, tc.c); headroom.ErrorCodeOf(err) != headroom.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if list, _ := f.e.ListResources(f.ctx, headroom.ResourceFilter{Account: acct, Kind: "k"}); len(list) != 0 {
				t.Fatalf("a refused resource was stored: %v", list)
			}
		})
	}
	if _, err := f.e.CreateResource(f.ctx, headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: "k", ID: "ok", Name: "Équipe de nuit"}}); err != nil {
		t.Fatal(err)
	}
	_, err := f.e.UpdateResource(f.ctx, acct, "k", "ok", func(r *headroom.Resource) (headroom.Slots, error) {
		r.Name = "tab\there"
		return headroom.Slots{}, nil
	})
	if headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("update to a name with a tab: %v", err)
	}
}
