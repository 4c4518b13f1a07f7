package connectapi

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/headroomhq/headroom"
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

// childKinds are the kinds stored under an instance, deleted with it.
var childKinds = []*kind{kindUser, kindQueue, kindRoutingProfile, kindContact, kindClientToken}

func instanceScope(id string) string { return "instance/" + id }

// audit describes one change for the audit log.
func (h *Handler) audit(c *call, op, code, scope, detail string) headroom.AuditEntry {
	return headroom.AuditEntry{Time: h.clock.Now(), Actor: "connect:" + c.keyID, Account: c.account,
		Action: "connect." + op, Code: code, Scope: scope, Detail: detail}
}

// instance returns an instance of the caller's account; ResourceNotFound
// if there is none with that id.
func (h *Handler) instance(c *call, id string) (*instanceData, error) {
	if id == "" {
		return nil, newError(errInvalidParameter, "InstanceId is required")
	}
	r, err := h.store.FindResource(c.ctx, c.account, kindInstance.name, id)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, newError(errNotFound, "Instance not found: %s", clip(id))
		}
		return nil, err
	}
	var in instanceData
	if err := json.Unmarshal(r.Data, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// create stores a resource of k under parent (an instance id, or empty)
// holding one slot of k's quota in scope, or stores nothing.
func (h *Handler) create(c *call, k *kind, op, parent, id, name, scope string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	now := h.clock.Now()
	res := headroom.Resource{Account: c.account, Kind: k.name, ID: id, Parent: parent, Name: name, Data: raw, Created: now, Updated: now}
	var hold *headroom.CountChange
	var applied headroom.Applied
	if k.code != "" {
		if hold, applied, err = h.engine.Hold(c.ctx, c.account, k.code, scope, 1); err != nil {
			return err
		}
	}
	cr, err := h.store.CreateResource(c.ctx, res, hold, h.audit(c, op, k.code, scope, k.label+" "+id+" created"))
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
			return newError(errDuplicate, "%s with the name %q already exists", k.label, clip(name))
		}
		return err
	}
	if !cr.Applied {
		return h.engine.HoldDenied(hold, applied, cr)
	}
	return nil
}

// find returns a resource of k under an instance, decoded into out.
func (h *Handler) find(c *call, k *kind, parent, id string, out any) (headroom.Resource, error) {
	r, err := h.store.FindResource(c.ctx, c.account, k.name, id)
	if err == nil && r.Parent != parent {
		err = headroom.Errorf(headroom.ENOTFOUND, "not found")
	}
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return r, newError(errNotFound, "%s not found: %s", k.label, clip(id))
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

// remove deletes a resource of k under parent and frees its slot in scope.
func (h *Handler) remove(c *call, k *kind, op, parent, id, scope string) error {
	if _, err := h.find(c, k, parent, id, nil); err != nil {
		return err
	}
	var free *headroom.CountChange
	if k.code != "" {
		free = h.engine.Free(c.account, k.code, scope, 1)
	}
	err := h.store.DeleteResource(c.ctx, c.account, k.name, id, free, h.audit(c, op, k.code, scope, k.label+" "+id+" deleted"))
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return newError(errNotFound, "%s not found: %s", k.label, clip(id))
	}
	return err
}

// page lists resources of k under parent, after the opaque token, at most
// max of them; it returns the next token, empty at the end.
func (h *Handler) page(c *call, k *kind, parent, token string, max int) ([]headroom.Resource, string, error) {
	after := ""
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", newError(errInvalidParameter, "NextToken %q is not a token this API returned", clip(token))
		}
		after = string(b)
	}
	rs, err := h.store.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: k.name, Parent: parent, AfterID: after, Limit: max + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rs) > max {
		rs = rs[:max]
		next = base64.RawURLEncoding.EncodeToString([]byte(rs[max-1].ID))
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
