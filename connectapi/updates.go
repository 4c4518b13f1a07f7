package connectapi

import (
	"encoding/json"

	"github.com/headroomhq/headroom"
)

// updateUses is update whose change may also replace the resources the
// resource uses (nil keeps them): the store checks in the update's own
// transaction that each exists.
func updateUses[T any](h *Handler, c *call, k *kind, parent, id string, change func(d *T) ([]headroom.ResourceRef, error)) (*T, error) {
	return updateFull(h, c, k, parent, id, func(d *T) (headroom.Slots, []headroom.ResourceRef, error) {
		uses, err := change(d)
		return headroom.Slots{}, uses, err
	})
}

// updateFull changes a resource of k under parent with change in one
// versioned compare-and-swap, retried when another writer changed it
// first: its data, the slots the change takes or gives back, and what it
// uses (nil keeps that). change may run several times and must have no
// other effect.
func updateFull[T any](h *Handler, c *call, k *kind, parent, id string, change func(d *T) (headroom.Slots, []headroom.ResourceRef, error)) (*T, error) {
	var out *T
	var refused error
	var uses []headroom.ResourceRef
	_, err := h.engine.UpdateResource(c.ctx, c.account, k.name, id, func(r *headroom.Resource) (headroom.Slots, error) {
		if r.Parent != parent {
			refused = notFound(k, id)
			return headroom.Slots{}, refused
		}
		d := new(T)
		if err := json.Unmarshal(r.Data, d); err != nil {
			return headroom.Slots{}, err
		}
		slots, u, err := change(d)
		uses = u
		if err != nil {
			refused = err
			return headroom.Slots{}, err
		}
		if uses != nil {
			r.Uses = uses
		}
		if r.Data, err = json.Marshal(d); err != nil {
			return headroom.Slots{}, err
		}
		r.Updated = h.stamp()
		out = d
		return slots, nil
	})
	switch {
	case err != nil && refused != nil:
		return nil, err
	case headroom.ErrorCodeOf(err) == headroom.ENOTFOUND:
		// The resource, or one it is to use, went meanwhile.
		return nil, h.missingUse(c, k, id, uses)
	case err != nil:
		return nil, err
	}
	return out, nil
}

// missingUse names what was not found when a write that uses others
// failed with ENOTFOUND: the first of uses that is gone, else the
// resource k/id itself.
func (h *Handler) missingUse(c *call, k *kind, id string, uses []headroom.ResourceRef) error {
	for _, u := range uses {
		if _, err := h.engine.FindResource(c.ctx, c.account, u.Kind, u.ID); headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return headroom.Errorf(headroom.ENOTFOUND, "%s not found: %s", labelOf(u.Kind), clip(u.ID))
		}
	}
	return notFound(k, id)
}

var kinds = []*kind{kindInstance, kindUser, kindQueue, kindRoutingProfile, kindContactFlow, kindHours, kindPrompt, kindQuickConnect,
	kindSecurity, kindAgentStatus, kindHierarchyGroup, kindPhoneNumber, kindLambda, kindBot, kindContact}

func labelOf(name string) string {
	for _, k := range kinds {
		if k.name == name {
			return k.label
		}
	}
	return name
}

// userUses is what a user uses: its security profiles, routing profile and
// hierarchy group, which are not deleted while it does.
func userUses(d *userData) []headroom.ResourceRef {
	uses := []headroom.ResourceRef{{Kind: kindRoutingProfile.name, ID: d.RoutingProfileId}}
	for _, id := range d.SecurityProfileIds {
		uses = append(uses, headroom.ResourceRef{Kind: kindSecurity.name, ID: id})
	}
	if d.HierarchyGroupId != "" {
		uses = append(uses, headroom.ResourceRef{Kind: kindHierarchyGroup.name, ID: d.HierarchyGroupId})
	}
	return uses
}

// checkRefs checks that each id names a resource of k in the instance:
// ResourceNotFoundException otherwise.
func (h *Handler) checkRefs(c *call, iid string, k *kind, ids ...string) error {
	for _, id := range ids {
		if _, err := h.find(c, k, iid, id, nil); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) updateUser(c *call, change func(d *userData) error) (any, error) {
	iid, uid := c.path("InstanceId"), c.path("UserId")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	_, err := updateUses(h, c, kindUser, iid, uid, func(d *userData) ([]headroom.ResourceRef, error) {
		if err := change(d); err != nil {
			return nil, err
		}
		d.LastModifiedTime = epoch(h.stamp())
		return userUses(d), nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func updateUserRoutingProfile(h *Handler, c *call) (any, error) {
	var in struct {
		RoutingProfileId string `json:"RoutingProfileId"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.RoutingProfileId == "" {
		return nil, required("RoutingProfileId")
	}
	if err := h.checkRefs(c, c.path("InstanceId"), kindRoutingProfile, in.RoutingProfileId); err != nil {
		return nil, err
	}
	return h.updateUser(c, func(d *userData) error { d.RoutingProfileId = in.RoutingProfileId; return nil })
}

func updateUserSecurityProfiles(h *Handler, c *call) (any, error) {
	var in struct {
		SecurityProfileIds []string `json:"SecurityProfileIds"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := checkSecurityProfileIds(in.SecurityProfileIds); err != nil {
		return nil, err
	}
	if err := h.checkRefs(c, c.path("InstanceId"), kindSecurity, in.SecurityProfileIds...); err != nil {
		return nil, err
	}
	return h.updateUser(c, func(d *userData) error { d.SecurityProfileIds = in.SecurityProfileIds; return nil })
}

func checkSecurityProfileIds(ids []string) error {
	switch {
	case len(ids) == 0:
		return required("SecurityProfileIds")
	case len(ids) > 10:
		return newError(errInvalidParameter, "SecurityProfileIds takes at most 10 ids, got %d", len(ids))
	}
	return nil
}

// identityInfo is UserIdentityInfo with the model's lengths.
type identityInfo struct {
	FirstName      string `json:"FirstName,omitempty"`
	LastName       string `json:"LastName,omitempty"`
	Email          string `json:"Email,omitempty"`
	SecondaryEmail string `json:"SecondaryEmail,omitempty"`
	Mobile         string `json:"Mobile,omitempty"`
}

func (ii *identityInfo) check() error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"FirstName", ii.FirstName, 100}, {"LastName", ii.LastName, 100}, {"Email", ii.Email, 0}, {"SecondaryEmail", ii.SecondaryEmail, 0}, {"Mobile", ii.Mobile, 0}} {
		if f.max > 0 && len([]rune(f.v)) > f.max {
			return newError(errInvalidParameter, "IdentityInfo.%s must be at most %d characters", f.name, f.max)
		}
		if err := checkText("IdentityInfo."+f.name, f.v); err != nil {
			return err
		}
	}
	if ii.Mobile != "" && !e164.MatchString(ii.Mobile) {
		return newError(errInvalidParameter, "IdentityInfo.Mobile %q is not in E.164 format", clip(ii.Mobile))
	}
	return nil
}

func updateUserIdentityInfo(h *Handler, c *call) (any, error) {
	var in struct {
		IdentityInfo *identityInfo `json:"IdentityInfo"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.IdentityInfo == nil {
		return nil, required("IdentityInfo")
	}
	if err := in.IdentityInfo.check(); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(in.IdentityInfo)
	return h.updateUser(c, func(d *userData) error { d.IdentityInfo = raw; return nil })
}

func updateQueueStatus(h *Handler, c *call) (any, error) {
	iid, qid := c.path("InstanceId"), c.path("QueueId")
	var in struct {
		Status string `json:"Status"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.Status != "ENABLED" && in.Status != "DISABLED" {
		return nil, newError(errInvalidParameter, "Status must be ENABLED or DISABLED, not %q", clip(in.Status))
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := updateUses(h, c, kindQueue, iid, qid, func(d *queueData) ([]headroom.ResourceRef, error) {
		d.Status = in.Status
		return nil, nil
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// maxFlowContent is the model's bound on a flow's Content.
const maxFlowContent = 256000

func updateContactFlowContent(h *Handler, c *call) (any, error) {
	iid, fid := c.path("InstanceId"), c.path("ContactFlowId")
	var in struct {
		Content string `json:"Content"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.Content == "":
		return nil, required("Content")
	case len(in.Content) > maxFlowContent:
		return nil, newError(errInvalidParameter, "Content must be at most %d characters", maxFlowContent)
	case !json.Valid([]byte(in.Content)):
		return nil, newError("InvalidContactFlowException", "Content is not a flow in the Amazon Connect Flow language (JSON)")
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if _, err := updateUses(h, c, kindContactFlow, iid, fid, func(d *map[string]any) ([]headroom.ResourceRef, error) {
		(*d)["Content"] = in.Content
		return nil, nil
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func getContactAttributes(h *Handler, c *call) (any, error) {
	iid, id := c.path("InstanceId"), c.path("InitialContactId")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	var d contactData
	if _, err := h.find(c, kindContact, iid, id, &d); err != nil {
		return nil, err
	}
	attrs := d.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	return map[string]any{"Attributes": attrs}, nil
}

// checkText refuses control characters in a free-text member.
func checkText(member, s string) error {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return newError(errInvalidParameter, "%s must not contain control characters", member)
		}
	}
	return nil
}
