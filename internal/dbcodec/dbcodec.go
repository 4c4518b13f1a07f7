// Package dbcodec holds the column encodings the SQL stores (sqlite and
// postgres) share, so that both store times, lists and floats the same way
// and a copy between them is exact.
package dbcodec

import (
	"encoding/json"
	"math"
	"time"
)

// Times are stored as unix nanoseconds in 64-bit integer columns. The zero
// time is stored as math.MinInt64, so it sorts before every other time as
// it does in Go, and comes back as the zero time. Times outside the range
// of int64 nanoseconds (before 1678, after 2262) are clamped to its ends.
var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

// EncTime returns t as stored.
func EncTime(t time.Time) int64 {
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

// DecTime returns a stored time, in UTC.
func DecTime(ns int64) time.Time {
	if ns == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// NormTime returns t as it comes back from the database.
func NormTime(t time.Time) time.Time { return DecTime(EncTime(t)) }

// EncList stores a list of strings as a JSON array; an empty list as "".
func EncList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// DecList reads a list stored by EncList; empty comes back nil. It fails
// only on a column that EncList did not write.
func DecList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	return l, nil
}

// CopyList returns l as DecList would return it after a round trip.
func CopyList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return append([]string(nil), l...)
}

// EncFloat stores a float: NaN (no value) as NULL.
func EncFloat(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// DecFloat reads a float column; NULL is NaN.
func DecFloat(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}
