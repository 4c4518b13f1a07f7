// Package httpbody reads request bodies for every Headroom API the same
// way: up to a limit, with a body over it always ETOOLARGE.
package httpbody

import (
	"errors"
	"io"
	"net/http"

	"github.com/headroomhq/headroom"
)

// DefaultLimit is the body limit of every API unless configured.
const DefaultLimit = 1 << 20

// Read reads r's body, at most limit bytes (DefaultLimit if limit is not
// positive). A body over the limit is an *headroom.Error of code ETOOLARGE
// naming the limit; a body that cannot be read is EINVALID, unless the read
// error is itself an *headroom.Error (the server refusing to read more
// bodies at once), which is returned as it is. A request without a body
// reads as empty.
func Read(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, headroom.Errorf(headroom.ETOOLARGE, "request body is over the limit of %d bytes", limit)
		}
		var he *headroom.Error
		if errors.As(err, &he) {
			return nil, he // the server's own refusal, such as too many bodies at once
		}
		return nil, headroom.Errorf(headroom.EINVALID, "request body could not be read: %v", err)
	}
	return b, nil
}
