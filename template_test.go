package headroom_test

import (
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

func TestTemplateAppliesToNewAccounts(t *testing.T) {
	f := newFixture(t)
	put := func(tmpl headroom.TemplateEntry) error { return f.e.PutTemplateEntry(f.ctx, tmpl, "org-admin") }
	if err := put(headroom.TemplateEntry{Service: "connect", Code: headroom.CodeUsers, Region: "us-east-1", DesiredValue: 900}); err != nil {
		t.Fatal(err)
	}
	if err := put(headroom.TemplateEntry{Service: "connect", Code: headroom.CodeConcurrentCalls, Region: "eu-west-2", DesiredValue: 40}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		e    headroom.TemplateEntry
		want headroom.ErrorCode
	}{
		{headroom.TemplateEntry{Service: "connect", Code: "L-D945C9A8", Region: "us-east-1", DesiredValue: 60}, headroom.ENOTADJUSTABLE},
		{headroom.TemplateEntry{Service: "profile", Code: headroom.CodeUsers, Region: "us-east-1", DesiredValue: 600}, headroom.EINVALID},
		{headroom.TemplateEntry{Service: "connect", Code: headroom.CodeUsers, DesiredValue: 600}, headroom.EINVALID},
		{headroom.TemplateEntry{Service: "connect", Code: headroom.CodeUsers, Region: "us-east-1", DesiredValue: -1}, headroom.EINVALID},
		{headroom.TemplateEntry{Service: "connect", Code: "L-00000000", Region: "us-east-1", DesiredValue: 1}, headroom.EUNKNOWNQUOTA},
	} {
		if err := put(bad.e); headroom.ErrorCodeOf(err) != bad.want {
			t.Errorf("%+v: %v, want %s", bad.e, err, bad.want)
		}
	}
	// Not associated yet: a new account gets the defaults.
	before, _, err := f.e.CreateAccount(f.ctx, headroom.Account{ID: "100000000001"}, "ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.SetTemplateAssociated(f.ctx, true, "org-admin"); err != nil {
		t.Fatal(err)
	}
	after, key, err := f.e.CreateAccount(f.ctx, headroom.Account{ID: "100000000002", Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, "ops")
	if err != nil || key.Account != after.ID || len(key.Secret) != 40 {
		t.Fatalf("create: %+v %+v %v", after, key, err)
	}
	if a, _ := f.e.Applied(f.ctx, after.ID, headroom.CodeUsers, "instance/i-1"); a.Value != 900 || a.Level != headroom.LevelAccount {
		t.Fatalf("templated account: %+v", a)
	}
	// Only the engine's region applies.
	if a, _ := f.e.Applied(f.ctx, after.ID, headroom.CodeConcurrentCalls, "instance/i-1"); a.Value != 10 {
		t.Fatalf("other region's entry applied: %+v", a)
	}
	// Existing accounts are untouched.
	if a, _ := f.e.Applied(f.ctx, before.ID, headroom.CodeUsers, "instance/i-1"); a.Value != 500 {
		t.Fatalf("earlier account: %+v", a)
	}
	if err := f.e.DeleteTemplateEntry(f.ctx, "connect", headroom.CodeUsers, "us-east-1", "org-admin"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.DeleteTemplateEntry(f.ctx, "connect", headroom.CodeUsers, "us-east-1", "org-admin"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("delete twice: %v", err)
	}
}
