package headroom

import (
	"fmt"
	"sort"
	"time"
)

// AlarmKind says what an alarm watches.
type AlarmKind string

// The alarm kinds.
const (
	// AlarmUsage watches a count, cumulative or concurrency quota's usage
	// as a fraction of its applied value.
	AlarmUsage AlarmKind = "usage"
	// AlarmThrottle watches a rate quota's throttled decisions in a
	// window of minutes.
	AlarmThrottle AlarmKind = "throttle"
)

// AlarmState is the stored state of one alarm: a usage key's usage alarm or
// throttle alarm. A key that has no stored state is at AlarmOK.
type AlarmState struct {
	Key  UsageKey
	Kind AlarmKind
	// Level is the alarm's level since Since.
	Level AlarmLevel
	// Value is the usage (usage alarm) or the throttled decisions in the
	// window (throttle alarm) when the level was entered.
	Value int64
	// Applied is the quota's applied value (usage alarm), or the throttle
	// count N (throttle alarm), when the level was entered.
	Applied float64
	// Ratio is Value ÷ Applied for a usage alarm; 0 for a throttle alarm.
	Ratio float64
	// Threshold is the threshold crossed into Level: a fraction of the
	// applied value (usage), or N (throttle). For a return to AlarmOK it
	// is the lower edge that was crossed.
	Threshold float64
	// Since is when the alarm entered Level.
	Since time.Time
	// Updated is when the state was last written.
	Updated time.Time
}

// Firing reports whether the alarm is at WARNING or CRITICAL.
func (s AlarmState) Firing() bool { return s.Level == AlarmWarning || s.Level == AlarmCritical }

// Validate returns an EINVALID error for a state a store must not keep: an
// unknown kind or level, an empty account or code.
func (s AlarmState) Validate() error {
	switch {
	case s.Key.Account == "":
		return FieldErrorf("account", "is required")
	case s.Key.Code == "":
		return FieldErrorf("code", "is required")
	case s.Kind != AlarmUsage && s.Kind != AlarmThrottle:
		return FieldErrorf("kind", "must be %q or %q, got %q", AlarmUsage, AlarmThrottle, s.Kind)
	case !validLevel(s.Level):
		return FieldErrorf("level", "must be OK, WARNING or CRITICAL, got %q", s.Level)
	}
	return nil
}

func validLevel(l AlarmLevel) bool {
	return l == AlarmOK || l == AlarmWarning || l == AlarmCritical
}

// ParseAlarmLevel returns the level named s (case-sensitive, as stored);
// EINVALID for another name.
func ParseAlarmLevel(s string) (AlarmLevel, error) {
	if l := AlarmLevel(s); validLevel(l) {
		return l, nil
	}
	return "", FieldErrorf("level", "must be OK, WARNING or CRITICAL, got %q", s)
}

// levelRank orders levels for sorting: CRITICAL first.
func levelRank(l AlarmLevel) int {
	switch l {
	case AlarmCritical:
		return 0
	case AlarmWarning:
		return 1
	}
	return 2
}

// AlarmStateFilter selects alarm states. Zero fields match everything.
type AlarmStateFilter struct {
	Account string
	// Firing keeps the alarms at WARNING or CRITICAL.
	Firing bool
}

// Match reports whether s passes the filter.
func (f AlarmStateFilter) Match(s AlarmState) bool {
	return (f.Account == "" || s.Key.Account == f.Account) && (!f.Firing || s.Firing())
}

// SortAlarmStates orders states by account, code, scope, then kind: the
// order every store lists them in.
func SortAlarmStates(states []AlarmState) {
	sort.Slice(states, func(i, j int) bool { return alarmStateLess(states[i], states[j]) })
}

func alarmStateLess(a, b AlarmState) bool {
	switch {
	case a.Key.Account != b.Key.Account:
		return a.Key.Account < b.Key.Account
	case a.Key.Code != b.Key.Code:
		return a.Key.Code < b.Key.Code
	case a.Key.Scope != b.Key.Scope:
		return a.Key.Scope < b.Key.Scope
	}
	return a.Kind < b.Kind
}

// SortAlarmsBySeverity orders states CRITICAL first, then WARNING, then
// OK, the highest ratio first within a level, then in store order.
func SortAlarmsBySeverity(states []AlarmState) {
	sort.SliceStable(states, func(i, j int) bool {
		a, b := states[i], states[j]
		if ra, rb := levelRank(a.Level), levelRank(b.Level); ra != rb {
			return ra < rb
		}
		if a.Ratio != b.Ratio {
			return a.Ratio > b.Ratio
		}
		return alarmStateLess(a, b)
	})
}

// alarmDetail states a transition for the audit log: the value and the
// threshold crossed.
func alarmDetail(prev AlarmLevel, s AlarmState) string {
	if s.Kind == AlarmThrottle {
		return fmt.Sprintf("throttle alarm %s -> %s: %d throttled decisions in the window, threshold more than %g",
			prev, s.Level, s.Value, s.Threshold)
	}
	return fmt.Sprintf("usage alarm %s -> %s: usage %d of applied value %g (%.1f %%), threshold %.1f %%",
		prev, s.Level, s.Value, s.Applied, 100*s.Ratio, 100*s.Threshold)
}
