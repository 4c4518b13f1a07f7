package profilesapi

import (
	"encoding/json"
	"strconv"

	"github.com/headroomhq/headroom"
)

// objectBytesMember keeps, inside a profile's stored data, the bytes of
// all its objects. "Maximum size of a profile including all objects"
// (5 MB) is then checked and changed in the same versioned update of the
// profile as the change it allows: two objects put at once on two nodes
// cannot both fit in the last megabyte, and a profile update sees the
// objects' bytes as they are. The colon keeps it apart from every member
// of the model; clients can neither set nor see it.
const objectBytesMember = "headroom:ObjectBytes"

// split returns a profile's data as clients see it, and its objects'
// bytes.
func split(data []byte) (fields, int64, error) {
	f := fields{}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, 0, err
	}
	var n int64
	if raw, ok := f[objectBytesMember]; ok {
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, 0, err
		}
		delete(f, objectBytesMember)
	}
	return f, n, nil
}

// join is split's inverse: the stored data, and the profile's own size
// (what the 250 KB limit counts).
func join(f fields, objectBytes int64) ([]byte, int, error) {
	own, err := json.Marshal(f)
	if err != nil {
		return nil, 0, err
	}
	if objectBytes == 0 {
		return own, len(own), nil
	}
	f[objectBytesMember] = json.RawMessage(strconv.FormatInt(objectBytes, 10))
	defer delete(f, objectBytesMember)
	data, err := json.Marshal(f)
	return data, len(own), err
}

// checkTotal checks a profile's own size plus its objects' bytes against
// the 5 MB limit (as overridden or raised for the account).
func (h *Handler) checkTotal(c *call, own int, objectBytes int64) error {
	_, err := h.engine.Do(c.ctx, headroom.Request{Op: headroom.OpCheck, Account: c.account, Code: codeProfileTotalSize, Size: int64(own) + objectBytes})
	return err
}

// addObjectBytes adds delta to a profile's objects' bytes, in one
// versioned update of the profile: a positive delta is refused
// (EQUOTAEXCEEDED, BadRequestException) when the profile would pass 5 MB.
// Bytes are added before an object is stored and taken off after one is
// deleted, so that the limit holds at every moment; a node stopped in
// between leaves the profile counted larger, never smaller.
func (h *Handler) addObjectBytes(c *call, profile string, delta int64) error {
	_, err := h.engine.UpdateResource(c.ctx, c.account, kindProfile, profile, func(r *headroom.Resource) (headroom.Slots, error) {
		f, n, err := split(r.Data)
		if err != nil {
			return headroom.Slots{}, err
		}
		n = max(n+delta, 0)
		data, own, err := join(f, n)
		if err != nil {
			return headroom.Slots{}, err
		}
		if delta > 0 {
			if err := h.checkTotal(c, own, n); err != nil {
				return headroom.Slots{}, err
			}
		}
		r.Data = data
		return headroom.Slots{}, nil
	})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return headroom.Errorf(headroom.ENOTFOUND, "Profile not found: %s", clip(profile))
	}
	return err
}
