package connectapi

import (
	"encoding/json"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// kind is a resource type of the API: how it is stored, the count quota a
// live one holds a slot of, and its ARN segment under its instance.
type kind struct {
	name string
	// code is the quota the resource holds a slot of; empty for none.
	code string
	// arnSeg is the resource type in ARNs: instance/ID/arnSeg/ID.
	arnSeg string
	// label names the resource in messages.
	label string
}

var (
	kindInstance       = &kind{name: "connect:instance", code: headroom.CodeInstances, arnSeg: "instance", label: "Instance"}
	kindUser           = &kind{name: "connect:user", code: headroom.CodeUsers, arnSeg: "agent", label: "User"}
	kindQueue          = &kind{name: "connect:queue", code: "L-19A87C94", arnSeg: "queue", label: "Queue"}
	kindRoutingProfile = &kind{name: "connect:routing-profile", code: "L-D3E7BE26", arnSeg: "routing-profile", label: "Routing profile"}
)

func instanceScope(id string) string { return "instance/" + id }

// note describes one change for the audit log; the engine adds the time,
// the account and the quota.
func note(c *call, op, detail string) headroom.Note {
	return headroom.Note{Actor: "connect:" + c.keyID, Action: "connect." + op, Detail: detail}
}

// notFound is the ENOTFOUND error of a resource of k.
func notFound(k *kind, id string) error {
	return headroom.Errorf(headroom.ENOTFOUND, "%s not found: %s", k.label, clip(id))
}

// instance returns an instance of the caller's account; ENOTFOUND if there
// is none with that id.
func (h *Handler) instance(c *call, id string) (*instanceData, error) {
	if id == "" {
		return nil, required("InstanceId")
	}
	r, err := h.engine.FindResource(c.ctx, c.account, kindInstance.name, id)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, notFound(kindInstance, id)
		}
		return nil, err
	}
	var in instanceData
	if err := json.Unmarshal(r.Data, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// newResource is a resource of k under parent, an instance id (or empty),
// with data as its representation. A resource under an instance is stored
// only if the instance still exists then, so that none outlives an
// instance being deleted.
func (h *Handler) newResource(c *call, k *kind, parent, id, name string, data any) (headroom.Resource, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return headroom.Resource{}, err
	}
	now := h.stamp()
	r := headroom.Resource{Account: c.account, Kind: k.name, ID: id, Parent: parent, Name: name, Data: raw, Created: now, Updated: now}
	if parent != "" {
		r.ParentKind = kindInstance.name
	}
	return r, nil
}

// slot is the slot of k's quota a resource of k holds in scope; nil for
// a kind without a quota.
func (k *kind) slot(scope string) *headroom.Slot {
	if k.code == "" {
		return nil
	}
	return &headroom.Slot{Code: k.code, Scope: scope, Amount: 1}
}

// create stores a resource of k under parent (an instance id, or empty)
// holding one slot of k's quota in scope, or stores nothing. A name taken
// is ECONFLICT.
func (h *Handler) create(c *call, k *kind, op, parent, id, name, scope string, data any, uses ...headroom.ResourceRef) error {
	_, err := h.createWith(c, k, op, parent, id, name, scope, data, headroom.ResourceToken{}, uses...)
	return err
}

// createWith is create with a ClientToken's record, written in the same
// transaction: a replayed token creates nothing and answers the id of the
// resource the first request created.
func (h *Handler) createWith(c *call, k *kind, op, parent, id, name, scope string, data any, token headroom.ResourceToken, uses ...headroom.ResourceRef) (headroom.ResourceResult, error) {
	res, err := h.newResource(c, k, parent, id, name, data)
	if err != nil {
		return headroom.ResourceResult{}, err
	}
	res.Uses = uses
	out, err := h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: res, Hold: k.slot(scope), Token: token,
		Note: note(c, op, k.label+" "+id+" created")})
	switch headroom.ErrorCodeOf(err) {
	case headroom.ECONFLICT:
		return out, headroom.Errorf(headroom.ECONFLICT, "%s with the name %q already exists", k.label, clip(name))
	case headroom.ENOTFOUND:
		// The instance, or a resource this one uses, went while the
		// resource was created.
		for _, u := range uses {
			if _, ferr := h.engine.FindResource(c.ctx, c.account, u.Kind, u.ID); headroom.ErrorCodeOf(ferr) == headroom.ENOTFOUND {
				return out, headroom.Errorf(headroom.ENOTFOUND, "%s not found: %s", u.Kind, clip(u.ID))
			}
		}
		return out, notFound(kindInstance, parent)
	}
	return out, err
}

// find returns a resource of k under an instance, decoded into out;
// ENOTFOUND if there is none.
func (h *Handler) find(c *call, k *kind, parent, id string, out any) (headroom.Resource, error) {
	r, err := h.engine.FindResource(c.ctx, c.account, k.name, id)
	if err == nil && r.Parent != parent {
		err = headroom.Errorf(headroom.ENOTFOUND, "not found")
	}
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return r, notFound(k, id)
		}
		return r, err
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return r, err
		}
	}
	return r, nil
}

// update changes a resource of k under parent with change, decoded from
// and encoded back to its data of type T, in one compare-and-swap that is
// retried when another writer changed it first. change may run several
// times and must have no other effect; it returns the count slots the
// change takes (a positive Amount) or gives back (negative), or nil.
func update[T any](h *Handler, c *call, k *kind, parent, id string, change func(d *T) (*headroom.Slot, error)) (*T, error) {
	return updateSlots(h, c, k, parent, id, func(d *T) (headroom.Slots, error) {
		slot, err := change(d)
		return headroom.Slots{Count: slot}, err
	})
}

// updateSlots is update whose change returns any slots: count slots and
// leases, taken or given back with the change.
func updateSlots[T any](h *Handler, c *call, k *kind, parent, id string, change func(d *T) (headroom.Slots, error)) (*T, error) {
	return updateFull(h, c, k, parent, id, func(d *T) (headroom.Slots, []headroom.ResourceRef, error) {
		slots, err := change(d)
		return slots, nil, err
	})
}

// remove deletes a resource of k under parent and frees its slot in scope.
func (h *Handler) remove(c *call, k *kind, op, parent, id, scope string) error {
	r, err := h.find(c, k, parent, id, nil)
	if err != nil {
		return err
	}
	free := k.slot(scope)
	if isDefault(r.Data) {
		free = nil
	}
	err = h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: k.name, ID: id, Free: free,
		Note: note(c, op, k.label+" "+id+" deleted")})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return notFound(k, id)
	}
	return err
}

// page lists resources of k under parent, after the opaque token, at most
// max of them; it returns the next token, empty at the end. A token is
// bound to the operation, the account and the parent.
func (h *Handler) page(c *call, k *kind, parent, token string, max int) ([]headroom.Resource, string, error) {
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{parent}}
	after, ok := h.cursors.Decode(q, token)
	if !ok || token != "" && after == "" {
		return nil, "", newError(errInvalidParameter, "NextToken %q is not a token this API returned", clip(token))
	}
	rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: k.name, Parent: parent, AfterID: after, Limit: max + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rs) > max {
		rs = rs[:max]
		next = h.cursors.Encode(q, rs[max-1].ID)
	}
	return rs, next, nil
}

// maxResults reads the maxResults query parameter: def if absent, else a
// whole number in [1, max].
func maxResults(c *call, def, max int, badInput string) (int, error) {
	v := c.r.URL.Query().Get("maxResults")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, newError(badInput, "maxResults must be a whole number from 1 to %d, got %q", max, clip(v))
	}
	return n, nil
}

func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

func unmarshal(data []byte, out any) error { return json.Unmarshal(data, out) }
