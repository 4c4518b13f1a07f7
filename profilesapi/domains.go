package profilesapi

import (
	"encoding/json"
	"sort"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awstags"
)

// domainIn is what Headroom reads of a CreateDomain or UpdateDomain body;
// the other members are kept as they came.
type domainIn struct {
	DefaultExpirationDays *int64
	Tags                  map[string]string
}

func checkDomainName(name string) error {
	if !domainName.MatchString(name) {
		return headroom.Errorf(headroom.EINVALID, "DomainName %q must be 1 to 64 letters, digits, _ and -", clip(name))
	}
	return nil
}

func createDomain(h *Handler, c *call) (any, error) {
	name := c.path("DomainName")
	if err := checkDomainName(name); err != nil {
		return nil, err
	}
	var in domainIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	f, err := decodeFields(c.body)
	if err != nil {
		return nil, err
	}
	if in.DefaultExpirationDays == nil {
		return nil, required("DefaultExpirationDays")
	}
	if err := h.checkExpiration(c, "DefaultExpirationDays", *in.DefaultExpirationDays); err != nil {
		return nil, err
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	delete(f, "Tags")
	f.set("DomainName", name)
	r, err := h.create(c, kindDomain, "", name, f, &headroom.Slot{Code: codeDomains, Amount: 1}, "domain "+name)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		if err := h.engine.TagResource(c.ctx, c.account, h.domainARN(c.account, name), in.Tags); err != nil {
			return nil, err
		}
	}
	return h.domainOut(c, r, f)
}

// domainOut is a domain as the API answers it: its members, its times
// and its tags.
func (h *Handler) domainOut(c *call, r headroom.Resource, f fields) (fields, error) {
	f.stamp(r.Created, r.Updated)
	tags, err := h.engine.ListTags(c.ctx, c.account, h.domainARN(c.account, r.ID))
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	f.set("Tags", tags)
	return f, nil
}

func getDomain(h *Handler, c *call) (any, error) {
	r, f, err := h.domain(c, c.path("DomainName"))
	if err != nil {
		return nil, err
	}
	return h.domainOut(c, r, f)
}

func listDomains(h *Handler, c *call) (any, error) {
	max, err := maxResults(c, 100, 100)
	if err != nil {
		return nil, err
	}
	rs, next, err := h.page(c, kindDomain, "", max)
	if err != nil {
		return nil, err
	}
	items := []fields{}
	for _, r := range rs {
		f := fields{}
		f.set("DomainName", r.ID)
		out, err := h.domainOut(c, r, f)
		if err != nil {
			return nil, err
		}
		items = append(items, out)
	}
	out := fields{}
	out.set("Items", items)
	if next != "" {
		out.set("NextToken", next)
	}
	return out, nil
}

func updateDomain(h *Handler, c *call) (any, error) {
	name := c.path("DomainName")
	if _, _, err := h.domain(c, name); err != nil {
		return nil, err
	}
	var in domainIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	upd, err := decodeFields(c.body)
	if err != nil {
		return nil, err
	}
	if in.DefaultExpirationDays != nil {
		if err := h.checkExpiration(c, "DefaultExpirationDays", *in.DefaultExpirationDays); err != nil {
			return nil, err
		}
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	delete(upd, "Tags")
	delete(upd, "DomainName")
	r, err := h.engine.UpdateResource(c.ctx, c.account, kindDomain, name, func(r *headroom.Resource) (headroom.Slots, error) {
		f := fields{}
		if err := json.Unmarshal(r.Data, &f); err != nil {
			return headroom.Slots{}, err
		}
		for k, v := range upd {
			f[k] = v
		}
		var err error
		r.Data, err = json.Marshal(f)
		return headroom.Slots{}, err
	})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "Domain not found: %s", clip(name))
	}
	if err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		if err := h.engine.TagResource(c.ctx, c.account, h.domainARN(c.account, name), in.Tags); err != nil {
			return nil, err
		}
	}
	f := fields{}
	if err := json.Unmarshal(r.Data, &f); err != nil {
		return nil, err
	}
	return h.domainOut(c, r, f)
}

// deleteDomain deletes a domain with everything in it: its integrations
// (each giving back its account-wide slot), then in one transaction the
// domain, its object types, profiles and objects, with the usage counted
// in the domain's scope.
func deleteDomain(h *Handler, c *call) (any, error) {
	name := c.path("DomainName")
	if _, _, err := h.domain(c, name); err != nil {
		return nil, err
	}
	ints, err := h.domainIntegrations(c, name)
	if err != nil {
		return nil, err
	}
	for _, r := range ints {
		if err := h.deleteIntegrationResource(c, r.ID); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			return nil, err
		}
	}
	_, err = h.engine.DeleteResourceTree(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindDomain, ID: name,
		Free: &headroom.Slot{Code: codeDomains, Amount: 1}, Note: note(c, "domain "+name+" deleted")}, domainScope(name))
	switch headroom.ErrorCodeOf(err) {
	case headroom.ENOTFOUND:
		return nil, headroom.Errorf(headroom.ENOTFOUND, "Domain not found: %s", clip(name))
	case headroom.EINUSE:
		return nil, headroom.Errorf(headroom.EINUSE, "domain %s gained an integration while it was deleted; try again", name)
	}
	if err != nil {
		return nil, err
	}
	arn := h.domainARN(c.account, name)
	if tags, err := h.engine.ListTags(c.ctx, c.account, arn); err == nil && len(tags) > 0 {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if err := h.engine.UntagResource(c.ctx, c.account, arn, keys); err != nil {
			return nil, err
		}
	}
	return map[string]string{"Message": "Domain " + name + " deleted"}, nil
}
