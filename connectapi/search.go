package connectapi

import (
	"encoding/json"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/cursor"
)

// stringCondition is Connect's StringCondition.
type stringCondition struct {
	FieldName      string `json:"FieldName"`
	Value          string `json:"Value"`
	ComparisonType string `json:"ComparisonType"`
}

// searchCriteria is the part of UserSearchCriteria, QueueSearchCriteria
// and RoutingProfileSearchCriteria served: string conditions nested in
// OrConditions and AndConditions.
type searchCriteria struct {
	OrConditions    []searchCriteria `json:"OrConditions"`
	AndConditions   []searchCriteria `json:"AndConditions"`
	StringCondition *stringCondition `json:"StringCondition"`
	// The conditions not served are refused rather than ignored.
	ListCondition           json.RawMessage `json:"ListCondition"`
	HierarchyGroupCondition json.RawMessage `json:"HierarchyGroupCondition"`
	QueueTypeCondition      json.RawMessage `json:"QueueTypeCondition"`
}

type tagCondition struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// searchFilter is Connect's ControlPlaneTagFilter under SearchFilter.
type searchFilter struct {
	TagFilter *struct {
		OrConditions  [][]tagCondition `json:"OrConditions"`
		AndConditions []tagCondition   `json:"AndConditions"`
		TagCondition  *tagCondition    `json:"TagCondition"`
	} `json:"TagFilter"`
}

type searchInput struct {
	InstanceId     string          `json:"InstanceId"`
	NextToken      string          `json:"NextToken"`
	MaxResults     *int            `json:"MaxResults"`
	SearchCriteria *searchCriteria `json:"SearchCriteria"`
	SearchFilter   *searchFilter   `json:"SearchFilter"`
}

// fields gives the searchable string fields of one resource, by FieldName.
type fields func(r headroom.Resource) map[string]string

func (sc *searchCriteria) check(allowed fields, sample headroom.Resource) error {
	if sc == nil {
		return nil
	}
	for i := range sc.OrConditions {
		if err := sc.OrConditions[i].check(allowed, sample); err != nil {
			return err
		}
	}
	for i := range sc.AndConditions {
		if err := sc.AndConditions[i].check(allowed, sample); err != nil {
			return err
		}
	}
	for name, raw := range map[string]json.RawMessage{"ListCondition": sc.ListCondition, "HierarchyGroupCondition": sc.HierarchyGroupCondition} {
		if len(raw) > 0 && string(raw) != "null" {
			return newError(errInvalidParameter, "SearchCriteria.%s is not supported by this endpoint", name)
		}
	}
	if s := sc.StringCondition; s != nil {
		if _, ok := allowed(sample)[s.FieldName]; !ok {
			return newError(errInvalidParameter, "StringCondition.FieldName %q is not a field this search supports", clip(s.FieldName))
		}
		switch s.ComparisonType {
		case "EXACT", "CONTAINS", "STARTS_WITH":
		default:
			return newError(errInvalidParameter, "StringCondition.ComparisonType must be EXACT, CONTAINS or STARTS_WITH, not %q", clip(s.ComparisonType))
		}
	}
	return nil
}

func (sc *searchCriteria) match(f map[string]string) bool {
	if sc == nil {
		return true
	}
	if len(sc.OrConditions) > 0 {
		any := false
		for i := range sc.OrConditions {
			if sc.OrConditions[i].match(f) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	for i := range sc.AndConditions {
		if !sc.AndConditions[i].match(f) {
			return false
		}
	}
	if s := sc.StringCondition; s != nil {
		v, want := strings.ToLower(f[s.FieldName]), strings.ToLower(s.Value)
		switch s.ComparisonType {
		case "EXACT":
			return v == want
		case "CONTAINS":
			return strings.Contains(v, want)
		case "STARTS_WITH":
			return strings.HasPrefix(v, want)
		}
	}
	return true
}

func (sf *searchFilter) match(tags map[string]string) bool {
	if sf == nil || sf.TagFilter == nil {
		return true
	}
	has := func(t tagCondition) bool { v, ok := tags[t.TagKey]; return ok && (t.TagValue == "" || v == t.TagValue) }
	tf := sf.TagFilter
	if tf.TagCondition != nil && !has(*tf.TagCondition) {
		return false
	}
	for _, t := range tf.AndConditions {
		if !has(t) {
			return false
		}
	}
	if len(tf.OrConditions) > 0 {
		for _, and := range tf.OrConditions {
			all := true
			for _, t := range and {
				all = all && has(t)
			}
			if all {
				return true
			}
		}
		return false
	}
	return true
}

// search pages through the resources of k of the body's instance that
// match its criteria and filter, rendering each with render into key.
func (h *Handler) search(c *call, k *kind, key string, fs fields, render func(iid string, r headroom.Resource) (any, error)) (any, error) {
	var in searchInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	max := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, newError(errInvalidParameter, "MaxResults must be 1 to 100, got %d", *in.MaxResults)
		}
		max = *in.MaxResults
	}
	if in.InstanceId == "" {
		return nil, required("InstanceId")
	}
	if err := in.SearchCriteria.check(fs, headroom.Resource{}); err != nil {
		return nil, err
	}
	iid, err := h.instanceID(c, in.InstanceId)
	if err != nil {
		return nil, err
	}
	// The token is bound to the criteria as well as to the instance.
	crit, _ := json.Marshal(struct {
		C *searchCriteria
		F *searchFilter
	}{in.SearchCriteria, in.SearchFilter})
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{iid, string(crit)}}
	after, ok := h.cursors.Decode(q, in.NextToken)
	if !ok || in.NextToken != "" && after == "" {
		return nil, newError(errInvalidParameter, "NextToken %q is not a token this API returned", clip(in.NextToken))
	}
	// Every match is counted for ApproximateTotalCount; those after the
	// token's resource, up to max, are rendered.
	var list []any
	var total int64
	next, last, started, cur := "", "", after == "", ""
	for {
		rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: k.name, Parent: iid, AfterID: cur, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !in.SearchCriteria.match(fs(r)) {
				continue
			}
			if in.SearchFilter != nil && in.SearchFilter.TagFilter != nil {
				// The tags are the engine's, keyed by the ARN: those given
				// at create and those of TagResource alike.
				tags, err := h.engine.ListTags(c.ctx, c.account, h.arn(c.account, "instance/"+iid+"/"+k.arnSeg+"/"+r.ID))
				if err != nil {
					return nil, err
				}
				if !in.SearchFilter.match(tags) {
					continue
				}
			}
			total++
			switch {
			case !started:
				started = r.ID == after
			case len(list) == max:
				if next == "" {
					next = h.cursors.Encode(q, last)
				}
			default:
				v, err := render(iid, r)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
				last = r.ID
			}
		}
		if len(rs) < 200 {
			break
		}
		cur = rs[len(rs)-1].ID
	}
	if list == nil {
		list = []any{}
	}
	out := map[string]any{key: list, "ApproximateTotalCount": total}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func dataFields(keys ...string) fields {
	return func(r headroom.Resource) map[string]string {
		var d map[string]any
		json.Unmarshal(r.Data, &d)
		out := map[string]string{}
		for i := 0; i < len(keys); i += 2 {
			s, _ := d[keys[i+1]].(string)
			out[keys[i]] = s
		}
		return out
	}
}

func searchUsers(h *Handler, c *call) (any, error) {
	fs := func(r headroom.Resource) map[string]string {
		var d userData
		json.Unmarshal(r.Data, &d)
		var ii identityInfo
		json.Unmarshal(d.IdentityInfo, &ii)
		return map[string]string{"username": d.Username, "resourceId": d.Id, "firstname": ii.FirstName, "lastname": ii.LastName,
			"routingProfileId": d.RoutingProfileId, "agentGroupId": d.HierarchyGroupId}
	}
	return h.search(c, kindUser, "Users", fs, func(iid string, r headroom.Resource) (any, error) {
		var d userData
		if err := json.Unmarshal(r.Data, &d); err != nil {
			return nil, err
		}
		out := map[string]any{"Id": d.Id, "Arn": d.Arn, "Username": d.Username, "SecurityProfileIds": d.SecurityProfileIds,
			"RoutingProfileId": d.RoutingProfileId}
		for k, v := range map[string]any{"IdentityInfo": d.IdentityInfo, "PhoneConfig": d.PhoneConfig, "Tags": d.Tags} {
			if raw, _ := v.(json.RawMessage); len(raw) > 0 {
				out[k] = raw
			}
		}
		if d.HierarchyGroupId != "" {
			out["HierarchyGroupId"] = d.HierarchyGroupId
		}
		if d.DirectoryUserId != "" {
			out["DirectoryUserId"] = d.DirectoryUserId
		}
		return out, nil
	})
}

func searchQueues(h *Handler, c *call) (any, error) {
	s := describeSpecs[0]
	return h.search(c, kindQueue, "Queues", dataFields("name", "Name", "description", "Description", "resourceId", "QueueId", "resourceID", "QueueId"),
		func(iid string, r headroom.Resource) (any, error) {
			var d map[string]any
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return nil, err
			}
			out := s.render(iid, r, d)
			out["QueueType"] = "STANDARD"
			return out, nil
		})
}

func searchRoutingProfiles(h *Handler, c *call) (any, error) {
	s := describeSpecs[2]
	return h.search(c, kindRoutingProfile, "RoutingProfiles", dataFields("name", "Name", "description", "Description", "resourceId", "RoutingProfileId", "resourceID", "RoutingProfileId"),
		func(iid string, r headroom.Resource) (any, error) {
			var d map[string]any
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return nil, err
			}
			return s.render(iid, r, d), nil
		})
}
