package postgres

import (
	"encoding/json"
	"math"
	"time"
)

// Times are stored as unix nanoseconds in BIGINT columns. The zero time is
// stored as math.MinInt64, so it sorts before every other time as it does in
// Go, and comes back as the zero time. Times outside the range of int64
// nanoseconds (before 1678, after 2262) are clamped to its ends.
var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

// enc returns t as stored.
func enc(t time.Time) int64 {
	switch {
	case t.IsZero():
		return math.MinInt64
	case t.Before(minTime):
		return math.MinInt64 + 1
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// dec returns a stored time, in UTC.
func dec(ns int64) time.Time {
	if ns == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// norm returns t as it comes back from the database.
func norm(t time.Time) time.Time { return dec(enc(t)) }

// encList stores a list of strings as a JSON array; an empty list as "".
func encList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// decList reads a list stored by encList; empty comes back nil.
func decList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	return l, nil
}

// copyList returns l as decList would return it after a round trip.
func copyList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return append([]string(nil), l...)
}

// encFloat stores a float: NaN as NULL, as the SQLite store does.
func encFloat(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// decFloat reads a float column; NULL is NaN.
func decFloat(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}
