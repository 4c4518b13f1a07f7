package headroom

import (
	"fmt"
	"sort"
	"time"
)

// Default throttle alarm of a rate quota: it fires (CRITICAL) when more
// than DefaultThrottleCount decisions were throttled in the last
// DefaultThrottleMinutes minutes, and returns to OK when no more than that
// were.
const (
	DefaultThrottleCount   = 10
	DefaultThrottleMinutes = 5
	// MaxThrottleMinutes bounds a throttle alarm's window: the minute
	// history it sums is kept for MinuteHistoryRetention (48 hours).
	MaxThrottleMinutes = 24 * 60
)

// AlarmRule sets the alarm thresholds of the quotas it covers. A rule
// covers one account's quota (Account and Code set), every quota of an
// account (Code empty), one quota in every account (Account empty), or
// everything (both empty, which replaces the built-in defaults). The rule
// that applies to a quota of an account is the most specific one:
// account and code, then account, then code, then the catch-all, then
// DefaultAlarmRule.
type AlarmRule struct {
	// Account is the account the rule is for; empty for every account.
	Account string
	// Code is the quota code the rule is for; empty for every quota.
	Code string
	// Thresholds are the usage alarm's thresholds; Thresholds.Off turns
	// both the usage and the throttle alarm off.
	Thresholds AlarmThresholds
	// ThrottleCount is N of a rate quota's throttle alarm: it fires when
	// more than N decisions were throttled in the window; at least 0.
	ThrottleCount int64
	// ThrottleMinutes is the window M, in minutes: 1 to MaxThrottleMinutes.
	ThrottleMinutes int
	// Updated is when the rule was last set.
	Updated time.Time
}

// DefaultAlarmRule returns the rule every quota has unless an operator
// sets one: warning at 80 %, critical at 95 %, 5 points of hysteresis, and
// a throttle alarm at more than 10 throttled decisions in 5 minutes.
func DefaultAlarmRule() AlarmRule {
	return AlarmRule{Thresholds: DefaultAlarmThresholds(), ThrottleCount: DefaultThrottleCount, ThrottleMinutes: DefaultThrottleMinutes}
}

// Validate returns an EINVALID error naming the first bad field: bad
// thresholds, an account or code that is not a plain identifier, or a
// throttle count or window out of range.
func (r AlarmRule) Validate() error {
	if err := checkIdentifier("account", r.Account, MaxIdentifierLength); err != nil {
		return err
	}
	if err := checkIdentifier("code", r.Code, MaxIdentifierLength); err != nil {
		return err
	}
	if err := r.Thresholds.Validate(); err != nil {
		return err
	}
	if r.ThrottleCount < 0 {
		return FieldErrorf("throttle_count", "must be at least 0, got %d", r.ThrottleCount)
	}
	if r.ThrottleMinutes < 1 || r.ThrottleMinutes > MaxThrottleMinutes {
		return FieldErrorf("throttle_minutes", "must be 1 to %d, got %d", MaxThrottleMinutes, r.ThrottleMinutes)
	}
	return nil
}

// Describe returns the rule's scope in words, for audit entries and
// messages: "quota L-1 of account 111", "every quota of account 111" ...
func (r AlarmRule) Describe() string {
	switch {
	case r.Account != "" && r.Code != "":
		return fmt.Sprintf("quota %s of account %s", r.Code, r.Account)
	case r.Account != "":
		return "every quota of account " + r.Account
	case r.Code != "":
		return fmt.Sprintf("quota %s of every account", r.Code)
	}
	return "every quota of every account"
}

// String states the rule's settings, for audit entries.
func (r AlarmRule) String() string {
	if r.Thresholds.Off {
		return r.Describe() + ": alarms off"
	}
	return fmt.Sprintf("%s: warning %g, critical %g, hysteresis %g, throttle more than %d in %d min",
		r.Describe(), r.Thresholds.Warning, r.Thresholds.Critical, r.Thresholds.Hysteresis, r.ThrottleCount, r.ThrottleMinutes)
}

// AlarmRules is a set of rules indexed for lookup. The zero value holds
// no rules, so every quota gets DefaultAlarmRule. It is read-only once
// built and safe for concurrent reads.
type AlarmRules struct {
	byKey map[[2]string]AlarmRule
}

// NewAlarmRules indexes rules; a later rule for the same (account, code)
// replaces an earlier one.
func NewAlarmRules(rules []AlarmRule) AlarmRules {
	m := make(map[[2]string]AlarmRule, len(rules))
	for _, r := range rules {
		m[[2]string{r.Account, r.Code}] = r
	}
	return AlarmRules{byKey: m}
}

// For returns the rule that applies to a quota of an account: the rule for
// (account, code), else for (account, ""), else for ("", code), else for
// ("", ""), else DefaultAlarmRule. The rule returned keeps its own Account
// and Code, so that callers can say which rule applied.
func (rs AlarmRules) For(account, code string) AlarmRule {
	for _, k := range [][2]string{{account, code}, {account, ""}, {"", code}, {"", ""}} {
		if r, ok := rs.byKey[k]; ok {
			return r
		}
	}
	return DefaultAlarmRule()
}

// SortAlarmRules orders rules by account then code, the order every store
// lists them in.
func SortAlarmRules(rules []AlarmRule) {
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].Account != rules[j].Account {
			return rules[i].Account < rules[j].Account
		}
		return rules[i].Code < rules[j].Code
	})
}
