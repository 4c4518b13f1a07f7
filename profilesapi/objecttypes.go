package profilesapi

import (
	"encoding/json"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awstags"
)

// objectTypeIn is what Headroom reads of a PutProfileObjectType body.
type objectTypeIn struct {
	Description          *string
	ExpirationDays       *int64
	AllowProfileCreation bool
	Keys                 map[string][]objectTypeKey
	Fields               map[string]objectTypeField
	Tags                 map[string]string
}

type objectTypeKey struct {
	StandardIdentifiers []string
	FieldNames          []string
}

type objectTypeField struct {
	Source, Target, ContentType string
}

func objectTypeID(domain, name string) string { return domain + "/" + name }

func objectTypeScope(domain, name string) string {
	return domainScope(domain) + "/object-type/" + name
}

// objectType returns an object type of a domain, with its fields.
func (h *Handler) objectType(c *call, domain, name string) (headroom.Resource, fields, error) {
	if name == "" {
		return headroom.Resource{}, nil, required("ObjectTypeName")
	}
	return h.find(c, kindObjectType, domain, objectTypeID(domain, name), "Object type "+domain+"/"+name)
}

func putProfileObjectType(h *Handler, c *call) (any, error) {
	domain, name := c.path("DomainName"), c.path("ObjectTypeName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	if !objectTypeName.MatchString(name) {
		return nil, headroom.Errorf(headroom.EINVALID, "ObjectTypeName %q must be 1 to 255 letters, _ and -, starting with a letter or _", clip(name))
	}
	var in objectTypeIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	f, err := decodeFields(c.body)
	if err != nil {
		return nil, err
	}
	if in.Description == nil || *in.Description == "" {
		return nil, required("Description")
	}
	if in.ExpirationDays != nil {
		if err := h.checkExpiration(c, "ExpirationDays", *in.ExpirationDays); err != nil {
			return nil, err
		}
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	max, err := h.applied(c, codeKeys, objectTypeScope(domain, name))
	if err != nil {
		return nil, err
	}
	if n := len(in.Keys); float64(n) > max {
		return nil, headroom.Errorf(headroom.EQUOTAEXCEEDED, "object type %s has %d keys; the quota Maximum keys per object type (%s) is %g",
			name, n, codeKeys, max)
	}
	f.set("ObjectTypeName", name)
	delete(f, "DomainName")
	id := objectTypeID(domain, name)
	for range 4 {
		if _, _, err := h.objectType(c, domain, name); err == nil {
			r, err := h.engine.UpdateResource(c.ctx, c.account, kindObjectType, id, func(r *headroom.Resource) (headroom.Slots, error) {
				var err error
				r.Data, err = json.Marshal(f)
				return headroom.Slots{}, err
			})
			if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			f.stamp(r.Created, r.Updated)
			return f, nil
		} else if headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			return nil, err
		}
		r, err := h.create(c, kindObjectType, domain, id, f, &headroom.Slot{Code: codeObjectTypes, Scope: domainScope(domain), Amount: 1}, "object type "+name)
		if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
			continue
		}
		if err != nil {
			return nil, err
		}
		f.stamp(r.Created, r.Updated)
		return f, nil
	}
	return nil, headroom.Errorf(headroom.ESTALE, "object type %s kept changing while it was put; try again", name)
}

func getProfileObjectType(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	_, f, err := h.objectType(c, domain, c.path("ObjectTypeName"))
	return f, err
}

func listProfileObjectTypes(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	max, err := maxResults(c, 100, 100)
	if err != nil {
		return nil, err
	}
	rs, next, err := h.page(c, kindObjectType, domain, max)
	if err != nil {
		return nil, err
	}
	items := []fields{}
	for _, r := range rs {
		var in fields
		if err := json.Unmarshal(r.Data, &in); err != nil {
			return nil, err
		}
		f := fields{"ObjectTypeName": in["ObjectTypeName"], "Description": in["Description"]}
		if t, ok := in["Tags"]; ok {
			f["Tags"] = t
		}
		f.stamp(r.Created, r.Updated)
		items = append(items, f)
	}
	out := fields{}
	out.set("Items", items)
	if next != "" {
		out.set("NextToken", next)
	}
	return out, nil
}

func deleteProfileObjectType(h *Handler, c *call) (any, error) {
	domain, name := c.path("DomainName"), c.path("ObjectTypeName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	if _, _, err := h.objectType(c, domain, name); err != nil {
		return nil, err
	}
	err := h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindObjectType, ID: objectTypeID(domain, name),
		Free: &headroom.Slot{Code: codeObjectTypes, Scope: domainScope(domain), Amount: 1}, Note: note(c, "object type "+name+" deleted")})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "Object type not found: %s", clip(name))
	}
	if err != nil {
		return nil, err
	}
	// "Removes a ProfileObjectType from a specific domain as well as
	// removes all the ProfileObjects of that type", as the model says.
	if _, err := h.removeObjectsOfType(c, domain, name); err != nil {
		return nil, err
	}
	return map[string]string{"Message": "Object type " + name + " deleted"}, nil
}

// listProfileObjectTypeTemplates answers ListProfileObjectTypeTemplates.
// Amazon's templates map third-party sources (Salesforce, Zendesk, ...)
// that Headroom does not emulate, and no quota counts them, so it ships
// none: the list is empty, and GetProfileObjectTypeTemplate finds nothing.
func listProfileObjectTypeTemplates(h *Handler, c *call) (any, error) {
	if _, err := maxResults(c, 100, 100); err != nil {
		return nil, err
	}
	if tok := c.r.URL.Query().Get("next-token"); tok != "" {
		return nil, headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned", clip(tok))
	}
	return map[string]any{"Items": []any{}}, nil
}

// getProfileObjectTypeTemplate answers GetProfileObjectTypeTemplate: see
// listProfileObjectTypeTemplates.
func getProfileObjectTypeTemplate(h *Handler, c *call) (any, error) {
	return nil, headroom.Errorf(headroom.ENOTFOUND, "Template not found: %s (Headroom ships no profile object type templates; define object types with PutProfileObjectType)",
		clip(c.path("TemplateId")))
}
