package profilesapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/ids"
)

// Profiles are resources under their domain; a profile's objects are
// resources under the profile, each holding one slot of "Maximum objects
// attached to a profile" in the profile's scope. A profile's size is the
// size of its stored JSON; an object's is the size of its Object string.

var profileID = regexp.MustCompile(`^[a-f0-9]{32}$`)

func profileScope(domain, id string) string { return domainScope(domain) + "/profile/" + id }

func newProfileID() string { return strings.ReplaceAll(ids.New(), "-", "") }

// profile returns a profile of a domain.
func (h *Handler) profile(c *call, domain, id string) (headroom.Resource, fields, error) {
	if id == "" {
		return headroom.Resource{}, nil, required("ProfileId")
	}
	if !profileID.MatchString(id) {
		return headroom.Resource{}, nil, headroom.Errorf(headroom.ENOTFOUND, "Profile not found: %s", clip(id))
	}
	return h.find(c, kindProfile, domain, id, "Profile")
}

// checkProfileSize checks a profile's own size against "Maximum size of a
// profile not counting objects" (250 KB, not adjustable).
func (h *Handler) checkProfileSize(c *call, size int) error {
	_, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: codeProfileSize, Size: int64(size)})
	return err
}

func createProfile(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	f, err := decodeFields(c.body)
	if err != nil {
		return nil, err
	}
	delete(f, "DomainName")
	id := newProfileID()
	f.set("ProfileId", id)
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	if err := h.checkProfileSize(c, len(raw)); err != nil {
		return nil, err
	}
	if _, err := h.create(c, kindProfile, domain, id, f, nil, "profile "+id); err != nil {
		return nil, err
	}
	return map[string]string{"ProfileId": id}, nil
}

func updateProfile(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	upd, err := decodeFields(c.body)
	if err != nil {
		return nil, err
	}
	var in struct{ ProfileId string }
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if _, _, err := h.profile(c, domain, in.ProfileId); err != nil {
		return nil, err
	}
	delete(upd, "DomainName")
	delete(upd, "ProfileId")
	_, err = h.engine.UpdateResource(c.ctx, c.account, kindProfile, in.ProfileId, func(r *headroom.Resource) (headroom.Slots, error) {
		f, objectBytes, err := split(r.Data)
		if err != nil {
			return headroom.Slots{}, err
		}
		for k, v := range upd {
			// An update's empty string clears a member, as the model says.
			if string(v) == `""` || string(v) == "null" {
				delete(f, k)
				continue
			}
			f[k] = v
		}
		data, own, err := join(f, objectBytes)
		if err != nil {
			return headroom.Slots{}, err
		}
		if err := h.checkProfileSize(c, own); err != nil {
			return headroom.Slots{}, err
		}
		r.Data = data
		return headroom.Slots{}, h.checkTotal(c, own, objectBytes)
	})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "Profile not found: %s", clip(in.ProfileId))
	}
	if err != nil {
		return nil, err
	}
	return map[string]string{"ProfileId": in.ProfileId}, nil
}

func deleteProfile(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	var in struct{ ProfileId string }
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if _, _, err := h.profile(c, domain, in.ProfileId); err != nil {
		return nil, err
	}
	_, err := h.engine.DeleteResourceTree(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindProfile, ID: in.ProfileId,
		Note: note(c, "profile "+in.ProfileId+" deleted")}, profileScope(domain, in.ProfileId))
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil, headroom.Errorf(headroom.ENOTFOUND, "Profile not found: %s", clip(in.ProfileId))
	}
	if err != nil {
		return nil, err
	}
	return map[string]string{"Message": "Profile " + in.ProfileId + " deleted"}, nil
}

// searchKeys maps the model's standard search keys to profile members.
var searchKeys = map[string][]string{
	"_profileId": {"ProfileId"},
	"_account":   {"AccountNumber"},
	"_email":     {"EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"},
	"_phone":     {"PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"},
	"_fullName":  {"FirstName", "LastName"},
}

// matches reports whether a profile has one of values under key: a
// standard search key, a top-level string member or an attribute.
func matches(f fields, key string, values []string) bool {
	members, ok := searchKeys[key]
	if !ok {
		members = []string{key}
	}
	var have []string
	for _, m := range members {
		var s string
		if json.Unmarshal(f[m], &s) == nil && s != "" {
			have = append(have, s)
		}
	}
	var attrs map[string]string
	if json.Unmarshal(f["Attributes"], &attrs) == nil && attrs[key] != "" {
		have = append(have, attrs[key])
	}
	for _, h := range have {
		for _, v := range values {
			if h == v {
				return true
			}
		}
	}
	return false
}

func searchProfiles(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	var in struct {
		KeyName string
		Values  []string
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.KeyName == "" {
		return nil, required("KeyName")
	}
	if len(in.Values) == 0 {
		return nil, required("Values")
	}
	max, err := maxResults(c, 20, 100)
	if err != nil {
		return nil, err
	}
	// A NextToken is bound to the search it came from: the domain, the
	// key and the values.
	q := &cursor.Query{Op: c.op, Account: c.account, Params: append([]string{domain, in.KeyName}, in.Values...)}
	after := ""
	if tok := c.r.URL.Query().Get("next-token"); tok != "" {
		var ok bool
		if after, ok = h.cursors.Decode(q, tok); !ok || after == "" {
			return nil, headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned for this search", clip(tok))
		}
	}
	items, next := []fields{}, ""
	err = h.eachAfter(c, kindProfile, domain, after, func(r headroom.Resource) error {
		f, _, err := split(r.Data)
		if err != nil {
			return err
		}
		if !matches(f, in.KeyName, in.Values) {
			return nil
		}
		if len(items) == max { // one more match: the page ends before it
			next = h.cursors.Encode(q, after)
			return errStop
		}
		items, after = append(items, f), r.ID
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	out := fields{}
	out.set("Items", items)
	if next != "" {
		out.set("NextToken", next)
	}
	return out, nil
}

// storedObject is a profile object as stored.
type storedObject struct {
	ObjectTypeName         string
	ProfileObjectUniqueKey string
	Object                 string
}

func objectID(profile, key string) string { return profile + "/" + key }

func putProfileObject(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	var in struct{ ObjectTypeName, Object string }
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.Object == "" {
		return nil, required("Object")
	}
	_, tf, err := h.objectType(c, domain, in.ObjectTypeName)
	if err != nil {
		return nil, err
	}
	// A single object is at most 250 KB; that cannot be increased.
	if _, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: codeObjectSize, Size: int64(len(in.Object))}); err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in.Object), &obj); err != nil {
		return nil, headroom.Errorf(headroom.EINVALID, "Object is not a JSON object: %v", err)
	}
	// The object's profile: the one its ProfileId member names, or a new
	// one when the object type allows profile creation.
	var profile string
	json.Unmarshal(obj["ProfileId"], &profile)
	if profile != "" {
		if _, _, err := h.profile(c, domain, profile); err != nil {
			return nil, err
		}
	} else {
		var allow bool
		json.Unmarshal(tf["AllowProfileCreation"], &allow)
		if !allow {
			return nil, headroom.Errorf(headroom.EINVALID, "the object names no profile (a ProfileId member) and object type %s does not allow profile creation", in.ObjectTypeName)
		}
		profile = newProfileID()
		pf := fields{}
		pf.set("ProfileId", profile)
		if _, err := h.create(c, kindProfile, domain, profile, pf, nil, "profile "+profile); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256([]byte(in.ObjectTypeName + "\x00" + in.Object))
	key := hex.EncodeToString(sum[:16])
	id := objectID(profile, key)
	// The same object again changes nothing.
	if _, err := h.engine.FindResource(c.ctx, c.account, kindObject, id); err == nil {
		return map[string]string{"ProfileObjectUniqueKey": key}, nil
	}
	// Its bytes are added to the profile's first: the 5 MB is checked
	// and changed in one versioned update.
	size := int64(len(in.Object))
	if err := h.addObjectBytes(c, profile, size); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(storedObject{ObjectTypeName: in.ObjectTypeName, ProfileObjectUniqueKey: key, Object: in.Object})
	if err != nil {
		return nil, err
	}
	res := headroom.Resource{Account: c.account, Kind: kindObject, ID: id, Parent: profile, ParentKind: kindProfile, Data: raw}
	_, err = h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: res,
		Hold: &headroom.Slot{Code: codeObjectsPerProf, Scope: profileScope(domain, profile), Amount: 1}, Note: note(c, "object "+key+" put")})
	if err != nil {
		// Not stored (the object limit, the same object put at once
		// elsewhere, the profile deleted): its bytes come off again.
		if uerr := h.addObjectBytes(c, profile, -size); uerr != nil && headroom.ErrorCodeOf(uerr) != headroom.ENOTFOUND {
			h.log.Warn("customer profiles: an object not stored still counts toward its profile's size", "profile", profile, "bytes", size, "err", uerr)
		}
	}
	switch headroom.ErrorCodeOf(err) {
	case headroom.ECONFLICT:
		// The same object again: nothing changes.
	case headroom.ENOTFOUND:
		return nil, headroom.Errorf(headroom.ENOTFOUND, "Profile not found: %s", profile)
	case "":
	default:
		return nil, err
	}
	return map[string]string{"ProfileObjectUniqueKey": key}, nil
}

func listProfileObjects(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	var in struct{ ObjectTypeName, ProfileId string }
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.ObjectTypeName == "" {
		return nil, required("ObjectTypeName")
	}
	if _, _, err := h.profile(c, domain, in.ProfileId); err != nil {
		return nil, err
	}
	max, err := maxResults(c, 100, 100)
	if err != nil {
		return nil, err
	}
	items := []storedObject{}
	err = h.each(c, kindObject, in.ProfileId, func(r headroom.Resource) error {
		var o storedObject
		if err := json.Unmarshal(r.Data, &o); err != nil {
			return err
		}
		if o.ObjectTypeName != in.ObjectTypeName {
			return nil
		}
		if len(items) == max {
			return errStop
		}
		items = append(items, o)
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return map[string]any{"Items": items}, nil
}

func deleteProfileObject(h *Handler, c *call) (any, error) {
	domain := c.path("DomainName")
	if _, _, err := h.domain(c, domain); err != nil {
		return nil, err
	}
	var in struct{ ObjectTypeName, ProfileId, ProfileObjectUniqueKey string }
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.ProfileObjectUniqueKey == "" {
		return nil, required("ProfileObjectUniqueKey")
	}
	if _, _, err := h.profile(c, domain, in.ProfileId); err != nil {
		return nil, err
	}
	id := objectID(in.ProfileId, in.ProfileObjectUniqueKey)
	obj, _, err := h.find(c, kindObject, in.ProfileId, id, "Profile object")
	if err != nil {
		return nil, err
	}
	if err := h.removeObject(c, domain, obj); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, headroom.Errorf(headroom.ENOTFOUND, "Profile object not found: %s", clip(in.ProfileObjectUniqueKey))
		}
		return nil, err
	}
	return map[string]string{"Message": "Profile object deleted"}, nil
}

// storedObjectSize is the size of a stored object's Object, which is what
// counts toward its profile's 5 MB.
func storedObjectSize(data []byte) int64 {
	var o storedObject
	if json.Unmarshal(data, &o) != nil {
		return 0
	}
	return int64(len(o.Object))
}

// removeObject deletes a stored object of a domain's profile, frees its
// slot among the profile's 100 and takes its bytes off the profile's 5 MB.
// ENOTFOUND if it is already gone.
func (h *Handler) removeObject(c *call, domain string, obj headroom.Resource) error {
	err := h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindObject, ID: obj.ID,
		Free: &headroom.Slot{Code: codeObjectsPerProf, Scope: profileScope(domain, obj.Parent), Amount: 1}, Note: note(c, "object "+obj.ID+" deleted")})
	if err != nil {
		return err
	}
	if err := h.addObjectBytes(c, obj.Parent, -storedObjectSize(obj.Data)); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		return err
	}
	return nil
}

// removeObjectsOfType deletes every object of a type in a domain's
// profiles, as DeleteProfileObjectType does, and returns how many.
func (h *Handler) removeObjectsOfType(c *call, domain, typ string) (int, error) {
	n := 0
	err := h.each(c, kindProfile, domain, func(p headroom.Resource) error {
		return h.each(c, kindObject, p.ID, func(r headroom.Resource) error {
			var o storedObject
			if err := json.Unmarshal(r.Data, &o); err != nil || o.ObjectTypeName != typ {
				return err
			}
			if err := h.removeObject(c, domain, r); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
				return err
			}
			n++
			return nil
		})
	})
	return n, err
}
