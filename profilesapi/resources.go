package profilesapi

import (
	"encoding/json"
	"errors"
	"regexp"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/arn"
	"github.com/headroomhq/headroom/internal/cursor"
)

// The catalog's Customer Profiles quotas (service profile).
const (
	codeDomains          = "L-6603B252"
	codeObjectTypes      = "L-14092FF4"
	codeKeys             = "L-A7ED412C"
	codeExpiration       = "L-3217D1F1"
	codeProfileSize      = "HR-PROFILE-SIZE"
	codeProfileTotalSize = "L-63975AF3"
	codeObjectSize       = "HR-PROFILE-OBJECT-SIZE"
	codeIntegrations     = "L-4A5ECB8E"
	codeObjectsPerProf   = "L-E17DC7C3"
	codeModifications    = "HR-PROFILE-MODIFICATIONS-RATE"
)

// Resource kinds in the engine's resource store.
const (
	kindDomain      = "profile:domain"
	kindObjectType  = "profile:object-type"
	kindProfile     = "profile:profile"
	kindObject      = "profile:object"
	kindIntegration = "profile:integration"
)

// namePattern is the model's pattern for domain and object type names.
var (
	domainName     = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	objectTypeName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z_-]{0,254}$`)
)

func domainScope(domain string) string { return "domain/" + domain }

func note(c *call, detail string) headroom.Note {
	return headroom.Note{Actor: "profile:" + c.keyID, Action: "profile." + c.op, Detail: detail}
}

// fields is a resource's stored representation: the request's own
// members, kept as they came, so that what Get and List answer is what
// was put, plus the ones Headroom adds (CreatedAt, LastUpdatedAt).
type fields map[string]json.RawMessage

func (f fields) set(name string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain values are set
	}
	f[name] = raw
}

// stamp sets the resource's times, as rest-json timestamps go on the
// wire: seconds since the epoch.
func (f fields) stamp(created, updated time.Time) {
	f.set("CreatedAt", epoch(created))
	f.set("LastUpdatedAt", epoch(updated))
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// decodeFields reads a request body as its members.
func decodeFields(body []byte) (fields, error) {
	f := fields{}
	if err := decode(body, &f); err != nil {
		return nil, err
	}
	delete(f, objectBytesMember) // Headroom's own, never a client's
	return f, nil
}

// domain returns a domain of the caller's; ResourceNotFoundException if
// there is none.
func (h *Handler) domain(c *call, name string) (headroom.Resource, fields, error) {
	if name == "" {
		return headroom.Resource{}, nil, required("DomainName")
	}
	return h.find(c, kindDomain, "", name, "Domain")
}

// find returns a resource of kind under parent, with its fields.
func (h *Handler) find(c *call, kind, parent, id, label string) (headroom.Resource, fields, error) {
	r, err := h.engine.FindResource(c.ctx, c.account, kind, id)
	if err == nil && r.Parent != parent {
		err = headroom.Errorf(headroom.ENOTFOUND, "not found")
	}
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return r, nil, headroom.Errorf(headroom.ENOTFOUND, "%s not found: %s", label, clip(id))
	}
	if err != nil {
		return r, nil, err
	}
	f := fields{}
	if err := json.Unmarshal(r.Data, &f); err != nil {
		return r, nil, err
	}
	f.stamp(r.Created, r.Updated)
	return r, f, nil
}

// create stores a resource holding hold (or nothing) in one transaction.
// A resource under a domain is stored only while the domain exists.
func (h *Handler) create(c *call, kind, parent, id string, f fields, hold *headroom.Slot, what string) (headroom.Resource, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return headroom.Resource{}, err
	}
	r := headroom.Resource{Account: c.account, Kind: kind, ID: id, Parent: parent, Data: raw}
	if parent != "" {
		r.ParentKind = kindDomain
		if kind == kindObject {
			r.ParentKind = kindProfile
		}
	}
	_, err = h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: r, Hold: hold, Note: note(c, what+" created")})
	switch headroom.ErrorCodeOf(err) {
	case headroom.ECONFLICT:
		return r, headroom.Errorf(headroom.ECONFLICT, "%s already exists", what)
	case headroom.ENOTFOUND:
		return r, headroom.Errorf(headroom.ENOTFOUND, "the parent of %s is gone: %s", what, clip(parent))
	}
	if err != nil {
		return r, err
	}
	return h.engine.FindResource(c.ctx, c.account, kind, id)
}

// applied is a quota's applied value for the caller in scope: the
// catalog's, or an override or approved increase.
func (h *Handler) applied(c *call, code, scope string) (float64, error) {
	a, err := h.engine.Applied(c.ctx, c.account, code, scope)
	if err != nil {
		return 0, err
	}
	return a.Value, nil
}

// checkExpiration checks an expiration in days against "Maximum
// expiration of objects and profiles" (3 years, 1,098 days: 366 a year).
func (h *Handler) checkExpiration(c *call, field string, days int64) error {
	if days < 1 {
		return headroom.Errorf(headroom.EINVALID, "%s must be at least 1, got %d", field, days)
	}
	years, err := h.applied(c, codeExpiration, "")
	if err != nil {
		return err
	}
	max := int64(years * 366)
	if days > max {
		return headroom.Errorf(headroom.EQUOTAEXCEEDED, "%s %d exceeds the quota Maximum expiration of objects and profiles (%s): %g years, %d days",
			field, days, codeExpiration, years, max)
	}
	return nil
}

// page lists resources of kind under parent after the opaque token.
func (h *Handler) page(c *call, kind, parent string, max int) ([]headroom.Resource, string, error) {
	token := c.r.URL.Query().Get("next-token")
	return h.pageFrom(c, kind, parent, token, max)
}

func (h *Handler) pageFrom(c *call, kind, parent, token string, max int) ([]headroom.Resource, string, error) {
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{parent}}
	after, ok := h.cursors.Decode(q, token)
	if !ok || token != "" && after == "" {
		return nil, "", headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned", clip(token))
	}
	rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: kind, Parent: parent, AfterID: after, Limit: max + 1})
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

// domainARN is a domain's ARN, what tags are kept under.
func (h *Handler) domainARN(account, domain string) string {
	return arn.Build(SigningName, h.region, account, "domains/"+domain)
}

// errStop ends an each early without an error of its own: a page is
// full.
var errStop = errors.New("stop")

// each calls fn for every resource of kind under parent, in pages.
func (h *Handler) each(c *call, kind, parent string, fn func(headroom.Resource) error) error {
	return h.eachAfter(c, kind, parent, "", fn)
}

// eachAfter is each from the resource after the id after; fn's error
// stops it and is returned.
func (h *Handler) eachAfter(c *call, kind, parent, after string, fn func(headroom.Resource) error) error {
	for {
		rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: kind, Parent: parent, AfterID: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rs) < 1000 {
			return nil
		}
		after = rs[len(rs)-1].ID
	}
}
