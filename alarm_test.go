package headroom_test

import (
	"math"
	"testing"

	"github.com/headroomhq/headroom"
)

// Levels rise at their thresholds and fall only Hysteresis below them, so
// usage hovering at 80 % or 95 % does not flap.
func TestAlarmLevel(t *testing.T) {
	d := headroom.DefaultAlarmThresholds()
	ok, warn, crit := headroom.AlarmOK, headroom.AlarmWarning, headroom.AlarmCritical
	for _, tc := range []struct {
		prev  headroom.AlarmLevel
		ratio float64
		want  headroom.AlarmLevel
	}{
		{ok, 0, ok},
		{ok, 0.79, ok},
		{ok, 0.80, warn},
		{ok, 0.95, crit},
		{ok, 1.2, crit},
		{warn, 0.79, warn}, // within the hysteresis: stays
		{warn, 0.751, warn},
		{warn, 0.749, ok},
		{warn, 0.94, warn},
		{warn, 0.95, crit},
		{crit, 0.94, crit}, // stays until 90 %
		{crit, 0.899, warn},
		{crit, 0.70, ok},
		{crit, 0.76, warn}, // a critical alarm falling past 90 % stays warning down to 75 %
		{ok, math.NaN(), ok},
	} {
		if got := d.Level(tc.prev, tc.ratio); got != tc.want {
			t.Errorf("Level(%s, %g) = %s, want %s", tc.prev, tc.ratio, got, tc.want)
		}
	}
	off := d
	off.Off = true
	if got := off.Level(crit, 1); got != ok {
		t.Errorf("alarms off: %s", got)
	}
}

func TestAlarmThresholdsValidate(t *testing.T) {
	if err := headroom.DefaultAlarmThresholds().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t     headroom.AlarmThresholds
		field string
	}{
		{headroom.AlarmThresholds{Warning: 0, Critical: 0.9}, "warning"},
		{headroom.AlarmThresholds{Warning: 1.5, Critical: 1.5}, "warning"},
		{headroom.AlarmThresholds{Warning: 0.9, Critical: 0.8}, "critical"},
		{headroom.AlarmThresholds{Warning: 0.8, Critical: 1.1}, "critical"},
		{headroom.AlarmThresholds{Warning: 0.8, Critical: 0.9, Hysteresis: 0.8}, "hysteresis"},
		{headroom.AlarmThresholds{Warning: 0.8, Critical: 0.9, Hysteresis: -0.1}, "hysteresis"},
		{headroom.AlarmThresholds{Warning: math.NaN(), Critical: 0.9}, "warning"},
	} {
		err := tc.t.Validate()
		var he *headroom.Error
		if !asError(err, &he) || he.Code != headroom.EINVALID || he.Field != tc.field {
			t.Errorf("Validate(%+v) = %v, want EINVALID on %s", tc.t, err, tc.field)
		}
	}
}
