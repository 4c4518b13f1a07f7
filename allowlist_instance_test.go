package headroom_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

// createInstance creates a Connect instance resource as the Connect API
// does: the engine adds the account's allow-lists to its data.
func (f *fixture) createInstance(t *testing.T, id string) {
	t.Helper()
	_, err := f.e.CreateResource(f.ctx, headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: headroom.KindConnectInstance, ID: id,
		Data: []byte(`{"Id":"` + id + `"}`)}, Hold: &headroom.Slot{Code: headroom.CodeInstances, Amount: 1}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAllowListPerInstance: a new instance takes a copy of the account's
// outbound country list; a later account change reaches new instances
// only; an approved request in one instance's scope changes that instance
// only.
func TestAllowListPerInstance(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{})
	f.createInstance(t, "old")
	approve := func(in headroom.ChangeInput) {
		t.Helper()
		in.Type, in.Account, in.SupportCaseAllowed = headroom.RequestAllowList, acct, true
		r, err := f.e.RequestChange(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved}, "ops"); err != nil {
			t.Fatal(err)
		}
	}
	// The account opens UK mobiles: new instances get them, "old" does not.
	approve(headroom.ChangeInput{Allow: []string{"+447"}})
	f.createInstance(t, "new")
	check := func(instance, number string, want headroom.ErrorCode) {
		t.Helper()
		if _, err := f.e.CheckDestination(f.ctx, acct, instance, number); headroom.ErrorCodeOf(err) != want {
			t.Errorf("instance %q, %s: %v, want %q", instance, number, err, want)
		}
	}
	check("", "+44 (0)7700 900123", "")
	check("new", "+44 (0)7700 900123", "")
	check("old", "+44 (0)7700 900123", headroom.ENOTALLOWED)
	check("old", "+12065550100", "")
	// One instance's request: "old" opens Germany and closes +1.
	approve(headroom.ChangeInput{Scope: "instance/old", Allow: []string{"+49"}, Deny: []string{"+1"}})
	check("old", "+49 30 123456", "")
	check("old", "+12065550100", headroom.ENOTALLOWED)
	check("old", "+447700900123", headroom.ENOTALLOWED)
	check("new", "+49 30 123456", headroom.ENOTALLOWED)
	check("new", "+12065550100", "")
	// An instance with no snapshot (created before snapshots) follows the
	// account; an unknown instance too.
	check("gone", "+447700900123", "")
	// Applied shows where an instance's list comes from.
	a, err := f.e.Applied(f.ctx, acct, headroom.CodeOutboundCountries, "instance/new")
	if err != nil || a.Level != headroom.LevelResource || a.Scope != "instance/new" || !a.Entries["+447"] {
		t.Errorf("applied of new: %+v, %v", a, err)
	}
}

// TestAllowListSnapshotInData: the snapshot is kept in the instance's own
// data, written with it.
func TestAllowListSnapshotInData(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{})
	f.createInstance(t, "i1")
	r, err := f.e.FindResource(f.ctx, acct, headroom.KindConnectInstance, "i1")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		ID    string                         `json:"Id"`
		Lists map[string]headroom.SetEntries `json:"HeadroomAllowLists"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	s := d.Lists[headroom.CodeOutboundCountries]
	if d.ID != "i1" || len(s.Allow) != 2 || s.Allow[0] != "+1" || s.Allow[1] != "+44" || len(s.Deny) != 1 || s.Deny[0] != "+447" {
		t.Fatalf("data %s", r.Data)
	}
	// Data that is not a JSON object is refused for an instance.
	_, err = f.e.CreateResource(f.ctx, headroom.ResourceCreate{Resource: headroom.Resource{Account: acct, Kind: headroom.KindConnectInstance, ID: "i2",
		Data: []byte(`[1]`)}})
	if headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("array data: %v", err)
	}
}

// TestAllowListSurvivesUpdate: an update that rewrites an instance's data
// in the transport's own shape keeps the instance's list.
func TestAllowListSurvivesUpdate(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{})
	f.createInstance(t, "i1")
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: headroom.CodeOutboundCountries, Allow: []string{"+447"}}, "ops"); err != nil {
		t.Fatal(err)
	}
	_, err := f.e.UpdateResource(f.ctx, acct, headroom.KindConnectInstance, "i1", func(r *headroom.Resource) (headroom.Slots, error) {
		r.Data = []byte(`{"Id":"i1","InstanceAlias":"renamed"}`)
		return headroom.Slots{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.e.FindResource(f.ctx, acct, headroom.KindConnectInstance, "i1")
	if err != nil || !strings.Contains(string(r.Data), `"renamed"`) || !strings.Contains(string(r.Data), headroom.AllowListsField) {
		t.Fatalf("after update: %s, %v", r.Data, err)
	}
	// Still the list it was created with: no +447.
	if _, err := f.e.CheckDestination(f.ctx, acct, "i1", "+447700900123"); headroom.ErrorCodeOf(err) != headroom.ENOTALLOWED {
		t.Fatalf("after update: %v", err)
	}
}
