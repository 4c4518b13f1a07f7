package connectapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awstags"
	"github.com/headroomhq/headroom/internal/cursor"
	"github.com/headroomhq/headroom/internal/ids"
)

// The phone numbers Headroom offers: a fixed pool per country and type,
// the same on every run and every node, drawn from ranges the numbering
// plans keep for fiction and tests, so that no real subscriber's number is
// handed out. SearchAvailablePhoneNumbers offers the pool's unclaimed
// numbers in ascending order; ClaimPhoneNumber takes only a number of the
// pool.
//
//	US DID        +1 206 555 0000 … 0999   (1000 numbers)
//	US TOLL_FREE  +1 800 555 0100 … 0199
//	CA DID        +1 604 555 0100 … 0199
//	CA TOLL_FREE  +1 877 555 0100 … 0199
//	GB DID        +44 20 7946 0000 … 0099  (Ofcom's drama range)
//	GB TOLL_FREE  +44 808 157 0000 … 0099  (Ofcom's drama range)
//	AU DID        +61 2 5550 0100 … 0199   (ACMA's fictional range)
//	AU TOLL_FREE  +61 1800 160 401 … 499   (ACMA's fictional range)
//	DE DID        +49 30 23125 000 … 099   (the drama range)
//
// Other countries and types have no numbers: a search finds none.
type numberBlock struct {
	country, typ, prefix string
	digits, first, count int
}

var numberPool = []numberBlock{
	{"US", "DID", "+1206555", 4, 0, 1000},
	{"US", "TOLL_FREE", "+1800555", 4, 100, 100},
	{"CA", "DID", "+1604555", 4, 100, 100},
	{"CA", "TOLL_FREE", "+1877555", 4, 100, 100},
	{"GB", "DID", "+44207946", 4, 0, 100},
	{"GB", "TOLL_FREE", "+44808157", 4, 0, 100},
	{"AU", "DID", "+6125550", 4, 100, 100},
	{"AU", "TOLL_FREE", "+611800160", 3, 401, 99},
	{"DE", "DID", "+493023125", 3, 0, 100},
}

func (b numberBlock) number(i int) string {
	return b.prefix + fmt.Sprintf("%0*d", b.digits, b.first+i)
}

// poolBlock returns the block a number belongs to.
func poolBlock(number string) (numberBlock, bool) {
	for _, b := range numberPool {
		rest, ok := strings.CutPrefix(number, b.prefix)
		if !ok || len(rest) != b.digits {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err == nil && n >= b.first && n < b.first+b.count {
			return b, true
		}
	}
	return numberBlock{}, false
}

// Phone number types and the shape of country codes, from the model.
var (
	phoneNumberTypes = map[string]bool{"TOLL_FREE": true, "DID": true, "UIFN": true, "SHARED": true,
		"THIRD_PARTY_TF": true, "THIRD_PARTY_DID": true, "SHORT_CODE": true}
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	numberPrefix = regexp.MustCompile(`^\+?[0-9]{1,18}$`)
)

// A claim is kept twice: the phone number resource in the claiming
// account, which holds the instance's quota slot, and a claim record keyed
// by the number itself in numberAccount, which no real account can be. The
// record is created first: the store refuses a second one for the same
// number atomically, so of two instances (or accounts) claiming a number
// at once exactly one wins. ReleasePhoneNumber deletes both.
const numberAccount = "connect:numbers"

var kindNumberClaim = &kind{name: "connect:number-claim", label: "Phone number claim"}

type numberClaim struct {
	Account       string `json:"Account"`
	InstanceId    string `json:"InstanceId"`
	PhoneNumberId string `json:"PhoneNumberId"`
}

// staleClaim is how old a claim record must be before a claim may take it
// over when its phone number no longer exists (its instance was deleted,
// or a release stopped half-way).
const staleClaim = time.Minute

type phoneNumberData struct {
	PhoneNumberId          string `json:"PhoneNumberId"`
	PhoneNumberArn         string `json:"PhoneNumberArn"`
	PhoneNumber            string `json:"PhoneNumber"`
	PhoneNumberCountryCode string `json:"PhoneNumberCountryCode,omitempty"`
	PhoneNumberType        string `json:"PhoneNumberType,omitempty"`
	TargetArn              string `json:"TargetArn"`
	InstanceId             string `json:"InstanceId"`
	PhoneNumberDescription string `json:"PhoneNumberDescription,omitempty"`
}

// target resolves the TargetArn or InstanceId of a request to an instance
// of the caller's; neither is allowed when optional is true.
func (h *Handler) target(c *call, targetArn, instanceID string, optional bool) (string, error) {
	switch {
	case targetArn != "" && instanceID != "":
		return "", headroom.Errorf(headroom.EINVALID, "give TargetArn or InstanceId, not both")
	case targetArn != "":
		return h.instanceFromARN(c, targetArn, "TargetArn")
	case instanceID != "":
		_, err := h.instance(c, instanceID)
		return instanceID, err
	case optional:
		return "", nil
	}
	return "", headroom.Errorf(headroom.EINVALID, "TargetArn or InstanceId is required")
}

func (h *Handler) findClaim(c *call, number string) (headroom.Resource, *numberClaim, error) {
	r, err := h.engine.FindResource(c.ctx, numberAccount, kindNumberClaim.name, number)
	if err != nil {
		return r, nil, err
	}
	var cl numberClaim
	if err := json.Unmarshal(r.Data, &cl); err != nil {
		return r, nil, err
	}
	return r, &cl, nil
}

// lockNumber creates the claim record of number for the caller's instance
// iid. It reports whether it created (or took over) one: false when the
// caller's own instance already holds it, which the phone number
// resource's name then decides. A number another instance or account holds
// is ECONFLICT.
//
// A claim record whose phone number is gone is stale: at once when its
// instance is gone too (nothing can then be created under it), else after
// staleClaim. It is taken over with a compare-and-swap, so of two claims
// taking over one record one wins.
func (h *Handler) lockNumber(c *call, number, iid, id string) (bool, error) {
	mine := numberClaim{Account: c.account, InstanceId: iid, PhoneNumberId: id}
	for attempt := 0; attempt < 3; attempt++ {
		r, err := h.newResource(c, kindNumberClaim, "", number, "", mine)
		if err != nil {
			return false, err
		}
		r.Account = numberAccount
		_, err = h.engine.CreateResource(c.ctx, headroom.ResourceCreate{Resource: r,
			Note: note(c, "ClaimPhoneNumber", "phone number "+number+" claimed by account "+c.account+" for instance "+iid)})
		if headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
			return err == nil, err
		}
		held, cl, err := h.findClaim(c, number)
		switch headroom.ErrorCodeOf(err) {
		case "":
		case headroom.ENOTFOUND:
			continue // released meanwhile
		default:
			return false, err
		}
		if cl.Account == c.account && cl.InstanceId == iid {
			return false, nil
		}
		stale, err := h.staleClaim(c, held, cl)
		if err != nil {
			return false, err
		}
		if stale {
			if err := h.replaceClaim(c, number, *cl, mine); err == nil {
				return true, nil
			} else if headroom.ErrorCodeOf(err) != headroom.ESTALE && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
				return false, err
			}
			continue
		}
		break
	}
	return false, headroom.Errorf(headroom.ECONFLICT, "phone number %s is already claimed; search for available numbers with SearchAvailablePhoneNumbers", number)
}

// staleClaim reports whether a claim record outlived its phone number.
func (h *Handler) staleClaim(c *call, held headroom.Resource, cl *numberClaim) (bool, error) {
	_, err := h.engine.FindResource(c.ctx, cl.Account, kindPhoneNumber.name, cl.PhoneNumberId)
	switch headroom.ErrorCodeOf(err) {
	case headroom.ENOTFOUND:
	case "":
		return false, nil
	default:
		return false, err
	}
	_, err = h.engine.FindResource(c.ctx, cl.Account, kindInstance.name, cl.InstanceId)
	switch headroom.ErrorCodeOf(err) {
	case headroom.ENOTFOUND:
		return true, nil
	case "":
		return h.now().Sub(held.Created) > staleClaim, nil
	}
	return false, err
}

// replaceClaim swaps the claim record of number from old to repl, if it
// still is old: ESTALE otherwise.
func (h *Handler) replaceClaim(c *call, number string, old, repl numberClaim) error {
	_, err := h.engine.UpdateResource(c.ctx, numberAccount, kindNumberClaim.name, number, func(r *headroom.Resource) (headroom.Slots, error) {
		var cur numberClaim
		if err := json.Unmarshal(r.Data, &cur); err != nil {
			return headroom.Slots{}, err
		}
		if cur != old {
			return headroom.Slots{}, headroom.Errorf(headroom.ESTALE, "claim record of %s changed", number)
		}
		data, err := json.Marshal(repl)
		if err != nil {
			return headroom.Slots{}, err
		}
		r.Data = data
		return headroom.Slots{}, nil
	})
	return err
}

// unlockNumber deletes the claim record of number if it still is the
// claim of the phone number id of account.
func (h *Handler) unlockNumber(c *call, number, account, id string) error {
	_, cl, err := h.findClaim(c, number)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil
		}
		return err
	}
	if cl.Account != account || cl.PhoneNumberId != id {
		return nil
	}
	err = h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: numberAccount, Kind: kindNumberClaim.name, ID: number,
		Note: note(c, "ReleasePhoneNumber", "phone number "+number+" released")})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil
	}
	return err
}

func claimPhoneNumber(h *Handler, c *call) (any, error) {
	var in struct {
		TargetArn              string            `json:"TargetArn"`
		InstanceId             string            `json:"InstanceId"`
		PhoneNumber            string            `json:"PhoneNumber"`
		PhoneNumberDescription string            `json:"PhoneNumberDescription"`
		Tags                   map[string]string `json:"Tags"`
		ClientToken            string            `json:"ClientToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.PhoneNumber == "" {
		return nil, required("PhoneNumber")
	}
	if !e164.MatchString(in.PhoneNumber) {
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumber %q is not in E.164 format, such as +12065550100", clip(in.PhoneNumber))
	}
	if len(in.PhoneNumberDescription) > 500 {
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberDescription must be at most 500 characters")
	}
	if err := awstags.Check(in.Tags); err != nil {
		return nil, err
	}
	iid, err := h.target(c, in.TargetArn, in.InstanceId, false)
	if err != nil {
		return nil, err
	}
	block, ok := poolBlock(in.PhoneNumber)
	if !ok {
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumber %s is not available to claim; claim a number that SearchAvailablePhoneNumbers returns", in.PhoneNumber)
	}
	tok, err := h.clientToken(c, "ClaimPhoneNumber", in.ClientToken)
	if err != nil {
		return nil, err
	}
	id := ids.New()
	locked, err := h.lockNumber(c, in.PhoneNumber, iid, id)
	if err != nil {
		return nil, err
	}
	d := phoneNumberData{PhoneNumberId: id, PhoneNumberArn: h.arn(c.account, "phone-number/"+id), PhoneNumber: in.PhoneNumber,
		PhoneNumberCountryCode: block.country, PhoneNumberType: block.typ,
		TargetArn: h.arn(c.account, "instance/"+iid), InstanceId: iid, PhoneNumberDescription: in.PhoneNumberDescription}
	// A number is claimed once per instance: its name is the number itself.
	res, err := h.createWith(c, kindPhoneNumber, "ClaimPhoneNumber", iid, id, in.PhoneNumber, instanceScope(iid), d, tok)
	if err != nil && locked {
		if uerr := h.unlockNumber(c, in.PhoneNumber, c.account, id); uerr != nil {
			h.log.Error("connect api: claim record not released", "number", in.PhoneNumber, "err", uerr)
		}
	}
	switch headroom.ErrorCodeOf(err) {
	case "":
	case headroom.ECONFLICT:
		return nil, headroom.Errorf(headroom.ECONFLICT, "phone number %s is already claimed by this instance", in.PhoneNumber)
	default:
		return nil, tokenReused(err, "ClaimPhoneNumber", in.ClientToken)
	}
	if !locked && !res.Replayed {
		// The instance's own record named a number since gone (a release
		// that stopped half-way): it now names this one.
		if _, cl, err := h.findClaim(c, in.PhoneNumber); err == nil && cl.PhoneNumberId != res.ID && cl.Account == c.account && cl.InstanceId == iid {
			if err := h.replaceClaim(c, in.PhoneNumber, *cl, numberClaim{Account: c.account, InstanceId: iid, PhoneNumberId: res.ID}); err != nil {
				return nil, err
			}
		}
	}
	arn := h.arn(c.account, "phone-number/"+res.ID)
	if len(in.Tags) > 0 && !res.Replayed {
		if err := h.engine.TagResource(c.ctx, c.account, arn, in.Tags); err != nil {
			return nil, err
		}
	}
	return map[string]string{"PhoneNumberId": res.ID, "PhoneNumberArn": arn}, nil
}

func releasePhoneNumber(h *Handler, c *call) (any, error) {
	id := c.path("PhoneNumberId")
	r, err := h.engine.FindResource(c.ctx, c.account, kindPhoneNumber.name, id)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, notFound(kindPhoneNumber, id)
		}
		return nil, err
	}
	if err := h.remove(c, kindPhoneNumber, "ReleasePhoneNumber", r.Parent, id, instanceScope(r.Parent)); err != nil {
		return nil, err
	}
	// Numbers claimed before claim records existed have none: that is
	// no error.
	if err := h.unlockNumber(c, r.Name, c.account, id); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// searchAvailablePhoneNumbers pages through the pool's unclaimed numbers
// of one country and type, in ascending order.
func searchAvailablePhoneNumbers(h *Handler, c *call) (any, error) {
	var in struct {
		TargetArn              string `json:"TargetArn"`
		InstanceId             string `json:"InstanceId"`
		PhoneNumberCountryCode string `json:"PhoneNumberCountryCode"`
		PhoneNumberType        string `json:"PhoneNumberType"`
		PhoneNumberPrefix      string `json:"PhoneNumberPrefix"`
		MaxResults             *int   `json:"MaxResults"`
		NextToken              string `json:"NextToken"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.PhoneNumberCountryCode == "":
		return nil, required("PhoneNumberCountryCode")
	case !countryCode.MatchString(in.PhoneNumberCountryCode):
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberCountryCode %q is not an ISO country code such as US", clip(in.PhoneNumberCountryCode))
	case in.PhoneNumberType == "":
		return nil, required("PhoneNumberType")
	case !phoneNumberTypes[in.PhoneNumberType]:
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberType %q is not one of TOLL_FREE, DID, UIFN, SHARED, THIRD_PARTY_TF, THIRD_PARTY_DID, SHORT_CODE", clip(in.PhoneNumberType))
	case in.PhoneNumberPrefix != "" && !numberPrefix.MatchString(in.PhoneNumberPrefix):
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberPrefix %q must be digits, with an optional leading +", clip(in.PhoneNumberPrefix))
	case in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 10):
		return nil, headroom.Errorf(headroom.EINVALID, "MaxResults must be from 1 to 10, got %d", *in.MaxResults)
	}
	if _, err := h.target(c, in.TargetArn, in.InstanceId, false); err != nil {
		return nil, err
	}
	prefix := in.PhoneNumberPrefix
	if prefix != "" && prefix[0] != '+' {
		prefix = "+" + prefix
	}
	limit := 10
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{in.PhoneNumberCountryCode, in.PhoneNumberType, prefix}}
	after, ok := h.cursors.Decode(q, in.NextToken)
	if !ok || in.NextToken != "" && after == "" {
		return nil, headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned", clip(in.NextToken))
	}
	var candidates []string
	for _, b := range numberPool {
		if b.country != in.PhoneNumberCountryCode || b.typ != in.PhoneNumberType {
			continue
		}
		for i := 0; i < b.count; i++ {
			if n := b.number(i); strings.HasPrefix(n, prefix) && n > after {
				candidates = append(candidates, n)
			}
		}
	}
	sort.Strings(candidates)
	list := []map[string]string{}
	next := ""
	for _, n := range candidates {
		held, cl, err := h.findClaim(c, n)
		switch headroom.ErrorCodeOf(err) {
		case headroom.ENOTFOUND:
		case "":
			// A stale claim record is no claim.
			stale, err := h.staleClaim(c, held, cl)
			if err != nil {
				return nil, err
			}
			if !stale {
				continue
			}
		default:
			return nil, err
		}
		if len(list) == limit {
			next = h.cursors.Encode(q, list[limit-1]["PhoneNumber"])
			break
		}
		list = append(list, map[string]string{"PhoneNumber": n, "PhoneNumberCountryCode": in.PhoneNumberCountryCode, "PhoneNumberType": in.PhoneNumberType})
	}
	out := map[string]any{"AvailableNumbersList": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// listPhoneNumbersV2 pages through the caller's claimed numbers, of one
// instance or of all, filtered by country, type and prefix.
func listPhoneNumbersV2(h *Handler, c *call) (any, error) {
	var in struct {
		TargetArn               string   `json:"TargetArn"`
		InstanceId              string   `json:"InstanceId"`
		MaxResults              *int     `json:"MaxResults"`
		NextToken               string   `json:"NextToken"`
		PhoneNumberCountryCodes []string `json:"PhoneNumberCountryCodes"`
		PhoneNumberTypes        []string `json:"PhoneNumberTypes"`
		PhoneNumberPrefix       string   `json:"PhoneNumberPrefix"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 1000) {
		return nil, headroom.Errorf(headroom.EINVALID, "MaxResults must be from 1 to 1000, got %d", *in.MaxResults)
	}
	if len(in.PhoneNumberCountryCodes) > 10 || len(in.PhoneNumberTypes) > 6 {
		return nil, headroom.Errorf(headroom.EINVALID, "give at most 10 PhoneNumberCountryCodes and 6 PhoneNumberTypes")
	}
	for _, cc := range in.PhoneNumberCountryCodes {
		if !countryCode.MatchString(cc) {
			return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberCountryCodes: %q is not an ISO country code such as US", clip(cc))
		}
	}
	for _, t := range in.PhoneNumberTypes {
		if !phoneNumberTypes[t] {
			return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberTypes: unknown type %q", clip(t))
		}
	}
	if in.PhoneNumberPrefix != "" && !numberPrefix.MatchString(in.PhoneNumberPrefix) {
		return nil, headroom.Errorf(headroom.EINVALID, "PhoneNumberPrefix %q must be digits, with an optional leading +", clip(in.PhoneNumberPrefix))
	}
	iid, err := h.target(c, in.TargetArn, in.InstanceId, true)
	if err != nil {
		return nil, err
	}
	prefix := in.PhoneNumberPrefix
	if prefix != "" && prefix[0] != '+' {
		prefix = "+" + prefix
	}
	limit := 100
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	q := &cursor.Query{Op: c.op, Account: c.account, Params: []string{iid, strings.Join(in.PhoneNumberCountryCodes, ","), strings.Join(in.PhoneNumberTypes, ","), prefix}}
	after, ok := h.cursors.Decode(q, in.NextToken)
	if !ok || in.NextToken != "" && after == "" {
		return nil, headroom.Errorf(headroom.EINVALID, "NextToken %q is not a token this API returned", clip(in.NextToken))
	}
	list := []phoneNumberData{}
	next := ""
	for next == "" {
		rs, err := h.engine.ListResources(c.ctx, headroom.ResourceFilter{Account: c.account, Kind: kindPhoneNumber.name, Parent: iid, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			var d phoneNumberData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return nil, err
			}
			if d.PhoneNumberCountryCode == "" {
				b, _ := poolBlock(d.PhoneNumber)
				d.PhoneNumberCountryCode, d.PhoneNumberType = b.country, b.typ
			}
			if d.PhoneNumberArn == "" {
				d.PhoneNumberArn = h.arn(c.account, "phone-number/"+r.ID)
			}
			if (len(in.PhoneNumberCountryCodes) > 0 && !contains(in.PhoneNumberCountryCodes, d.PhoneNumberCountryCode)) ||
				(len(in.PhoneNumberTypes) > 0 && !contains(in.PhoneNumberTypes, d.PhoneNumberType)) ||
				!strings.HasPrefix(d.PhoneNumber, prefix) {
				continue
			}
			if len(list) == limit {
				next = h.cursors.Encode(q, list[limit-1].PhoneNumberId)
				break
			}
			list = append(list, d)
		}
		if len(rs) < 1000 {
			break
		}
		after = rs[len(rs)-1].ID
	}
	out := map[string]any{"ListPhoneNumbersSummaryList": list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// describePhoneNumber returns a claimed number of the caller's.
func describePhoneNumber(h *Handler, c *call) (any, error) {
	id := c.path("PhoneNumberId")
	r, err := h.engine.FindResource(c.ctx, c.account, kindPhoneNumber.name, id)
	if err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, notFound(kindPhoneNumber, id)
		}
		return nil, err
	}
	var d phoneNumberData
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return nil, err
	}
	if d.PhoneNumberArn == "" {
		d.PhoneNumberArn = h.arn(c.account, "phone-number/"+id)
	}
	return map[string]any{"ClaimedPhoneNumberSummary": map[string]any{
		"PhoneNumberId": d.PhoneNumberId, "PhoneNumberArn": d.PhoneNumberArn, "PhoneNumber": d.PhoneNumber,
		"PhoneNumberCountryCode": d.PhoneNumberCountryCode, "PhoneNumberType": d.PhoneNumberType,
		"PhoneNumberDescription": d.PhoneNumberDescription, "TargetArn": d.TargetArn, "InstanceId": d.InstanceId,
		"PhoneNumberStatus": map[string]string{"Status": "CLAIMED"},
	}}, nil
}
