package participantapi

import (
	"strconv"
	"time"
)

// position is GetTranscript's StartPosition: where the scan starts, given
// by exactly one of an item's Id, a time, or a count back from the most
// recent item.
type position struct {
	Id           string `json:"Id"`
	AbsoluteTime string `json:"AbsoluteTime"`
	MostRecent   *int   `json:"MostRecent"`
	at           time.Time
}

// startPosition checks a StartPosition as the model constrains it:
// exactly one member; Id 1 to 256 characters; AbsoluteTime an ISO 8601
// time (yyyy-MM-ddThh:mm:ss.SSSZ); MostRecent 0 to 100. A nil one starts
// at the first item of the scan.
func startPosition(p *position) (*position, error) {
	if p == nil {
		return &position{}, nil
	}
	set := 0
	if p.Id != "" {
		set++
		if len(p.Id) > 256 {
			return nil, newError(errValidation, "StartPosition.Id is at most 256 characters")
		}
	}
	if p.AbsoluteTime != "" {
		set++
		t, err := time.Parse(time.RFC3339Nano, p.AbsoluteTime)
		if err != nil {
			return nil, newError(errValidation, "StartPosition.AbsoluteTime %q is not an ISO 8601 time such as 2026-12-03T10:00:00.000Z", clip(p.AbsoluteTime))
		}
		p.at = t
	}
	if p.MostRecent != nil {
		set++
		if *p.MostRecent < 0 || *p.MostRecent > 100 {
			return nil, newError(errValidation, "StartPosition.MostRecent must be between 0 and 100, got %d", *p.MostRecent)
		}
	}
	if set != 1 {
		return nil, newError(errValidation, "StartPosition takes exactly one of Id, AbsoluteTime and MostRecent")
	}
	return p, nil
}

// key is the position as a NextToken binds it: a token answers only the
// query it came from.
func (p *position) key() string {
	switch {
	case p.Id != "":
		return "id:" + p.Id
	case !p.at.IsZero():
		return "time:" + p.at.UTC().Format(time.RFC3339Nano)
	case p.MostRecent != nil:
		return "recent:" + strconv.Itoa(*p.MostRecent)
	}
	return ""
}

// index is where in items, which are in scan order, the scan starts: at
// the item with the Id; at the first item at or after the time scanning
// FORWARD, at or before it scanning BACKWARD; or at the MostRecent-th item
// counted back from the most recent (0 is the most recent). Past the end
// when nothing qualifies; an Id not in the transcript is a
// ValidationException.
func (p *position) index(items []item, scan string) (int, error) {
	switch {
	case p.Id != "":
		for i, it := range items {
			if it.Id == p.Id {
				return i, nil
			}
		}
		return 0, newError(errValidation, "StartPosition.Id %s is not an item of this transcript", clip(p.Id))
	case !p.at.IsZero():
		for i, it := range items {
			t, err := time.Parse(time.RFC3339Nano, it.AbsoluteTime)
			if err != nil {
				continue
			}
			if scan == "FORWARD" && !t.Before(p.at) || scan == "BACKWARD" && !t.After(p.at) {
				return i, nil
			}
		}
		return len(items), nil
	case p.MostRecent != nil:
		n := *p.MostRecent
		if scan == "BACKWARD" { // items run from the most recent
			return min(n, len(items)), nil
		}
		return max(len(items)-1-n, 0), nil
	}
	return 0, nil
}
