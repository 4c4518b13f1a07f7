package dbcodec

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func TestTimeRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want time.Time
	}{
		{time.Time{}, time.Time{}},
		{time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("x", 3600)), time.Date(2026, 3, 1, 11, 0, 0, 123456789, time.UTC)},
		{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, math.MinInt64+1).UTC()},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, math.MaxInt64).UTC()},
	} {
		if got := NormTime(tc.in); !got.Equal(tc.want) || got.Location() != time.UTC && !got.IsZero() {
			t.Errorf("NormTime(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if EncTime(time.Time{}) >= EncTime(time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("the zero time must sort first")
	}
}

func TestListRoundTrip(t *testing.T) {
	for _, l := range [][]string{nil, {}, {"a"}, {"a", "b,c", `"q"`}} {
		got, err := DecList(EncList(l))
		if err != nil || !reflect.DeepEqual(got, CopyList(l)) {
			t.Errorf("round trip of %q = %q, %v", l, got, err)
		}
	}
	if _, err := DecList("not json"); err == nil {
		t.Error("DecList of a damaged column must fail")
	}
}

func TestFloatRoundTrip(t *testing.T) {
	if !math.IsNaN(DecFloat(EncFloat(math.NaN()))) || EncFloat(math.NaN()) != nil {
		t.Error("NaN must be stored as NULL and come back NaN")
	}
	if DecFloat(EncFloat(2.5)) != 2.5 {
		t.Error("2.5 must round-trip")
	}
}
