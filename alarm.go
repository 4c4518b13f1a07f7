package headroom

// AlarmLevel is a usage alarm's state: how close a quota's usage is to its
// applied value.
type AlarmLevel string

// The alarm levels, in rising order.
const (
	AlarmOK       AlarmLevel = "OK"
	AlarmWarning  AlarmLevel = "WARNING"
	AlarmCritical AlarmLevel = "CRITICAL"
)

// Default usage alarm thresholds, as fractions of the applied value: a
// quota warns at 80 % and is critical at 95 %, as AWS's suggested usage
// alarms do. A level is left only when usage falls DefaultAlarmHysteresis
// below its threshold, so that usage hovering at a threshold does not flap.
const (
	DefaultAlarmWarning    = 0.80
	DefaultAlarmCritical   = 0.95
	DefaultAlarmHysteresis = 0.05
)

// AlarmThresholds are a quota's usage alarm thresholds, as fractions of its
// applied value.
type AlarmThresholds struct {
	// Warning and Critical are where the levels start: 0 < Warning <=
	// Critical <= 1.
	Warning, Critical float64
	// Hysteresis is how far below a threshold usage must fall to leave its
	// level: 0 <= Hysteresis < Warning.
	Hysteresis float64
	// Off turns the quota's alarms off: Level is always AlarmOK.
	Off bool
}

// DefaultAlarmThresholds returns the thresholds every quota with a numeric
// limit has unless an operator changes them.
func DefaultAlarmThresholds() AlarmThresholds {
	return AlarmThresholds{Warning: DefaultAlarmWarning, Critical: DefaultAlarmCritical, Hysteresis: DefaultAlarmHysteresis}
}

// Validate returns an EINVALID error naming the first bad field.
func (t AlarmThresholds) Validate() error {
	switch {
	case t.Off:
		return nil
	case !(t.Warning > 0 && t.Warning <= 1):
		return FieldErrorf("warning", "must be above 0 and at most 1 (a fraction of the applied value), got %g", t.Warning)
	case !(t.Critical >= t.Warning && t.Critical <= 1):
		return FieldErrorf("critical", "must be at least warning (%g) and at most 1, got %g", t.Warning, t.Critical)
	case !(t.Hysteresis >= 0 && t.Hysteresis < t.Warning):
		return FieldErrorf("hysteresis", "must be at least 0 and below warning (%g), got %g", t.Warning, t.Hysteresis)
	}
	return nil
}

// Level returns the alarm level for usage at ratio (used ÷ applied value)
// given the level it was at. A level is entered when ratio reaches its
// threshold and left only when ratio falls Hysteresis below it; from any
// level, the new one is the highest that holds. A ratio that is not a
// number (no applied value) is AlarmOK. Level is a pure function, safe
// for concurrent use.
func (t AlarmThresholds) Level(prev AlarmLevel, ratio float64) AlarmLevel {
	if t.Off || ratio != ratio {
		return AlarmOK
	}
	holds := func(l AlarmLevel, threshold float64) bool {
		if prev == l || (l == AlarmWarning && prev == AlarmCritical) {
			return ratio >= threshold-t.Hysteresis // staying: the lower edge
		}
		return ratio >= threshold
	}
	switch {
	case holds(AlarmCritical, t.Critical):
		return AlarmCritical
	case holds(AlarmWarning, t.Warning):
		return AlarmWarning
	}
	return AlarmOK
}
