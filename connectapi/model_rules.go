package connectapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/headroomhq/headroom"
)

// memberRule is the service model's constraint on a top-level string
// member of an operation's request: its length in characters and, where
// the model gives one that Go's regexp can run, its pattern.
type memberRule struct {
	member   string
	min, max int // max 0: no maximum
	pattern  *regexp.Regexp
}

// modelRules holds the constraints of the Amazon Connect service model
// (botocore's connect/2017-08-08) on the string members of the served
// operations' bodies, as facts about the wire, like the route table.
// Patterns with lookarounds, which RE2 cannot run, are left to the
// handlers (the instance alias) or checked as parsed numbers (the phone
// numbers, by package phone).
var modelRules = map[string][]memberRule{
	"AssociateBot":                {{"ClientToken", 0, 500, nil}},
	"AssociateLambdaFunction":     {{"ClientToken", 0, 500, nil}, {"FunctionArn", 1, 140, nil}},
	"ClaimPhoneNumber":            {{"ClientToken", 0, 500, nil}, {"InstanceId", 1, 100, nil}, {"PhoneNumberDescription", 0, 500, regexp.MustCompile(`^[\W\S_]*`)}},
	"CreateAgentStatus":           {{"Description", 1, 250, nil}, {"Name", 1, 127, nil}},
	"CreateContactFlow":           {{"Name", 1, 0, nil}},
	"CreateHoursOfOperation":      {{"Description", 1, 250, nil}, {"Name", 1, 127, nil}},
	"CreateInstance":              {{"ClientToken", 0, 500, nil}, {"DirectoryId", 12, 12, regexp.MustCompile(`^d-[0-9a-f]{10}$`)}, {"InstanceAlias", 1, 45, nil}},
	"CreatePrompt":                {{"Description", 1, 250, nil}, {"Name", 1, 127, nil}, {"S3Uri", 1, 2000, nil}},
	"CreateQueue":                 {{"Description", 1, 250, nil}, {"Name", 1, 127, nil}},
	"CreateQuickConnect":          {{"Description", 1, 250, nil}, {"Name", 1, 127, nil}},
	"CreateRoutingProfile":        {{"Description", 1, 250, nil}, {"Name", 1, 127, nil}},
	"CreateSecurityProfile":       {{"Description", 0, 250, nil}, {"SecurityProfileName", 1, 127, regexp.MustCompile(`^[ a-zA-Z0-9_@-]+$`)}},
	"CreateUser":                  {{"Username", 1, 100, nil}},
	"DisassociateBot":             {{"ClientToken", 0, 500, nil}},
	"ListPhoneNumbersV2":          {{"InstanceId", 1, 100, nil}},
	"MonitorContact":              {{"ClientToken", 0, 500, nil}, {"ContactId", 1, 256, nil}, {"InstanceId", 1, 100, nil}, {"UserId", 1, 256, nil}},
	"SearchAvailablePhoneNumbers": {{"InstanceId", 1, 100, nil}},
	"SearchQueues":                {{"InstanceId", 1, 100, nil}},
	"SearchRoutingProfiles":       {{"InstanceId", 1, 100, nil}},
	"SearchUsers":                 {{"InstanceId", 1, 100, nil}},
	"StartChatContact":            {{"ClientToken", 0, 500, nil}, {"ContactFlowId", 0, 500, nil}, {"CustomerId", 1, 128, nil}, {"InstanceId", 1, 100, nil}, {"RelatedContactId", 1, 256, nil}},
	"StartOutboundVoiceContact":   {{"CampaignId", 1, 100, nil}, {"ClientToken", 0, 500, nil}, {"ContactFlowId", 0, 500, nil}, {"Description", 0, 4096, nil}, {"InstanceId", 1, 100, nil}, {"Name", 0, 1024, nil}, {"RelatedContactId", 1, 256, nil}},
	"StartTaskContact":            {{"ClientToken", 0, 500, nil}, {"ContactFlowId", 0, 500, nil}, {"Description", 0, 4096, nil}, {"InstanceId", 1, 100, nil}, {"Name", 0, 1024, nil}, {"PreviousContactId", 1, 256, nil}, {"RelatedContactId", 1, 256, nil}, {"TaskTemplateId", 1, 500, nil}},
	"StopContact":                 {{"ContactId", 1, 256, nil}, {"InstanceId", 1, 100, nil}},
	"TransferContact":             {{"ClientToken", 0, 500, nil}, {"ContactFlowId", 0, 500, nil}, {"ContactId", 1, 256, nil}, {"InstanceId", 1, 100, nil}, {"UserId", 1, 256, nil}},
	"UpdateContactAttributes":     {{"InitialContactId", 1, 256, nil}, {"InstanceId", 1, 100, nil}},
}

// checkModel checks a request body's top-level string members against
// the model's lengths and patterns, and refuses control characters in
// names, before the operation runs. A body that is not a JSON object is
// left to the operation's own decoding, which says what is wrong.
func checkModel(op string, body []byte) error {
	rules := modelRules[op]
	if len(rules) == 0 || len(body) == 0 {
		return nil
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil
	}
	for _, r := range rules {
		raw, ok := members[r.member]
		if !ok {
			continue
		}
		var v string
		if json.Unmarshal(raw, &v) != nil {
			continue // not a string: the decoder names the wrong type
		}
		n := utf8.RuneCountInString(v)
		switch {
		case n < r.min || r.max > 0 && n > r.max:
			if r.max == 0 {
				return headroom.FieldErrorf(r.member, "must be at least %d characters long, got %d", r.min, n)
			}
			return headroom.FieldErrorf(r.member, "must be %d to %d characters long, got %d", r.min, r.max, n)
		case r.pattern != nil && !r.pattern.MatchString(v):
			return headroom.FieldErrorf(r.member, "%q does not match the pattern %s", clip(v), r.pattern)
		case isName(r.member) && strings.IndexFunc(v, isControl) >= 0:
			return headroom.FieldErrorf(r.member, "must not contain control characters")
		}
	}
	return nil
}

// isName reports whether a member is a name, in which control characters
// are refused.
func isName(member string) bool {
	return strings.HasSuffix(member, "Name") || member == "Username" || member == "InstanceAlias"
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
