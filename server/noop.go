//go:build !headroom_bench

package server

import "github.com/headroomhq/headroom"

// nativeServices returns what the native API runs on. A production build
// cannot answer enforcement without deciding: NoopEnforce is refused.
func nativeServices(svc headroom.Services, noop bool) (headroom.Services, error) {
	if noop {
		return nil, headroom.Errorf(headroom.EINVALID,
			"HEADROOM_TEST_NOOP_ENFORCE needs a binary built with -tags headroom_bench; it is for load benchmarks only")
	}
	return svc, nil
}
