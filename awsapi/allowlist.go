package awsapi

import (
	"math"
	"strconv"
	"strings"
)

// maxDialPrefix bounds the dial prefix a DesiredValue may name: the
// 15 digits of a whole E.164 number.
const maxDialPrefix = 1e15

// dialPrefixArg decodes the DesiredValue of a RequestServiceQuotaIncrease
// on the outbound country allow-list, which the Service Quotas model can
// only give as a number. A whole positive number is a dial prefix's digits
// to allow: 447 opens UK mobiles (+447), 49 Germany (+49). A whole negative
// number is one to deny: -447 closes UK mobiles again, -1 stops calls to
// +1. Zero, fractions and more than 15 digits are refused.
func dialPrefixArg(p *float64) (allow, deny []string, err error) {
	if p == nil {
		return nil, nil, illegal("DesiredValue", "is required: the dial prefix to allow as a positive number (447 for +447), or to deny as a negative one (-447)")
	}
	v := *p
	if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 || v != math.Trunc(v) || math.Abs(v) >= maxDialPrefix {
		return nil, nil, illegal("DesiredValue", "must be a dial prefix's digits, positive to allow (447 for +447) or negative to deny (-447), got %v", v)
	}
	prefix := "+" + strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	if v > 0 {
		return []string{prefix}, nil, nil
	}
	return nil, []string{prefix}, nil
}

// dialPrefixValue is the DesiredValue an allow-list request is shown with:
// its first entry encoded as dialPrefixArg reads it, allowed entries first;
// 0 for none.
func dialPrefixValue(allow, deny []string) float64 {
	sign, entries := 1.0, allow
	if len(entries) == 0 {
		sign, entries = -1, deny
	}
	if len(entries) == 0 {
		return 0
	}
	n, err := strconv.ParseFloat(strings.TrimPrefix(entries[0], "+"), 64)
	if err != nil {
		return 0
	}
	return sign * n
}
