package profilesapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awstags"
)

// Integrations count against the account ("Maximum number of
// integrations"), so they are top-level resources that use their domain:
// deleting a domain deletes them one by one, each giving back its slot.

type integrationIn struct {
	Uri            *string
	ObjectTypeName *string
	Tags           map[string]string
}

// integrationID is an integration's id: its domain and a digest of its
// URI, which may be longer than an id may be.
func integrationID(domain, uri string) string {
	sum := sha256.Sum256([]byte(uri))
	return domain + "/" + hex.EncodeToString(sum[:16])
}

var integrationSlot = headroom.Slot{Code: codeIntegrations, Amount: 1}

func readURI(c *call) (string, error) {
	var in integrationIn
	if err := decode(c.body, &in); err != nil {
		return "", err
	}
	if in.Uri == nil || *in.Uri == "" {
		return "", required("Uri")
	}
	if len(*in.Uri) > 255 {
		return "", headroom.Errorf(headroom.EINVALID, "Uri must be at most 255 characters, got %d", len(*in.Uri))
	}
	return *in.Uri, nil
}

func putIntegration(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	uri, err := readURI(c)
	if err != nil {
		return nil, err
	}
	var in integrationIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	if in.ObjectTypeName != nil && *in.ObjectTypeName != "" {
		if _, _, err := h.objectType(c, domain, *in.ObjectTypeName); err != nil {
			return nil, err
		}
	}
	f, err := decodeFields(c.body)
	if err != nil {
		return nil, err
	}
	f.set("DomainName", domain)
	id := integrationID(domain, uri)
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	for range 4 {
		r, err := h.engine.UpdateResource(c.ctx, c.account, kindIntegration, id, func(r *headroom.Resource) (headroom.Slots, error) {
			r.Data = raw
			return headroom.Slots{}, nil
		})
		if err == nil {
			f.stamp(r.Created, r.Updated)
			return f, nil
		}
		if headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			return nil, err
		}
		res := headroom.Resource{Account: c.account, Kind: kindIntegration, ID: id, Data: raw,
			Uses: []headroom.ResourceRef{{Kind: kindDomain, ID: domain}}}
		_, err = h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: res, Hold: &integrationSlot, Note: note(c, "integration "+uri+" created")})
		switch headroom.ErrorCodeOf(err) {
		case headroom.ECONFLICT:
			continue
		case headroom.ENOTFOUND:
			return nil, headroom.Errorf(headroom.ENOTFOUND, "Domain not found: %s", clip(domain))
		}
		if err != nil {
			return nil, err
		}
		if r, err = h.engine.FindResource(c.ctx, c.account, kindIntegration, id); err != nil {
			return nil, err
		}
		f.stamp(r.Created, r.Updated)
		return f, nil
	}
	return nil, headroom.Errorf(headroom.ESTALE, "integration %s kept changing while it was put; try again", clip(uri))
}

func getIntegration(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	uri, err := readURI(c)
	if err != nil {
		return nil, err
	}
	_, f, err := h.find(c, kindIntegration, "", integrationID(domain, uri), "Integration")
	return f, err
}

// domainIntegrations lists a domain's integrations: at most the quota's
// value, so one listing of the account's does.
func (h *Handler) domainIntegrations(c *call, domain string) ([]headroom.Resource, error) {
	var out []headroom.Resource
	err := h.each(c, kindIntegration, "", func(r headroom.Resource) error {
		if len(r.Uses) > 0 && r.Uses[0].ID == domain {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func listIntegrations(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	max, err := maxResults(c, 100, 100)
	if err != nil {
		return nil, err
	}
	rs, err := h.domainIntegrations(c, domain)
	if err != nil {
		return nil, err
	}
	start := 0
	if tok := c.r.URL.Query().Get("next-token"); tok != "" {
		q := h.listQuery(c, domain)
		after, ok := h.cursors.Decode(q, tok)
		if !ok || after == "" {
			return nil, headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned", clip(tok))
		}
		for start < len(rs) && rs[start].ID != after {
			start++
		}
		start++
	}
	items := []fields{}
	next := ""
	for i := start; i < len(rs); i++ {
		if len(items) == max {
			next = h.cursors.Encode(h.listQuery(c, domain), rs[i-1].ID)
			break
		}
		f := fields{}
		if err := json.Unmarshal(rs[i].Data, &f); err != nil {
			return nil, err
		}
		f.stamp(rs[i].Created, rs[i].Updated)
		items = append(items, f)
	}
	out := fields{}
	out.set("Items", items)
	if next != "" {
		out.set("NextToken", next)
	}
	return out, nil
}

func deleteIntegration(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	uri, err := readURI(c)
	if err != nil {
		return nil, err
	}
	if err := h.deleteIntegrationResource(c, integrationID(domain, uri)); err != nil {
		return nil, err
	}
	return map[string]string{"Message": "Integration " + uri + " deleted"}, nil
}

func (h *Handler) deleteIntegrationResource(c *call, id string) error {
	err := h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindIntegration, ID: id,
		Free: &integrationSlot, Note: note(c, "integration "+id+" deleted")})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return headroom.Errorf(headroom.ENOTFOUND, "Integration not found")
	}
	return err
}
